"""`/apo help` (and `/apo` alone): what the bot can do here."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.services import Services
from bot.slack.blocks.help import HelpEntry, help_blocks, help_text
from bot.slack.text import escape

HELP = HelpEntry("/apo help", "show this list")


def register(app: App, services: Services, entries: list[HelpEntry]) -> None:
    entries.append(HELP)

    @app.command("/apo")
    def apo_command(ack: Ack, command: dict[str, Any]) -> None:
        # Help is cheap to build, so it goes back in the ack itself: instant and ephemeral.
        words = (command.get("text") or "").split()
        project = services.projects.for_channel(command.get("channel_id"))
        blocks = help_blocks(entries, project_name=project.name if project else None)
        if words and words[0].lower() != "help":
            unknown = escape(words[0][:40])
            blocks.insert(0, _notice(f"I don't know `/apo {unknown}`. Here is what I can do:"))
        ack(response_type="ephemeral", text=help_text(entries), blocks=blocks)


def _notice(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}
