"""Every conversion along a story's way, in one place.

The model answers in `DraftedStory` (the JSON schema it must fill); the checks read
`quality.StoryDraft`; storage keeps `StoryContent` and hands back `StoredStory`; Slack blocks,
exports and the CLI render `StoryView`. Criteria are `domain.Criterion` from the checks on.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.stories import (
    BatchView,
    Criterion,
    FindingView,
    StoredNote,
    StoredStory,
    StoryContent,
    StoryEdit,
    StoryView,
)
from bot.quality import Finding, StoryDraft, StoryReport, verify_quotes
from bot.services.stories.draft_schema import DraftCriterion, DraftedStory


def criterion(drafted: DraftCriterion) -> Criterion:
    return Criterion(drafted.given, drafted.when, drafted.then)


def drafted_to_check(story: DraftedStory) -> StoryDraft:
    return StoryDraft(
        story.title,
        story.role,
        story.goal,
        story.benefit,
        tuple(criterion(c) for c in story.acceptance_criteria),
        tuple(story.source_quotes),
    )


def view_to_check(story: StoryView) -> StoryDraft:
    """An approved story as the duplicate check compares it (its text, not its criteria)."""
    return StoryDraft(story.title, story.role, story.goal, story.benefit)


def edit_to_check(change: StoryEdit, current: StoryView) -> StoryDraft:
    """A reviewer's edit, checked against the quotes the story already rests on."""
    return StoryDraft(
        change.title,
        change.role,
        change.goal,
        change.benefit,
        change.criteria,
        current.verified_quotes + current.missing_quotes,
    )


def findings(found: Sequence[Finding]) -> tuple[FindingView, ...]:
    return tuple(FindingView(str(f.check), f.severity, f.message) for f in found)


def checked_content(story: DraftedStory, report: StoryReport) -> StoryContent:
    """A drafted story with what the checks found, as it is stored."""
    backlog_match = next((d.backlog_id for d in report.duplicates if d.backlog_id), None)
    return StoryContent(
        title=story.title,
        role=story.role,
        goal=story.goal,
        benefit=story.benefit,
        criteria=tuple(criterion(c) for c in story.acceptance_criteria),
        source_quotes=tuple(story.source_quotes),
        open_questions=tuple(story.open_questions),
        dependencies=tuple(story.depends_on),
        findings=findings(report.findings),
        unsupported=report.unsupported,
        duplicate_of=int(backlog_match) if backlog_match else None,
    )


def story_view(story: StoredStory, notes_text: str) -> StoryView:
    content = story.content
    quotes = verify_quotes(content.source_quotes, notes_text)
    duplicate_note = (
        f"Looks like story #{content.duplicate_of}, already in the backlog."
        if content.duplicate_of
        else None
    )
    return StoryView(
        id=story.id,
        note_id=story.note_id,
        project=story.project,
        position=story.position,
        title=content.title,
        role=content.role,
        goal=content.goal,
        benefit=content.benefit,
        criteria=content.criteria,
        verified_quotes=quotes.verified,
        missing_quotes=quotes.missing,
        open_questions=content.open_questions,
        dependencies=content.dependencies,
        findings=content.findings,
        unsupported=content.unsupported,
        duplicate_note=duplicate_note,
        status=story.status,
        decided_by=story.decided_by,
        decided_at=story.decided_at,
        reject_reason=story.reject_reason,
        points=story.points,
        priority=story.priority,
        tracked=story.tracked,
    )


def batch_view(
    note: StoredNote,
    project_name: str,
    stories: Sequence[StoredStory],
    *,
    offer_push: str | None = None,
) -> BatchView:
    return BatchView(
        note_id=note.id,
        project=note.project,
        project_name=project_name,
        title=note.title,
        meeting_date=note.meeting_date,
        author_id=note.author_id,
        stories=tuple(story_view(s, note.text) for s in stories),
        open_questions=note.open_questions,
        out_of_scope=note.out_of_scope,
        uncovered_needs=note.uncovered_needs,
        offer_push=offer_push,
    )
