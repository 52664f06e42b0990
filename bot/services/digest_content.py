"""What a handover digest contains: plain types, filled by `DigestService.build`.

References carry Slack coordinates (channel, ts) as opaque strings; the Slack layer turns
them into links. Nothing here knows how a digest looks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

SideName = Literal["client", "team"]


@dataclass(frozen=True)
class StoryRef:
    id: int
    title: str
    status: str
    decided_by: str | None
    card_channel: str | None
    card_ts: str | None
    thread_ts: str | None = None  # the batch message the card is a reply to


@dataclass(frozen=True)
class MeetingRef:
    """Notes received in the window, with what came of them."""

    note_id: int
    title: str
    meeting_date: date | None
    received_at: datetime
    summary: str
    channel: str | None
    ts: str | None
    approved: tuple[StoryRef, ...]
    waiting: tuple[StoryRef, ...]
    questions_for_client: tuple[str, ...]


@dataclass(frozen=True)
class DecisionRef:
    id: int
    text: str
    author_id: str
    at: datetime
    permalink: str | None
    superseded: bool


@dataclass(frozen=True)
class QuestionRef:
    """`private`: asked elsewhere in private; the text is a placeholder and there is no link."""

    id: int
    text: str
    asker_id: str
    asked_at: datetime
    channel: str | None
    ts: str | None
    answer: str | None = None
    private: bool = False


@dataclass(frozen=True)
class DiscussionSummary:
    """The model's summary of the team channel and the messages it was shown.

    `sources` are those messages in the order and numbering the model saw them ([1] is
    `sources[0]`), so every [n] in `text` links to the message the model meant; `cited` are
    the (valid) numbers it said it cited.
    """

    text: str | None  # None: the model was unavailable; the digest says so
    sources: tuple[tuple[str, str], ...] = ()  # (channel, ts) of every message shown
    cited: tuple[int, ...] = ()


@dataclass(frozen=True)
class DigestContent:
    project: str
    project_name: str
    side: SideName
    local_date: date
    window_start: datetime
    window_end: datetime
    meetings: tuple[MeetingRef, ...] = ()
    decisions: tuple[DecisionRef, ...] = ()
    approved: tuple[StoryRef, ...] = ()
    rejected: tuple[StoryRef, ...] = ()
    drafted: tuple[StoryRef, ...] = ()
    waiting: tuple[StoryRef, ...] = ()
    answered: tuple[QuestionRef, ...] = ()
    open_questions: tuple[QuestionRef, ...] = ()
    discussion: DiscussionSummary | None = None

    @property
    def is_quiet(self) -> bool:
        """Nothing happened in the window and nothing is waiting on the reader."""
        return not (
            self.meetings
            or self.decisions
            or self.approved
            or self.rejected
            or self.drafted
            or self.waiting
            or self.answered
            or self.open_questions
            or (self.discussion is not None and self.discussion.sources)
        )
