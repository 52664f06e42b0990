"""A fake Jira Cloud REST API (v3) on loopback: the real `JiraTracker` talks to it over HTTP.

It keeps issues, labels, links and statuses in memory, records every request, checks Basic
auth, refuses unknown projects, issue types and fields as Jira does (400 with `errors`), and
can be told to fail: `fail_next("create", status=500)`, `... status=401`, `status=429` with
`Retry-After`, or `apply=True` to make the change first and then answer with the failure (the
worst case: the client cannot know the issue exists). `hold("create")` keeps requests waiting
until `release()` (after making the change, with `apply=True`), for kill tests.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.harness.loopback import LoopbackServer

EMAIL = "apo-bot@example.com"
TOKEN = "jira-test-token"
PROJECT = "ACME"
EPIC = "ACME-1"
POINTS_FIELD = "customfield_10016"
ISSUE_TYPES = {"10001": "Story", "10002": "Task", "10000": "Epic"}
KNOWN_FIELDS = {"summary", "description", "labels", "parent", "priority", POINTS_FIELD}


@dataclass(frozen=True)
class JiraRequest:
    op: str  # create | update | get | link | search | transitions | transition | meta …
    method: str
    path: str
    body: Any
    status: int
    at: float


@dataclass
class FakeIssue:
    key: str
    fields: dict[str, Any]
    links: list[dict[str, Any]] = field(default_factory=list)
    status: str = "To Do"


@dataclass(frozen=True)
class _Fault:
    status: int
    retry_after: int | None
    apply: bool


class FakeJira(LoopbackServer):
    name = "fake-jira"

    def __init__(self) -> None:
        super().__init__()
        self._cond = threading.Condition()
        self.requests: list[JiraRequest] = []
        self.issues: dict[str, FakeIssue] = {}
        self._next = 1
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._held: set[str] = set()
        self._held_apply: set[str] = set()
        self.waiting = 0
        self.credentials = (EMAIL, TOKEN)
        # The epic the stories go under exists from the start.
        self._add({"summary": "Invoicing epic", "issuetype": {"name": "Epic"}, "labels": []})

    def handler(self) -> Callable[..., BaseHTTPRequestHandler]:
        return partial(_JiraHandler, self)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- scripting -------------------------------------------------------------------------

    def fail_next(
        self, op: str, *, status: int, times: int = 1, retry_after: int | None = None,
        apply: bool = False,
    ) -> None:  # fmt: skip
        with self._cond:
            self._faults[op].extend(_Fault(status, retry_after, apply) for _ in range(times))

    def hold(self, op: str, *, apply: bool = False) -> None:
        with self._cond:
            self._held.add(op)
            if apply:
                self._held_apply.add(op)

    def release(self) -> None:
        with self._cond:
            self._held.clear()
            self._held_apply.clear()
            self._cond.notify_all()

    # -- what happened -----------------------------------------------------------------------

    def stories(self) -> list[FakeIssue]:
        """The issues the bot filed (not the epic that was there before)."""
        with self._cond:
            return [i for i in self.issues.values() if i.key != EPIC]

    def of(self, op: str) -> list[JiraRequest]:
        with self._cond:
            return [r for r in self.requests if r.op == op]

    # -- serving -----------------------------------------------------------------------------

    def _add(self, fields: dict[str, Any]) -> FakeIssue:
        key = f"{PROJECT}-{self._next}"
        self._next += 1
        issue = FakeIssue(key, fields)
        self.issues[key] = issue
        return issue

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, auth: str
    ) -> tuple[int, Any, dict[str, str]]:
        op, run = self._route(method, path, query, body)
        with self._cond:
            fault = self._faults[op].popleft() if self._faults[op] else None
        if not self._authorised(auth) and (fault is None or fault.status != 401):
            fault = _Fault(401, None, False)
        answer: tuple[int, Any, dict[str, str]]
        if fault is not None and not fault.apply:
            answer = _fault_answer(fault)
        else:
            with self._cond:
                if op in self._held and op not in self._held_apply:
                    self._wait_while_held(op)
                answer = run()
                if op in self._held_apply:
                    self._wait_while_held(op)
            if fault is not None:
                answer = _fault_answer(fault)
        with self._cond:
            self.requests.append(JiraRequest(op, method, path, body, answer[0], time.time()))
        return answer

    def _wait_while_held(self, op: str) -> None:
        self.waiting += 1
        while op in self._held and not self._stopping.is_set():
            self._cond.wait(0.05)
        self.waiting -= 1

    def _authorised(self, header: str) -> bool:
        if not header.startswith("Basic "):
            return False
        try:
            decoded = base64.b64decode(header.removeprefix("Basic ")).decode()
        except ValueError:
            return False
        return tuple(decoded.split(":", 1)) == self.credentials

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], body: Any
    ) -> tuple[str, Callable[[], tuple[int, Any, dict[str, str]]]]:
        api = "/rest/api/3"
        if method == "POST" and path == f"{api}/issue":
            return "create", lambda: self._create(body)
        if method == "POST" and path == f"{api}/search/jql":
            return "search", lambda: self._search(body)
        if method == "POST" and path == f"{api}/issueLink":
            return "link", lambda: self._link(body)
        if method == "GET" and path == f"{api}/myself":
            return "myself", lambda: (200, {"emailAddress": EMAIL, "displayName": "APO"}, {})
        if m := re.fullmatch(rf"{api}/project/([^/]+)", path):
            key = m.group(1)
            return (
                "project",
                lambda: (200, {"key": key}, {}) if key == PROJECT else _error(404, "No project"),
            )
        if m := re.fullmatch(rf"{api}/issue/createmeta/([^/]+)/issuetypes(?:/([^/]+))?", path):
            return "meta", lambda: self._meta(m.group(1), m.group(2))
        if m := re.fullmatch(rf"{api}/issue/([^/]+)/transitions", path):
            key = m.group(1)
            if method == "GET":
                return "transitions", lambda: self._transitions(key)
            return "transition", lambda: self._transition(key, body)
        if m := re.fullmatch(rf"{api}/issue/([^/]+)", path):
            key = m.group(1)
            if method == "PUT":
                return "update", lambda: self._update(key, body)
            return "get", lambda: self._get(key)
        return "unknown", lambda: _error(404, f"no route {method} {path}")

    def _check_fields(self, fields: dict[str, Any]) -> dict[str, str]:
        unknown = {
            name: f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
            for name in fields
            if name not in KNOWN_FIELDS | {"project", "issuetype"}
        }
        if "parent" in fields and fields["parent"].get("key") not in self.issues:
            unknown["parent"] = "Could not find issue by id or key."
        return unknown

    def _create(self, body: Any) -> tuple[int, Any, dict[str, str]]:
        fields = dict(body.get("fields") or {})
        errors = self._check_fields(fields)
        if (fields.get("project") or {}).get("key") != PROJECT:
            errors["project"] = "valid project is required"
        if (fields.get("issuetype") or {}).get("name") not in ISSUE_TYPES.values():
            errors["issuetype"] = "Specify an issue type"
        if errors:
            return 400, {"errorMessages": [], "errors": errors}, {}
        issue = self._add(fields)
        return 201, {"id": str(10000 + self._next), "key": issue.key, "self": "…"}, {}

    def _update(self, key: str, body: Any) -> tuple[int, Any, dict[str, str]]:
        if key not in self.issues:
            return _error(404, "Issue does not exist")
        fields = dict(body.get("fields") or {})
        if errors := self._check_fields(fields):
            return 400, {"errorMessages": [], "errors": errors}, {}
        issue = self.issues[key]
        issue.fields.update(fields)
        for operation in (body.get("update") or {}).get("labels", []):
            labels = issue.fields.setdefault("labels", [])
            if "add" in operation and operation["add"] not in labels:
                labels.append(operation["add"])
            if "remove" in operation and operation["remove"] in labels:
                labels.remove(operation["remove"])
        return 204, None, {}

    def _get(self, key: str) -> tuple[int, Any, dict[str, str]]:
        issue = self.issues.get(key)
        if issue is None:
            return _error(404, "Issue does not exist")
        fields = {**issue.fields, "issuelinks": issue.links, "status": {"name": issue.status}}
        return 200, {"key": key, "fields": fields}, {}

    def _search(self, body: Any) -> tuple[int, Any, dict[str, str]]:
        jql = str(body.get("jql", ""))
        label = re.search(r'labels = "([^"]+)"', jql)
        found = [
            {"id": "1", "key": i.key}
            for i in self.issues.values()
            if label and label.group(1) in (i.fields.get("labels") or [])
        ]
        return 200, {"issues": found[: int(body.get("maxResults", 50))]}, {}

    def _link(self, body: Any) -> tuple[int, Any, dict[str, str]]:
        outward = (body.get("outwardIssue") or {}).get("key")
        inward = (body.get("inwardIssue") or {}).get("key")
        kind = (body.get("type") or {}).get("name")
        if outward not in self.issues or inward not in self.issues or kind != "Blocks":
            return _error(404, "No issue or link type")
        link_type = {"name": "Blocks", "inward": "is blocked by", "outward": "blocks"}
        # Each side sees the other: the blocked issue shows its blocker as the inward issue.
        self.issues[inward].links.append({"type": link_type, "inwardIssue": {"key": outward}})
        self.issues[outward].links.append({"type": link_type, "outwardIssue": {"key": inward}})
        return 201, None, {}

    def _transitions(self, key: str) -> tuple[int, Any, dict[str, str]]:
        if key not in self.issues:
            return _error(404, "Issue does not exist")
        done = {"key": "done"}
        return 200, {"transitions": [
            {"id": "11", "name": "In Progress", "to": {"statusCategory": {"key": "indeterminate"}}},
            {"id": "31", "name": "Done", "to": {"name": "Done", "statusCategory": done}},
        ]}, {}  # fmt: skip

    def _transition(self, key: str, body: Any) -> tuple[int, Any, dict[str, str]]:
        if key not in self.issues or (body.get("transition") or {}).get("id") != "31":
            return _error(400, "bad transition")
        self.issues[key].status = "Done"
        return 204, None, {}

    def _meta(self, project: str, type_id: str | None) -> tuple[int, Any, dict[str, str]]:
        if project != PROJECT:
            return _error(404, "No project")
        if type_id is None:
            types = [{"id": i, "name": n} for i, n in ISSUE_TYPES.items()]
            return 200, {"issueTypes": types}, {}
        fields = [{"fieldId": f, "name": f} for f in sorted(KNOWN_FIELDS)]
        return 200, {"fields": fields}, {}


def _error(status: int, message: str) -> tuple[int, Any, dict[str, str]]:
    return status, {"errorMessages": [message], "errors": {}}, {}


def _fault_answer(fault: _Fault) -> tuple[int, Any, dict[str, str]]:
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    if fault.status == 401:
        return 401, {"message": "Client must be authenticated to access this resource."}, headers
    return fault.status, {"errorMessages": [f"injected {fault.status}"], "errors": {}}, headers


class _JiraHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, fake: FakeJira, *args: Any) -> None:
        self.fake = fake
        super().__init__(*args)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            self._send(400, {"errorMessages": ["bad JSON"]}, {})
            return
        status, answer, headers = self.fake.handle(
            method, url.path, parse_qs(url.query), body, self.headers.get("Authorization", "")
        )
        self._send(status, answer, headers)

    def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        try:
            self.send_response(status)
            if data:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass
