"""Approve, Edit and Reject on story cards, and the modals behind Edit and Reject.

Who may decide is the service's rule; here a refusal becomes an ephemeral message (buttons)
or an error under the modal's field (modals), and a success redraws the card.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.domain import StoryView
from bot.errors import BotError
from bot.services import Services
from bot.slack.blocks import ids
from bot.slack.blocks.help import HelpEntry
from bot.slack.blocks.story_modals import (
    edit_modal,
    full_story_modal,
    parse_edit_submission,
    parse_reject_submission,
    reject_modal,
)
from bot.slack.story_flow import StoryPublisher
from bot.slack.text import plain


def register(app: App, services: Services, entries: list[HelpEntry]) -> None:
    entries.append(
        HelpEntry("Approve / Edit / Reject", "reviewers decide on each drafted story card")
    )
    stories = services.stories
    review = services.review

    def tell(respond: Respond, text: str) -> None:
        respond(response_type="ephemeral", replace_original=False, text=text)

    @app.action(ids.STORY_APPROVE)
    def approve(
        ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        try:
            story = review.approve(int(action["value"]), body["user"]["id"])
        except BotError as exc:
            tell(respond, exc.user_message)
            return
        StoryPublisher(client, stories).refresh_story(story)

    def open_for_reviewer(
        action: dict[str, Any],
        body: dict[str, Any],
        client: WebClient,
        respond: Respond,
        modal: Callable[[StoryView], dict[str, Any]],
    ) -> None:
        """Reject and Edit open a modal, but only for a reviewer and an undecided story."""
        try:
            story = review.ensure_reviewer(int(action["value"]), body["user"]["id"])
        except BotError as exc:
            tell(respond, exc.user_message)
            return
        if story.status != "draft":
            tell(respond, f"Story #{story.id} is already {story.status}; it can't be changed.")
            return
        client.views_open(trigger_id=body["trigger_id"], view=modal(story))

    @app.action(ids.STORY_REJECT)
    def reject(
        ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        open_for_reviewer(action, body, client, respond, reject_modal)

    @app.action(ids.STORY_EDIT)
    def edit(
        ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        open_for_reviewer(action, body, client, respond, edit_modal)

    @app.action(ids.STORY_VIEW_FULL)
    def view_full(
        ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        story = stories.story(int(action["value"]))
        client.views_open(trigger_id=body["trigger_id"], view=full_story_modal(story))

    def submitted(
        ack: Ack,
        client: WebClient,
        parsed: tuple[int, Any] | dict[str, str],
        error_block: str,
        decide: Callable[[int, Any], StoryView],
    ) -> None:
        """Reject and Edit forms: field errors stay in the form; success redraws the card."""
        if isinstance(parsed, dict):
            ack(response_action="errors", errors=parsed)
            return
        story_id, change = parsed
        try:
            story = decide(story_id, change)
        except BotError as exc:
            ack(response_action="errors", errors={error_block: plain(exc.user_message)})
            return
        ack()
        StoryPublisher(client, stories).refresh_story(story)

    @app.view(ids.STORY_REJECT_MODAL)
    def reject_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        user = body["user"]["id"]
        submitted(
            ack,
            client,
            parse_reject_submission(view),
            ids.REJECT_REASON_BLOCK,
            lambda story_id, reason: review.reject(story_id, user, reason),
        )

    @app.view(ids.STORY_EDIT_MODAL)
    def edit_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        user = body["user"]["id"]
        submitted(
            ack,
            client,
            parse_edit_submission(view),
            ids.EDIT_TITLE_BLOCK,
            lambda story_id, change: review.edit(story_id, user, change),
        )
