"""The approved backlog as a file for a reviewer (`/apo export`, the Home tab's buttons).

Only reviewers export; a story drafted from a private channel's notes is left out unless the
reviewer is in that channel, as everywhere else. The file goes to the reviewer alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.domain import Actor
from bot.errors import BotError, NotAllowed
from bot.projects import ProjectsConfig
from bot.services.stories.batches import StoryService
from bot.services.stories.export import FORMATS, render

_EXTENSIONS = {"markdown": "md", "jira-csv": "csv", "gherkin": "feature"}
_TITLES = {"markdown": "Markdown", "jira-csv": "Jira CSV", "gherkin": "Gherkin"}


@dataclass(frozen=True)
class BacklogFile:
    filename: str
    title: str
    content: str
    stories: int


class BacklogExports:
    def __init__(self, stories: StoryService, projects: ProjectsConfig) -> None:
        self._stories = stories
        self._projects = projects

    def check(self, project: str, format: str, actor: Actor) -> None:
        """Refuse at once (before any work is queued): an unknown format or a non-reviewer."""
        if format not in FORMATS:
            raise BotError(f"I can export as {', '.join(FORMATS)}; `{format[:30]}` isn't one.")
        config = self._projects.get(project)
        if not (actor.admin or config.is_reviewer(actor.user_id)):
            raise NotAllowed(
                f"Only the reviewers of {config.name} can export its backlog. "
                "Ask one of them for the file."
            )

    def export(
        self, project: str, format: str, actor: Actor, sees: Callable[[str | None, bool], bool]
    ) -> BacklogFile:
        self.check(project, format, actor)
        config = self._projects.get(project)
        stories = self._stories.approved_visible(project, sees)
        if not stories:
            raise BotError(f"{config.name} has no approved stories to export yet.")
        return BacklogFile(
            filename=f"{config.key}-backlog.{_EXTENSIONS[format]}",
            title=f"{config.name} backlog ({_TITLES[format]}, {_count(len(stories))})",
            content=render(format, config.name, stories),
            stories=len(stories),
        )


def _count(n: int) -> str:
    return f"{n} story" if n == 1 else f"{n} stories"
