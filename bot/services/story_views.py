"""Stored stories → the plain views Slack blocks, exports and the CLI render."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from bot.domain import BatchView, Criterion, FindingView, Severity, StoryState, StoryView
from bot.quality import verify_quotes
from bot.storage.models import AcceptanceCriterion, MeetingNote, Story


def story_view(story: Story, criteria: Sequence[AcceptanceCriterion], notes_text: str) -> StoryView:
    assert story.id is not None
    quotes = verify_quotes(story.source_quotes, notes_text)
    findings = tuple(
        FindingView(str(f["check"]), cast(Severity, f["severity"]), str(f["message"]))
        for f in story.lint_findings
    )
    duplicate_note = (
        f"Looks like story #{story.duplicate_of}, already in the backlog."
        if story.duplicate_of
        else None
    )
    return StoryView(
        id=story.id,
        note_id=story.note_id,
        project=story.project,
        position=story.position,
        title=story.title,
        role=story.role,
        goal=story.goal,
        benefit=story.benefit,
        criteria=tuple(Criterion(c.given, c.when, c.then) for c in criteria),
        verified_quotes=quotes.verified,
        missing_quotes=quotes.missing,
        open_questions=tuple(story.open_questions),
        dependencies=tuple(story.dependencies),
        findings=findings,
        unsupported=story.unsupported,
        duplicate_note=duplicate_note,
        status=cast(StoryState, str(story.status)),
        decided_by=story.decided_by,
        decided_at=story.decided_at,
        reject_reason=story.reject_reason,
    )


def batch_view(note: MeetingNote, project_name: str, stories: Sequence[StoryView]) -> BatchView:
    assert note.id is not None
    return BatchView(
        note_id=note.id,
        project=note.project,
        project_name=project_name,
        title=note.title,
        meeting_date=note.meeting_date,
        author_id=note.author_id,
        stories=tuple(stories),
        open_questions=tuple(note.open_questions),
        out_of_scope=tuple(note.out_of_scope),
        uncovered_needs=tuple(note.uncovered_needs),
    )
