"""Recording decisions: `/decision <text>`, the "Record as decision" message shortcut, and a
reaction with the project's decision emoji on a message."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import BotError
from bot.services import Services
from bot.services.decisions import DecisionInput, split_supersedes
from bot.slack.blocks import ids
from bot.slack.blocks.answers import decision_recorded_message
from bot.slack.blocks.help import HelpEntry
from bot.slack.channels import ChannelDirectory
from bot.slack.listeners.stories import UNMAPPED

log = logging.getLogger(__name__)


def register(app: App, services: Services, entries: list[HelpEntry]) -> None:
    entries.append(
        HelpEntry("/decision <text>", "record a decision (`supersedes #N: …` to replace one)")
    )
    decisions = services.decisions
    projects = services.projects

    @app.command("/decision")
    def decision_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        channel = command["channel_id"]
        project = projects.for_channel(channel)
        supersedes, text = split_supersedes(command.get("text") or "")
        if project is None:
            ack(response_type="ephemeral", text=UNMAPPED)
            return
        if not text:
            ack(
                response_type="ephemeral",
                text="Write the decision after the command, for example "
                "`/decision Invoices are due after 14 days.`",
            )
            return
        ack()
        user = command["user_id"]
        # Post the decision in the channel first: its message is the decision's source link.
        posted = client.chat_postMessage(
            channel=channel, text=f":pushpin: Recording a decision by <@{user}>…"
        )
        directory = ChannelDirectory(client)
        try:
            decision, _ = decisions.record(
                DecisionInput(
                    project=project.key,
                    text=text,
                    author_id=user,
                    origin="command",
                    source_channel=channel,
                    source_ts=str(posted["ts"]),
                    permalink=directory.permalink(channel, str(posted["ts"])),
                    private=directory.is_private(channel),
                    supersedes_id=supersedes,
                )
            )
        except BotError as exc:
            client.chat_update(channel=channel, ts=str(posted["ts"]), text=exc.user_message)
            return
        client.chat_update(
            channel=channel,
            ts=str(posted["ts"]),
            text=decision_recorded_message(decision, superseded=supersedes),
        )

    @app.shortcut(ids.RECORD_DECISION)
    def record_from_message(
        ack: Ack, shortcut: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        channel = shortcut["channel"]["id"]
        message = shortcut.get("message") or {}
        project = projects.for_channel(channel)
        if project is None:
            respond(response_type="ephemeral", replace_original=False, text=UNMAPPED)
            return
        reply = record_message(client, project.key, channel, message, origin="shortcut")
        respond(response_type="ephemeral", replace_original=False, text=reply)

    @app.event("reaction_added")
    def on_reaction(event: dict[str, Any], client: WebClient) -> None:
        item = event.get("item") or {}
        channel = str(item.get("channel") or "")
        project = projects.for_channel(channel)
        if (
            project is None
            or item.get("type") != "message"
            or event.get("reaction") != project.decision_emoji
        ):
            return
        message = fetch_message(client, channel, item["ts"])
        if message is None:
            return
        reply = record_message(client, project.key, channel, message, origin="reaction")
        client.chat_postEphemeral(channel=channel, user=event["user"], text=reply)

    def record_message(
        client: WebClient, project: str, channel: str, message: dict[str, Any], *, origin: str
    ) -> str:
        directory = ChannelDirectory(client)
        supersedes, text = split_supersedes(message.get("text") or "")
        try:
            decision, created = decisions.record(
                DecisionInput(
                    project=project,
                    text=text,
                    author_id=message.get("user") or "",
                    origin=origin,
                    source_channel=channel,
                    source_ts=message.get("ts"),
                    permalink=directory.permalink(channel, message.get("ts", "")),
                    private=directory.is_private(channel),
                    supersedes_id=supersedes,
                )
            )
        except BotError as exc:
            return exc.user_message
        if not created:
            return f"That message is already recorded as decision #{decision.id}."
        return decision_recorded_message(decision, superseded=supersedes)


def fetch_message(client: WebClient, channel: str, ts: str) -> dict[str, Any] | None:
    """The reacted-to message; thread replies are not in history, so replies are asked too."""
    try:
        history = client.conversations_history(channel=channel, latest=ts, inclusive=True, limit=1)
        for message in history.get("messages") or []:
            if message.get("ts") == ts:
                return dict(message)
        replies = client.conversations_replies(channel=channel, ts=ts, limit=1)
        for message in replies.get("messages") or []:
            if message.get("ts") == ts:
                return dict(message)
    except SlackApiError:
        log.exception("could not read the message %s in %s", ts, channel)
    return None
