"""Which bot token speaks for which Slack workspace.

With one `SLACK_BOT_TOKEN` every workspace id gets the same client (`SingleWorkspace`). With
`APO_SLACK_OAUTH=true` each workspace's bot token comes from its installation, stored by
slack_sdk's SQLAlchemy installation store on our own database (`InstalledWorkspaces`), so a
worker process finds the same token the web side saw installed, and an uninstall seen by one
process is seen by all at their next lookup (nothing is cached but the clients per token).
`bot.container` picks one; the job handlers and the digests ask it. (The installed
workspaces' store is `bot.slack.installations`, imported only when APO_SLACK_OAUTH is on.)
"""

from __future__ import annotations

from typing import Protocol

from slack_sdk import WebClient

from bot.errors import BotError


class WorkspaceNotInstalled(BotError):
    """The app has no installation (any more) in the workspace a job or digest is for."""

    def __init__(self, team_id: str | None) -> None:
        super().__init__(
            "APO Bridge is not installed in this workspace (any more); "
            "ask whoever runs it to install it again.",
            detail=f"no installation for Slack workspace {team_id or '(none given)'}",
        )
        self.team_id = team_id


class WorkspaceClients(Protocol):
    """A Web API client speaking with `team_id`'s bot token."""

    def client_for(self, team_id: str | None) -> WebClient: ...


class SingleWorkspace:
    """One SLACK_BOT_TOKEN: whatever workspace is asked for, it is the token's."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def client_for(self, team_id: str | None) -> WebClient:
        return self._client
