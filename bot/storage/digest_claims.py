"""Daily digests, claimed before they are posted so each side gets each day's digest once."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.errors import NotFound
from bot.storage._sql import insert_ignore
from bot.storage.models import Digest
from bot.storage.types import DigestSide, DigestStatus, now_utc


def _key(project: str, side: DigestSide, local_date: date) -> tuple[sa.ColumnElement[bool], ...]:
    return (
        col(Digest.project) == project,
        col(Digest.side) == side,
        col(Digest.local_date) == local_date,
    )


def claim_digest(
    project: str,
    side: DigestSide,
    local_date: date,
    *,
    channel_id: str | None = None,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    stale_before: datetime | None = None,
    claimed_at: datetime | None = None,
    session: Session,
) -> bool:
    """True if this caller should post the digest for (project, side, local date).

    The claim is an insert of the unique key, so of several schedulers, replicas or retries
    exactly one wins (once its transaction commits). A digest whose posting failed can be
    claimed again, and so can a pending one claimed before ``stale_before`` (its claimer died
    before posting); a posted one cannot. Taking over is one conditional UPDATE: a racing
    claimer waits for the row lock, then finds the row pending and fresh, and loses. Every
    claim stamps ``created_at`` with ``claimed_at`` (default now), so a re-claimed digest is
    not mistaken for a stale one.
    """
    claimed_at = claimed_at or now_utc()
    row = Digest(
        project=project,
        side=side,
        local_date=local_date,
        channel_id=channel_id,
        window_start=window_start,
        window_end=window_end,
        created_at=claimed_at,
    )
    if insert_ignore(session, row, "project", "side", "local_date"):
        return True
    retake: sa.ColumnElement[bool] = col(Digest.status) == DigestStatus.failed
    if stale_before is not None:
        stale = sa.and_(
            col(Digest.status) == DigestStatus.pending, col(Digest.created_at) < stale_before
        )
        retake = sa.or_(retake, stale)
    stmt = (
        sa.update(Digest)
        .where(*_key(project, side, local_date), retake)
        .values(
            status=DigestStatus.pending,
            error=None,
            channel_id=channel_id,
            window_start=window_start,
            window_end=window_end,
            created_at=claimed_at,
        )
        # RETURNING, not rowcount: the driver's count is not reliable for every statement.
        .returning(col(Digest.id))
    )
    session.flush()
    return session.connection().execute(stmt).first() is not None


def get_digest(
    project: str, side: DigestSide, local_date: date, *, session: Session
) -> Digest | None:
    stmt = select(Digest).where(*_key(project, side, local_date))
    return session.exec(stmt.execution_options(populate_existing=True)).one_or_none()


def _claimed(project: str, side: DigestSide, local_date: date, *, session: Session) -> Digest:
    digest = get_digest(project, side, local_date, session=session)
    if digest is None:
        raise NotFound(f"No {side} digest of {project} for {local_date} was claimed.")
    return digest


def _holds_claim(digest: Digest, claimed_at: datetime | None) -> bool:
    """Whether the caller's claim (stamped `claimed_at`) is still the live one: a run whose
    stale claim was taken over must not overwrite what the new claimer did."""
    if claimed_at is None:
        return True
    return digest.status == DigestStatus.pending and digest.created_at == claimed_at


def mark_digest_posted(
    project: str,
    side: DigestSide,
    local_date: date,
    *,
    channel_id: str | None,
    message_ts: str,
    posted_at: datetime | None = None,
    claimed_at: datetime | None = None,
    session: Session,
) -> Digest:
    """Posted (or, with ``channel_id`` None, skipped: it keeps the channel it was claimed for)."""
    digest = _claimed(project, side, local_date, session=session)
    if not _holds_claim(digest, claimed_at):
        return digest
    digest.status = DigestStatus.posted
    digest.channel_id = channel_id or digest.channel_id
    digest.message_ts = message_ts
    digest.posted_at = posted_at or now_utc()
    digest.error = None
    session.add(digest)
    session.flush()
    return digest


def mark_digest_failed(
    project: str,
    side: DigestSide,
    local_date: date,
    error: str,
    *,
    claimed_at: datetime | None = None,
    session: Session,
) -> Digest:
    """Record why posting failed; the digest can then be claimed again."""
    digest = _claimed(project, side, local_date, session=session)
    if not _holds_claim(digest, claimed_at) or digest.status == DigestStatus.posted:
        return digest
    digest.status = DigestStatus.failed
    digest.error = error
    session.add(digest)
    session.flush()
    return digest


def last_posted_digest(project: str, side: DigestSide, *, session: Session) -> Digest | None:
    """The most recent posted digest: its ``window_end`` is where the next one starts."""
    stmt = (
        select(Digest)
        .where(
            col(Digest.project) == project,
            col(Digest.side) == side,
            col(Digest.status) == DigestStatus.posted,
        )
        .order_by(col(Digest.local_date).desc())
        .limit(1)
    )
    return session.exec(stmt).first()
