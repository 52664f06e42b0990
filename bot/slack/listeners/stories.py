"""`/story`, the notes modal, the "Draft user stories" message shortcut and Retry.

Notes are stored before the ack (a fast database write), so nothing is lost if drafting fails
later; drafting is a job a worker runs after the ack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.domain import Actor
from bot.errors import BotError, NotAllowed
from bot.services import Services
from bot.services.stories.intake import NotesSubmission
from bot.slack.blocks import ids
from bot.slack.blocks.help import HelpEntry
from bot.slack.blocks.story_notes_modal import notes_modal, parse_notes_submission
from bot.slack.files import message_notes
from bot.slack.job_requests import draft_job
from bot.slack.middleware import kit_of, services_of
from bot.slack.payloads import button_id, pressed_in
from bot.slack.replies import UNMAPPED

ALREADY_SENT = "These notes were already sent for drafting; the drafts are in that thread."


def register(app: App, entries: list[HelpEntry]) -> None:
    entries.append(HelpEntry("/story <notes>", "draft user stories from meeting notes"))
    entries.append(HelpEntry("/story", "open a form to paste longer notes"))
    app.command("/story")(story_command)
    app.view(ids.STORY_NOTES_MODAL)(notes_submitted)
    app.shortcut(ids.DRAFT_FROM_MESSAGE)(draft_from_message)
    app.action(ids.NOTES_RETRY)(retry)


def story_command(
    ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    services = services_of(context)
    channel = command["channel_id"]
    user = command.get("user_id", "")
    if not (command.get("text") or "").strip():
        open_notes_form(ack, client, services, command["trigger_id"], channel, user)
        return
    project = services.projects.for_channel(channel)
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

    receive_then_draft(context, submission, channel, acknowledge)


def open_notes_form(
    ack: Ack, client: WebClient, services: Services, trigger_id: str, channel: str, user: str
) -> None:
    try:
        form = services.notes.notes_form(Actor(user), channel)
    except NotAllowed:
        ack(response_type="ephemeral", text=UNMAPPED)
        return
    ack()
    view = notes_modal(
        [(p.key, p.name) for p in form.projects],
        default_project=form.projects[0].key,
        channel_id=channel,
        today=form.today,
    )
    client.views_open(trigger_id=trigger_id, view=view)


def notes_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    services = services_of(context)
    parsed = parse_notes_submission(view)
    if isinstance(parsed, dict):
        ack(response_action="errors", errors=parsed)
        return
    user = body["user"]["id"]
    try:
        channel = services.notes.notes_destination(Actor(user), parsed.project, parsed.channel_id)
    except NotAllowed:
        ack(response_action="errors", errors={ids.NOTES_BLOCK: UNMAPPED})
        return
    submission = NotesSubmission(
        project=parsed.project,
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

    receive_then_draft(context, submission, channel, acknowledge)


def draft_from_message(
    ack: Ack, shortcut: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    ack()  # reading attached files can take a while; the answer goes via respond()
    services = services_of(context)
    channel = shortcut["channel"]["id"]
    project = services.projects.for_channel(channel)

    def tell(text: str) -> None:
        respond(response_type="ephemeral", replace_original=False, text=text)

    if project is None:
        tell(UNMAPPED)
        return
    message = shortcut.get("message") or {}
    try:
        text = message_notes(client, message, max_chars=services.notes.max_note_chars)
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
        source_ts=message.get("ts"),
    )

    def acknowledge(error: BotError | None) -> None:
        if error:
            tell(error.user_message)

    receive_then_draft(
        context, submission, channel, acknowledge, repeated=lambda: tell(ALREADY_SENT)
    )


def retry(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    ack()
    # Each press is its own job; the note's drafting claim keeps a double press to one draft.
    press = action.get("action_ts") or body.get("trigger_id", "")
    channel = pressed_in(body)
    try:
        note_id = button_id(action)
        services_of(context).stories.check_retry(note_id, channel)
    except BotError as exc:
        respond(response_type="ephemeral", replace_original=False, text=exc.user_message)
        return
    assert channel is not None  # check_retry refuses a press without a channel
    kit_of(context).jobs.send(draft_job(note_id, channel, f"retry:{press}"))


def receive_then_draft(
    context: BoltContext,
    submission: NotesSubmission,
    channel: str,
    acknowledge: Callable[[BotError | None], None],
    repeated: Callable[[], None] = lambda: None,
) -> None:
    """The one flow behind every way in: store the notes, ack (with the error if they can't
    be used), then queue the drafting in `channel`."""
    team = context.team_id  # the workspace whose token drafts (several workspaces)
    try:
        # The drafting job is stored with the notes (one transaction); only its key goes on
        # the queue after the ack.
        received = services_of(context).notes.receive(
            submission, draft=lambda note_id: draft_job(note_id, channel, team=team)
        )
    except BotError as exc:
        acknowledge(exc)
        return
    acknowledge(None)
    if received.job is None:  # a repeated delivery of the same notes drafts nothing new
        repeated()
        return
    kit_of(context).jobs.enqueue(received.job)
