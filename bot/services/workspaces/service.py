"""An uninstalled workspace: its installation goes, its open jobs end, and its projects' digests
stop (the digest runner finds no installation for them from then on), all said in the log."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.projects import ProjectsConfig
from bot.services.workspaces.ports import Installations, WorkspaceJobs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Uninstalled:
    team_id: str
    projects: tuple[str, ...]
    jobs_stopped: int


class WorkspaceService:
    def __init__(
        self, projects: ProjectsConfig, installations: Installations, jobs: WorkspaceJobs
    ) -> None:
        self._projects = projects
        self._installations = installations
        self._jobs = jobs

    def uninstalled(self, team_id: str, *, why: str) -> Uninstalled:
        """`why`: what Slack said happened (the app uninstalled, its tokens revoked)."""
        self._installations.remove(team_id)
        stopped = self._jobs.stop_workspace(team_id)
        projects = tuple(p.key for p in self._projects.projects if p.team_id == team_id)
        log.warning(
            "Slack workspace %s: %s. Its installation is deleted, %d open job(s) stopped, "
            "and the digests of %s stop until it is installed again",
            team_id,
            why,
            stopped,
            ", ".join(projects) or "no project (none names this workspace)",
        )
        return Uninstalled(team_id, projects, stopped)
