"""Both shipped manifests come from one source (`bot/slack/manifest.py`) and cover everything
the listeners register: a command, shortcut or event missing from either would be a feature
that silently never fires for the users of that mode."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.slack.blocks.help import HelpEntry
from bot.slack.listeners import decisions, escalations, questions, review, stories
from bot.slack.listeners import help as help_listener
from bot.slack.listeners import workspaces as workspace_listeners
from bot.slack.manifest import manifest_yaml

DEPLOY = Path(__file__).parent.parent / "deploy"
SHIPPED = {
    "socket": DEPLOY / "slack-app-manifest.yaml",
    "http": DEPLOY / "slack-app-manifest-http.yaml",
}
HTTP_HOST = "https://YOUR-HOST"
LISTENER_MODULES = (stories, review, decisions, questions, escalations, help_listener)


class RecordingApp:
    """Stands in for Bolt's App in `register(app, entries)`: records what each listener is
    registered for. A registration kind it does not know fails loudly, so a new kind of
    listener (e.g. an Assistant) has to be taught here and mapped to the manifest."""

    def __init__(self) -> None:
        self.registered: dict[str, set[str]] = {
            "command": set(),
            "shortcut": set(),
            "event": set(),
            "action": set(),
            "view": set(),
        }

    def __getattr__(self, kind: str) -> Callable[[Any], Callable[[Any], Any]]:
        if kind not in self.registered:
            raise AssertionError(f"a listener registers app.{kind}(...): map it to the manifest")

        def matcher(key: Any) -> Callable[[Any], Any]:
            self.registered[kind].add(key if isinstance(key, str) else repr(key))
            return lambda listener: listener

        return matcher


def registered() -> dict[str, set[str]]:
    app = RecordingApp()
    entries: list[HelpEntry] = []
    for module in LISTENER_MODULES:
        module.register(app, entries)  # type: ignore[arg-type]
    workspace_listeners.register(app)  # type: ignore[arg-type]
    return app.registered


def load(mode: str) -> dict[str, Any]:
    loaded = yaml.safe_load(SHIPPED[mode].read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_the_listeners_register_something_to_check() -> None:
    found = registered()
    assert "/story" in found["command"]
    assert "app_mention" in found["event"]
    assert found["action"] and found["view"]


@pytest.mark.parametrize("mode", ["socket", "http"])
def test_shipped_manifest_is_what_the_source_builds(mode: str) -> None:
    expected = manifest_yaml("http", base_url=HTTP_HOST) if mode == "http" else manifest_yaml(mode)
    assert SHIPPED[mode].read_text(encoding="utf-8") == expected, (
        f"{SHIPPED[mode].name} is out of date: regenerate it with "
        f"`apo manifest{' --http ' + HTTP_HOST if mode == 'http' else ''} > deploy/"
        f"{SHIPPED[mode].name}`"
    )


@pytest.mark.parametrize("mode", ["socket", "http"])
def test_every_registered_command_shortcut_and_event_is_in_the_manifest(mode: str) -> None:
    manifest, found = load(mode), registered()
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    shortcuts = {s["callback_id"] for s in manifest["features"]["shortcuts"]}
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])

    assert found["command"] <= commands, f"commands missing: {found['command'] - commands}"
    assert found["shortcut"] <= shortcuts, f"shortcuts missing: {found['shortcut'] - shortcuts}"
    for event in found["event"]:
        # Slack splits `message` by where it was posted: message.channels, message.im …
        assert event in events or any(e.startswith(event + ".") for e in events), (
            f"event {event!r} is registered but not subscribed in the {mode} manifest"
        )
    # Buttons (actions) and forms (views) reach the bot only with interactivity on.
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


@pytest.mark.parametrize("mode", ["socket", "http"])
def test_every_registered_message_event_has_its_scope(mode: str) -> None:
    manifest = load(mode)
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    history = {"channels": "channels:history", "groups": "groups:history", "im": "im:history"}
    for event in manifest["settings"]["event_subscriptions"]["bot_events"]:
        if event.startswith("message."):
            assert history[event.split(".", 1)[1]] in scopes, event
    assert "commands" in scopes and "app_mentions:read" in scopes


def test_socket_mode_has_no_urls_and_http_sends_everything_to_the_events_path() -> None:
    socket, http = load("socket"), load("http")
    url = f"{HTTP_HOST}/slack/events"

    assert socket["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in socket["settings"]["event_subscriptions"]
    assert all("url" not in c for c in socket["features"]["slash_commands"])
    assert http["settings"]["socket_mode_enabled"] is False
    assert http["settings"]["event_subscriptions"]["request_url"] == url
    assert http["settings"]["interactivity"]["request_url"] == url
    assert {c["url"] for c in http["features"]["slash_commands"]} == {url}
    # Apart from the URLs and the mode, the two ask for exactly the same.
    assert socket["oauth_config"] == http["oauth_config"]
    assert socket["features"]["shortcuts"] == http["features"]["shortcuts"]


def test_oauth_redirect_url_is_added_only_when_asked_for() -> None:
    plain = yaml.safe_load(manifest_yaml("http", base_url=HTTP_HOST))
    oauth = yaml.safe_load(
        manifest_yaml(
            "http", base_url=HTTP_HOST, oauth_redirect_url=f"{HTTP_HOST}/slack/oauth_redirect"
        )
    )

    assert "redirect_urls" not in plain["oauth_config"]
    assert oauth["oauth_config"]["redirect_urls"] == [f"{HTTP_HOST}/slack/oauth_redirect"]


def test_an_http_manifest_needs_a_host() -> None:
    with pytest.raises(ValueError, match="public base URL"):
        manifest_yaml("http")


@pytest.fixture
def no_oauth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no developer's .env
    for name in ("APO_SLACK_OAUTH", "SLACK_REDIRECT_URI"):
        monkeypatch.delenv(name, raising=False)


def test_apo_manifest_prints_the_http_manifest(
    no_oauth: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    assert main(["manifest", "--http", HTTP_HOST]) == 0

    assert capsys.readouterr().out == SHIPPED["http"].read_text(encoding="utf-8")


def test_apo_manifest_adds_the_redirect_url_when_oauth_is_on(
    no_oauth: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import main

    monkeypatch.setenv("APO_SLACK_OAUTH", "true")
    assert main(["manifest", "--http", HTTP_HOST]) == 0

    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["oauth_config"]["redirect_urls"] == [f"{HTTP_HOST}/slack/oauth_redirect"]
