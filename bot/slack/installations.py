"""The installed workspaces (APO_SLACK_OAUTH): slack_sdk's SQLAlchemy installation and OAuth
state stores on our own database (tables from migration 0008), and `InstalledWorkspaces`, the
`WorkspaceClients` that reads each workspace's bot token from them.

Every process reads the same tables, so a worker finds the token the web side saw installed,
and an uninstall seen by one process is seen by all at their next lookup (nothing is cached
but one client per token).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.settings import Settings
from bot.slack.client import make_web_client
from bot.slack.workspaces import WorkspaceNotInstalled

log = logging.getLogger(__name__)
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# How long an install started at /slack/install may take to come back from Slack.
STATE_SECONDS = 600


@dataclass(frozen=True)
class InstalledWorkspace:
    team_id: str
    team_name: str
    installed_at: datetime | None


class InstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store on our database (tables from migration 0008), saying in the log what
    was installed and what is missing: the workspace, never a token."""

    def __init__(self, client_id: str, engine: sa.Engine, *, install_url: str) -> None:
        super().__init__(client_id=client_id, engine=engine, logger=log)
        self._install_url = install_url

    def save(self, installation: Installation) -> None:
        super().save(installation)
        log.info(
            "APO Bridge installed in Slack workspace %s (%s)",
            installation.team_id,
            installation.team_name or "unnamed",
        )

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        bot = super().find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        if bot is None:
            log.warning(
                "no installation for Slack workspace %s (never installed, or uninstalled): "
                "nothing is done for it until someone installs the app there through %s",
                team_id or "(none given)",
                self._install_url,
            )
        return bot

    def remove(self, team_id: str) -> None:
        """Forget the workspace's bot and installations (its tokens no longer work)."""
        self.delete_all(enterprise_id=None, team_id=team_id)

    def workspaces(self) -> list[InstalledWorkspace]:
        """Every workspace with a bot token, newest installation first."""
        c = self.bots.c
        query = (
            sa.select(c.team_id, c.team_name, sa.func.max(c.installed_at))
            .where(c.client_id == self.client_id, c.bot_token.is_not(None))
            .group_by(c.team_id, c.team_name)
            .order_by(sa.func.max(c.installed_at).desc())
        )
        with self.engine.connect() as conn:
            rows: Any = conn.execute(query).all()
        return [InstalledWorkspace(str(t), str(n or ""), at) for t, n, at in rows if t]


class InstalledWorkspaces:
    """`client_for(team)` with the workspace's installed bot token, looked up each time."""

    def __init__(self, store: InstallationStore, settings: Settings) -> None:
        self.store = store
        self._settings = settings
        self._clients: dict[str, WebClient] = {}
        self._lock = threading.Lock()

    def client_for(self, team_id: str | None) -> WebClient:
        bot = self.store.find_bot(enterprise_id=None, team_id=team_id) if team_id else None
        if bot is None or not bot.bot_token:
            raise WorkspaceNotInstalled(team_id)
        token = bot.bot_token
        with self._lock:
            client = self._clients.get(token)
            if client is None:
                client = self._clients[token] = make_web_client(self._settings, token=token)
            return client


def install_url(settings: Settings) -> str:
    """Where a person starts an install: beside the redirect URL when it is known."""
    redirect = settings.slack_redirect_url
    if redirect and redirect.endswith(REDIRECT_PATH):
        return redirect.removesuffix(REDIRECT_PATH) + INSTALL_PATH
    return f"{INSTALL_PATH} on this server"


def installation_store(settings: Settings, engine: sa.Engine) -> InstallationStore:
    client_id, _secret = settings.require_oauth()
    return InstallationStore(client_id, engine, install_url=install_url(settings))


def state_store(engine: sa.Engine) -> SQLAlchemyOAuthStateStore:
    """The install flow's one-time `state` values, in the database: an install started on one
    replica may come back to another."""
    return SQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine, logger=log)
