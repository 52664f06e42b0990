"""The agent pane (Slack's assistant view), through Bolt's `Assistant` middleware.

Opening the pane (`assistant_thread_started`) remembers the channel the person was viewing and
suggests prompts for that project; moving to another channel updates it
(`assistant_thread_context_changed`); a message in the pane is a question: its project is
settled by the pane service (or it asks which), the thread is titled after the question, the
status says the bot is searching, and a worker streams the answer.

The thread context lives in our database (see `PaneService`), not in Bolt's default store,
which keeps it in message metadata that every replica would have to read back from Slack.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, Assistant, BoltContext, Say, SetStatus, SetSuggestedPrompts, SetTitle
from slack_sdk.errors import SlackApiError

from bot.domain import MessageRef
from bot.errors import BotError
from bot.services.knowledge.pane import DraftRequest, Reply
from bot.services.stories.intake import NotesSubmission
from bot.slack.blocks.help import HelpEntry
from bot.slack.job_requests import answer_job, draft_job
from bot.slack.middleware import kit_of, services_of
from bot.slack.publishers.pane import SEARCHING

log = logging.getLogger(__name__)
TITLE_LIMIT = 60


def register(app: App, entries: list[HelpEntry]) -> None:
    entries.append(
        HelpEntry("APO Bridge pane", "ask beside any channel: open APO Bridge from the top bar")
    )
    assistant = Assistant()
    assistant.thread_started(thread_started)
    assistant.thread_context_changed(context_changed)
    assistant.user_message(user_message)
    app.assistant(assistant)


def _thread(payload: dict[str, Any]) -> tuple[MessageRef, str, str | None]:
    thread = payload["assistant_thread"]
    viewing = (thread.get("context") or {}).get("channel_id")
    return MessageRef(thread["channel_id"], thread["thread_ts"]), thread["user_id"], viewing


def thread_started(
    payload: dict[str, Any],
    say: Say,
    set_suggested_prompts: SetSuggestedPrompts,
    context: BoltContext,
) -> None:
    services, kit = services_of(context), kit_of(context)
    thread, user, viewing = _thread(payload)
    welcome = services.pane.started(thread, user, viewing, kit.directory)
    say(welcome.greeting)
    set_suggested_prompts(
        prompts=[{"title": p.title, "message": p.message} for p in welcome.prompts],
        title="Try asking",
    )


def context_changed(payload: dict[str, Any], context: BoltContext) -> None:
    thread, user, viewing = _thread(payload)
    services_of(context).pane.context_changed(thread, user, viewing)


def user_message(
    payload: dict[str, Any],
    say: Say,
    set_status: SetStatus,
    set_title: SetTitle,
    context: BoltContext,
) -> None:
    services, kit = services_of(context), kit_of(context)
    thread = MessageRef(payload["channel"], payload["thread_ts"])
    text = payload.get("text") or ""
    first = not services.questions.answered_in(thread)
    user = payload.get("user", "")
    routed = services.pane.route(thread, user, text, payload["ts"], kit.directory)
    if isinstance(routed, Reply):
        say(routed.text)
        return
    if isinstance(routed, DraftRequest):
        _draft(routed, thread, user, payload["ts"], say, set_status, context)
        return
    try:
        if first:
            set_title(_title(routed.text))
        set_status(SEARCHING)  # at once; the worker keeps it until the answer streams in
    except SlackApiError as exc:
        # A DM thread outside the pane has no title or status; the answer still comes, the
        # worker falling back to "Looking…" and an update.
        log.info("no pane title or status in %s: %s", thread, exc)
    kit.jobs.send(answer_job(routed, pane=True))


def _draft(
    request: DraftRequest,
    thread: MessageRef,
    user: str,
    ts: str,
    say: Say,
    set_status: SetStatus,
    context: BoltContext,
) -> None:
    """Notes pasted in the pane: stored now, drafted by a worker into cards in the project's
    team channel, with the pane's status following the drafting."""
    services, kit = services_of(context), kit_of(context)
    submission = NotesSubmission(
        project=request.project,
        text=request.notes,
        source="inline",
        author_id=user,
        channel_id=request.channel,
        delivery_id=f"pane:{thread.channel}:{ts}",
    )
    try:
        received = services.notes.receive(submission)
    except BotError as exc:
        say(exc.user_message)
        return
    if not received.created:
        return  # a repeated delivery: the first one is drafting
    say(
        f"Drafting stories from your notes; the cards go to <#{request.channel}> for the reviewers."
    )
    try:
        set_status("Reading the notes…")
    except SlackApiError as exc:
        log.info("no pane status in %s: %s", thread, exc)
    kit.jobs.send(draft_job(received.note_id, request.channel, pane=thread))


def _title(question: str) -> str:
    line = " ".join(question.split())
    return line if len(line) <= TITLE_LIMIT else line[: TITLE_LIMIT - 1].rstrip() + "…"
