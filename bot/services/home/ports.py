"""What the Home tab needs from the outside: the lists, who is in which channel, and Slack."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from bot.domain.home import HomeView, OpenQuestion, RecentDecision, WaitingStory
from bot.projects import Project


class HomeStore(Protocol):
    def waiting_stories(self, projects: Collection[str], limit: int) -> list[WaitingStory]: ...

    def escalated_questions(self, projects: Collection[str], limit: int) -> list[OpenQuestion]: ...

    def open_questions_of(self, asker_id: str, limit: int) -> list[OpenQuestion]: ...

    def recent_decisions(self, projects: Collection[str], limit: int) -> list[RecentDecision]: ...


class Membership(Protocol):
    def belongs_to(self, user_id: str, project: Project) -> bool:
        """A reviewer of the project or a member of one of its channels."""
        ...

    def is_member(self, user_id: str, channel_id: str) -> bool: ...


class HomePublisher(Protocol):
    def publish(self, view: HomeView) -> None: ...
