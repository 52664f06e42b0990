"""The `/apo help` answer: what the bot can do, built from the features that are registered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.slack.blocks.common import Block, context, header, section


@dataclass(frozen=True)
class HelpEntry:
    """One thing a person can do, as shown in help. Features add theirs when they register."""

    usage: str
    description: str


def help_blocks(entries: Sequence[HelpEntry], *, project_name: str | None) -> list[Block]:
    lines = "\n".join(f"• `{e.usage}`: {e.description}" for e in entries)
    where = (
        f"This channel belongs to *{project_name}*."
        if project_name
        else "This channel is not part of a project yet: add it to the projects file (apo.yaml)."
    )
    return [
        header("APO Bridge"),
        section(
            "I turn client meeting notes into user stories for review, answer questions from "
            "what was decided, and hand over each side's day to the other."
        ),
        section(lines),
        context(where),
    ]


def help_text(entries: Sequence[HelpEntry]) -> str:
    """Plain-text fallback for notifications and screen readers."""
    return "APO Bridge can: " + "; ".join(f"{e.usage} ({e.description})" for e in entries)
