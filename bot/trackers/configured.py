"""The `Trackers` port from the projects file and the environment: each project with a
`jira:` block gets a `JiraTracker`, built on first use and kept for the process."""

from __future__ import annotations

import threading

from bot.domain.tracker import IssueDraft, IssueRef, PushMode
from bot.errors import TrackerError
from bot.projects import JiraConfig, ProjectsConfig
from bot.trackers.jira import CREDENTIALS, JiraTracker


class ConfiguredTrackers:
    def __init__(
        self, projects: ProjectsConfig, *, email: str | None, token: str | None, timeout: float
    ) -> None:
        self._projects = projects
        self._email, self._token, self._timeout = email, token, timeout
        self._built: dict[str, JiraTracker | MissingCredentials] = {}
        self._lock = threading.Lock()

    def mode(self, project: str) -> PushMode | None:
        return self._projects.get(project).push_mode

    def for_project(self, project: str) -> JiraTracker | MissingCredentials | None:
        config = self._projects.get(project).jira
        if config is None:
            return None
        with self._lock:
            if project not in self._built:
                self._built[project] = self._build(config)
            return self._built[project]

    def _build(self, config: JiraConfig) -> JiraTracker | MissingCredentials:
        if not self._email or not self._token:
            return MissingCredentials()
        return JiraTracker(config, email=self._email, token=self._token, timeout=self._timeout)


class MissingCredentials:
    """A project names a Jira site but the environment has no account for it: every call
    says which settings to add (the card shows it with Retry)."""

    name = "Jira"

    def _refuse(self) -> TrackerError:
        return TrackerError("The bot has no Jira account set up.", setting=CREDENTIALS)

    def find(self, marker: str) -> IssueRef | None:
        raise self._refuse()

    def create(self, issue: IssueDraft) -> IssueRef:
        raise self._refuse()

    def update(self, key: str, issue: IssueDraft) -> None:
        raise self._refuse()

    def link_blocks(self, blocker: str, blocked: str) -> None:
        raise self._refuse()

    def close(self, key: str) -> None:
        raise self._refuse()
