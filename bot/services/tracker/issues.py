"""An approved story as a tracker-neutral issue, and which stories of a batch block which."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.domain.stories import StoryView
from bot.domain.tracker import IssueDraft

APP_LABEL = "apo-bridge"
_SUMMARY_MAX = 255  # Jira refuses longer summaries
_NOT_WORD = re.compile(r"[^\w]+")


def marker(project: str, story_id: int) -> str:
    """The label that finds this story's issue again: unique per project and story, so two
    projects filing into one Jira project never mistake each other's issues."""
    return f"apo-{project}-story-{story_id}"


def issue_draft(
    story: StoryView,
    *,
    approved_by: str,
    card_link: str | None,
    extra_labels: Sequence[str] = (),
) -> IssueDraft:
    summary = " ".join(story.title.split()) or f"Story {story.id}"
    if len(summary) > _SUMMARY_MAX:
        summary = summary[: _SUMMARY_MAX - 1].rstrip() + "…"
    label = marker(story.project, story.id)
    labels = tuple(dict.fromkeys((APP_LABEL, label, *extra_labels)))
    return IssueDraft(
        story_id=story.id,
        marker=label,
        summary=summary,
        sentence=story.sentence,
        criteria=story.criteria,
        quotes=story.verified_quotes,
        open_questions=story.open_questions,
        approved_by=approved_by,
        card_link=card_link,
        labels=labels,
        points=story.points,
        priority=story.priority,
    )


def blockers(story: StoryView, batch: Sequence[StoryView]) -> list[StoryView]:
    """The stories of the same batch this one depends on. The model names them by title
    ("titles of other stories in this batch"); a reviewer may write "story 2" or "#12"."""
    found: list[StoryView] = []
    for text in story.dependencies:
        other = _resolve(text, story, batch)
        if other is not None and other not in found:
            found.append(other)
    return found


def _resolve(text: str, story: StoryView, batch: Sequence[StoryView]) -> StoryView | None:
    wanted = _words(text)
    others = [s for s in batch if s.id != story.id]
    by_title = [s for s in others if _words(s.title) == wanted]
    if by_title:
        return by_title[0]
    if m := re.fullmatch(r"(?:story\s*)?#(\d+)", text.strip(), re.IGNORECASE):
        return next((s for s in others if s.id == int(m.group(1))), None)
    if m := re.fullmatch(r"story\s+(\d+)", text.strip(), re.IGNORECASE):
        return next((s for s in others if s.position == int(m.group(1))), None)  # as on its card
    return None


def _words(text: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())
