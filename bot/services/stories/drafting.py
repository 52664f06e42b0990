"""Turning meeting notes into drafted stories with the model, part by part.

Long notes are split (on paragraph boundaries) and drafted in parts; the parts' answers are
merged and stories that come back twice (same role and goal once normalised) are kept once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.llm.base import ChatModel
from bot.llm.prompts import Prompt
from bot.quality import normalise
from bot.services.stories.draft_schema import DraftBatch, DraftedStory

Progress = Callable[[str], None]
Splitter = Callable[[str], list[str]]
# A project's standing guidance (shared plus its own knowledge folder), by project key.
Guidelines = Callable[[str], str]


@dataclass(frozen=True)
class DraftOutcome:
    stories: tuple[DraftedStory, ...]
    questions_for_client: tuple[str, ...]
    out_of_scope: tuple[str, ...]
    parts: int


class StoryDrafter:
    def __init__(
        self, chat: ChatModel, prompt: Prompt, guidelines: Guidelines, split: Splitter
    ) -> None:
        self._chat = chat
        self._prompt = prompt
        self._guidelines = guidelines
        self._split = split

    def draft(
        self,
        notes: str,
        *,
        project: str,
        project_name: str,
        language: str,
        on_progress: Progress,
    ) -> DraftOutcome:
        parts = self._split(notes)
        guidelines = self._guidelines(project)
        answers: list[DraftBatch] = []
        for number, part in enumerate(parts, start=1):
            on_progress(
                f"Drafting part {number} of {len(parts)}…" if len(parts) > 1 else "Drafting…"
            )
            messages = self._prompt.render(
                guidelines=guidelines,
                project_name=project_name,
                language=language,
                part=f"part {number} of {len(parts)}",
                notes=part,
            )
            answers.append(
                self._chat.structured(messages, DraftBatch, purpose="story_draft", project=project)
            )
        return merge(answers)


def merge(answers: list[DraftBatch]) -> DraftOutcome:
    """Combine the parts' answers. A story drafted again by a later part (same role and goal
    once normalised) is kept once with the quotes of both; look-alikes within one part stay,
    so that the duplicate check can show them to the reviewer."""
    stories: list[DraftedStory] = []
    first_seen: dict[str, tuple[int, int]] = {}  # key -> (part, index in stories)
    for part, answer in enumerate(answers):
        for story in answer.stories:
            key = normalise(f"{story.role} {story.goal}")
            seen = first_seen.get(key)
            if seen is not None and seen[0] != part:
                kept = stories[seen[1]]
                quotes = list(dict.fromkeys([*kept.source_quotes, *story.source_quotes]))
                stories[seen[1]] = kept.model_copy(update={"source_quotes": quotes})
                continue
            first_seen.setdefault(key, (part, len(stories)))
            stories.append(story)
    return DraftOutcome(
        stories=tuple(stories),
        questions_for_client=_unique(q for a in answers for q in a.questions_for_client),
        out_of_scope=_unique(o for a in answers for o in a.out_of_scope),
        parts=len(answers),
    )


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for item in items:
        if item.strip():
            seen.setdefault(normalise(item), item.strip())
    return tuple(seen.values())
