"""Daily digests, claimed before they are posted so each side gets each day's digest once."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.errors import NotFound
from bot.storage._sql import insert_ignore, rowcount
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
    session: Session,
) -> bool:
    """True if this caller should post the digest for (project, side, local date).

    The claim is an insert of the unique key, so of several schedulers, replicas or retries
    exactly one wins (once its transaction commits). A digest whose posting failed can be
    claimed again; a pending or posted one cannot.
    """
    row = Digest(
        project=project,
        side=side,
        local_date=local_date,
        channel_id=channel_id,
        window_start=window_start,
        window_end=window_end,
    )
    if insert_ignore(session, row, "project", "side", "local_date"):
        return True
    retry = (
        sa.update(Digest)
        .where(*_key(project, side, local_date), col(Digest.status) == DigestStatus.failed)
        .values(
            status=DigestStatus.pending,
            error=None,
            channel_id=channel_id,
            window_start=window_start,
            window_end=window_end,
        )
    )
    return rowcount(session, retry) == 1


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


def mark_digest_posted(
    project: str,
    side: DigestSide,
    local_date: date,
    *,
    channel_id: str,
    message_ts: str,
    posted_at: datetime | None = None,
    session: Session,
) -> Digest:
    digest = _claimed(project, side, local_date, session=session)
    digest.status = DigestStatus.posted
    digest.channel_id = channel_id
    digest.message_ts = message_ts
    digest.posted_at = posted_at or now_utc()
    digest.error = None
    session.add(digest)
    session.flush()
    return digest


def mark_digest_failed(
    project: str, side: DigestSide, local_date: date, error: str, *, session: Session
) -> Digest:
    """Record why posting failed; the digest can then be claimed again."""
    digest = _claimed(project, side, local_date, session=session)
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
