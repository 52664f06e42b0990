"""Decisions: what was agreed, where, by whom, and which newer decision replaced it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.errors import BotError, NotFound
from bot.storage._sql import insert_ignore
from bot.storage.models import Decision, DecisionRevision
from bot.storage.types import DecisionOrigin, now_utc


class AlreadySuperseded(BotError):
    """The older decision was already replaced by a different one."""


def add_decision(
    project: str,
    text: str,
    *,
    author_id: str,
    origin: DecisionOrigin,
    source_channel: str | None = None,
    source_ts: str | None = None,
    source_permalink: str | None = None,
    source_private: bool = False,
    supersedes_id: int | None = None,
    question_id: int | None = None,
    created_at: datetime | None = None,
    session: Session,
) -> tuple[Decision, bool]:
    """Record a decision; True when it is new.

    A decision taken from a message (``source_channel`` and ``source_ts`` given) is stored once
    per message: a second reaction, shortcut or retry returns the first record with False.
    """
    row = Decision(
        project=project,
        text=text,
        author_id=author_id,
        origin=origin,
        source_channel=source_channel,
        source_ts=source_ts,
        source_permalink=source_permalink,
        source_private=source_private,
        question_id=question_id,
        created_at=created_at or now_utc(),
    )
    if source_channel is None or source_ts is None:
        session.add(row)
        session.flush()
        decision, created = row, True
    else:
        created = insert_ignore(session, row, "project", "source_channel", "source_ts")
        decision = session.exec(
            select(Decision).where(
                col(Decision.project) == project,
                col(Decision.source_channel) == source_channel,
                col(Decision.source_ts) == source_ts,
            )
        ).one()
    if created and supersedes_id is not None:
        assert decision.id is not None
        supersede(supersedes_id, decision.id, session=session)
    return decision, created


def get_decision(decision_id: int, *, session: Session) -> Decision:
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise NotFound(f"There is no decision #{decision_id}.")
    return decision


def supersede(old_id: int, new_id: int, *, session: Session) -> Decision:
    """Mark decision ``old_id`` as replaced by ``new_id`` (same project); returns the old one.

    Repeating the same call is a no-op; replacing an already replaced decision by a different
    one raises :class:`AlreadySuperseded` (supersede the newest decision instead).
    """
    if old_id == new_id:
        raise ValueError("a decision cannot supersede itself")
    old = get_decision(old_id, session=session)
    new = get_decision(new_id, session=session)
    if old.project != new.project:
        raise ValueError(f"decisions #{old_id} and #{new_id} belong to different projects")
    if old.superseded_by_id not in (None, new_id):
        raise AlreadySuperseded(
            f"Decision #{old_id} was already replaced by decision #{old.superseded_by_id}.",
        )
    old.superseded_by_id = new_id
    new.supersedes_id = old_id
    session.add_all([old, new])
    session.flush()
    return old


def list_decisions(
    project: str,
    *,
    include_superseded: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    newest_first: bool = False,
    limit: int | None = None,
    session: Session,
) -> list[Decision]:
    """The project's decisions in the order they were taken (or newest first)."""
    stmt = select(Decision).where(
        col(Decision.project) == project, col(Decision.removed_at).is_(None)
    )
    if not include_superseded:
        stmt = stmt.where(col(Decision.superseded_by_id).is_(None))
    if since is not None:
        stmt = stmt.where(col(Decision.created_at) >= since)
    if until is not None:
        stmt = stmt.where(col(Decision.created_at) < until)
    if newest_first:
        stmt = stmt.order_by(col(Decision.created_at).desc(), col(Decision.id).desc())
    else:
        stmt = stmt.order_by(col(Decision.created_at), col(Decision.id))
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.exec(stmt).all())


def revise_from_message(
    channel: str, ts: str, text: str | None, *, actor_id: str | None, at: datetime, session: Session
) -> list[Decision]:
    """The decisions taken from message (channel, ts), now with its edited `text`, or removed
    (`text` None); each change leaves a `DecisionRevision`. Unchanged ones are not returned."""
    rows = session.exec(
        select(Decision).where(
            col(Decision.source_channel) == channel,
            col(Decision.source_ts) == ts,
            col(Decision.removed_at).is_(None),
        )
    ).all()
    changed = []
    for row in rows:
        if text is not None and text == row.text:
            continue
        assert row.id is not None
        session.add(
            DecisionRevision(
                decision_id=row.id,
                action="edited" if text is not None else "removed",
                before=row.text,
                after=text,
                actor_id=actor_id,
                at=at,
            )
        )
        if text is None:
            row.removed_at = at
        else:
            row.text = text
        session.add(row)
        changed.append(row)
    session.flush()
    return changed


def decision_history(decision_id: int, *, session: Session) -> list[DecisionRevision]:
    return list(
        session.exec(
            select(DecisionRevision)
            .where(col(DecisionRevision.decision_id) == decision_id)
            .order_by(col(DecisionRevision.at), col(DecisionRevision.id))
        ).all()
    )
