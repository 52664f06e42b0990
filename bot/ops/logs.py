"""Log set-up: plain text for people, or one JSON object per line (`APO_LOG_FORMAT=json`) for
a log pipeline, each line carrying the correlation ids of the work it belongs to (the Slack
request, the job).

What a log line never holds: a secret (tokens, keys, the signing secret and the database
password are replaced by `[redacted]` in every line and traceback, whatever logged them) and
a message body (the bot's own lines name ids and kinds, never what people wrote; the correlation
fields are ids only).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Literal

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[redacted]"
# Credentials by shape, whoever logged them: Slack bot/user/app tokens, OpenAI-style keys, and
# the password in a database URL.
_SHAPES = re.compile(
    r"xox[a-z]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|\bsk-[A-Za-z0-9_-]{6,}|(?<=://)[^/\s:@]+:[^/\s@]+(?=@)"
)
# Immutable mappings only (a new one per `correlation`), so sharing the default is safe.
_context: contextvars.ContextVar[Mapping[str, str]] = contextvars.ContextVar(
    "apo_log_context", default=MappingProxyType({})
)


@contextmanager
def correlation(**ids: str | None) -> Iterator[None]:
    """Every line logged inside (in this thread, and in work it hands to a context-copying
    pool) carries these ids, e.g. `request_id`, `job_id`, `kind`. Ids only: never text."""
    token = _context.set(
        MappingProxyType({**_context.get(), **{k: v for k, v in ids.items() if v}})
    )
    try:
        yield
    finally:
        _context.reset(token)


def current_ids() -> dict[str, str]:
    return dict(_context.get())


class Redactor(logging.Filter):
    """Replaces secrets in the message, its arguments and any traceback of a record."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        known = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)
        self._known = re.compile("|".join(re.escape(s) for s in known)) if known else None

    def redact(self, text: str) -> str:
        if self._known is not None:
            text = self._known.sub(REDACTED, text)
        return _SHAPES.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = self.redact(record.getMessage())
        record.msg, record.args = message, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
            record.exc_info = None  # the redacted text is what gets printed
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
            "thread": record.threadName,
        }
        entry.update(_context.get())
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The plain format, with the correlation ids appended as `[request_id=… job_id=…]`."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = _context.get()
        if not ids:
            return line
        tag = " ".join(f"{k}={v}" for k, v in ids.items())
        first, newline, rest = line.partition("\n")
        return f"{first} [{tag}]{newline}{rest}"


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is when a line is logged (not when the handler was
    made), so a replaced stderr (a test's capture, a daemon's redirect) is followed."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        return None


def configure_logging(level: str, log_format: LogFormat, *, secrets: Iterable[str] = ()) -> None:
    """One handler on the root logger, to standard error, in `log_format`, redacting `secrets`
    (and anything shaped like a token) from every line. Calling it again replaces it."""
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(Redactor(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        # Ours from an earlier call, and plain stream handlers (a library's basicConfig);
        # other handlers (a test runner's capture) stay.
        if type(old) in (_StderrHandler, logging.StreamHandler):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # APScheduler logs two INFO lines per job run; the leadership check runs every few
    # seconds on every worker. Its errors and warnings still show.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    # uvicorn configures its own loggers with their own handlers; send them through ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
