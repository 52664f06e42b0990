"""Modal pieces: text inputs, input blocks, the modal itself, and reading submitted values."""

from __future__ import annotations

import json

from bot.slack.blocks.common import Block
from bot.slack.text import truncate

INPUT_LIMIT = 3000  # Slack's cap on a plain_text_input's max_length and initial_value
MODAL_TEXT_LIMIT = 24  # title, submit and close of a modal


def plain(text: str, limit: int = 2000) -> Block:
    return {"type": "plain_text", "text": truncate(text, limit), "emoji": True}


def text_input(
    action_id: str,
    *,
    initial: str = "",
    multiline: bool = False,
    max_length: int = INPUT_LIMIT,
    placeholder: str | None = None,
) -> Block:
    """A plain_text_input; the initial value is cut to `max_length` or Slack rejects the view."""
    element: Block = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = initial[:max_length]
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    return element


def input_block(
    block_id: str, label: str, element: Block, *, optional: bool = False, hint: str | None = None
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint)
    return block


def modal(
    callback_id: str, title: str, blocks: list[Block], *, submit: str | None, close: str, meta: str
) -> Block:
    view: Block = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, MODAL_TEXT_LIMIT),
        "close": plain(close, MODAL_TEXT_LIMIT),
        "blocks": blocks,
        "private_metadata": meta,
    }
    if submit:
        view["submit"] = plain(submit, MODAL_TEXT_LIMIT)
    return view


def state_value(view: Block, block_id: str, action_id: str) -> Block:
    """One input's state from a view_submission payload ({} when the block is absent)."""
    values = view.get("state", {}).get("values", {})
    found = values.get(block_id, {}).get(action_id, {})
    return found if isinstance(found, dict) else {}


def text_value(view: Block, block_id: str, action_id: str) -> str:
    """A text input's value, stripped ("" when empty: Slack sends None for an untouched input)."""
    value = state_value(view, block_id, action_id).get("value")
    return value.strip() if isinstance(value, str) else ""


STALE_FORM = "This form is out of date or was not opened here; close it and open it again."


def metadata_id(view: Block, key: str) -> int | None:
    """The id we put in a form's private_metadata under `key`; None when it is missing or not
    an id (a form that was never opened by the bot, or altered on the way)."""
    try:
        meta = json.loads(str(view.get("private_metadata") or "{}"))
    except ValueError:
        return None
    value = meta.get(key) if isinstance(meta, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return None
    return value
