"""`@APO Bridge <question>` in a channel or thread, DMs to the bot, and the one `message`
handler: every channel message is collected for digests, DMs are questions, and replies in an
escalation's thread are answers."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.domain import MessageRef
from bot.domain.jobs import Job, JobKind
from bot.services import Services
from bot.services.knowledge.questions import MIN_QUESTION_WORDS
from bot.services.knowledge.views import AskInput
from bot.slack.blocks.help import HelpEntry, help_blocks, help_text
from bot.slack.job_requests import answer_job
from bot.slack.middleware import SlackKit, kit_of, services_of

_MENTION = re.compile(r"<@[UW][A-Z0-9]+>")
_PROJECT_PREFIX = re.compile(r"^\s*([a-z0-9][a-z0-9_-]*)\s*:\s*", re.IGNORECASE)


def register(app: App, entries: list[HelpEntry]) -> None:
    entries.append(
        HelpEntry("@APO Bridge <question>", "answer from recorded decisions, with sources")
    )
    app.event("app_mention")(on_mention)
    app.event("message")(on_message)


def on_mention(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services, kit = services_of(context), kit_of(context)
    text = _MENTION.sub(" ", event.get("text") or "").strip()
    channel = event["channel"]
    thread = event.get("thread_ts") or event["ts"]
    project = services.projects.for_channel(channel)
    if event.get("thread_ts") and services.escalations.escalated_at(
        MessageRef(channel, event["thread_ts"])
    ):
        return  # a reply to an escalation is an answer, handled as a thread message
    if not text or text.lower() in {"help", "hjelp", "?"} or project is None:
        blocks = help_blocks(kit.help, project_name=project.name if project else None)
        client.chat_postMessage(
            channel=channel, thread_ts=thread, text=help_text(kit.help), blocks=blocks
        )
        return
    private = kit.directory.is_private(channel)
    ask = AskInput(project.key, channel, event.get("user", ""), text, event["ts"], thread, private)
    kit.jobs.send(answer_job(ask))


def on_message(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    if event.get("subtype") in ("message_changed", "message_deleted"):
        _edited_or_deleted(event, services_of(context))
        return
    if event.get("subtype") or event.get("bot_id"):
        return  # edits, joins and our own messages are not questions or answers
    services, kit = services_of(context), kit_of(context)
    # Collected as they arrive, for the other side's digest (history is not re-read).
    services.digests.collect_message(
        event["channel"],
        event["ts"],
        event.get("text") or "",
        user_id=event.get("user"),
        thread_ts=event.get("thread_ts"),
        permalink=kit.links(event["channel"], event["ts"]),
    )
    if event.get("channel_type") == "im":
        _direct_message(event, client, services, kit)
    elif event.get("thread_ts"):
        _thread_reply(event, services, kit, context.bot_user_id)


def _edited_or_deleted(event: dict[str, Any], services: Services) -> None:
    """What came from the message (collected text, decisions) follows the edit or deletion."""
    channel = event["channel"]
    if event["subtype"] == "message_deleted":
        services.edits.deleted(MessageRef(channel, event["deleted_ts"]))
        return
    message = event.get("message") or {}
    if message.get("bot_id") or not message.get("ts"):
        return  # the bot updating its own messages
    services.edits.changed(
        MessageRef(channel, message["ts"]), message.get("text") or "", editor=message.get("user")
    )


def _thread_reply(
    event: dict[str, Any], services: Services, kit: SlackKit, bot_user: str | None
) -> None:
    """A reviewer's reply in an escalation's thread is the answer (recorded by a job); a
    reply in a thread the bot started (an answer, a batch of cards) is a follow-up question.
    Anywhere else the bot stays out of people's conversations."""
    channel, thread = event["channel"], event["thread_ts"]
    where = MessageRef(channel, thread)
    if not services.escalations.escalated_at(where):
        if services.questions.answered_in(where) or services.stories.started_thread(where):
            _follow_up(event, services, kit, bot_user)
        return
    kit.jobs.send(
        Job(
            JobKind.ESCALATION_REPLY,
            f"escalation-reply:{channel}:{event['ts']}",
            {
                "channel": channel,
                "thread_ts": thread,
                "ts": event["ts"],
                "text": event.get("text") or "",
                "user": event.get("user", ""),
            },
        )
    )


def _follow_up(
    event: dict[str, Any], services: Services, kit: SlackKit, bot_user: str | None
) -> None:
    text = (event.get("text") or "").strip()
    mentioned = set(_MENTION.findall(text))
    if bot_user and f"<@{bot_user}>" in mentioned:
        return  # the app_mention event answers it
    if mentioned or len(text.split()) < MIN_QUESTION_WORDS:
        return  # talking to someone else, or "thanks!": not a question for the bot
    channel = event["channel"]
    project = services.projects.for_channel(channel)
    if project is None:
        return
    private = kit.directory.is_private(channel)
    user = event.get("user", "")
    ask = AskInput(project.key, channel, user, text, event["ts"], event["thread_ts"], private)
    kit.jobs.send(answer_job(ask))


def _direct_message(
    event: dict[str, Any], client: WebClient, services: Services, kit: SlackKit
) -> None:
    text = (event.get("text") or "").strip()
    project, text = _project_for_dm(services, text)
    thread = event.get("thread_ts") or event["ts"]
    user = event.get("user", "")
    projects = services.projects
    if project is not None and not kit.directory.belongs_to(user, projects.get(project)):
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
    ask = AskInput(project, event["channel"], user, text, event["ts"], thread, True)
    kit.jobs.send(answer_job(ask))


def _project_for_dm(services: Services, text: str) -> tuple[str | None, str]:
    """A DM has no channel to say which project it is about: `key: question`, or the only one."""
    match = _PROJECT_PREFIX.match(text)
    keys = {p.key for p in services.projects.projects}
    if match and match.group(1).lower() in keys:
        return match.group(1).lower(), text[match.end() :]
    if len(keys) == 1:
        return next(iter(keys)), text
    return None, text
