"""What a handover digest contains: plain types, filled by `DigestService.build`, and the
conversions from what the store read into them.

References carry Slack coordinates as opaque `MessageRef`s; the Slack layer turns them into
links. Nothing here knows how a digest looks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain import MessageRef
from bot.domain.digests import (
    DigestDecision,
    DigestNote,
    DigestSideName,
    DigestStory,
    DigestWrongAnswer,
)
from bot.domain.stories import StoryState
from bot.domain.tracker import IssueRef


@dataclass(frozen=True)
class StoryRef:
    id: int
    title: str
    status: StoryState
    decided_by: str | None
    card: MessageRef | None
    thread_ts: str | None = None  # the batch message the card is a reply to
    issue: IssueRef | None = None  # its issue in the team's tracker, once filed


@dataclass(frozen=True)
class MeetingRef:
    """Notes received in the window, with what came of them."""

    note_id: int
    title: str
    meeting_date: date | None
    received_at: datetime
    summary: str
    batch: MessageRef | None
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
    message: MessageRef | None
    answer: str | None = None
    private: bool = False


@dataclass(frozen=True)
class WrongAnswerRef:
    """An answer marked wrong or outdated: what was asked, what the bot said, what it cited,
    and who said it was wrong; reviewers record the correcting decision from it."""

    question_id: int
    question: str
    answer: str
    citations: tuple[str, ...]  # readable labels of the cited passages
    message: MessageRef  # the answer in its thread
    reporters: tuple[str, ...]


@dataclass(frozen=True)
class DiscussionSummary:
    """The model's summary of the team channel and the messages it was shown.

    `sources` are those messages in the order and numbering the model saw them ([1] is
    `sources[0]`), so every [n] in `text` links to the message the model meant; `cited` are
    the (valid) numbers it said it cited.
    """

    text: str | None  # None: the model was unavailable; the digest says so
    sources: tuple[MessageRef, ...] = ()  # every message shown
    cited: tuple[int, ...] = ()


@dataclass(frozen=True)
class DigestContent:
    project: str
    project_name: str
    side: DigestSideName
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
    wrong_answers: tuple[WrongAnswerRef, ...] = ()

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
            or self.wrong_answers
            or (self.discussion is not None and self.discussion.sources)
        )


def story_ref(story: DigestStory) -> StoryRef:
    return StoryRef(
        story.id,
        story.title,
        story.status,
        story.decided_by,
        story.card,
        story.thread_ts,
        story.issue,
    )


def decision_ref(decision: DigestDecision) -> DecisionRef:
    return DecisionRef(
        decision.id,
        decision.text,
        decision.author_id,
        decision.at,
        decision.permalink,
        decision.superseded,
    )


def meeting_ref(note: DigestNote) -> MeetingRef:
    first_line = next(
        (line.strip("# ").strip() for line in note.text.splitlines() if line.strip()), ""
    )
    return MeetingRef(
        note_id=note.id,
        title=note.title or first_line[:80],
        meeting_date=note.meeting_date,
        received_at=note.received_at,
        summary=_summary_of(note.text),
        batch=note.batch,
        approved=tuple(story_ref(s) for s in note.stories if s.status == "approved"),
        waiting=tuple(story_ref(s) for s in note.stories if s.status == "draft"),
        questions_for_client=note.open_questions,
    )


def _summary_of(text: str, limit: int = 240) -> str:
    """The notes' first sentences: a short summary that needs no model."""
    flat = " ".join(line.strip("#*- ").strip() for line in text.splitlines() if line.strip())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def wrong_answer_ref(wrong: DigestWrongAnswer) -> WrongAnswerRef:
    return WrongAnswerRef(
        question_id=wrong.question.id,
        question=wrong.question.text,
        answer=wrong.question.answer_text or "",
        citations=tuple(citation_label(c) for c in wrong.citations),
        message=wrong.answer,
        reporters=wrong.reporters,
    )


def citation_label(passage_id: str) -> str:
    """`decision:12` → "decision #12", `knowledge:acme:knowledge/glossary.md#3` → its file,
    `note:acme:4#0` → "meeting notes #4", `story:7` → "story #7"."""
    kind, _, rest = passage_id.partition(":")
    if kind in ("decision", "story"):
        return f"{kind} #{rest}"
    if kind == "note":
        return f"meeting notes #{rest.split(':')[-1].split('#')[0]}"
    if kind == "knowledge":
        return rest.split(":", 1)[-1].split("#")[0]
    return passage_id
