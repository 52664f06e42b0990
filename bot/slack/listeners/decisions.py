"""Recording decisions: `/decision <text>`, the "Record as decision" message shortcut, and a
reaction with the project's decision emoji on a message."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import Actor, MessageRef
from bot.domain.knowledge import DecisionInput
from bot.errors import BotError
from bot.projects import Project
from bot.services import Services
from bot.services.knowledge.decisions import check_decision_text, split_supersedes
from bot.slack.blocks import ids
from bot.slack.blocks.decisions import decision_recorded_message
from bot.slack.blocks.help import HelpEntry
from bot.slack.middleware import SlackKit, kit_of, services_of
from bot.slack.replies import UNMAPPED

log = logging.getLogger(__name__)


def register(app: App, entries: list[HelpEntry]) -> None:
    entries.append(
        HelpEntry("/decision <text>", "record a decision (`supersedes #N: …` to replace one)")
    )
    app.command("/decision")(decision_command)
    app.shortcut(ids.RECORD_DECISION)(record_from_message)
    app.event("reaction_added")(on_reaction)


def decision_command(
    ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    services, kit = services_of(context), kit_of(context)
    channel = command["channel_id"]
    project = services.projects.for_channel(channel)
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
    user = command["user_id"]
    actor = Actor(user)
    try:
        # Too long or not allowed: said to the author alone, before anything is posted.
        check_decision_text(text)
        services.decisions.check_may_record(
            project.key, actor, author_id=user, supersedes=supersedes
        )
    except BotError as exc:
        ack(response_type="ephemeral", text=exc.user_message)
        return
    ack()
    # Post the decision in the channel first: its message is the decision's source link.
    posted = client.chat_postMessage(
        channel=channel, text=f":pushpin: Recording a decision by <@{user}>…"
    )
    try:
        decision, _ = services.decisions.record(
            DecisionInput(
                project=project.key,
                text=text,
                author_id=user,
                origin="command",
                source_channel=channel,
                source_ts=str(posted["ts"]),
                permalink=kit.links(channel, str(posted["ts"])),
                private=kit.directory.is_private(channel),
                supersedes_id=supersedes,
            ),
            actor,
        )
    except BotError as exc:
        client.chat_update(channel=channel, ts=str(posted["ts"]), text=exc.user_message)
        return
    client.chat_update(
        channel=channel,
        ts=str(posted["ts"]),
        text=decision_recorded_message(decision, superseded=supersedes),
    )


def record_from_message(
    ack: Ack, shortcut: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    ack()
    services = services_of(context)
    channel = shortcut["channel"]["id"]
    message = shortcut.get("message") or {}
    project = services.projects.for_channel(channel)
    if project is None:
        respond(response_type="ephemeral", replace_original=False, text=UNMAPPED)
        return
    actor = Actor(shortcut["user"]["id"])
    reply = _record_message(services, kit_of(context), project, channel, message, actor, "shortcut")
    respond(response_type="ephemeral", replace_original=False, text=reply)


def on_reaction(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services = services_of(context)
    item = event.get("item") or {}
    channel = str(item.get("channel") or "")
    project = services.projects.for_channel(channel)
    actor = Actor(event.get("user", ""))
    if (
        project is None
        or item.get("type") != "message"
        or not services.decisions.reaction_records(project.key, event.get("reaction", ""), actor)
    ):
        return
    message = fetch_message(client, channel, item["ts"])
    if message is None:
        return
    reply = _record_message(services, kit_of(context), project, channel, message, actor, "reaction")
    client.chat_postEphemeral(channel=channel, user=event["user"], text=reply)


def _record_message(
    services: Services,
    kit: SlackKit,
    project: Project,
    channel: str,
    message: dict[str, Any],
    actor: Actor,
    origin: str,
) -> str:
    """Record a channel message as a decision by its author; the reply for the recorder."""
    supersedes, text = split_supersedes(message.get("text") or "")
    author = message.get("user") or ""
    try:
        services.decisions.check_message(
            project.key,
            actor,
            MessageRef(channel, message.get("ts") or ""),
            thread_ts=message.get("thread_ts"),
            author_id=author,
            supersedes=supersedes,
        )
        decision, created = services.decisions.record(
            DecisionInput(
                project=project.key,
                text=text,
                author_id=author,
                origin=origin,
                source_channel=channel,
                source_ts=message.get("ts"),
                permalink=kit.links(channel, message.get("ts")),
                private=kit.directory.is_private(channel),
                supersedes_id=supersedes,
            ),
            actor,
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
        # For a reply, conversations.replies returns its whole thread, parent first.
        replies = client.conversations_replies(channel=channel, ts=ts, limit=200)
        for message in replies.get("messages") or []:
            if message.get("ts") == ts:
                return dict(message)
    except SlackApiError:
        log.exception("could not read the message %s in %s", ts, channel)
    return None
