"""A fake Slack Web API on loopback that records calls and can be told to fail.

The real app and the real slack_sdk talk to it over HTTP, so tests exercise the same
request encoding, retry handlers and error mapping as production.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from functools import partial
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.harness.loopback import LoopbackServer

Handler = Callable[[dict[str, Any]], dict[str, Any]]

TEAM_ID = "T0001"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_URL = "https://test-team.slack.com/"


@dataclass(frozen=True)
class SlackCall:
    """One request the fake received, including ones it was told to fail."""

    method: str
    args: dict[str, Any]
    token: str | None
    at: float
    status: int = 200
    error: str | None = None
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.status != 200 or self.error is not None


@dataclass(frozen=True)
class FakeTeam:
    """A workspace the app can be installed into: `oauth.v2.access` with `code` answers
    with its own bot token, and `auth.test` with that token says this workspace."""

    team_id: str
    name: str

    @property
    def bot_token(self) -> str:
        return f"xoxb-fake-{self.team_id}"

    @property
    def code(self) -> str:
        return f"code-for-{self.team_id}"

    @property
    def bot_user_id(self) -> str:
        return f"UBOT{self.team_id}"

    @property
    def url(self) -> str:
        return f"https://{self.team_id.lower()}.slack.com/"


@dataclass(frozen=True)
class _Fault:
    status: int
    retry_after: int | None
    error: str | None
    hang: float | None


class FakeSlack(LoopbackServer):
    """Slack Web API double: `/api/<method>` plus `/response/<name>` for response_url."""

    name = "fake-slack"

    def __init__(self) -> None:
        super().__init__()
        self._cond = threading.Condition()
        self._calls: list[SlackCall] = []
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._responses: dict[str, dict[str, Any]] = {}
        self._handlers: dict[str, Handler] = {}
        self._ts_counter = 0
        self._view_counter = 0
        self._granted_scopes: tuple[str, ...] | None = None
        # Top-level messages posted through the default chat.postMessage, per channel, oldest
        # first: conversations.history returns them (metadata only when asked for, as Slack).
        self._history: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._holds: list[tuple[str, Callable[[dict[str, Any]], bool], threading.Event]] = []
        self._held: list[SlackCall] = []
        self._waiting: list[threading.Event] = []  # the calls being held
        self._uploads: dict[str, bytes] = {}
        self._upload_names: dict[str, str] = {}
        self._teams: dict[str, FakeTeam] = {}
        self._revoked: set[str] = set()
        self._oauth_client: tuple[str, str] | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def handler(self) -> Callable[..., BaseHTTPRequestHandler]:
        return partial(_SlackRequestHandler, self)

    @property
    def url(self) -> str:
        """Base URL for `WebClient(base_url=...)`; the SDK appends the method name."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"http://127.0.0.1:{self.port}/response/{name}"

    # -- scripting -------------------------------------------------------------------------

    def set_response(self, method: str, body: dict[str, Any]) -> None:
        """Answer `method` with `body` from now on (returned as given, `ok` included)."""
        with self._cond:
            self._responses[method] = body

    def set_handler(self, method: str, fn: Handler) -> None:
        """Answer `method` with `fn(args)`; takes precedence over `set_response`."""
        with self._cond:
            self._handlers[method] = fn

    def fail_next(
        self,
        method: str,
        *,
        times: int = 1,
        status: int = 429,
        retry_after: int | None = 1,
        error: str | None = None,
        hang: float | None = None,
    ) -> None:
        """Make the next `times` calls to `method` fail; faults are used up in order.

        status 429 → HTTP 429 + Retry-After, `ratelimited`; status 200 needs `error`
        (e.g. `channel_not_found`) and answers `{"ok": false}`; 5xx answers that status.
        `hang` sleeps that many seconds and then answers normally (status/error ignored).
        """
        if hang is None and status == 200 and error is None:
            raise ValueError("status=200 needs an error, e.g. error='channel_not_found'")
        with self._cond:
            self._faults[method].extend(
                _Fault(status, retry_after, error, hang) for _ in range(times)
            )

    def hold(self, method: str, predicate: Callable[[dict[str, Any]], bool]) -> None:
        """Keep the next call to `method` whose args match `predicate` waiting, before it is
        answered, until `release()`; `held` shows it arrived. Released, it is answered as
        usual, so a client that died meanwhile leaves a message Slack took but it never saw."""
        with self._cond:
            self._holds.append((method, predicate, threading.Event()))

    @property
    def held(self) -> list[SlackCall]:
        with self._cond:
            return list(self._held)

    def release(self) -> None:
        with self._cond:
            events = [event for _, _, event in self._holds] + self._waiting
            self._holds, self._waiting = [], []
        for event in events:
            event.set()

    def grant_scopes(self, scopes: tuple[str, ...] | None) -> None:
        """Report these scopes in auth.test's `x-oauth-scopes` header, as Slack does
        (None: no header)."""
        with self._cond:
            self._granted_scopes = scopes

    def oauth_app(self, client_id: str, client_secret: str) -> None:
        """The app's credentials `oauth.v2.access` accepts (HTTP Basic, as slack_sdk sends)."""
        with self._cond:
            self._oauth_client = (client_id, client_secret)

    def add_team(self, team_id: str, name: str) -> FakeTeam:
        """A workspace to install into (see `FakeTeam`)."""
        team = FakeTeam(team_id, name)
        with self._cond:
            self._teams[team_id] = team
        return team

    def revoke(self, team: FakeTeam) -> None:
        """The workspace removed the app: its bot token answers `token_revoked` from now on."""
        with self._cond:
            self._revoked.add(team.bot_token)

    def tokens_used(self, *, besides: tuple[str, ...] = ("auth.test",)) -> set[str | None]:
        """Every token the bot called Slack with (except in `besides`)."""
        with self._cond:
            return {c.token for c in self._calls if c.method not in besides}

    def reset(self) -> None:
        """Forget calls, faults and overrides."""
        with self._cond:
            self._calls.clear()
            self._faults.clear()
            self._responses.clear()
            self._handlers.clear()
            self._history.clear()
            self._holds.clear()
            self._held.clear()
            waiting, self._waiting = self._waiting, []
        for event in waiting:
            event.set()

    # -- inspection ------------------------------------------------------------------------

    @property
    def calls(self) -> list[SlackCall]:
        with self._cond:
            return list(self._calls)

    def calls_to(self, method: str) -> list[SlackCall]:
        with self._cond:
            return [c for c in self._calls if c.method == method]

    def uploaded(self, file_id: str) -> bytes | None:
        """The bytes uploaded for `file_id` (files_upload_v2's second step), if any."""
        with self._cond:
            return self._uploads.get(file_id)

    def download_url(self, file_id: str) -> str:
        """Where a member downloads an uploaded file (`url_private_download`)."""
        return f"http://127.0.0.1:{self.port}/files/{file_id}"

    def responses(self) -> list[SlackCall]:
        """Every POST to a response_url, in arrival order."""
        with self._cond:
            return [c for c in self._calls if c.method.startswith("response_url:")]

    def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 30.0,
        predicate: Callable[[SlackCall], bool] | None = None,
    ) -> list[SlackCall]:
        """Block until `count` calls to `method` (matching `predicate`) have arrived.

        Failed attempts count too; pass `predicate=lambda c: not c.failed` to skip them.
        """

        def matching() -> list[SlackCall]:
            return [
                c for c in self._calls if c.method == method and (predicate is None or predicate(c))
            ]

        with self._cond:
            if self._cond.wait_for(lambda: len(matching()) >= count, timeout=timeout):
                return matching()
            seen = ", ".join(c.method for c in self._calls) or "nothing"
            raise AssertionError(
                f"expected {count} matching call(s) to {method} within {timeout}s, "
                f"got {len(matching())}; calls so far: {seen}"
            )

    def assert_no_call(self, method: str, within: float = 0.5) -> None:
        """Wait `within` seconds and fail if `method` was called meanwhile (or before)."""
        with self._cond:
            self._cond.wait_for(lambda: any(c.method == method for c in self._calls), within)
            made = [c for c in self._calls if c.method == method]
        if made:
            raise AssertionError(f"{method} was called {len(made)} time(s): {made[0].args!r}")

    # -- request handling (called from server threads) -------------------------------------

    def _handle(
        self, method: str, args: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        arrived = time.monotonic()
        self._wait_if_held(method, args, token, arrived)
        with self._cond:
            queue = self._faults.get(method)
            fault = queue.popleft() if queue else None
        status, headers = 200, {}
        if fault is not None and fault.hang is None:
            status = fault.status
            body = {"ok": False, "error": fault.error or _default_error(fault.status)}
            if status == 429 and fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
        else:
            body = self._answer(method, args, token)
            with self._cond:
                scopes = self._granted_scopes
            if method == "auth.test" and scopes is not None:
                headers["x-oauth-scopes"] = ",".join(scopes)
        error = None if body.get("ok", True) else str(body.get("error"))
        call = SlackCall(method, args, token, arrived, status, error, body)
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()
        if fault is not None and fault.hang is not None:
            self._stopping.wait(fault.hang)
        return status, body, headers

    def _wait_if_held(
        self, method: str, args: dict[str, Any], token: str | None, arrived: float
    ) -> None:
        with self._cond:
            match = next(
                (hold for hold in self._holds if hold[0] == method and hold[1](args)), None
            )
            if match is None:
                return
            self._holds.remove(match)
            self._waiting.append(match[2])
            self._held.append(SlackCall(method, args, token, arrived))
            self._cond.notify_all()
        match[2].wait(timeout=120)

    def _answer(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        with self._cond:
            handler = self._handlers.get(method)
            sticky = self._responses.get(method)
            revoked = token in self._revoked
            team = next((t for t in self._teams.values() if t.bot_token == token), None)
        if revoked:
            return {"ok": False, "error": "token_revoked"}
        if method == "oauth.v2.access":
            return self._oauth_access(args)
        if team is not None and method == "auth.test":
            return {
                "ok": True,
                "url": team.url,
                "team": team.name,
                "user": "apo",
                "team_id": team.team_id,
                "user_id": team.bot_user_id,
                "bot_id": f"B{team.team_id}",
                "is_enterprise_install": False,
            }
        if handler is not None:
            return handler(args)
        if sticky is not None:
            return copy.deepcopy(sticky)  # a copy, so a test's dict stays untouched
        if method.startswith("response_url:"):
            return {"ok": True}
        return self._default_answer(method, args)

    def _oauth_access(self, args: dict[str, Any]) -> dict[str, Any]:
        """Slack's answer to the install flow's code exchange, for a known workspace."""
        with self._cond:
            expected = self._oauth_client
            team = next((t for t in self._teams.values() if t.code == args.get("code")), None)
        secret = args.pop("client_secret", None)  # checked, never kept in the recorded call
        if expected is not None and (args.get("client_id"), secret) != expected:
            return {"ok": False, "error": "invalid_client_id"}
        if team is None:
            return {"ok": False, "error": "invalid_code"}
        return {
            "ok": True,
            "app_id": "A0001",
            "authed_user": {"id": "U0INSTALLER"},
            "scope": "commands,chat:write",
            "token_type": "bot",
            "access_token": team.bot_token,
            "bot_user_id": team.bot_user_id,
            "team": {"id": team.team_id, "name": team.name},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _next_ts(self) -> str:
        with self._cond:
            self._ts_counter += 1
            micros = self._ts_counter * 100
        return f"{1_700_000_000 + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_view_id(self) -> str:
        with self._cond:
            self._view_counter += 1
            return f"V{self._view_counter:06d}"

    def _default_answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", "C_TEAM"))
        if method == "auth.test":
            return {
                "ok": True,
                "url": TEAM_URL,
                "team": "Test Team",
                "user": "apo",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method in ("chat.postMessage", "chat.startStream"):
            ts = self._next_ts()
            message = _message(args, ts)
            if method == "chat.postMessage" and "thread_ts" not in args:
                with self._cond:
                    self._history[channel].append(message)
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.update":
            ts = str(args.get("ts", ""))
            return {
                "ok": True,
                "channel": channel,
                "ts": ts,
                "text": args.get("text", ""),
                "message": _message(args, ts),
            }
        if method in ("chat.appendStream", "chat.stopStream", "chat.delete"):
            return {"ok": True, "channel": channel, "ts": str(args.get("ts", ""))}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "chat.getPermalink":
            ts = str(args.get("message_ts", ""))
            link = f"{TEAM_URL}archives/{channel}/p{ts.replace('.', '')}"
            return {"ok": True, "channel": channel, "permalink": link}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", "U_DEV"))[1:]}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{self._next_ts().replace('.', '')}"
            with self._cond:
                self._upload_names[file_id] = str(args.get("filename", "file"))
            return {
                "ok": True,
                "file_id": file_id,
                "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}",
            }
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [self._file(f) for f in args.get("files") or []]}
        if method in ("views.open", "views.push", "views.update", "views.publish"):
            return {"ok": True, "view": self._view(method, args)}
        if method == "users.info":
            return {"ok": True, "user": _user(str(args.get("user", "U_DEV")))}
        if method == "conversations.info":
            return {"ok": True, "channel": _channel(channel)}
        if method == "conversations.history":
            with self._cond:
                newest_first = list(reversed(self._history.get(channel, [])))
            limit = int(args.get("limit") or 100)
            with_metadata = str(args.get("include_all_metadata", "")).lower() in ("true", "1")
            return {
                "ok": True,
                "messages": [
                    m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
                    for m in newest_first[:limit]
                ],
                "has_more": False,
                "response_metadata": {"next_cursor": ""},
            }
        if method == "conversations.replies":
            return {
                "ok": True,
                "messages": [],
                "has_more": False,
                "response_metadata": {"next_cursor": ""},
            }
        if method == "files.info":
            file_id = str(args.get("file", "F0001"))
            file = {
                "id": file_id,
                "name": "notes.txt",
                "title": "notes.txt",
                "mimetype": "text/plain",
                "filetype": "text",
                "size": 0,
                "url_private": f"{TEAM_URL}files/{file_id}",
            }
            return {"ok": True, "file": file}
        return {"ok": True}

    def _file(self, given: dict[str, Any]) -> dict[str, Any]:
        file_id = str(given.get("id"))
        with self._cond:
            name = self._upload_names.get(file_id, "file")
            size = len(self._uploads.get(file_id, b""))
        return {
            "id": file_id,
            "name": name,
            "title": given.get("title") or name,
            "size": size,
            "url_private_download": self.download_url(file_id),
        }

    def _store_upload(self, file_id: str, data: bytes) -> bool:
        with self._cond:
            if file_id not in self._upload_names:
                return False
            self._uploads[file_id] = data
            self._calls.append(SlackCall(f"upload:{file_id}", {}, None, time.monotonic()))
            self._cond.notify_all()
            return True

    def _view(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        submitted = args.get("view")
        view: dict[str, Any] = dict(submitted) if isinstance(submitted, dict) else {}
        view_id = str(args.get("view_id") or "") if method == "views.update" else ""
        view.update(
            id=view_id or self._next_view_id(),
            team_id=TEAM_ID,
            state={"values": {}},
            hash=f"{time.time():.6f}",
            app_id="A0001",
            bot_id=BOT_ID,
        )
        return view


def _default_error(status: int) -> str:
    return "ratelimited" if status == 429 else "internal_error"


def _message(args: dict[str, Any], ts: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "type": "message",
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "team": TEAM_ID,
        "text": args.get("text", ""),
        "ts": ts,
    }
    for key in ("blocks", "attachments", "thread_ts", "metadata"):
        if key in args:
            message[key] = args[key]
    return message


def _user(user_id: str) -> dict[str, Any]:
    name = user_id.lower()
    return {
        "id": user_id,
        "team_id": TEAM_ID,
        "name": name,
        "real_name": f"User {user_id}",
        "tz": "Asia/Bangkok",
        "tz_label": "Indochina Time",
        "tz_offset": 7 * 3600,
        "is_bot": False,
        "deleted": False,
        "profile": {"real_name": f"User {user_id}", "display_name": name},
    }


def _channel(channel_id: str) -> dict[str, Any]:
    return {
        "id": channel_id,
        "name": "general",
        "is_channel": True,
        "is_private": False,
        "is_im": False,
        "is_member": True,
        "is_archived": False,
    }


def parse_args(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """Merge query-string and body arguments the way Slack reads them.

    slack_sdk sends JSON for methods that carry blocks (chat.postMessage, views.open...) and
    form bodies for the rest (auth.test, users.info), files as multipart.
    """
    args: dict[str, Any] = {k: _maybe_json(v) for k, v in parse_qsl(query, keep_blank_values=True)}
    kind = content_type.split(";")[0].strip().lower()
    if not body.strip():
        # slack_sdk labels an argument-less form call "application/json" with an empty body.
        return args
    if kind == "application/json":
        decoded = json.loads(body)
        if isinstance(decoded, dict):
            args.update(decoded)
    elif kind == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                is_file = part.get_filename() is not None
                args[name] = payload if is_file else _maybe_json(payload.decode())
    else:
        pairs = parse_qsl(body.decode(), keep_blank_values=True)
        args.update({k: _maybe_json(v) for k, v in pairs})
    return args


def _maybe_json(value: str) -> Any:
    # Form bodies carry blocks/attachments/view as JSON text; tests want the objects.
    if value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class _SlackRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, fake: FakeSlack, *args: Any) -> None:
        self.fake = fake
        super().__init__(*args)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if url.path.startswith("/upload/"):
            stored = self.fake._store_upload(url.path.removeprefix("/upload/"), body)
            self._send_raw(200 if stored else 404, b"OK" if stored else b"unknown upload")
            return
        if url.path.startswith("/files/"):
            data = self.fake.uploaded(url.path.removeprefix("/files/"))
            self._send_raw(200 if data is not None else 404, data or b"")
            return
        if url.path.startswith("/api/"):
            method = url.path.removeprefix("/api/")
        elif url.path.startswith("/response/"):
            method = "response_url:" + url.path.removeprefix("/response/")
        else:
            self._send(404, {"ok": False, "error": "unknown_path"}, {})
            return
        try:
            args = parse_args(url.query, self.headers.get("Content-Type", ""), body)
        except ValueError:
            self._send(400, {"ok": False, "error": "invalid_json"}, {})
            return
        auth = self.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        if auth.startswith("Basic "):  # oauth.v2.access: the app's id and secret
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            args.update(client_id=client_id, client_secret=secret)
        if token is None and isinstance(args.get("token"), str):
            token = args["token"]
        try:
            answer = self.fake._handle(method, args, token)
        except Exception as exc:  # a test's set_handler blew up: say so instead of hanging up
            answer = (500, {"ok": False, "error": f"fake_handler_error: {exc!r}"}, {})
        self._send(*answer)

    def _send(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. its timeout fired during an injected hang)

    def _send_raw(self, status: int, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean
