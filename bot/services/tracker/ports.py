"""What pushing stories needs from the outside: a tracker per project, the stored stories,
and people's names. `bot.container` picks the implementations (Jira's REST API today); another
tracker (Linear, Azure DevOps, GitHub Issues) is another `Tracker`, and nothing in the story
services changes.

Every `Tracker` method raises `bot.errors.TrackerError` for what a person should see: its
message says what went wrong and `setting` names what to fix; `transient` says whether trying
again later may work."""

from __future__ import annotations

from typing import Protocol

from bot.domain import MessageRef
from bot.domain.stories import StoredNote, StoredStory, StoryView
from bot.domain.tracker import IssueDraft, IssueRef, PushMode


class Tracker(Protocol):
    name: str  # what people call it: "Jira"

    def find(self, marker: str) -> IssueRef | None:
        """The issue carrying `marker` (the story's label), if one exists."""
        ...

    def create(self, issue: IssueDraft) -> IssueRef: ...

    def update(self, key: str, issue: IssueDraft) -> None: ...

    def link_blocks(self, blocker: str, blocked: str) -> None:
        """`blocker` blocks `blocked`; nothing happens when that link exists already."""
        ...

    def close(self, key: str) -> None:
        """Move the issue to a done state (the story was rejected after it was filed)."""
        ...


class Trackers(Protocol):
    def for_project(self, project: str) -> Tracker | None:
        """The project's tracker, or None when it has none configured."""
        ...

    def mode(self, project: str) -> PushMode | None: ...


class TrackedStories(Protocol):
    """The stories and what they keep of their issue (`SqlStoryStore` implements it)."""

    def story(self, story_id: int) -> tuple[StoredNote, StoredStory]: ...

    def batch(self, note_id: int) -> tuple[StoredNote, list[StoredStory]]: ...

    def claim_push(self, story_id: int, owner: str, *, seconds: float) -> bool: ...

    def release_push(self, story_id: int, owner: str) -> None: ...

    def start_push(self, story_id: int) -> None: ...

    def set_issue(self, story_id: int, issue: IssueRef) -> None: ...

    def set_push_problem(self, story_id: int, problem: str | None) -> None: ...

    def set_issue_closed(self, story_id: int) -> None: ...


class People(Protocol):
    """Names and links a person reading the issue understands (Slack in production)."""

    def display_name(self, user_id: str) -> str: ...

    def permalink(self, message: MessageRef) -> str | None: ...


class CardPublisher(Protocol):
    """Redraws a story's card (the stories' `BatchPublisher` is one)."""

    def update_card(self, where: MessageRef, story: StoryView) -> None: ...
