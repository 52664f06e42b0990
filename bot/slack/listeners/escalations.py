"""Escalated questions answered with the *Answer* button and its form (replies in the
escalation's thread arrive through the `message` handler in questions.py), and the feedback
buttons on the bot's answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.domain import Actor, MessageRef
from bot.domain.jobs import Job, JobKind
from bot.domain.knowledge import QuestionView
from bot.errors import BotError
from bot.slack.blocks import ids
from bot.slack.blocks.answers import parse_feedback
from bot.slack.blocks.escalations import answer_modal, correction_modal, parse_answer_modal
from bot.slack.blocks.help import HelpEntry
from bot.slack.middleware import kit_of, services_of
from bot.slack.payloads import button_id
from bot.slack.publishers.knowledge import SlackFeedbackPublisher, SlackKnowledgePublisher
from bot.slack.text import plain


def register(app: App, entries: list[HelpEntry]) -> None:
    app.action(ids.QUESTION_ANSWER)(answer_button)
    app.view(ids.ANSWER_MODAL)(answer_submitted)
    app.action(ids.ANSWER_HELPFUL)(helpful)
    app.action(ids.ANSWER_WRONG)(wrong)
    app.action(ids.ANSWER_FEEDBACK)(native_feedback)
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
    _open_form(action, body, client, respond, context, lambda q: answer_modal(q.id, q.text))


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
    _open_form(
        action,
        body,
        client,
        respond,
        context,
        lambda q: correction_modal(q.id, q.text, q.answer_text or ""),
    )


def _open_form(
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    form: Callable[[QuestionView], dict[str, Any]],
) -> None:
    """A reviewer's form for the question on the button; others are told why not, privately."""
    try:
        question = services_of(context).escalations.question_to_answer(
            button_id(action), Actor(body["user"]["id"])
        )
    except BotError as exc:  # not a reviewer, or a button pointing at nothing
        respond(response_type="ephemeral", replace_original=False, text=exc.user_message)
        return
    client.views_open(trigger_id=body["trigger_id"], view=form(question))


def answer_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
) -> None:
    escalations = services_of(context).escalations
    accepted = _accepted(ack, body, view, escalations.check_can_answer)
    if accepted is None:
        return
    question_id, text, actor = accepted
    kit_of(context).jobs.send(
        Job(
            JobKind.ANSWER_ESCALATION,
            f"escalation-answer:{question_id}:{view.get('id', '')}",
            {"question_id": question_id, "text": text, "user": actor.user_id},
        )
    )


def correction_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    escalations = services_of(context).escalations
    accepted = _accepted(ack, body, view, escalations.question_to_answer)
    if accepted is not None:
        question_id, text, actor = accepted
        escalations.correct(question_id, text, actor, SlackKnowledgePublisher(client))


def _accepted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    check: Callable[[int, Actor], QuestionView],
) -> tuple[int, str, Actor] | None:
    """Field and permission errors stay in the form; else the form closes and the answer is
    returned. The checks read the database only, so the form closes well within Slack's 3 s."""
    parsed = parse_answer_modal(view)
    if isinstance(parsed, dict):
        ack(response_action="errors", errors=parsed)
        return None
    question_id, text = parsed
    actor = Actor(body["user"]["id"])
    try:
        check(question_id, actor)
    except BotError as exc:
        ack(response_action="errors", errors={ids.ANSWER_TEXT_BLOCK: plain(exc.user_message)})
        return None
    ack()
    return question_id, text, actor


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


def native_feedback(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    respond: Respond,
    client: WebClient,
    context: BoltContext,
) -> None:
    """Slack's thumbs up / down under an answer: recorded exactly as the older buttons."""
    ack()
    parsed = parse_feedback(str(action.get("value", "")))
    if parsed is None:
        return
    question_id, helpful = parsed
    _feedback({"value": str(question_id)}, body, respond, client, context, helpful=helpful)


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
    try:
        services_of(context).escalations.feedback(
            button_id(action),
            MessageRef(channel, container["message_ts"]),
            MessageRef(channel, container.get("thread_ts") or container["message_ts"]),
            Actor(body["user"]["id"]),
            SlackFeedbackPublisher(client, respond),
            helpful=helpful,
        )
    except BotError as exc:
        respond(response_type="ephemeral", replace_original=False, text=exc.user_message)
