"""The story's issue in the tracker: Retry after a failed push, close the issue of a story
rejected after it was filed, and *Send to Jira* on a batch summary (projects that file by
button). Who may is the tracker service's rule; the work runs as a job."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.domain import Actor
from bot.domain.jobs import Job, JobKind
from bot.errors import BotError
from bot.slack.blocks import ids
from bot.slack.blocks.help import HelpEntry
from bot.slack.middleware import kit_of, services_of
from bot.slack.payloads import button_id


def register(app: App, entries: list[HelpEntry]) -> None:
    # No help entry: these buttons appear on cards only where a project files in Jira.
    app.action(ids.STORY_PUSH_RETRY)(retry_push)
    app.action(ids.STORY_CLOSE_ISSUE)(close_issue)
    app.action(ids.BATCH_PUSH)(push_batch)


def _tell(respond: Respond, text: str) -> None:
    respond(response_type="ephemeral", replace_original=False, text=text)


def _story_and_failures(action: dict[str, Any]) -> tuple[int, str]:
    """A card button's value, "<story id>:<failures so far>"; `NotFound` when forged."""
    story_id, _, failures = str(action.get("value", "")).partition(":")
    return button_id({"value": story_id}), failures if failures.isdigit() else "0"


def _request_then_queue(
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    *,
    request: Callable[[int, Actor], object],
    kind: JobKind,
    prefix: str,
) -> None:
    """Ask the tracker service whether this person may, then queue the work. The key carries
    the failures so far: a double click asks for one job, a press after a later failure for
    a new one."""
    try:
        story_id, failures = _story_and_failures(action)
        request(story_id, Actor(body["user"]["id"]))
    except BotError as exc:
        _tell(respond, exc.user_message)
        return
    key = f"{prefix}:story:{story_id}:after:{failures}"
    kit_of(context).jobs.send(Job(kind, key, {"story_id": story_id}))


def retry_push(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    ack()
    tracker = services_of(context).tracker
    _request_then_queue(
        body,
        action,
        respond,
        context,
        request=tracker.request_push,
        kind=JobKind.PUSH_STORY,
        prefix="push",
    )


def close_issue(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    ack()
    tracker = services_of(context).tracker
    _request_then_queue(
        body,
        action,
        respond,
        context,
        request=tracker.request_close,
        kind=JobKind.CLOSE_ISSUE,
        prefix="close",
    )


def push_batch(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    """The key names the stories waiting, so a double click is one job and a later press
    (after more approvals) another."""
    ack()
    try:
        note_id = button_id(action)
        waiting = services_of(context).tracker.request_batch_push(
            note_id, Actor(body["user"]["id"])
        )
    except BotError as exc:
        _tell(respond, exc.user_message)
        return
    key = f"push:note:{note_id}:{','.join(map(str, waiting))}"
    kit_of(context).jobs.send(Job(JobKind.PUSH_BATCH, key, {"note_id": note_id}))
