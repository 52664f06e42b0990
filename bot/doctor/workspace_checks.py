"""The doctor with several workspaces (APO_SLACK_OAUTH): the app's credentials, which
workspaces the app is installed in, which projects name a workspace it is not installed in,
and, with each installed workspace's own token, the checks one token gets (scopes, channels,
reviewers) for that workspace's projects."""

from __future__ import annotations

from dataclasses import replace

from bot.doctor.check import Check
from bot.doctor.http import Deadline
from bot.doctor.slack_checks import token_checks
from bot.errors import ConfigError
from bot.projects import ProjectsConfig
from bot.settings import Settings


def workspace_checks(
    settings: Settings, projects: ProjectsConfig, deadline: Deadline
) -> list[Check]:
    from bot.slack.installations import installation_store
    from bot.storage.db import Database

    try:
        settings.require_oauth()
        settings.require_signing_secret()
    except ConfigError as exc:
        return [Check("slack", False, exc.user_message)]
    db = Database(settings.database_url)
    try:
        store = installation_store(settings, db.engine)
        installed = store.workspaces()
        checks = [_listing(settings, projects, {w.team_id: w.team_name for w in installed})]
        for workspace in installed:
            bot = store.find_bot(enterprise_id=None, team_id=workspace.team_id)
            if bot is None or not bot.bot_token:
                continue
            scope = ProjectsConfig(
                projects=tuple(p for p in projects.projects if p.team_id == workspace.team_id)
            )
            for check in token_checks(settings, bot.bot_token, scope, deadline):
                checks.append(replace(check, name=f"{check.name} [{workspace.team_id}]"))
        return checks
    finally:
        db.dispose()


def _listing(settings: Settings, projects: ProjectsConfig, installed: dict[str, str]) -> Check:
    names = [
        f"{team} ({name or 'unnamed'}: "
        f"{', '.join(p.key for p in projects.projects if p.team_id == team) or 'no project'})"
        for team, name in installed.items()
    ]
    detail = "installed in " + ("; ".join(names) if names else "no workspace yet")
    waiting = sorted(
        f"{p.key} ({p.team_id})" for p in projects.projects if p.team_id not in installed
    )
    where = settings.slack_redirect_url or "https://YOUR-HOST/slack/oauth_redirect"
    start = where.removesuffix("/slack/oauth_redirect") + "/slack/install"
    if waiting:
        return Check(
            "workspaces",
            False,
            f"{detail}; not installed for: {', '.join(waiting)}",
            fix=f"open {start} in a browser signed in to each of those workspaces and allow it",
        )
    return Check("workspaces", True, detail)
