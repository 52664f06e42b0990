"""The doctor's checks of what is on this machine: .env, the projects file, the database, the
index, and when the digests go out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.doctor.check import Check
from bot.errors import BotError
from bot.projects import ProjectsConfig, load_projects
from bot.settings import Settings, is_placeholder

SECRET_NAMES = {
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_app_token": "SLACK_APP_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "openai_api_key": "OPENAI_API_KEY",
}


def placeholder_check(settings: Settings) -> Check:
    left = [env for field, env in SECRET_NAMES.items() if is_placeholder(getattr(settings, field))]
    if left:
        return Check(
            "settings",
            False,
            f"still the placeholders from .env.example: {', '.join(left)}",
            fix="put the real values in .env (README, Quick start, says where each one is)",
        )
    return Check("settings", True, "no placeholder values left")


def projects_check(settings: Settings) -> tuple[list[Check], ProjectsConfig]:
    path = Path(settings.config_path)
    if not path.exists():
        return [
            Check(
                "projects file",
                False,
                f"{path} does not exist",
                fix="copy apo.example.yaml to apo.yaml and fill in your channels and "
                "reviewers (or set APO_CONFIG)",
            )
        ], ProjectsConfig()
    try:
        config = load_projects(path, require_team=settings.slack_oauth)
    except BotError as exc:
        return [Check("projects file", False, exc.user_message)], ProjectsConfig()
    if not config.projects:
        return [Check("projects file", False, f"{path} lists no project", fix="add one")], config
    keys = ", ".join(p.key for p in config.projects)
    return [Check("projects file", True, f"{path}: projects {keys}")], config


def digests_check(projects: ProjectsConfig) -> list[Check]:
    """When each side's next digest goes out, from the scheduler's own code."""
    from bot.services.digests.timing import digest_moments, project_sides

    now = datetime.now(UTC)
    lines = []
    for project in projects.projects:
        for name, side in project_sides(project):
            upcoming = [
                m
                for m in digest_moments(side, now.date(), now.date() + timedelta(days=21))
                if m.utc > now
            ]
            when = f"{upcoming[0].local:%a %d %b %H:%M} {side.timezone}" if upcoming else "none"
            lines.append(f"{project.key}/{name} next {when}")
    if not lines:
        return []
    return [Check("digests", True, "; ".join(lines))]


def database_check(settings: Settings) -> Check:
    from sqlalchemy.engine import make_url

    from bot.storage.migrate import current_revision, head_revision

    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    try:
        current = current_revision(settings.database_url)
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return Check(
            "database",
            False,
            f"cannot open {shown}: {reason}",
            fix="check DATABASE_URL and that the database server runs",
        )
    head = head_revision()
    if current != head:
        return Check(
            "database",
            False,
            f"{shown}: schema at {current or 'empty'}, this version expects {head}",
            fix="run `apo migrate`",
        )
    return Check("database", True, f"{shown}: schema up to date ({head})")


def index_check(settings: Settings, projects: ProjectsConfig) -> Check:
    from bot.container import build_embedder, build_knowledge_store

    store = build_knowledge_store(settings, build_embedder(settings))
    store.ping()  # reachable, and built with this embedder (a ConfigError says how to rebuild)
    where = settings.chroma_url or settings.chroma_path
    empty = [p.key for p in projects.projects if store.count({"project": p.key}) == 0]
    total = store.count()
    if total == 0 or empty:
        return Check(
            "retrieval index",
            False,
            f"{where}: nothing indexed for {', '.join(empty) or 'any project'}, so every "
            "question would be escalated",
            fix="index the project's knowledge: `apo index knowledge/ --project KEY` "
            "(knowledge/ holds samples; replace them with your own)",
        )
    return Check(
        "retrieval index", True, f"{where}: {total} documents ({settings.embeddings} embeddings)"
    )
