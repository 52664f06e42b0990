"""Draft stories and their acceptance criteria (decisions about them live in reviews.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.domain.stories import Criterion, FindingView, StoryContent
from bot.errors import NotFound
from bot.storage._sql import insert_ignore
from bot.storage.models import AcceptanceCriterion, ReviewEvent, Story
from bot.storage.notes import get_note
from bot.storage.types import ReviewAction, StoryStatus

BOT_ACTOR = "apo-bridge"


def story_snapshot(story: Story, criteria: Iterable[AcceptanceCriterion]) -> dict[str, Any]:
    """The reviewable content of a story, as kept in the audit trail's before/after."""
    return {
        "title": story.title,
        "role": story.role,
        "goal": story.goal,
        "benefit": story.benefit,
        "status": str(story.status),
        "criteria": [{"given": c.given, "when": c.when, "then": c.then} for c in criteria],
    }


def findings_json(findings: Iterable[FindingView]) -> list[dict[str, Any]]:
    return [{"check": f.check, "severity": f.severity, "message": f.message} for f in findings]


def replace_criteria(
    story_id: int, criteria: Sequence[Criterion], *, session: Session
) -> list[AcceptanceCriterion]:
    """Make ``criteria`` (in order) the story's acceptance criteria."""
    for old in list_criteria(story_id, session=session):
        session.delete(old)
    session.flush()
    rows = [
        AcceptanceCriterion(story_id=story_id, position=i, given=c.given, when=c.when, then=c.then)
        for i, c in enumerate(criteria)
    ]
    session.add_all(rows)
    session.flush()
    return rows


def add_stories(
    note_id: int, drafts: Sequence[StoryContent], *, actor: str | None = None, session: Session
) -> list[Story]:
    """Store a note's drafted stories with their criteria and a "created" audit event each.

    Idempotent per (note, position): a retried drafting run stores nothing twice and returns
    the stories already stored. ``actor`` defaults to the note's author.
    """
    note = get_note(note_id, session=session)
    actor = actor or note.author_id or BOT_ACTOR
    for position, draft in enumerate(drafts):
        row = Story(
            note_id=note_id,
            project=note.project,
            position=position,
            title=draft.title,
            role=draft.role,
            goal=draft.goal,
            benefit=draft.benefit,
            source_quotes=list(draft.source_quotes),
            open_questions=list(draft.open_questions),
            dependencies=list(draft.dependencies),
            lint_findings=findings_json(draft.findings),
            unsupported=draft.unsupported,
            duplicate_of=draft.duplicate_of,
        )
        if not insert_ignore(session, row, "note_id", "position"):
            continue
        story = _story_at(note_id, position, session=session)
        assert story.id is not None
        criteria = replace_criteria(story.id, draft.criteria, session=session)
        event = ReviewEvent(
            story_id=story.id,
            actor_id=actor,
            action=ReviewAction.created,
            after=story_snapshot(story, criteria),
        )
        session.add(event)
    session.flush()
    return list_stories(note_id=note_id, session=session)


def _story_at(note_id: int, position: int, *, session: Session) -> Story:
    stmt = select(Story).where(col(Story.note_id) == note_id, col(Story.position) == position)
    return session.exec(stmt).one()


def get_story(story_id: int, *, session: Session) -> Story:
    story = session.get(Story, story_id)
    if story is None:
        raise NotFound(f"There is no story #{story_id}.")
    return story


def list_stories(
    *,
    note_id: int | None = None,
    project: str | None = None,
    status: StoryStatus | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    session: Session,
) -> list[Story]:
    """Stories filtered by note, project and status, in note order.

    ``since``/``until`` select stories changed (drafted, edited or decided) in that window,
    by ``updated_at``: what a digest reports.
    """
    stmt = select(Story)
    if note_id is not None:
        stmt = stmt.where(col(Story.note_id) == note_id)
    if project is not None:
        stmt = stmt.where(col(Story.project) == project)
    if status is not None:
        stmt = stmt.where(col(Story.status) == status)
    if since is not None:
        stmt = stmt.where(col(Story.updated_at) >= since)
    if until is not None:
        stmt = stmt.where(col(Story.updated_at) < until)
    stmt = stmt.order_by(col(Story.note_id), col(Story.position))
    return list(session.exec(stmt).all())


def list_criteria(story_id: int, *, session: Session) -> list[AcceptanceCriterion]:
    stmt = (
        select(AcceptanceCriterion)
        .where(col(AcceptanceCriterion.story_id) == story_id)
        .order_by(col(AcceptanceCriterion.position))
    )
    return list(session.exec(stmt).all())


def criteria_for_stories(
    story_ids: Iterable[int], *, session: Session
) -> dict[int, list[AcceptanceCriterion]]:
    """Criteria of many stories in one query (exports, backlog views)."""
    ids = list(story_ids)
    found: dict[int, list[AcceptanceCriterion]] = {story_id: [] for story_id in ids}
    if not ids:
        return found
    stmt = (
        select(AcceptanceCriterion)
        .where(col(AcceptanceCriterion.story_id).in_(ids))
        .order_by(col(AcceptanceCriterion.story_id), col(AcceptanceCriterion.position))
    )
    for criterion in session.exec(stmt).all():
        found[criterion.story_id].append(criterion)
    return found


def set_story_card(story_id: int, channel: str, ts: str, *, session: Session) -> Story:
    """Remember the review card's message so a decision can update it in place."""
    story = get_story(story_id, session=session)
    story.card_channel = channel
    story.card_ts = ts
    session.add(story)
    session.flush()
    return story


def claim_story_card(
    story_id: int, *, now: datetime, stale_before: datetime, session: Session
) -> bool:
    """True if this caller should post the story's review card: it has none, and nobody
    claimed posting it since `stale_before` (a claimer that died is taken over). One
    conditional UPDATE, so of racing callers exactly one wins."""
    stmt = (
        sa.update(Story)
        .where(
            col(Story.id) == story_id,
            col(Story.card_ts).is_(None),
            sa.or_(col(Story.card_claimed_at).is_(None), col(Story.card_claimed_at) < stale_before),
        )
        .values(card_claimed_at=now)
        .returning(col(Story.id))
    )
    session.flush()
    return session.connection().execute(stmt).first() is not None


def release_story_card(story_id: int, *, session: Session) -> None:
    """Posting the card failed: the next Retry may claim it at once."""
    stmt = (
        sa.update(Story)
        .where(col(Story.id) == story_id, col(Story.card_ts).is_(None))
        .values(card_claimed_at=None)
    )
    session.flush()
    session.connection().execute(stmt)
