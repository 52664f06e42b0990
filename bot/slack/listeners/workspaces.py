"""`app_uninstalled` and `tokens_revoked`: a workspace that removed the app (or revoked its
bot token) is forgotten, and its jobs and digests stop, said in the log."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext

from bot.slack.middleware import uninstall

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.event("app_uninstalled")(on_uninstalled)
    app.event("tokens_revoked")(on_tokens_revoked)


def on_uninstalled(context: BoltContext) -> None:
    if context.team_id:
        uninstall(context, context.team_id, "the app was uninstalled")


def on_tokens_revoked(event: dict[str, Any], context: BoltContext) -> None:
    tokens = event.get("tokens") or {}
    if not tokens.get("bot"):
        # Only people's own tokens: the bot never uses them, nothing of ours stops.
        log.info("Slack workspace %s revoked user tokens only", context.team_id)
        return
    if context.team_id:
        uninstall(context, context.team_id, "the app's bot token was revoked")
