"""Recording decisions: `/decision <text>`, the "Record as decision" message shortcut, and a
reaction with the project's decision emoji on a message."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import BotError
from bot.projects import Project
from bot.services import Services
from bot.services.decisions import DecisionInput, split_supersedes
from bot.slack.blocks import ids
from bot.slack.blocks.answers import decision_recorded_message
from bot.slack.blocks.help import HelpEntry
from bot.slack.channels import ChannelDirectory
from bot.slack.links import SlackLinks
from bot.slack.replies import UNMAPPED

log = logging.getLogger(__name__)
REPLACE_REFUSED = (
    "Only the reviewers of {project} can replace a decision. Record yours as a new decision, "
    "or ask a reviewer to replace the old one."
)


def register(app: App, services: Services, entries: list[HelpEntry]) -> None:
    entries.append(
        HelpEntry("/decision <text>", "record a decision (`supersedes #N: …` to replace one)")
    )
    decisions = services.decisions
    projects = services.projects
    directory = ChannelDirectory(app.client)
    links = SlackLinks(app.client)

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
        user = command["user_id"]
        if supersedes is not None and not project.is_reviewer(user):
            ack(response_type="ephemeral", text=REPLACE_REFUSED.format(project=project.name))
            return
        ack()
        # Post the decision in the channel first: its message is the decision's source link.
        posted = client.chat_postMessage(
            channel=channel, text=f":pushpin: Recording a decision by <@{user}>…"
        )
        try:
            decision, _ = decisions.record(
                DecisionInput(
                    project=project.key,
                    text=text,
                    author_id=user,
                    origin="command",
                    source_channel=channel,
                    source_ts=str(posted["ts"]),
                    permalink=links(channel, str(posted["ts"])),
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
        user = shortcut["user"]["id"]
        if not (project.is_reviewer(user) or message.get("user") == user):
            # Anyone may quote a decision, but only a reviewer or the message's author may
            # put words into the record under that author's name.
            respond(
                response_type="ephemeral",
                replace_original=False,
                text=f"Only the reviewers of {project.name} or the message's author can record "
                "it as a decision.",
            )
            return
        reply = record_message(project, channel, message, user, origin="shortcut")
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
            or not project.is_reviewer(event.get("user", ""))  # others' reactions mean nothing
        ):
            return
        message = fetch_message(client, channel, item["ts"])
        if message is None:
            return
        reply = record_message(project, channel, message, event["user"], origin="reaction")
        client.chat_postEphemeral(channel=channel, user=event["user"], text=reply)

    def record_message(
        project: Project, channel: str, message: dict[str, Any], recorder: str, *, origin: str
    ) -> str:
        supersedes, text = split_supersedes(message.get("text") or "")
        if supersedes is not None and not project.is_reviewer(recorder):
            return REPLACE_REFUSED.format(project=project.name)
        thread = message.get("thread_ts")
        if (
            thread
            and thread != message.get("ts")
            and services.answers.escalated_at(channel, thread)
        ):
            # Replies to an escalation are answers, already recorded with the question's
            # privacy; recording one again here would copy it out of that scope.
            return "Replies to an escalated question are recorded as its answer already."
        try:
            decision, created = decisions.record(
                DecisionInput(
                    project=project.key,
                    text=text,
                    author_id=message.get("user") or "",
                    origin=origin,
                    source_channel=channel,
                    source_ts=message.get("ts"),
                    permalink=links(channel, message.get("ts")),
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
        # For a reply, conversations.replies returns its whole thread, parent first.
        replies = client.conversations_replies(channel=channel, ts=ts, limit=200)
        for message in replies.get("messages") or []:
            if message.get("ts") == ts:
                return dict(message)
    except SlackApiError:
        log.exception("could not read the message %s in %s", ts, channel)
    return None
