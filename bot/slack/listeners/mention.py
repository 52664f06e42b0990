"""`@APO Bridge …` in a channel: until a question service is registered, the bot answers a
mention with what it can do, in the thread, so a mention is never met with silence."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.services import Services
from bot.slack.blocks.help import HelpEntry, help_blocks, help_text


def register(app: App, services: Services, entries: list[HelpEntry]) -> None:
    @app.event("app_mention")
    def on_mention(event: dict[str, Any], client: WebClient) -> None:
        project = services.projects.for_channel(event.get("channel"))
        client.chat_postMessage(
            channel=event["channel"],
            thread_ts=event.get("thread_ts") or event["ts"],
            text=help_text(entries),
            blocks=help_blocks(entries, project_name=project.name if project else None),
        )
