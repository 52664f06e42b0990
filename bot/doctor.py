"""`apo doctor`: check each setting and each connection, and say what to fix.

Every check runs even when an earlier one failed, so one run shows everything to mend.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from bot.errors import BotError
from bot.settings import Settings


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    optional: bool = False  # a missing optional part warns instead of failing


def run_doctor(settings: Settings, *, out: TextIO) -> int:
    checks = [
        _guard("projects file", lambda: _projects(settings)),
        _guard("digests", lambda: _digests(settings)),
        _guard("slack", lambda: _slack(settings)),
        _guard("database", lambda: _database(settings)),
        _guard("retrieval index", lambda: _index(settings)),
        _guard("language model", lambda: _llm(settings)),
    ]
    for check in checks:
        mark = "ok  " if check.ok else ("warn" if check.optional else "FAIL")
        out.write(f"[{mark}] {check.name}: {check.detail}\n")
    failed = [c for c in checks if not c.ok and not c.optional]
    out.write("All checks passed.\n" if not failed else f"{len(failed)} check(s) failed.\n")
    return 1 if failed else 0


def _guard(name: str, check: Callable[[], Check]) -> Check:
    try:
        return check()
    except BotError as exc:
        return Check(name, False, exc.user_message)
    except Exception as exc:  # a doctor reports; it never crashes on what it diagnoses
        return Check(name, False, f"{type(exc).__name__}: {exc}")


def _projects(settings: Settings) -> Check:
    from pathlib import Path

    from bot.projects import load_projects

    if not Path(settings.config_path).exists():
        return Check(
            "projects file",
            False,
            f"{settings.config_path} does not exist: copy apo.example.yaml to apo.yaml and "
            "fill in your channels and reviewers (or set APO_CONFIG).",
        )
    config = load_projects(settings.config_path)
    keys = ", ".join(p.key for p in config.projects) or "none"
    return Check("projects file", bool(config.projects), f"{settings.config_path}: projects {keys}")


def _digests(settings: Settings) -> Check:
    """When each side's next digest goes out, from the scheduler's own code."""
    from datetime import UTC, datetime, timedelta

    from bot.projects import load_projects
    from bot.services.digests.timing import digest_moments, project_sides

    now = datetime.now(UTC)
    lines = []
    for project in load_projects(settings.config_path).projects:
        for name, side in project_sides(project):
            upcoming = [
                m
                for m in digest_moments(side, now.date(), now.date() + timedelta(days=21))
                if m.utc > now
            ]
            when = f"{upcoming[0].local:%a %d %b %H:%M} {side.timezone}" if upcoming else "none"
            lines.append(f"{project.key}/{name} next {when}")
    if not lines:
        return Check("digests", True, "no projects, so no digests", optional=True)
    return Check("digests", True, "; ".join(lines))


def _slack(settings: Settings) -> Check:
    from bot.slack.client import make_web_client

    client = make_web_client(settings)
    auth = client.auth_test()
    mode = (
        "Socket Mode (SLACK_APP_TOKEN set)"
        if settings.socket_mode
        else "HTTP mode: "
        + (
            "signing secret set"
            if settings.slack_signing_secret
            else "SLACK_SIGNING_SECRET is NOT set, `apo serve --http` needs it"
        )
    )
    ok = settings.socket_mode or settings.slack_signing_secret is not None
    return Check("slack", ok, f"auth.test ok as {auth.get('user')} in {auth.get('team')}; {mode}")


def _database(settings: Settings) -> Check:
    from bot.storage.migrate import current_revision, head_revision

    current, head = current_revision(settings.database_url), head_revision()
    if current != head:
        return Check(
            "database",
            False,
            f"schema at {current or 'empty'}, code expects {head}: run `apo migrate`",
        )
    return Check("database", True, f"reachable, schema up to date ({head})")


def _index(settings: Settings) -> Check:
    from bot.container import build_embedder, build_knowledge_store

    store = build_knowledge_store(settings, build_embedder(settings))
    store.ping()
    where = settings.chroma_url or settings.chroma_path
    return Check(
        "retrieval index",
        True,
        f"{where}: {store.count()} documents ({settings.embeddings} embeddings)",
    )


def _llm(settings: Settings) -> Check:
    if settings.openai_api_key is None:
        return Check(
            "language model",
            False,
            "OPENAI_API_KEY is not set: /story and answers need it "
            "(and OPENAI_BASE_URL for a server other than OpenAI).",
        )
    import openai

    client = openai.OpenAI(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url,
        timeout=10,
        max_retries=0,
    )
    models = [m.id for m in client.models.list()]
    found = settings.chat_model in models
    detail = f"{settings.openai_base_url or 'OpenAI'} reachable; model {settings.chat_model} " + (
        "available" if found else f"not listed (have: {', '.join(models[:5])})"
    )
    return Check("language model", found, detail, optional=not found)
