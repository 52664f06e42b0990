"""Stories from meeting notes to the backlog: the drafted story, its checks, its batch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from bot.domain import MessageRef
from bot.domain.tracker import TrackedIssue

StoryState = Literal["draft", "approved", "rejected"]
Severity = Literal["error", "warning", "info"]
"""How much a quality finding matters to the reviewer. error: the story should not be approved
as it is (no goal, no verified quote, exact duplicate); warning: probably worth fixing (vague
words, two features in one story); info: worth a glance (a generic role)."""


def indefinite_article(word: str) -> str:
    """ "an" before a vowel sound as spelled (an accountant, an admin), else "a"."""
    return "an" if word[:1].lower() in "aeiou" else "a"


@dataclass(frozen=True)
class Criterion:
    """One acceptance scenario in Given/When/Then form."""

    given: str
    when: str
    then: str


@dataclass(frozen=True)
class FindingView:
    """One quality finding on a story, for the reviewer (check is a QUS criterion name)."""

    check: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class StoryView:
    id: int
    note_id: int
    project: str
    position: int
    title: str
    role: str
    goal: str
    benefit: str
    criteria: tuple[Criterion, ...]
    verified_quotes: tuple[str, ...]
    missing_quotes: tuple[str, ...]
    open_questions: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()
    findings: tuple[FindingView, ...] = ()
    unsupported: bool = False
    duplicate_note: str | None = None  # e.g. "Looks like story #12 in the backlog"
    status: StoryState = "draft"
    decided_by: str | None = None
    decided_at: datetime | None = None
    reject_reason: str | None = None
    points: float | None = None
    priority: str | None = None
    tracked: TrackedIssue = field(default_factory=TrackedIssue)

    @property
    def sentence(self) -> str:
        """The story in the template people know: As a …, I want …, so that …."""
        text = f"As {indefinite_article(self.role)} {self.role}, I want {self.goal}"
        return text + (f", so that {self.benefit}." if self.benefit else ".")


@dataclass(frozen=True)
class BatchSummary:
    drafted: int
    approved: int
    rejected: int

    @property
    def waiting(self) -> int:
        return self.drafted - self.approved - self.rejected


@dataclass(frozen=True)
class BatchView:
    """A drafted batch: the stories from one set of meeting notes, and what is left open."""

    note_id: int
    project: str
    project_name: str
    title: str
    meeting_date: date | None
    author_id: str | None
    stories: tuple[StoryView, ...]
    open_questions: tuple[str, ...] = ()
    out_of_scope: tuple[str, ...] = ()
    uncovered_needs: tuple[str, ...] = ()
    # The tracker's name ("Jira") when the project files approved stories by a button here.
    offer_push: str | None = None

    @property
    def unsent(self) -> int:
        """Approved stories not in the tracker yet."""
        return sum(1 for s in self.stories if s.status == "approved" and s.tracked.issue is None)

    @property
    def summary(self) -> BatchSummary:
        states = [s.status for s in self.stories]
        return BatchSummary(len(states), states.count("approved"), states.count("rejected"))


@dataclass(frozen=True)
class StoryEdit:
    """What a reviewer may change in the Edit modal."""

    title: str
    role: str
    goal: str
    benefit: str
    criteria: tuple[Criterion, ...] = field(default_factory=tuple)
    points: float | None = None
    priority: str | None = None


# --- stories: what storage keeps of notes and drafted stories ------------------------------

NoteState = Literal["received", "drafting", "drafted", "failed", "removed"]


@dataclass(frozen=True)
class StoryContent:
    """A drafted story as checked and stored: the text, its grounds and what the checks found."""

    title: str
    role: str
    goal: str
    benefit: str = ""
    criteria: tuple[Criterion, ...] = ()
    source_quotes: tuple[str, ...] = ()
    open_questions: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()
    findings: tuple[FindingView, ...] = ()
    unsupported: bool = False
    duplicate_of: int | None = None  # an approved story it looks like


@dataclass(frozen=True)
class StoredStory:
    id: int
    note_id: int
    project: str
    position: int
    content: StoryContent
    status: StoryState = "draft"
    decided_by: str | None = None
    decided_at: datetime | None = None
    reject_reason: str | None = None
    card: MessageRef | None = None  # its review card in Slack, once posted
    points: float | None = None
    priority: str | None = None
    tracked: TrackedIssue = field(default_factory=TrackedIssue)
    exported: bool = False  # in a CSV export already (`apo export --new-only` leaves it out)


@dataclass(frozen=True)
class StoredNote:
    """Meeting notes as received, and what drafting found beyond the stories."""

    id: int
    project: str
    text: str
    status: NoteState
    title: str
    meeting_date: date | None
    author_id: str | None
    channel_id: str | None
    private: bool
    created_at: datetime
    placement: MessageRef | None = None  # the batch's top message in Slack
    open_questions: tuple[str, ...] = ()
    out_of_scope: tuple[str, ...] = ()
    uncovered_needs: tuple[str, ...] = ()
