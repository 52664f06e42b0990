"""The Slack app manifest, in one place for both ways of connecting.

`deploy/slack-app-manifest.yaml` (Socket Mode) and `deploy/slack-app-manifest-http.yaml` (HTTP,
with request URLs) are written from this module by `apo manifest` and a test keeps them equal
to what it builds; `apo doctor` reads the scopes from here. A new feature adds its command,
shortcut, event, scope or App Home switch as one line in the tables below, and both manifests
(and the doctor's scope check) follow.

Plain data and YAML only: no Slack library, so the doctor and the CLI can use it cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import yaml

from bot.slack.blocks import ids

Mode = Literal["socket", "http"]
EVENTS_PATH = "/slack/events"
# Where Slack's OAuth v2 install flow lands when multi-workspace installs are on.
OAUTH_REDIRECT_PATH = "/slack/oauth_redirect"

NAME = "APO Bridge"
DESCRIPTION = "Meeting notes to user stories, answers from decisions, cross-timezone handovers."
BACKGROUND = "#2c3e50"


@dataclass(frozen=True)
class Command:
    command: str
    description: str
    usage_hint: str


@dataclass(frozen=True)
class Shortcut:
    name: str
    callback_id: str
    description: str


COMMANDS = (
    Command(
        "/decision",
        'Record a decision ("supersedes #N:" replaces an earlier one)',
        "[what was decided]",
    ),
    Command(
        "/story", "Draft user stories from meeting notes (alone, opens a form)", "[meeting notes]"
    ),
    Command("/apo", "What APO Bridge can do here", "help"),
)
SHORTCUTS = (
    Shortcut(
        "Draft user stories",
        ids.DRAFT_FROM_MESSAGE,
        "Turn meeting notes in this message (or its text file) into draft user stories",
    ),
    Shortcut(
        "Record as decision",
        ids.RECORD_DECISION,
        "Keep this message as a decision, with its author and link",
    ),
)
# Each scope with the reason the bot needs it.
BOT_SCOPES = {
    "app_mentions:read": "questions asked with @APO Bridge",
    "assistant:write": "the agent pane: status, suggested prompts, thread titles",
    "channels:history": "collecting public channels' messages for digests, thread replies",
    "channels:read": "channel names and membership (apo doctor, apo init)",
    "chat:write": "every reply, card and digest",
    "commands": "/story, /decision, /apo",
    "files:read": "notes attached as text files",
    "files:write": "/apo export and the Home tab's export buttons send the backlog file",
    "groups:history": "the same in private channels the bot was invited to",
    "groups:read": "private channels' names and membership",
    "im:history": "questions in a direct message",
    "im:read": "direct messages' channels",
    "im:write": "the export file goes to the reviewer's own messages with the bot",
    "reactions:read": "a reviewer's pin reaction records a decision",
    "users:read": "apo doctor checks the reviewers exist; apo init lists people by name; "
    "Jira issues name their approver",
}
# Slack's event names; a registered `message` listener needs the message.* events below.
BOT_EVENTS = (
    "app_home_opened",  # each person's Home tab
    "app_mention",
    "assistant_thread_started",  # the agent pane: greeting and suggested prompts
    "assistant_thread_context_changed",  # the channel the person is viewing beside the pane
    "message.channels",
    "message.groups",
    "message.im",
    "reaction_added",
    "app_uninstalled",  # several workspaces: an uninstall stops that workspace's work
    "tokens_revoked",
)
APP_HOME = {
    "home_tab_enabled": True,  # each person's reviews, questions, decisions, next digests
    "messages_tab_enabled": True,
    "messages_tab_read_only_enabled": False,
}
# Slack's AI assistant panel (the agent pane); its suggested prompts are set per conversation.
ASSISTANT_VIEW: dict[str, str] | None = {
    "assistant_description": "Answers from your project's recorded decisions, with sources."
}


def build_manifest(
    mode: Mode, *, base_url: str | None = None, oauth_redirect_url: str | None = None
) -> dict[str, Any]:
    """The manifest for Socket Mode, or for HTTP with request URLs under `base_url`
    (`https://YOUR-HOST`); `oauth_redirect_url` adds the OAuth v2 install flow's redirect."""
    if mode == "http" and not base_url:
        raise ValueError("an HTTP manifest needs the public base URL of the bot")
    events_url = f"{(base_url or '').rstrip('/')}{EVENTS_PATH}"
    commands = []
    for command in COMMANDS:
        entry: dict[str, Any] = {"command": command.command}
        if mode == "http":
            entry["url"] = events_url
        entry |= {
            "description": command.description,
            "usage_hint": command.usage_hint,
            "should_escape": False,
        }
        commands.append(entry)
    oauth: dict[str, Any] = {}
    if oauth_redirect_url:
        oauth["redirect_urls"] = [oauth_redirect_url]
    oauth["scopes"] = {"bot": sorted(BOT_SCOPES)}
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if mode == "http":
        events = {"request_url": events_url, **events}
        interactivity["request_url"] = events_url
    features: dict[str, Any] = {
        "bot_user": {"display_name": NAME, "always_online": True},
        "app_home": dict(APP_HOME),
    }
    if ASSISTANT_VIEW is not None:
        features["assistant_view"] = dict(ASSISTANT_VIEW)
    features["shortcuts"] = [
        {
            "name": s.name,
            "type": "message",
            "callback_id": s.callback_id,
            "description": s.description,
        }
        for s in SHORTCUTS
    ]
    features["slash_commands"] = commands
    return {
        "display_information": {
            "name": NAME,
            "description": DESCRIPTION,
            "background_color": BACKGROUND,
        },
        "features": features,
        "oauth_config": oauth,
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": mode == "socket",
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml(
    mode: Mode, *, base_url: str | None = None, oauth_redirect_url: str | None = None
) -> str:
    """The manifest as the YAML to paste into "Create New App → From a manifest"."""
    if mode == "socket":
        header = (
            "# Socket Mode: no public URL is needed. For HTTP mode use\n"
            "# slack-app-manifest-http.yaml (or `apo manifest --http https://YOUR-HOST`).\n"
        )
    else:
        header = (
            "# HTTP mode: Slack sends commands, events and button presses to the request URLs\n"
            "# below; replace the host with yours (or `apo manifest --http https://YOUR-HOST`).\n"
        )
    intro = (
        '# Paste this at https://api.slack.com/apps > "Create New App" > "From a manifest".\n'
        "# It asks for every scope, command and event APO Bridge uses.\n"
        + header
        + "# Written by `apo manifest` from bot/slack/manifest.py; edit that, not this file.\n"
    )
    body = yaml.safe_dump(
        build_manifest(mode, base_url=base_url, oauth_redirect_url=oauth_redirect_url),
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    return intro + body


def needed_scopes() -> frozenset[str]:
    return frozenset(BOT_SCOPES)
