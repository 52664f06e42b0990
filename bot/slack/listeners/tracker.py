"""The story's issue in the tracker: Retry after a failed push, close the issue of a story
rejected after it was filed, and *Send to Jira* on a batch summary (projects that file by
button). Who may is the tracker service's rule; the work runs as a job."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.domain import Actor
from bot.domain.jobs import Job, JobKind
from bot.errors import BotError
from bot.slack.blocks import ids
from bot.slack.blocks.help import HelpEntry
from bot.slack.middleware import kit_of, services_of


def register(app: App, entries: list[HelpEntry]) -> None:
    # No help entry: these buttons appear on cards only where a project files in Jira.
    app.action(ids.STORY_PUSH_RETRY)(retry_push)
    app.action(ids.STORY_CLOSE_ISSUE)(close_issue)
    app.action(ids.BATCH_PUSH)(push_batch)


def _tell(respond: Respond, text: str) -> None:
    respond(response_type="ephemeral", replace_original=False, text=text)


def retry_push(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    """The value is "<story id>:<failures so far>": a double click asks for one job, a Retry
    after a later failure for a new one."""
    ack()
    story_id, _, failures = str(action["value"]).partition(":")
    try:
        services_of(context).tracker.request_push(int(story_id), Actor(body["user"]["id"]))
    except BotError as exc:
        _tell(respond, exc.user_message)
        return
    key = f"push:story:{story_id}:after:{failures or 0}"
    kit_of(context).jobs.send(Job(JobKind.PUSH_STORY, key, {"story_id": int(story_id)}))


def close_issue(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    ack()
    story_id, _, failures = str(action["value"]).partition(":")
    try:
        services_of(context).tracker.request_close(int(story_id), Actor(body["user"]["id"]))
    except BotError as exc:
        _tell(respond, exc.user_message)
        return
    key = f"close:story:{story_id}:after:{failures or 0}"
    kit_of(context).jobs.send(Job(JobKind.CLOSE_ISSUE, key, {"story_id": int(story_id)}))


def push_batch(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    """The key names the stories waiting, so a double click is one job and a later press
    (after more approvals) another."""
    ack()
    note_id = int(action["value"])
    try:
        waiting = services_of(context).tracker.request_batch_push(
            note_id, Actor(body["user"]["id"])
        )
    except BotError as exc:
        _tell(respond, exc.user_message)
        return
    key = f"push:note:{note_id}:{','.join(map(str, waiting))}"
    kit_of(context).jobs.send(Job(JobKind.PUSH_BATCH, key, {"note_id": note_id}))
