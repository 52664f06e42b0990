"""Sends Slack-shaped, correctly signed requests to the bot's HTTP endpoint.

Payload shapes follow what Slack sends (and what Bolt parses): slash commands are form
bodies, events a JSON `event_callback` envelope, interactivity a form field `payload=<json>`.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlencode

import httpx

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

_ts_counter = itertools.count(1)
# Every body sent by any signer, for the log scan (tests/log_scan.py): what people wrote must
# never show up in the bot's log.
SENT_BODIES: list[bytes] = []


def new_ts() -> str:
    """A fresh, increasing Slack message timestamp ("seconds.micros")."""
    return f"{int(time.time())}.{next(_ts_counter):06d}"


def new_trigger_id() -> str:
    return f"{int(time.time())}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex}"


class SlackSigner:
    def __init__(
        self,
        events_url: str,
        signing_secret: str,
        *,
        team_id: str = "T0001",
        api_app_id: str = "A0001",
        team_domain: str = "test-team",
        bot_user_id: str = "UBOT",
        default_response_url: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        """`default_response_url` is used when a call gives none (point it at FakeSlack)."""
        self.events_url = events_url
        self.signing_secret = signing_secret
        self.team_id = team_id
        self.api_app_id = api_app_id
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.default_response_url = default_response_url
        self._client = httpx.Client(timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- signing ---------------------------------------------------------------------------

    def sign(self, timestamp: int, body: bytes | str) -> str:
        """Slack's v0 signature: HMAC-SHA256 of `v0:{timestamp}:{body}`."""
        raw = body.encode() if isinstance(body, str) else body
        base = f"v0:{timestamp}:".encode() + raw
        digest = hmac.new(self.signing_secret.encode(), base, hashlib.sha256).hexdigest()
        return f"v0={digest}"

    def raw(
        self,
        body: bytes | str,
        content_type: str,
        *,
        timestamp: int | None = None,
        sign: bool = True,
        signature: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """POST `body` as given; for negative tests (unsigned, forged, stale)."""
        raw = body.encode() if isinstance(body, str) else body
        SENT_BODIES.append(raw)
        ts = int(time.time()) if timestamp is None else timestamp
        headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(ts)}
        if signature is not None:
            headers["X-Slack-Signature"] = signature
        elif sign:
            headers["X-Slack-Signature"] = self.sign(ts, raw)
        headers.update(extra_headers or {})
        return self._client.post(self.events_url, content=raw, headers=headers)

    # -- slash commands --------------------------------------------------------------------

    def command(
        self,
        command: str = "/apo",
        text: str = "help",
        *,
        user_id: str = "U_DEV",
        user_name: str = "dev",
        channel_id: str = "C_TEAM",
        channel_name: str = "team",
        response_url: str | None = None,
        trigger_id: str | None = None,
        timestamp: int | None = None,
    ) -> httpx.Response:
        form = {
            "token": "verification-token",
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url or self._response_url("commands"),
            "trigger_id": trigger_id or new_trigger_id(),
        }
        return self.raw(urlencode(form), FORM, timestamp=timestamp)

    # -- events ----------------------------------------------------------------------------

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        event_time: int | None = None,
        timestamp: int | None = None,
    ) -> httpx.Response:
        """Deliver `event` in an `event_callback` envelope; `retry_num` marks a Slack retry."""
        envelope = {
            "token": "verification-token",
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": None,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:16].upper()}",
            "event_time": int(time.time()) if event_time is None else event_time,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self.raw(json.dumps(envelope), JSON, timestamp=timestamp, extra_headers=headers)

    def app_mention(
        self,
        text: str,
        *,
        user: str = "U_DEV",
        channel: str = "C_TEAM",
        ts: str | None = None,
        thread_ts: str | None = None,
        **kw: Any,
    ) -> httpx.Response:
        """An @-mention; `text` gets the `<@UBOT> ` prefix unless it already mentions the bot."""
        mention = f"<@{self.bot_user_id}>"
        full_text = text if mention in text else f"{mention} {text}"
        return self.event(
            self._message_event("app_mention", full_text, user, channel, ts, thread_ts), **kw
        )

    def message(
        self,
        text: str,
        *,
        user: str = "U_DEV",
        channel: str = "C_TEAM",
        ts: str | None = None,
        thread_ts: str | None = None,
        channel_type: str = "channel",
        **kw: Any,
    ) -> httpx.Response:
        """A plain message event; use `channel_type="im"` and a `D…` channel for DMs."""
        event = self._message_event("message", text, user, channel, ts, thread_ts)
        event["channel_type"] = channel_type
        return self.event(event, **kw)

    def url_verification(self, challenge: str) -> httpx.Response:
        body = {"token": "verification-token", "challenge": challenge, "type": "url_verification"}
        return self.raw(json.dumps(body), JSON)

    # -- interactivity ---------------------------------------------------------------------

    def interactivity(
        self, payload: dict[str, Any], *, timestamp: int | None = None
    ) -> httpx.Response:
        return self.raw(urlencode({"payload": json.dumps(payload)}), FORM, timestamp=timestamp)

    def block_action(
        self,
        action_id: str,
        value: str,
        *,
        user_id: str = "U_DEV",
        channel_id: str = "C_TEAM",
        message_ts: str | None = None,
        response_url: str | None = None,
        trigger_id: str | None = None,
        block_id: str | None = None,
        action_type: str = "button",
        message: dict[str, Any] | None = None,
        container: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """A button click (or other element via `action_type`) on a message."""
        ts = message_ts or new_ts()
        payload = {
            **self._interaction_base("block_actions", user_id, trigger_id),
            "container": container
            or {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel_id,
                "is_ephemeral": False,
            },
            "channel": {"id": channel_id, "name": "team"},
            "message": message
            or {"type": "message", "ts": ts, "user": self.bot_user_id, "text": ""},
            "state": {"values": {}},
            "response_url": response_url or self._response_url("actions"),
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": block_id or "block-1",
                    "value": value,
                    "type": action_type,
                    "action_ts": new_ts(),
                }
            ],
        }
        return self.interactivity(payload)

    def view_submission(
        self,
        callback_id: str,
        values: dict[str, dict[str, Any]],
        *,
        user_id: str = "U_DEV",
        private_metadata: str = "",
        view_id: str = "V1",
    ) -> httpx.Response:
        """Submit a modal. `values` is `{block_id: {action_id: value}}`; a str value becomes a
        plain_text_input state, a dict is passed through (e.g. a select's `selected_option`)."""
        state = {
            block_id: {
                action_id: {"type": "plain_text_input", "value": v} if isinstance(v, str) else v
                for action_id, v in actions.items()
            }
            for block_id, actions in values.items()
        }
        view: dict[str, Any] = {
            "id": view_id,
            "team_id": self.team_id,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "blocks": [],
            "state": {"values": state},
            "hash": f"{int(time.time())}.fakehash",
            "title": {"type": "plain_text", "text": "APO Bridge"},
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": self.api_app_id,
            "external_id": "",
            "bot_id": "BBOT",
        }
        payload = {
            **self._interaction_base("view_submission", user_id, None),
            "view": view,
            "response_urls": [],
        }
        return self.interactivity(payload)

    def shortcut(self, callback_id: str, *, user_id: str = "U_DEV") -> httpx.Response:
        """A global shortcut (from the search bar / shortcuts menu)."""
        payload = {
            **self._interaction_base("shortcut", user_id, None),
            "callback_id": callback_id,
            "action_ts": new_ts(),
        }
        return self.interactivity(payload)

    def message_action(
        self,
        callback_id: str,
        message: dict[str, Any],
        *,
        user_id: str = "U_DEV",
        channel_id: str = "C_TEAM",
        response_url: str | None = None,
        trigger_id: str | None = None,
    ) -> httpx.Response:
        """A message shortcut ("…" menu on `message`)."""
        payload = {
            **self._interaction_base("message_action", user_id, trigger_id),
            "callback_id": callback_id,
            "action_ts": new_ts(),
            "channel": {"id": channel_id, "name": "team"},
            "message_ts": message.get("ts", new_ts()),
            "message": message,
            "response_url": response_url or self._response_url("actions"),
        }
        return self.interactivity(payload)

    def home_action(
        self, action_id: str, value: str, *, user_id: str = "U_DEV", view_id: str = "VHOME"
    ) -> httpx.Response:
        """A button click on the app's Home tab: a view container and, as Slack sends it,
        no response_url."""
        payload = {
            **self._interaction_base("block_actions", user_id, None),
            "container": {"type": "view", "view_id": view_id},
            "view": {"id": view_id, "type": "home", "callback_id": "apo_home", "blocks": []},
            "state": {"values": {}},
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "block-1",
                    "value": value,
                    "type": "button",
                    "action_ts": new_ts(),
                }
            ],
        }
        return self.interactivity(payload)

    # -- the Home tab and the agent pane -------------------------------------------------

    def app_home_opened(self, user: str, *, tab: str = "home") -> httpx.Response:
        return self.event(
            {
                "type": "app_home_opened",
                "user": user,
                "channel": "D" + user[1:],
                "tab": tab,
                "event_ts": new_ts(),
            }
        )

    def assistant_thread_started(
        self, user: str, *, channel: str, thread_ts: str, viewing: str | None = None
    ) -> httpx.Response:
        """The person opened the agent pane; `viewing` is the channel they were looking at."""
        context = {"channel_id": viewing, "team_id": self.team_id} if viewing else {}
        return self.event(
            {
                "type": "assistant_thread_started",
                "assistant_thread": {
                    "user_id": user,
                    "context": context,
                    "channel_id": channel,
                    "thread_ts": thread_ts,
                },
                "event_ts": new_ts(),
            }
        )

    def assistant_thread_context_changed(
        self, user: str, *, channel: str, thread_ts: str, viewing: str
    ) -> httpx.Response:
        return self.event(
            {
                "type": "assistant_thread_context_changed",
                "assistant_thread": {
                    "user_id": user,
                    "context": {"channel_id": viewing, "team_id": self.team_id},
                    "channel_id": channel,
                    "thread_ts": thread_ts,
                },
                "event_ts": new_ts(),
            }
        )

    # -- helpers ---------------------------------------------------------------------------

    def _interaction_base(self, kind: str, user_id: str, trigger_id: str | None) -> dict[str, Any]:
        return {
            "type": kind,
            "token": "verification-token",
            "api_app_id": self.api_app_id,
            "team": {"id": self.team_id, "domain": self.team_domain},
            "user": {
                "id": user_id,
                "username": user_id.lower(),
                "name": user_id.lower(),
                "team_id": self.team_id,
            },
            "enterprise": None,
            "is_enterprise_install": False,
            "trigger_id": trigger_id or new_trigger_id(),
        }

    def _message_event(
        self, kind: str, text: str, user: str, channel: str, ts: str | None, thread_ts: str | None
    ) -> dict[str, Any]:
        stamp = ts or new_ts()
        event: dict[str, Any] = {
            "type": kind,
            "user": user,
            "text": text,
            "ts": stamp,
            "team": self.team_id,
            "channel": channel,
            "event_ts": stamp,
            "client_msg_id": str(uuid.uuid4()),
        }
        if thread_ts is not None:
            event["thread_ts"] = thread_ts
        return event

    def _response_url(self, kind: str) -> str:
        # Slack's real URLs would send the app to the internet; tests point this at FakeSlack.
        if self.default_response_url is not None:
            return self.default_response_url
        return (
            f"https://hooks.slack.com/{kind}/{self.team_id}/{next(_ts_counter)}/{uuid.uuid4().hex}"
        )
