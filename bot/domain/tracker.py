"""Stories on their way to the team's issue tracker (Jira today): what is sent, what comes back.

Plain types only: the tracker service builds an `IssueDraft` from an approved story, the
tracker adapter turns it into its own format, and an `IssueRef` is what the story keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # stories.py keeps a TrackedIssue: a plain import would be circular
    from bot.domain.stories import Criterion

PushMode = Literal["on_approval", "button"]


@dataclass(frozen=True)
class IssueRef:
    """An issue in the tracker: its key (ACME-12) and the page a person opens."""

    key: str
    url: str


@dataclass(frozen=True)
class IssueDraft:
    """Everything an issue says about one approved story, tracker-neutral.

    `marker` is a label unique to this story in this bot (`apo-acme-story-12`): after a create
    whose outcome is unknown, a search for it tells whether the issue already exists."""

    story_id: int
    marker: str
    summary: str
    sentence: str
    criteria: tuple[Criterion, ...] = ()
    quotes: tuple[str, ...] = ()
    open_questions: tuple[str, ...] = ()
    approved_by: str = ""
    card_link: str | None = None
    labels: tuple[str, ...] = ()
    points: float | None = None
    priority: str | None = None


@dataclass(frozen=True)
class TrackedIssue:
    """What a story keeps of its issue: the issue once it exists, the last problem pushing it
    (shown on its card with Retry), how many pushes failed (a Retry's key), whether a push
    was started whose outcome is unknown, and whether the issue was closed."""

    issue: IssueRef | None = None
    problem: str | None = None
    failures: int = 0
    pending: bool = False
    closed: bool = False
