"""The shipped app manifest must be accepted by Slack when pasted into "Create New App".

Slack validates manifests against its published JSON schema (the `slackapi/manifest-schema`
repository, schema 1.0.0). The limits below are the ones that schema sets for every key this
manifest uses, written out here so a too-long shortcut name fails this test instead of a new
user's first step.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.slack.blocks import ids

MANIFESTS = sorted((Path(__file__).parent.parent / "deploy").glob("*manifest*.yaml"))

# key -> allowed child keys, for the objects the schema closes with additionalProperties: false
ALLOWED_KEYS: dict[str, set[str]] = {
    "": {"_metadata", "display_information", "features", "oauth_config", "settings"},
    "display_information": {"name", "description", "background_color", "long_description"},
    "features": {"app_home", "bot_user", "shortcuts", "slash_commands", "assistant_view"},
    "features.assistant_view": {"assistant_description", "suggested_prompts"},
    "features.app_home": {
        "home_tab_enabled",
        "messages_tab_enabled",
        "messages_tab_read_only_enabled",
    },
    "features.bot_user": {"display_name", "always_online"},
    "oauth_config": {"redirect_urls", "scopes", "token_management_enabled", "pkce_enabled"},
    "oauth_config.scopes": {"bot", "user", "bot_optional", "user_optional"},
    "settings": {
        "event_subscriptions",
        "interactivity",
        "org_deploy_enabled",
        "socket_mode_enabled",
        "token_rotation_enabled",
        "allowed_ip_address_ranges",
        "function_runtime",
        "is_hosted",
        "siws_links",
    },
    "settings.event_subscriptions": {
        "request_url",
        "bot_events",
        "user_events",
        "metadata_subscriptions",
    },
    "settings.interactivity": {"is_enabled", "request_url", "message_menu_options_url"},
}
SHORTCUT_KEYS = {"name", "type", "callback_id", "description"}
COMMAND_KEYS = {"command", "url", "description", "usage_hint", "should_escape"}


def _load(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _at(manifest: dict[str, Any], dotted: str) -> Any:
    node: Any = manifest
    for part in filter(None, dotted.split(".")):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _length(value: Any, low: int, high: int, what: str) -> None:
    assert isinstance(value, str), f"{what} must be a string"
    assert low <= len(value) <= high, (
        f"{what} is {len(value)} characters; Slack allows {low}–{high}"
    )


def test_there_is_a_manifest_to_check() -> None:
    assert MANIFESTS, "deploy/ ships no app manifest"


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_only_keys_slack_knows(path: Path) -> None:
    manifest = _load(path)
    for dotted, allowed in ALLOWED_KEYS.items():
        node = _at(manifest, dotted)
        if isinstance(node, dict):
            unknown = set(node) - allowed
            assert not unknown, f"{dotted or 'top level'}: keys Slack rejects: {sorted(unknown)}"
    for shortcut in _at(manifest, "features.shortcuts") or []:
        assert set(shortcut) <= SHORTCUT_KEYS, shortcut
    for command in _at(manifest, "features.slash_commands") or []:
        assert set(command) <= COMMAND_KEYS, command


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_lengths_and_counts_within_slacks_limits(path: Path) -> None:
    manifest = _load(path)
    info = manifest["display_information"]
    _length(info["name"], 1, 35, "display_information.name")
    if "description" in info:
        _length(info["description"], 1, 140, "display_information.description")
    if "background_color" in info:
        assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", info["background_color"])
    bot_user = _at(manifest, "features.bot_user")
    if bot_user:
        _length(bot_user["display_name"], 1, 80, "features.bot_user.display_name")

    shortcuts = _at(manifest, "features.shortcuts") or []
    assert len(shortcuts) <= 10, "Slack allows at most 10 shortcuts"
    for shortcut in shortcuts:
        _length(shortcut["name"], 1, 24, f"shortcut name {shortcut['name']!r}")
        _length(shortcut["description"], 1, 150, f"shortcut {shortcut['name']!r} description")
        _length(shortcut["callback_id"], 1, 255, "shortcut callback_id")
        assert shortcut["type"] in {"message", "global"}

    commands = _at(manifest, "features.slash_commands") or []
    assert len(commands) <= 50
    for command in commands:
        _length(command["command"], 2, 32, "slash command")
        assert command["command"].startswith("/")
        _length(command["description"], 1, 2000, f"{command['command']} description")
        if "usage_hint" in command:
            _length(command["usage_hint"], 1, 1000, f"{command['command']} usage_hint")

    for scope in _at(manifest, "oauth_config.scopes.bot") or []:
        _length(scope, 1, 50, "bot scope")
    events = _at(manifest, "settings.event_subscriptions.bot_events") or []
    assert len(events) == len(set(events)) <= 100, "bot_events must be unique, at most 100"


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_shortcut_callback_ids_match_the_listeners(path: Path) -> None:
    callback_ids = {s["callback_id"] for s in _at(_load(path), "features.shortcuts") or []}
    assert callback_ids == {ids.DRAFT_FROM_MESSAGE, ids.RECORD_DECISION}


def test_the_checks_reject_what_slack_rejects(tmp_path: Path) -> None:
    """The rules above would have caught the 31-character shortcut name Slack refused."""
    broken = _load(MANIFESTS[0])
    broken["features"]["shortcuts"][0]["name"] = "Draft stories from this message"
    bad = tmp_path / "manifest.yaml"
    bad.write_text(yaml.safe_dump(broken), encoding="utf-8")
    with pytest.raises(AssertionError, match="Slack allows 1–24"):
        test_lengths_and_counts_within_slacks_limits(bad)


LISTENERS = Path(__file__).parent.parent / "bot" / "slack" / "listeners"
# What each kind of registration needs from the manifest, besides the event itself.
MESSAGE_EVENTS = {"message.channels", "message.groups", "message.im"}
ASSISTANT_EVENTS = {"assistant_thread_started", "assistant_thread_context_changed"}


def _registered(pattern: str) -> set[str]:
    found: set[str] = set()
    for source in LISTENERS.glob("*.py"):
        found |= set(re.findall(pattern, source.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_every_registered_event_command_and_surface_is_in_the_manifest(path: Path) -> None:
    """A listener Slack never calls is a feature that silently does nothing: each event a
    listener registers is subscribed, each command exists, and the surfaces are turned on."""
    manifest = _load(path)
    subscribed = set(_at(manifest, "settings.event_subscriptions.bot_events") or [])
    scopes = set(_at(manifest, "oauth_config.scopes.bot") or [])
    commands = {c["command"] for c in _at(manifest, "features.slash_commands") or []}

    events = _registered(r'app\.event\("([a-z_]+)"\)')
    assert {"app_mention", "message", "app_home_opened", "reaction_added"} <= events
    for event in events:
        wanted = MESSAGE_EVENTS if event == "message" else {event}
        assert wanted <= subscribed, f"{event}: subscribe to {sorted(wanted - subscribed)}"
    assert _registered(r'app\.command\("(/[a-z]+)"\)') <= commands

    if "app_home_opened" in events:
        assert _at(manifest, "features.app_home.home_tab_enabled") is True
    if _registered(r"(app\.assistant)\("):
        assert ASSISTANT_EVENTS | {"message.im"} <= subscribed
        assert {"assistant:write", "im:history"} <= scopes
        description = _at(manifest, "features.assistant_view.assistant_description")
        _length(description, 1, 200, "assistant_view.assistant_description")
    assert {"files:write", "im:write"} <= scopes  # exports go to the reviewer's DM
