"""The shape the model must answer in when drafting stories (sent as a JSON schema).

Field descriptions are part of the schema the provider sees, so they say what each field means;
the prompt (`prompts/story_draft.md`) says how to fill them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DraftCriterion(_Schema):
    given: str = Field(description="the starting state")
    when: str = Field(description="exactly one action or event")
    then: str = Field(description="an observable outcome")


class DraftedStory(_Schema):
    title: str = Field(description="a short name for the story")
    role: str = Field(description="who wants this, as named in the notes, or 'unknown'")
    goal: str = Field(description="what they want to do, one feature")
    benefit: str = Field(description="why they want it; empty if the notes do not say")
    acceptance_criteria: list[DraftCriterion]
    source_quotes: list[str] = Field(
        description="verbatim excerpts of the notes this story comes from, in their language"
    )
    open_questions: list[str]
    depends_on: list[str] = Field(description="titles of other stories in this batch")


class DraftBatch(_Schema):
    stories: list[DraftedStory]
    questions_for_client: list[str]
    out_of_scope: list[str]
