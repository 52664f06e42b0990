"""`@APO Bridge <question>` in a channel or thread, DMs to the bot, and the human loop:
escalations answered by button or thread reply, and feedback on answers."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.errors import BotError
from bot.services import Services
from bot.services.questions import Abstention, AskInput, HumanAnswer
from bot.slack.blocks import ids
from bot.slack.blocks.answers import (
    abstention_message,
    answer_message,
    answer_modal,
    answered_message,
    escalation_message,
    parse_answer_modal,
)
from bot.slack.blocks.help import HelpEntry, help_blocks, help_text
from bot.slack.blocks.story_parts import user_ref
from bot.slack.channels import ChannelDirectory
from bot.slack.digest_poster import SlackLinks

log = logging.getLogger(__name__)
_MENTION = re.compile(r"<@[UW][A-Z0-9]+>")
_PROJECT_PREFIX = re.compile(r"^\s*([a-z0-9][a-z0-9_-]*)\s*:\s*", re.IGNORECASE)


def register(app: App, services: Services, entries: list[HelpEntry]) -> None:
    entries.append(
        HelpEntry("@APO Bridge <question>", "answer from recorded decisions, with sources")
    )
    questions = services.questions
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
        questions.mark_escalated(abstention.question_id, str(posted["channel"]), str(posted["ts"]))

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], client: WebClient) -> None:
        text = _MENTION.sub(" ", event.get("text") or "").strip()
        channel = event["channel"]
        thread = event.get("thread_ts") or event["ts"]
        project = projects.for_channel(channel)
        if event.get("thread_ts") and questions.escalated_at(channel, event["thread_ts"]):
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
            thread_reply(event, client)

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

    def thread_reply(event: dict[str, Any], client: WebClient) -> None:
        question = questions.escalated_at(event["channel"], event["thread_ts"])
        if question is None or not questions.may_answer(question, event.get("user", "")):
            return
        try:
            result = questions.answer_by_human(
                question.id or 0,
                event.get("text") or "",
                event["user"],
                source_ts=event["ts"],
                permalink=links(event["channel"], event["ts"]),
            )
        except BotError as exc:
            client.chat_postEphemeral(
                channel=event["channel"], user=event["user"], text=exc.user_message
            )
            return
        notify(client, result, event["user"])

    def notify(client: WebClient, result: HumanAnswer, answerer: str) -> None:
        question = result.question
        text, blocks = answered_message(question.text, result.decision, answerer)
        client.chat_postMessage(
            channel=question.channel_id,
            thread_ts=question.thread_ts or question.message_ts,
            text=f"{user_ref(question.asker_id)} {text}",
            blocks=blocks,
        )
        if question.escalation_channel and question.escalation_ts:
            shown = "(a question from a private conversation)" if question.source_private else None
            text, blocks = answered_message(shown or question.text, result.decision, answerer)
            client.chat_update(
                channel=question.escalation_channel,
                ts=question.escalation_ts,
                text=text,
                blocks=blocks,
            )

    @app.action(ids.QUESTION_ANSWER)
    def answer_button(
        ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        question = questions.question(int(action["value"]))
        if not questions.may_answer(question, body["user"]["id"]):
            respond(
                response_type="ephemeral",
                replace_original=False,
                text="Only the project's reviewers can record an answer as a decision.",
            )
            return
        client.views_open(
            trigger_id=body["trigger_id"], view=answer_modal(question.id or 0, question.text)
        )

    @app.view(ids.ANSWER_MODAL)
    def answer_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        parsed = parse_answer_modal(view)
        if isinstance(parsed, dict):
            ack(response_action="errors", errors=parsed)
            return
        question_id, text = parsed
        try:  # database checks only, so the form closes well within Slack's 3 seconds
            questions.check_can_answer(question_id, body["user"]["id"])
        except BotError as exc:
            ack(response_action="errors", errors={ids.ANSWER_TEXT_BLOCK: exc.user_message})
            return
        ack()
        result = questions.answer_by_human(question_id, text, body["user"]["id"])
        notify(client, result, body["user"]["id"])

    @app.action(ids.ANSWER_HELPFUL)
    def helpful(ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond) -> None:
        ack()
        feedback(action, body, respond, helpful=True)

    @app.action(ids.ANSWER_WRONG)
    def wrong(
        ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        question = feedback(action, body, respond, helpful=False)
        reviewers = " ".join(user_ref(r) for r in questions.reviewers(question.project))
        client.chat_postMessage(
            channel=body["channel"]["id"],
            thread_ts=body["container"].get("thread_ts") or body["container"]["message_ts"],
            text=f"{reviewers}: {user_ref(body['user']['id'])} marked this answer as wrong or "
            "outdated. Please record the current decision (`/decision supersedes #N: …`).",
        )

    def feedback(
        action: dict[str, Any], body: dict[str, Any], respond: Respond, *, helpful: bool
    ) -> Any:
        question = questions.feedback(
            int(action["value"]),
            body["channel"]["id"],
            body["container"]["message_ts"],
            body["user"]["id"],
            helpful,
        )
        respond(
            response_type="ephemeral",
            replace_original=False,
            text="Thanks, noted." if helpful else "Thanks; I've told the reviewers.",
        )
        return question


def _project_for_dm(services: Services, text: str) -> tuple[str | None, str]:
    """A DM has no channel to say which project it is about: `key: question`, or the only one."""
    match = _PROJECT_PREFIX.match(text)
    keys = {p.key for p in services.projects.projects}
    if match and match.group(1).lower() in keys:
        return match.group(1).lower(), text[match.end() :]
    if len(keys) == 1:
        return next(iter(keys)), text
    return None, text
