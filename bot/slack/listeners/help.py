"""`/apo help` (and `/apo` alone): what the bot can do here."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.slack.blocks.help import HelpEntry, help_blocks, help_text
from bot.slack.middleware import kit_of, services_of
from bot.slack.text import escape

HELP = HelpEntry("/apo help", "show this list")


def register(app: App, entries: list[HelpEntry]) -> None:
    entries.append(HELP)
    app.command("/apo")(apo_command)


def apo_command(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    # Help is cheap to build, so it goes back in the ack itself: instant and ephemeral.
    entries = kit_of(context).help
    words = (command.get("text") or "").split()
    project = services_of(context).projects.for_channel(command.get("channel_id"))
    blocks = help_blocks(entries, project_name=project.name if project else None)
    if words and words[0].lower() != "help":
        unknown = escape(words[0][:40])
        blocks.insert(0, _notice(f"I don't know `/apo {unknown}`. Here is what I can do:"))
    ack(response_type="ephemeral", text=help_text(entries), blocks=blocks)


def _notice(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}
