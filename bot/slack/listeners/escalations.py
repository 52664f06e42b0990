"""Escalated questions answered with the *Answer* button and its form (replies in the
escalation's thread arrive through the `message` handler in questions.py), and the feedback
buttons on the bot's answers."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.domain import Actor, MessageRef
from bot.domain.jobs import Job, JobKind
from bot.errors import BotError, NotAllowed
from bot.slack.blocks import ids
from bot.slack.blocks.escalations import answer_modal, correction_modal, parse_answer_modal
from bot.slack.blocks.help import HelpEntry
from bot.slack.middleware import kit_of, services_of
from bot.slack.publishers.knowledge import SlackFeedbackPublisher, SlackKnowledgePublisher
from bot.slack.text import plain


def register(app: App, entries: list[HelpEntry]) -> None:
    app.action(ids.QUESTION_ANSWER)(answer_button)
    app.view(ids.ANSWER_MODAL)(answer_submitted)
    app.action(ids.ANSWER_HELPFUL)(helpful)
    app.action(ids.ANSWER_WRONG)(wrong)
    app.action(ids.ANSWER_CORRECT)(correct_button)
    app.view(ids.CORRECTION_MODAL)(correction_submitted)


def answer_button(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
) -> None:
    ack()
    try:
        question = services_of(context).escalations.question_to_answer(
            int(action["value"]), Actor(body["user"]["id"])
        )
    except NotAllowed as exc:
        respond(response_type="ephemeral", replace_original=False, text=exc.user_message)
        return
    client.views_open(trigger_id=body["trigger_id"], view=answer_modal(question.id, question.text))


def answer_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    parsed = parse_answer_modal(view)
    if isinstance(parsed, dict):
        ack(response_action="errors", errors=parsed)
        return
    question_id, text = parsed
    escalations = services_of(context).escalations
    actor = Actor(body["user"]["id"])
    try:  # database checks only, so the form closes well within Slack's 3 seconds
        escalations.check_can_answer(question_id, actor)
    except BotError as exc:
        ack(response_action="errors", errors={ids.ANSWER_TEXT_BLOCK: plain(exc.user_message)})
        return
    ack()
    kit_of(context).jobs.send(
        Job(
            JobKind.ANSWER_ESCALATION,
            f"escalation-answer:{question_id}:{view.get('id', '')}",
            {"question_id": question_id, "text": text, "user": actor.user_id},
        )
    )


def correct_button(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
) -> None:
    """ "Record the correct decision" on an answer marked wrong, in the client digest."""
    ack()
    try:
        question = services_of(context).escalations.question_to_answer(
            int(action["value"]), Actor(body["user"]["id"])
        )
    except NotAllowed as exc:
        respond(response_type="ephemeral", replace_original=False, text=exc.user_message)
        return
    client.views_open(
        trigger_id=body["trigger_id"],
        view=correction_modal(question.id, question.text, question.answer_text or ""),
    )


def correction_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    parsed = parse_answer_modal(view)
    if isinstance(parsed, dict):
        ack(response_action="errors", errors=parsed)
        return
    question_id, text = parsed
    escalations = services_of(context).escalations
    actor = Actor(body["user"]["id"])
    try:  # database checks only, so the form closes well within Slack's 3 seconds
        escalations.question_to_answer(question_id, actor)
    except BotError as exc:
        ack(response_action="errors", errors={ids.ANSWER_TEXT_BLOCK: plain(exc.user_message)})
        return
    ack()
    escalations.correct(question_id, text, actor, SlackKnowledgePublisher(client))


def helpful(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    respond: Respond,
    client: WebClient,
    context: BoltContext,
) -> None:
    ack()
    _feedback(action, body, respond, client, context, helpful=True)


def wrong(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    respond: Respond,
    client: WebClient,
    context: BoltContext,
) -> None:
    ack()
    _feedback(action, body, respond, client, context, helpful=False)


def _feedback(
    action: dict[str, Any],
    body: dict[str, Any],
    respond: Respond,
    client: WebClient,
    context: BoltContext,
    *,
    helpful: bool,
) -> None:
    channel, container = body["channel"]["id"], body["container"]
    services_of(context).escalations.feedback(
        int(action["value"]),
        MessageRef(channel, container["message_ts"]),
        MessageRef(channel, container.get("thread_ts") or container["message_ts"]),
        Actor(body["user"]["id"]),
        SlackFeedbackPublisher(client, respond),
        helpful=helpful,
    )
