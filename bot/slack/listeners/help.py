"""`/apo`: `help` (and alone) lists what the bot can do here; `export [format]` sends the
approved backlog as a file; `digest now` previews this side's digest. The last two are for the
project's reviewers; anyone else gets a private refusal and nothing is queued."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.domain import Actor
from bot.errors import BotError, NotAllowed
from bot.projects import Project
from bot.slack.blocks.help import HelpEntry, help_blocks, help_text
from bot.slack.job_requests import digest_preview_job, export_job
from bot.slack.middleware import kit_of, services_of
from bot.slack.text import escape

HELP = HelpEntry("/apo help", "show this list")
EXPORT = HelpEntry(
    "/apo export [markdown|jira-csv|gherkin]", "the approved backlog as a file (reviewers)"
)
DIGEST = HelpEntry("/apo digest now", "preview this side's next digest, privately (reviewers)")


def register(app: App, entries: list[HelpEntry]) -> None:
    entries.extend([EXPORT, DIGEST, HELP])
    app.command("/apo")(apo_command)


def apo_command(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    words = (command.get("text") or "").lower().split()
    if words[:1] == ["export"]:
        _export(ack, command, context, words[1] if len(words) > 1 else "markdown")
    elif words[:2] == ["digest", "now"]:
        _digest_now(ack, command, context)
    else:
        _help(ack, command, context, words)


def _help(ack: Ack, command: dict[str, Any], context: BoltContext, words: list[str]) -> None:
    # Help is cheap to build, so it goes back in the ack itself: instant and ephemeral.
    entries = kit_of(context).help
    project = services_of(context).projects.for_channel(command.get("channel_id"))
    blocks = help_blocks(entries, project_name=project.name if project else None)
    if words and words[0] != "help":
        unknown = escape(words[0][:40])
        blocks.insert(0, _notice(f"I don't know `/apo {unknown}`. Here is what I can do:"))
    ack(response_type="ephemeral", text=help_text(entries), blocks=blocks)


def _project(ack: Ack, command: dict[str, Any], context: BoltContext) -> Project | None:
    project = services_of(context).projects.for_channel(command.get("channel_id"))
    if project is None:
        ack(
            response_type="ephemeral",
            text="Run this in one of the project's channels, so I know which project you mean.",
        )
    return project


def _export(ack: Ack, command: dict[str, Any], context: BoltContext, format: str) -> None:
    project = _project(ack, command, context)
    if project is None:
        return
    user = command["user_id"]
    try:
        services_of(context).exports.check(project.key, format, Actor(user))
    except BotError as exc:
        ack(response_type="ephemeral", text=exc.user_message)
        return
    ack(
        response_type="ephemeral",
        text=f"Preparing the {escape(format)} export of {escape(project.name)}; "
        "it arrives in your messages with me.",
    )
    request = str(command.get("trigger_id", ""))
    kit_of(context).jobs.send(export_job(project.key, format, user, request))


def _digest_now(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    project = _project(ack, command, context)
    if project is None:
        return
    user, channel = command["user_id"], command["channel_id"]
    if not project.is_reviewer(user):
        refusal = NotAllowed(f"Only the reviewers of {project.name} can preview its digests.")
        ack(response_type="ephemeral", text=refusal.user_message)
        return
    side = "team" if channel == project.team.channel else "client"
    ack(response_type="ephemeral", text=f"Building the {side} digest as it would be now…")
    request = str(command.get("trigger_id", ""))
    kit_of(context).jobs.send(digest_preview_job(project.key, side, user, channel, request))


def _notice(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}
