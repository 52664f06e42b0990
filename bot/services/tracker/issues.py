"""An approved story as a tracker-neutral issue."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.stories import StoryView
from bot.domain.tracker import IssueDraft

APP_LABEL = "apo-bridge"
_SUMMARY_MAX = 255  # Jira refuses longer summaries


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
