"""Plain HTTP for `apo doctor`, with a short timeout and failures sorted by what to fix.

The doctor talks to Slack and the model server with the standard library rather than the SDKs:
it needs each call's timeout and headers, no retries (a retry hides the failure it looks for),
and none of the SDKs' seconds of import time.
"""

from __future__ import annotations

import json
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

CALL_TIMEOUT = 3.0  # seconds per request; the whole doctor stays under five when all answer


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]
    headers: Message = field(repr=False)


class Unreachable(Exception):
    """No HTTP answer at all: the message says whether the name, the port or the time failed."""


class Deadline:
    """The time left for one group of checks, so many slow calls cannot add up: a third more
    than one call's timeout."""

    def __init__(self, per_call: float = CALL_TIMEOUT) -> None:
        self._per_call = per_call
        self._end = time.monotonic() + per_call * 4 / 3

    def timeout(self) -> float:
        """The timeout for the next call: one call's, or what is left if that is less."""
        return max(0.0, min(self._per_call, self._end - time.monotonic()))

    @property
    def passed(self) -> bool:
        return self.timeout() <= 0.05


def request(
    url: str,
    *,
    token: str | None,
    form: dict[str, str] | None = None,
    timeout: float = CALL_TIMEOUT,
) -> Reply:
    """GET `url` (or POST `form` to it); any HTTP status is a Reply, no answer is Unreachable."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if data is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return Reply(response.status, _json(response.read()), response.headers)
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, _json(exc.read()), exc.headers)
    except urllib.error.URLError as exc:
        raise Unreachable(describe_unreachable(url, exc.reason)) from exc
    except (TimeoutError, OSError) as exc:
        raise Unreachable(describe_unreachable(url, exc)) from exc


def describe_unreachable(url: str, reason: object) -> str:
    host = urllib.parse.urlsplit(url).netloc or url
    if isinstance(reason, socket.gaierror):
        return f"cannot resolve {host} ({url}): no network, or a typo in the host name"
    if isinstance(reason, ConnectionRefusedError):
        return f"nothing listens at {host} ({url}): is the server running on that port?"
    if isinstance(reason, (TimeoutError, socket.timeout)) or "timed out" in str(reason):
        return f"no answer from {host} in time ({url})"
    if isinstance(reason, ssl.SSLError):
        return f"TLS failed with {host} ({url}): {reason}"
    return f"cannot connect to {host} ({url}): {reason}"


def _json(data: bytes) -> dict[str, Any]:
    try:
        decoded = json.loads(data or b"{}")
    except ValueError:
        return {}
    return decoded if isinstance(decoded, dict) else {"data": decoded}
