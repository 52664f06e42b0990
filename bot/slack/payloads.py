"""Reading the ids and places in interactivity payloads, which people can replay or alter.

A button's value is whatever the message carried; a value that is not one of our ids (a
forged or garbled payload) gets a polite message instead of a stack trace.
"""

from __future__ import annotations

from typing import Any

from bot.errors import NotFound

STALE_BUTTON = "That button doesn't point at anything I know. It may be from an old message."
_MAX_ID = 2**63 - 1  # what the database can hold


def button_id(action: dict[str, Any]) -> int:
    """The story, note or question id a button carries; `NotFound` if it is not one."""
    value = str(action.get("value", ""))
    if not value.isascii() or not value.isdigit() or int(value) > _MAX_ID:
        raise NotFound(STALE_BUTTON)
    return int(value)


def pressed_in(body: dict[str, Any]) -> str | None:
    """The channel a button was pressed in, as Slack reports it (not the button's value)."""
    channel = body.get("channel")
    if isinstance(channel, dict) and isinstance(channel.get("id"), str):
        return str(channel["id"])
    container = body.get("container")
    if isinstance(container, dict) and isinstance(container.get("channel_id"), str):
        return str(container["channel_id"])
    return None
