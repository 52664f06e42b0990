"""The Home tab: drawn when a person opens it (`app_home_opened`), and its export buttons.

The story and question buttons on it are the cards' own (their listeners live with the
cards), so deciding from the Home tab is deciding on the card.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.domain import Actor
from bot.errors import BotError
from bot.slack.blocks import ids
from bot.slack.blocks.help import HelpEntry
from bot.slack.job_requests import export_job
from bot.slack.middleware import kit_of, services_of
from bot.slack.publishers.files import SlackFilePublisher
from bot.slack.publishers.home import SlackHomePublisher

_FORMATS = {
    ids.HOME_EXPORT_MARKDOWN: "markdown",
    ids.HOME_EXPORT_JIRA: "jira-csv",
    ids.HOME_EXPORT_GHERKIN: "gherkin",
}


def register(app: App, entries: list[HelpEntry]) -> None:
    entries.append(
        HelpEntry("Home tab", "your reviews, questions, recent decisions and the next digests")
    )
    app.event("app_home_opened")(home_opened)
    app.action(re.compile("^home_export_"))(export_clicked)


def home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    if event.get("tab") != "home":
        return  # the Messages tab: nothing to draw
    services, kit = services_of(context), kit_of(context)
    services.home.refresh([event["user"]], kit.directory, SlackHomePublisher(client))


def export_clicked(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    user = body["user"]["id"]
    project, format = str(action.get("value", "")), _FORMATS.get(action["action_id"], "")
    try:
        services_of(context).exports.check(project, format, Actor(user))
    except BotError as exc:
        SlackFilePublisher(client).tell(user, exc.user_message)
        return
    kit_of(context).jobs.send(export_job(project, format, user, body.get("trigger_id", "")))
