"""Work the Slack side hands to a worker: a kind and the plain values it needs.

A job carries ids and short strings only, never a Slack payload or a `response_url` (those
expire while a job waits); everything else the worker reads from the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

JobValue = str | int | bool | None


class JobKind(StrEnum):
    DRAFT_BATCH = "draft_batch"  # note_id, channel
    ANSWER_QUESTION = "answer_question"  # the AskInput fields
    ANSWER_ESCALATION = "answer_escalation"  # question_id, text, user (the answer form)
    ESCALATION_REPLY = "escalation_reply"  # channel, thread_ts, ts, text, user
    SHOW_DECISION = "show_decision"  # story_id: index if approved, redraw card and summary
    POST_DIGEST = "post_digest"  # project, side, date (ISO): a side's daily digest
    EXPORT_BACKLOG = "export_backlog"  # project, format, user: the file, to the user alone
    DIGEST_PREVIEW = "digest_preview"  # project, side, user, channel: shown to the user only
    PUSH_STORY = "push_story"  # story_id: file (or update) its issue in the tracker
    PUSH_BATCH = "push_batch"  # note_id: file the batch's approved stories
    CLOSE_ISSUE = "close_issue"  # story_id: close the issue of a story rejected after filing


class JobState(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


@dataclass(frozen=True)
class Job:
    """`key` makes it idempotent: a repeated delivery or a double click asks for the same key,
    and a key is run to its end once."""

    kind: JobKind
    key: str
    args: dict[str, JobValue] = field(default_factory=dict)

    def text(self, name: str) -> str:
        value = self.args.get(name)
        if not isinstance(value, str):
            raise ValueError(f"job {self.kind}: {name} is not text ({value!r})")
        return value

    def optional_text(self, name: str) -> str | None:
        value = self.args.get(name)
        return value if isinstance(value, str) else None

    def number(self, name: str) -> int:
        value = self.args.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"job {self.kind}: {name} is not a number ({value!r})")
        return value

    def flag(self, name: str) -> bool:
        return self.args.get(name) is True


class JobSender(Protocol):
    """Stores a job and puts it on the queue; returns once it is stored, so it is not lost."""

    def send(self, job: Job) -> None: ...

    def enqueue(self, job: Job) -> None:
        """Put a job already stored on the queue: one a store recorded in the same transaction
        as the data it acts on (the outbox). Should this put never happen, a sweeper sends
        the job a little later."""
        ...
