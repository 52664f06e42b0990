"""Review decisions on stories, each recorded in the audit trail with before and after."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.domain.stories import Criterion, FindingView
from bot.errors import BotError
from bot.storage._sql import rowcount
from bot.storage.models import ReviewEvent, Story
from bot.storage.stories import (
    findings_json,
    get_story,
    list_criteria,
    replace_criteria,
    story_snapshot,
)
from bot.storage.types import ReviewAction, StoryStatus, now_utc


class AlreadyDecided(BotError):
    """Someone approved or rejected the story first (two reviewers clicked at once)."""

    def __init__(self, story: Story) -> None:
        who = f"<@{story.decided_by}>" if story.decided_by else "another reviewer"
        super().__init__(
            f"Story #{story.id} was already {story.status} by {who}.",
            detail=f"story {story.id} is {story.status}, decided by {story.decided_by}",
        )


def record_review_event(
    story_id: int,
    actor_id: str,
    action: ReviewAction,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
    at: datetime | None = None,
    session: Session,
) -> ReviewEvent:
    event = ReviewEvent(
        story_id=story_id,
        actor_id=actor_id,
        action=action,
        before=before,
        after=after,
        reason=reason,
        at=at or now_utc(),
    )
    session.add(event)
    session.flush()
    return event


def list_review_events(story_id: int, *, session: Session) -> list[ReviewEvent]:
    """The story's audit trail, oldest first."""
    stmt = (
        select(ReviewEvent)
        .where(col(ReviewEvent.story_id) == story_id)
        .order_by(col(ReviewEvent.at), col(ReviewEvent.id))
    )
    return list(session.exec(stmt).all())


def decide_story(
    story_id: int,
    status: StoryStatus,
    actor_id: str,
    reason: str | None = None,
    *,
    expected: StoryStatus = StoryStatus.draft,
    at: datetime | None = None,
    session: Session,
) -> Story:
    """Approve or reject a draft story, once; an approved story may still be rejected (it may
    already be in the tracker: the card then offers to close its issue), but only by someone
    who saw it approved (`expected`): a reject form opened on the draft is refused once
    someone else approved it meanwhile.

    The status change is a single conditional UPDATE, so of two reviewers deciding at the same
    moment exactly one succeeds; the other gets :class:`AlreadyDecided`. Raises
    :class:`bot.errors.NotFound` for an unknown story.
    """
    if status is StoryStatus.draft:
        raise ValueError("decide_story approves or rejects; a decided story stays decided")
    story = get_story(story_id, session=session)
    before = story_snapshot(story, list_criteria(story_id, session=session))
    decided_at = at or now_utc()
    if expected is not StoryStatus.draft and not (
        expected is StoryStatus.approved and status is StoryStatus.rejected
    ):
        raise ValueError("only a draft is decided, or an approved story rejected")
    stmt = (
        sa.update(Story)
        .where(col(Story.id) == story_id, col(Story.status) == expected)
        .values(
            status=status,
            decided_by=actor_id,
            decided_at=decided_at,
            reject_reason=reason if status is StoryStatus.rejected else None,
        )
    )
    won = rowcount(session, stmt) == 1
    story = _reload(story_id, session=session)
    if not won:
        raise AlreadyDecided(story)
    after = {**before, "status": str(status), "decided_by": actor_id}
    action = ReviewAction.approved if status is StoryStatus.approved else ReviewAction.rejected
    record_review_event(
        story_id,
        actor_id,
        action,
        before=before,
        after=after,
        reason=reason,
        at=decided_at,
        session=session,
    )
    return story


def edit_story(
    story_id: int,
    actor_id: str,
    *,
    title: str | None = None,
    role: str | None = None,
    goal: str | None = None,
    benefit: str | None = None,
    criteria: Sequence[Criterion] | None = None,
    findings: Sequence[FindingView] | None = None,
    points: float | None = None,
    priority: str | None = None,
    reason: str | None = None,
    session: Session,
) -> Story:
    """Change a story's text and/or criteria; fields left as None keep their value."""
    story = get_story(story_id, session=session)
    before = story_snapshot(story, list_criteria(story_id, session=session))
    story.title = story.title if title is None else title
    story.role = story.role if role is None else role
    story.goal = story.goal if goal is None else goal
    story.benefit = story.benefit if benefit is None else benefit
    if findings is not None:
        story.lint_findings = findings_json(findings)
    story.points, story.priority = points, priority
    story.updated_at = now_utc()
    session.add(story)
    session.flush()
    rows = (
        list_criteria(story_id, session=session)
        if criteria is None
        else replace_criteria(story_id, criteria, session=session)
    )
    after = story_snapshot(story, rows)
    record_review_event(
        story_id,
        actor_id,
        ReviewAction.edited,
        before=before,
        after=after,
        reason=reason,
        session=session,
    )
    return story


def _reload(story_id: int, *, session: Session) -> Story:
    story = session.get(Story, story_id, populate_existing=True)
    assert story is not None
    return story
