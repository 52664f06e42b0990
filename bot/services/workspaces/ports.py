"""What the workspace service needs: the installations (Slack's tokens per workspace) and the
open jobs."""

from __future__ import annotations

from typing import Protocol


class Installations(Protocol):
    def remove(self, team_id: str) -> None:
        """Forget the workspace's installation and bot token."""
        ...


class WorkspaceJobs(Protocol):
    def stop_workspace(self, team_id: str) -> int:
        """End the workspace's queued and running jobs; how many there were."""
        ...
