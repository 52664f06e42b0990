"""`@APO Bridge <question>` in a channel or thread, DMs to the bot, and the human loop:
escalations answered by button or thread reply, and feedback on answers."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.errors import BotError
from bot.services import Services
from bot.services.questions import Abstention, AskInput
from bot.slack.blocks.answers import (
    abstention_message,
    answer_message,
    escalation_message,
)
from bot.slack.blocks.help import HelpEntry, help_blocks, help_text
from bot.slack.channels import ChannelDirectory
from bot.slack.links import SlackLinks
from bot.slack.listeners.answers import HumanLoop

log = logging.getLogger(__name__)
_MENTION = re.compile(r"<@[UW][A-Z0-9]+>")
_PROJECT_PREFIX = re.compile(r"^\s*([a-z0-9][a-z0-9_-]*)\s*:\s*", re.IGNORECASE)


def register(app: App, services: Services, entries: list[HelpEntry]) -> None:
    entries.append(
        HelpEntry("@APO Bridge <question>", "answer from recorded decisions, with sources")
    )
    questions = services.questions
    answers = services.answers
    projects = services.projects
    directory = ChannelDirectory(app.client)  # one per app, so its channel cache is shared

    def answer(client: WebClient, ask: AskInput, reply_ts: str) -> None:
        status = client.chat_postMessage(
            channel=ask.channel, thread_ts=reply_ts, text=":mag: Looking through what was decided…"
        )
        channel, ts = str(status["channel"]), str(status["ts"])
        try:
            result = questions.ask(ask)
        except BotError as exc:
            client.chat_update(channel=channel, ts=ts, text=exc.user_message)
            return
        except Exception:
            # Never leave "Looking…" hanging; the error handler adds the reference.
            client.chat_update(channel=channel, ts=ts, text="I could not finish looking.")
            raise
        if result is None:  # a repeated delivery of a question already handled
            client.chat_delete(channel=channel, ts=ts)
            return
        if isinstance(result, Abstention):
            text, blocks = abstention_message(result)
            client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
            escalate(client, result, ask)
            return
        text, blocks = answer_message(result)
        client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)

    def escalate(client: WebClient, abstention: Abstention, ask: AskInput) -> None:
        text, blocks = escalation_message(
            abstention.question_id,
            ask.text,
            ask.asker_id,
            ask.channel,
            abstention.reviewers,
            private=ask.private,
        )
        posted = client.chat_postMessage(
            channel=abstention.escalation_channel, text=text, blocks=blocks
        )
        answers.mark_escalated(abstention.question_id, str(posted["channel"]), str(posted["ts"]))

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], client: WebClient) -> None:
        text = _MENTION.sub(" ", event.get("text") or "").strip()
        channel = event["channel"]
        thread = event.get("thread_ts") or event["ts"]
        project = projects.for_channel(channel)
        if event.get("thread_ts") and answers.escalated_at(channel, event["thread_ts"]):
            return  # a reply to an escalation is an answer, handled as a thread message
        if not text or text.lower() in {"help", "hjelp", "?"} or project is None:
            blocks = help_blocks(entries, project_name=project.name if project else None)
            client.chat_postMessage(
                channel=channel, thread_ts=thread, text=help_text(entries), blocks=blocks
            )
            return
        private = directory.is_private(channel)
        ask = AskInput(
            project.key, channel, event.get("user", ""), text, event["ts"], thread, private
        )
        answer(client, ask, thread)

    links = SlackLinks(app.client)
    human = HumanLoop(app, services, links)

    @app.event("message")
    def on_message(event: dict[str, Any], client: WebClient) -> None:
        if event.get("subtype") or event.get("bot_id"):
            return  # edits, joins and our own messages are not questions or answers
        # Collected as they arrive, for the other side's digest (history is not re-read).
        services.digests.collect_message(
            event["channel"],
            event["ts"],
            event.get("text") or "",
            user_id=event.get("user"),
            thread_ts=event.get("thread_ts"),
            permalink=links(event["channel"], event["ts"]),
        )
        if event.get("channel_type") == "im":
            direct_message(event, client)
        elif event.get("thread_ts"):
            human.thread_reply(event, client)

    def direct_message(event: dict[str, Any], client: WebClient) -> None:
        text = (event.get("text") or "").strip()
        project, text = _project_for_dm(services, text)
        thread = event.get("thread_ts") or event["ts"]
        user = event.get("user", "")
        if project is not None and not directory.belongs_to(user, projects.get(project)):
            client.chat_postMessage(
                channel=event["channel"],
                thread_ts=thread,
                text="You are not a member of that project's channels, so I can't answer "
                "questions about it here.",
            )
            return
        if project is None:
            keys = ", ".join(p.key for p in projects.projects) or "none yet"
            client.chat_postMessage(
                channel=event["channel"],
                thread_ts=thread,
                text="Which project? Start with its key, like `acme: what is the due date?` "
                f"(projects: {keys}).",
            )
            return
        answer(
            client,
            AskInput(
                project, event["channel"], event.get("user", ""), text, event["ts"], thread, True
            ),
            thread,
        )


def _project_for_dm(services: Services, text: str) -> tuple[str | None, str]:
    """A DM has no channel to say which project it is about: `key: question`, or the only one."""
    match = _PROJECT_PREFIX.match(text)
    keys = {p.key for p in services.projects.projects}
    if match and match.group(1).lower() in keys:
        return match.group(1).lower(), text[match.end() :]
    if len(keys) == 1:
        return next(iter(keys)), text
    return None, text
