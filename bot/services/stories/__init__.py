"""Stories from meeting notes to backlog: intake, drafting with the model, the checks, the
drafting batch in chat (`batches.StoryService`), the human review and the exports."""
