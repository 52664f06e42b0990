"""The log of every test is scanned: no secret and no message body may be logged.

A handler on the root logger keeps every record of the test (the bot runs in the test's
process: its web threads, job workers and scheduler all log here). After the test, the records,
formatted with their tracebacks, must not contain the settings' secrets (the Slack token and
signing secret, the OpenAI key, in any form the harness uses) nor any sentence people wrote:
each text of 24 characters or more, with a space, from the bodies the test signed and sent
(notes, questions, decisions, modal answers). Registered in conftest, so it covers the whole
suite, and any new surface's tests without more work.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest

from tests.harness import signer
from tests.harness.app_server import SIGNING_SECRET

SECRETS = (SIGNING_SECRET, "xoxb-test", "sk-test")
MIN_BODY = 24


class _Keep(logging.Handler):
    """Keeps the formatted lines of one test's log records."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # a record that cannot be formatted is not a leak
            self.handleError(record)


CURRENT: list[_Keep] = []  # the running test's handler, for the scan's own test


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def people_wrote(body: bytes) -> set[str]:
    """The free texts inside one signed request body (form fields, JSON, `payload=` JSON)."""
    text = body.decode("utf-8", errors="replace")
    values: list[Any] = []
    try:
        values.append(json.loads(text))
    except ValueError:
        for field in parse_qs(text).values():
            for value in field:
                try:
                    values.append(json.loads(value))
                except ValueError:
                    values.append(value)
    found = set()
    for value in values:
        for string in _strings(value):
            if len(string) >= MIN_BODY and " " in string.strip():
                found.add(string.strip())
    return found


def leaks(lines: list[str], bodies: list[bytes]) -> list[str]:
    """Log lines holding a secret or a text someone wrote."""
    texts = set().union(*(people_wrote(b) for b in bodies)) if bodies else set()
    return [
        line
        for line in lines
        if any(secret in line for secret in SECRETS) or any(text in line for text in texts)
    ]


@pytest.fixture(autouse=True)
def _no_secrets_or_bodies_in_the_log(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("logs_bodies"):
        yield  # a test that means to log text (of its own, never the bot's)
        return
    keep = _Keep()
    CURRENT[:] = [keep]
    root = logging.getLogger()
    root.addHandler(keep)
    level = root.level
    root.setLevel(min(level, logging.INFO) if level else logging.INFO)
    signer.SENT_BODIES.clear()
    try:
        yield
    finally:
        root.removeHandler(keep)
        root.setLevel(level)
    found = leaks(keep.lines, list(signer.SENT_BODIES))
    assert found == [], f"secrets or message bodies in the log: {found[:3]}"
