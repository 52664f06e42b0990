"""Approve, Edit and Reject on story cards, the modals behind Edit and Reject, and the card's
read-only buttons (the whole story, every finding).

Who may decide is the service's rule; here a refusal becomes an ephemeral message (buttons)
or an error under the modal's field (modals). A stored decision queues a job that redraws the
card and the summary (and indexes an approved story).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.domain import Actor
from bot.domain.jobs import Job, JobKind
from bot.domain.stories import StoryView
from bot.errors import BotError
from bot.slack.blocks import ids
from bot.slack.blocks.help import HelpEntry
from bot.slack.blocks.story_card import findings_message
from bot.slack.blocks.story_modals import (
    edit_modal,
    full_story_modal,
    parse_edit_submission,
    parse_reject_submission,
    reject_modal,
    seen_status,
)
from bot.slack.middleware import kit_of, services_of
from bot.slack.payloads import button_id, pressed_in
from bot.slack.text import plain


def register(app: App, entries: list[HelpEntry]) -> None:
    entries.append(
        HelpEntry("Approve / Edit / Reject", "reviewers decide on each drafted story card")
    )
    app.action(ids.STORY_APPROVE)(approve)
    app.action(ids.STORY_REJECT)(reject)
    app.action(ids.STORY_EDIT)(edit)
    app.action(ids.STORY_VIEW_FULL)(view_full)
    app.action(ids.STORY_FINDINGS)(show_findings)
    app.view(ids.STORY_REJECT_MODAL)(reject_submitted)
    app.view(ids.STORY_EDIT_MODAL)(edit_submitted)


def _tell(respond: Respond | None, client: WebClient, body: dict[str, Any], text: str) -> None:
    """Only to the person who clicked: ephemeral under a card; from the Home tab (which has no
    response_url) in their messages with the bot."""
    if respond is not None and body.get("response_url"):
        respond(response_type="ephemeral", replace_original=False, text=text)
    else:
        client.chat_postMessage(channel=body["user"]["id"], text=text)


def approve(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
) -> None:
    ack()
    try:
        story_id = button_id(action)
        services_of(context).review.approve(story_id, Actor(body["user"]["id"]))
    except BotError as exc:
        _tell(respond, client, body, exc.user_message)
        return
    # Redraws the card in its channel and every reviewer's Home tab.
    kit_of(context).jobs.send(show_decision_job(story_id, "approved"))


def show_decision_job(story_id: int, decision: str) -> Job:
    return Job(JobKind.SHOW_DECISION, f"review:story:{story_id}:{decision}", {"story_id": story_id})


def reject(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
) -> None:
    ack()
    _open_for_review(action, body, client, respond, context, reject_modal)


def edit(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
) -> None:
    ack()
    _open_for_review(action, body, client, respond, context, edit_modal)


def _open_for_review(
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    modal: Callable[[StoryView], dict[str, Any]],
) -> None:
    """Reject and Edit open a modal, but only for a reviewer and an undecided story."""
    review = services_of(context).review
    try:
        story = review.open_for_review(button_id(action), Actor(body["user"]["id"]))
    except BotError as exc:
        _tell(respond, client, body, exc.user_message)
        return
    client.views_open(trigger_id=body["trigger_id"], view=modal(story))


def view_full(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
) -> None:
    ack()
    try:
        story = services_of(context).stories.story_in(button_id(action), pressed_in(body))
    except BotError as exc:
        _tell(respond, client, body, exc.user_message)
        return
    client.views_open(trigger_id=body["trigger_id"], view=full_story_modal(story))


def show_findings(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
) -> None:
    """*n more findings* on a card: every finding, to the person who clicked only."""
    ack()
    try:
        story = services_of(context).stories.story_in(button_id(action), pressed_in(body))
    except BotError as exc:
        _tell(respond, client, body, exc.user_message)
        return
    text, blocks = findings_message(story)
    respond(response_type="ephemeral", replace_original=False, text=text, blocks=blocks)


def reject_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
) -> None:
    review = services_of(context).review
    actor = Actor(body["user"]["id"])
    _submitted(
        ack,
        context,
        view,
        parse_reject_submission(view),
        ids.REJECT_REASON_BLOCK,
        lambda story_id, reason: review.reject(story_id, actor, reason, seen=seen_status(view)),
    )


def edit_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
) -> None:
    review = services_of(context).review
    actor = Actor(body["user"]["id"])
    _submitted(
        ack,
        context,
        view,
        parse_edit_submission(view),
        ids.EDIT_TITLE_BLOCK,
        lambda story_id, change: review.edit(story_id, actor, change),
    )


def _submitted(
    ack: Ack,
    context: BoltContext,
    view: dict[str, Any],
    parsed: tuple[int, Any] | dict[str, str],
    error_block: str,
    decide: Callable[[int, Any], StoryView],
) -> None:
    """Reject and Edit forms: field errors stay in the form; once the change is stored the
    form closes (the ack), then a job redraws the card."""
    if isinstance(parsed, dict):
        ack(response_action="errors", errors=parsed)
        return
    story_id, change = parsed
    try:
        decide(story_id, change)
    except BotError as exc:
        ack(response_action="errors", errors={error_block: plain(exc.user_message)})
        return
    ack()
    kit_of(context).jobs.send(show_decision_job(story_id, f"form:{view.get('id', '')}"))
