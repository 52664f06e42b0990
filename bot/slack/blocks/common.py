"""Small Block Kit pieces shared by the surfaces."""

from __future__ import annotations

from typing import Any

from bot.slack.text import SECTION_LIMIT, truncate

Block = dict[str, Any]
MAX_BLOCKS = 50


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
