"""Block Kit pieces every surface shares: sections, buttons, capped lists, packed sections,
mentions, dates.

Everything here exists to keep a message inside Slack's limits without losing the reader: lists
are capped with an honest "…and N more", long text is split on line boundaries, and only ids
that look like Slack's own become mentions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.slack.text import SECTION_LIMIT, escape, truncate

Block = dict[str, Any]
MAX_BLOCKS = 50
BUTTON_TEXT_LIMIT = 75
# Slack user ids (U…, W… on Enterprise Grid). Anything else (e.g. "cli:alice") is shown as text.
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")


def section(mrkdwn: str) -> Block:
    """A section; the caller has escaped any user text, we only enforce the length limit."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(mrkdwn, SECTION_LIMIT)}}


def context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(mrkdwn, 2000)}]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": truncate(text, 150)}}


def divider() -> Block:
    return {"type": "divider"}


def blocks_to_text(blocks: list[Block]) -> str:
    """The readable text of a message, for previews on the command line."""
    lines: list[str] = []
    for block in blocks:
        if block.get("type") in ("section", "header"):
            lines.append(str(block["text"]["text"]))
        elif block.get("type") == "context":
            lines.extend(str(e.get("text", "")) for e in block["elements"])
        elif block.get("type") == "divider":
            lines.append("---")
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and accessory.get("type") == "button":
            lines.append(f"[{accessory['text']['text']}]")
    return "\n".join(lines)


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> Block:
    """A button; `value` is an id we made, so it is short and needs no escaping."""
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": truncate(text, BUTTON_TEXT_LIMIT), "emoji": True},
        "action_id": action_id,
        "value": value[:2000],
    }
    if style:
        element["style"] = style
    return element


def actions(elements: Sequence[Block], *, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)[:25]}
    if block_id:
        block["block_id"] = block_id[:255]
    return block


def user_ref(user_id: str | None, *, unknown: str = "someone") -> str:
    """A live mention for a real Slack user id; anything else is escaped so it cannot ping."""
    if not user_id:
        return unknown
    if _USER_ID.match(user_id):
        return f"<@{user_id}>"
    return escape(user_id)


def date_token(when: datetime) -> str:
    """A Slack date token, so each reader sees the time in their own zone (stored times are UTC)."""
    aware = when if when.tzinfo else when.replace(tzinfo=UTC)
    fallback = aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(aware.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def capped(items: Sequence[str], cap: int, item_limit: int) -> tuple[list[str], int]:
    """Escape and shorten at most `cap` items; also return how many were left out."""
    shown = [safe_line(item, item_limit) for item in items[:cap]]
    return shown, max(0, len(items) - cap)


def safe_line(text: str, limit: int) -> str:
    """Escaped user text on one line (bullets and quotes must not be broken by newlines)."""
    return truncate(escape(" ".join(text.split())), limit)


def quote(text: str, limit: int) -> str:
    """A Slack block quote of user text; each line needs its own `>` or the quote ends early."""
    lines = [line.strip() for line in truncate(escape(text.strip()), limit).splitlines()]
    return "\n".join(f">{line}" for line in lines if line)


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split text into chunks of at most `limit`, on line breaks when possible, else on spaces."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = _cut_point(line, limit)
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = line
    if current.strip():
        chunks.append(current)
    return [c for c in chunks if c.strip()]


def _cut_point(line: str, limit: int) -> int:
    """Where to break an over-long line: a space near the end, never inside an `&amp;` escape."""
    cut = limit
    space = line.rfind(" ", 0, limit)
    if space > limit * 0.8:
        cut = space
    amp = line.rfind("&", 0, cut)
    if amp != -1 and ";" not in line[amp:cut] and amp > 0:
        cut = amp
    return cut


def clip(text: str, limit: int) -> tuple[str, bool]:
    """Escaped one-line user text cut to `limit`, and whether anything was cut."""
    flat = escape(" ".join(text.split()))
    return truncate(flat, limit), len(flat) > limit


def pack_sections(title: str | None, units: Iterable[str]) -> list[Block]:
    """As few sections as hold `title` and `units`; a unit (a scenario, a quote) is never split
    across two sections unless it alone is longer than a section."""
    chunks: list[str] = []
    current = title or ""
    for unit in units:
        candidate = f"{current}\n{unit}" if current else unit
        if len(candidate) <= SECTION_LIMIT:
            current = candidate
            continue
        if current:
            chunks.append(current)
        pieces = split_text(unit)
        chunks.extend(pieces[:-1])
        current = pieces[-1] if pieces else ""
    if current.strip():
        chunks.append(current)
    return [section(chunk) for chunk in chunks]


def bullets(
    title: str,
    items: Sequence[str],
    *,
    cap: int = 10,
    item_limit: int = 280,
    more: str = "",
) -> list[Block]:
    """A titled bullet list of user text, capped at `cap` items with a count of the rest."""
    if not items:
        return []
    shown, hidden = capped(items, cap, item_limit)
    lines = [f"• {item}" for item in shown]
    if hidden:
        lines.append(f"_…and {hidden} more{more}_")
    return pack_sections(title, lines)
