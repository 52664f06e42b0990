"""Channel messages collected for the next digest."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from bot.storage._sql import insert_ignore, rowcount
from bot.storage.models import ChannelMessage


def ts_to_datetime(ts: str) -> datetime:
    """A Slack message ts ("1700000000.000100") as an aware UTC datetime."""
    return datetime.fromtimestamp(float(ts), UTC)


def add_channel_message(
    project: str,
    channel_id: str,
    ts: str,
    text: str,
    *,
    user_id: str | None = None,
    thread_ts: str | None = None,
    permalink: str | None = None,
    at: datetime | None = None,
    session: Session,
) -> bool:
    """Store a message once per (channel, ts); True when it was new. ``at`` defaults to ts."""
    row = ChannelMessage(
        project=project,
        channel_id=channel_id,
        ts=ts,
        text=text,
        user_id=user_id,
        thread_ts=thread_ts,
        permalink=permalink,
        at=at or ts_to_datetime(ts),
    )
    return insert_ignore(session, row, "channel_id", "ts")


def list_channel_messages(
    project: str,
    *,
    since: datetime,
    until: datetime | None = None,
    channel_id: str | None = None,
    session: Session,
) -> list[ChannelMessage]:
    """Messages in [since, until), oldest first."""
    stmt = select(ChannelMessage).where(
        col(ChannelMessage.project) == project, col(ChannelMessage.at) >= since
    )
    if until is not None:
        stmt = stmt.where(col(ChannelMessage.at) < until)
    if channel_id is not None:
        stmt = stmt.where(col(ChannelMessage.channel_id) == channel_id)
    stmt = stmt.order_by(col(ChannelMessage.at), col(ChannelMessage.id))
    return list(session.exec(stmt).all())


def revise_channel_message(channel_id: str, ts: str, text: str | None, *, session: Session) -> int:
    """An edited message keeps its new text; a deleted one (`text` None) is forgotten."""
    where = (col(ChannelMessage.channel_id) == channel_id, col(ChannelMessage.ts) == ts)
    if text is None:
        return rowcount(session, delete(ChannelMessage).where(*where))
    return rowcount(session, update(ChannelMessage).where(*where).values(text=text))


def forget_channel_messages(before: datetime, *, session: Session) -> int:
    """Collected messages older than `before` are deleted (the retention period)."""
    return rowcount(session, delete(ChannelMessage).where(col(ChannelMessage.at) < before))
