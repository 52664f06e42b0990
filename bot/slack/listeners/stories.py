"""`/story`, the notes modal, the "Draft stories from this message" shortcut and Retry.

Notes are stored before the ack (a fast database write), so nothing is lost if drafting fails
later; the model is called only after the ack.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.errors import BotError
from bot.projects import Project
from bot.services import Services
from bot.services.notes_intake import NotesSubmission
from bot.services.stories import ReceivedNotes
from bot.slack.blocks import ids
from bot.slack.blocks.help import HelpEntry
from bot.slack.blocks.story_modals import notes_modal, parse_notes_submission
from bot.slack.files import message_notes
from bot.slack.replies import UNMAPPED
from bot.slack.story_flow import StoryPublisher

log = logging.getLogger(__name__)
ALREADY_SENT = "These notes were already sent for drafting; the drafts are in that thread."


def register(app: App, services: Services, entries: list[HelpEntry]) -> None:
    entries.append(HelpEntry("/story <notes>", "draft user stories from meeting notes"))
    entries.append(HelpEntry("/story", "open a form to paste longer notes"))
    stories = services.stories
    projects = services.projects

    def receive_then_draft(
        submission: NotesSubmission,
        client: WebClient,
        channel: str,
        acknowledge: Callable[[BotError | None], None],
        repeated: Callable[[], None] = lambda: None,
    ) -> None:
        """The one flow behind every way in: store the notes, ack (with the error if they
        can't be used), then draft in `channel`."""
        try:
            received: ReceivedNotes = stories.receive_notes(submission)
        except BotError as exc:
            acknowledge(exc)
            return
        acknowledge(None)
        if not received.created:  # a repeated delivery of the same notes drafts nothing new
            repeated()
            return
        project = projects.get(submission.project)
        StoryPublisher(client, stories).run(
            received.note_id, channel=channel, project_name=project.name
        )

    @app.command("/story")
    def story_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        channel = command["channel_id"]
        user = command.get("user_id", "")
        project = projects.for_channel(channel)
        if not (command.get("text") or "").strip():
            open_notes_form(ack, client, command["trigger_id"], channel, user, project)
            return
        if project is None:
            ack(response_type="ephemeral", text=UNMAPPED)
            return
        submission = NotesSubmission(
            project=project.key,
            text=command.get("text") or "",
            source="inline",
            author_id=user,
            channel_id=channel,
            delivery_id=command.get("trigger_id", ""),
        )

        def acknowledge(error: BotError | None) -> None:
            if error:
                ack(response_type="ephemeral", text=error.user_message)
            else:
                ack()

        receive_then_draft(submission, client, channel, acknowledge)

    def open_notes_form(
        ack: Ack, client: WebClient, trigger_id: str, channel: str, user: str, here: Project | None
    ) -> None:
        # In a project channel the form is for that project only; elsewhere, for the
        # projects this person reviews, so nobody drafts into a backlog that isn't theirs.
        allowed = [here] if here else [p for p in projects.projects if p.is_reviewer(user)]
        if not allowed:
            ack(response_type="ephemeral", text=UNMAPPED)
            return
        ack()
        today = dt.datetime.now(allowed[0].client.zone).date()  # the meeting's side of the day
        view = notes_modal(
            [(p.key, p.name) for p in allowed],
            default_project=allowed[0].key,
            channel_id=channel,
            today=today,
        )
        client.views_open(trigger_id=trigger_id, view=view)

    @app.view(ids.STORY_NOTES_MODAL)
    def notes_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        parsed = parse_notes_submission(view)
        if isinstance(parsed, dict):
            ack(response_action="errors", errors=parsed)
            return
        project = projects.get(parsed.project)
        user = body["user"]["id"]
        here = projects.for_channel(parsed.channel_id)
        if here is not project and not project.is_reviewer(user):
            ack(response_action="errors", errors={ids.NOTES_BLOCK: UNMAPPED})
            return
        channel = _drafts_channel(project, parsed.channel_id)
        submission = NotesSubmission(
            project=project.key,
            text=parsed.notes,
            source="modal",
            author_id=user,
            channel_id=channel,
            title=parsed.title,
            meeting_date=parsed.meeting_date,
            delivery_id=view.get("id", ""),
        )

        def acknowledge(error: BotError | None) -> None:
            if error:
                ack(response_action="errors", errors={ids.NOTES_BLOCK: error.user_message})
            else:
                ack()

        receive_then_draft(submission, client, channel, acknowledge)

    @app.shortcut(ids.DRAFT_FROM_MESSAGE)
    def draft_from_message(
        ack: Ack, shortcut: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()  # reading attached files can take a while; the answer goes via respond()
        channel = shortcut["channel"]["id"]
        project = projects.for_channel(channel)

        def tell(text: str) -> None:
            respond(response_type="ephemeral", replace_original=False, text=text)

        if project is None:
            tell(UNMAPPED)
            return
        message = shortcut.get("message") or {}
        try:
            text = message_notes(client, message, max_chars=stories.max_note_chars)
        except BotError as exc:
            tell(exc.user_message)
            return
        submission = NotesSubmission(
            project=project.key,
            text=text,
            source="file" if message.get("files") else "message",
            author_id=shortcut["user"]["id"],
            channel_id=channel,
            delivery_id=f"{channel}:{message.get('ts', '')}",
        )

        def acknowledge(error: BotError | None) -> None:
            if error:
                tell(error.user_message)

        receive_then_draft(
            submission, client, channel, acknowledge, repeated=lambda: tell(ALREADY_SENT)
        )

    @app.action(ids.NOTES_RETRY)
    def retry(ack: Ack, action: dict[str, Any], client: WebClient, body: dict[str, Any]) -> None:
        ack()
        note_id = int(action["value"])
        batch = stories.batch(note_id)
        project = projects.get(batch.project)
        placed = stories.placement(note_id)
        channel = placed[0] if placed else body["channel"]["id"]
        StoryPublisher(client, stories).run(note_id, channel=channel, project_name=project.name)


def _drafts_channel(project: Project, invoked_in: str | None) -> str:
    """Drafts go where /story was used when that is a project channel, else to the client
    side's channel, where the meeting the notes come from belongs."""
    if invoked_in and invoked_in in project.all_channels:
        return invoked_in
    return project.client.channel
