"""`/story`, the notes modal, the "Draft stories from this message" shortcut and Retry.

Notes are stored before the ack (a fast database write), so nothing is lost if drafting fails
later; the model is called only after the ack.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.errors import BotError
from bot.projects import Project
from bot.services import Services
from bot.services.notes_intake import NotesSubmission
from bot.slack.blocks import ids
from bot.slack.blocks.help import HelpEntry
from bot.slack.blocks.story_modals import notes_modal, parse_notes_submission
from bot.slack.files import message_notes
from bot.slack.story_flow import StoryPublisher

log = logging.getLogger(__name__)
UNMAPPED = (
    "This channel is not part of a project yet, so I don't know whose backlog the stories "
    "belong to. Add the channel to the projects file (apo.yaml) or run `/story` in a "
    "project channel."
)


def register(app: App, services: Services, entries: list[HelpEntry]) -> None:
    entries.append(HelpEntry("/story <notes>", "draft user stories from meeting notes"))
    entries.append(HelpEntry("/story", "open a form to paste longer notes"))
    stories = services.stories
    projects = services.projects

    def start(client: WebClient, submission: NotesSubmission, channel: str) -> None:
        received = stories.receive_notes(submission)
        if received.created:  # a repeated delivery of the same notes drafts nothing new
            project = projects.get(submission.project)
            StoryPublisher(client, stories).run(
                received.note_id, channel=channel, project_name=project.name
            )

    @app.command("/story")
    def story_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        channel = command["channel_id"]
        project = projects.for_channel(channel)
        text = command.get("text") or ""
        if not text.strip():
            ack()
            choices = [(p.key, p.name) for p in projects.projects]
            if not choices:
                raise BotError("No projects are set up yet: add one to the projects file first.")
            view = notes_modal(
                choices,
                default_project=project.key if project else None,
                channel_id=channel,
                today=dt.date.today(),
            )
            client.views_open(trigger_id=command["trigger_id"], view=view)
            return
        if project is None:
            ack(response_type="ephemeral", text=UNMAPPED)
            return
        submission = NotesSubmission(
            project=project.key,
            text=text,
            source="inline",
            author_id=command.get("user_id"),
            channel_id=channel,
            delivery_id=command.get("trigger_id", ""),
        )
        try:
            received = stories.receive_notes(submission)  # stored before the ack
        except BotError as exc:
            ack(response_type="ephemeral", text=exc.user_message)
            return
        ack()
        if received.created:
            StoryPublisher(client, stories).run(
                received.note_id, channel=channel, project_name=project.name
            )

    @app.view(ids.STORY_NOTES_MODAL)
    def notes_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        parsed = parse_notes_submission(view)
        if isinstance(parsed, dict):
            ack(response_action="errors", errors=parsed)
            return
        project = projects.get(parsed.project)
        channel = _drafts_channel(project, parsed.channel_id)
        submission = NotesSubmission(
            project=project.key,
            text=parsed.notes,
            source="modal",
            author_id=body["user"]["id"],
            channel_id=channel,
            title=parsed.title,
            meeting_date=parsed.meeting_date,
            delivery_id=view.get("id", ""),
        )
        try:
            received = stories.receive_notes(submission)
        except BotError as exc:
            ack(response_action="errors", errors={ids.NOTES_BLOCK: exc.user_message})
            return
        ack()
        if received.created:
            StoryPublisher(client, stories).run(
                received.note_id, channel=channel, project_name=project.name
            )

    @app.shortcut(ids.DRAFT_FROM_MESSAGE)
    def draft_from_message(
        ack: Ack, shortcut: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        channel = shortcut["channel"]["id"]
        project = projects.for_channel(channel)
        if project is None:
            respond(response_type="ephemeral", replace_original=False, text=UNMAPPED)
            return
        message = shortcut.get("message") or {}
        text = message_notes(client, message, max_chars=stories.max_note_chars)
        submission = NotesSubmission(
            project=project.key,
            text=text,
            source="file" if message.get("files") else "message",
            author_id=shortcut["user"]["id"],
            channel_id=channel,
            delivery_id=f"{channel}:{message.get('ts', '')}",
        )
        try:
            start(client, submission, channel)
        except BotError as exc:
            respond(response_type="ephemeral", replace_original=False, text=exc.user_message)

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
