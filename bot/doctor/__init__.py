"""`apo doctor`: check each setting and each connection, and say what to fix.

Every check runs even when an earlier one failed, so one run shows everything to mend. The
groups (Slack, the model server, the database, the index) run side by side with short timeouts,
so an unreachable server costs seconds, not minutes.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import TextIO

from bot.doctor.check import Check
from bot.doctor.http import Deadline
from bot.errors import BotError
from bot.settings import Settings

WAIT_SECONDS = 15.0  # then a group still running (a hung database connection) is reported


def run_doctor(settings: Settings, *, out: TextIO, as_json: bool = False) -> int:
    # Loaded here, before the groups' threads: two threads importing SQLAlchemy's circular
    # modules at once can see a half-initialised module (an ImportError in one group).
    import sqlalchemy  # noqa: F401

    from bot.doctor.jira_check import jira_checks
    from bot.doctor.local_checks import (
        database_check,
        digests_check,
        index_check,
        placeholder_check,
        projects_check,
    )
    from bot.doctor.model_check import model_check
    from bot.doctor.slack_checks import slack_checks

    projects_checks, projects = projects_check(settings)
    groups: list[tuple[str, Callable[[], list[Check]]]] = [
        ("slack", lambda: slack_checks(settings, projects, Deadline(settings.doctor_timeout))),
        ("database", lambda: [database_check(settings)]),
        ("retrieval index", lambda: [index_check(settings, projects)]),
        ("language model", lambda: [model_check(settings, Deadline(settings.doctor_timeout))]),
        ("jira", lambda: jira_checks(settings, projects, settings.doctor_timeout)),
    ]
    running = [_start(name, group) for name, group in groups]
    checks = [placeholder_check(settings), *projects_checks, *digests_check(projects)]
    deadline = time.monotonic() + max(WAIT_SECONDS, 2 * settings.doctor_timeout)
    for name, thread, result in running:
        thread.join(max(0.0, deadline - time.monotonic()))
        checks += result or [Check(name, False, "no result in time", fix="is it reachable?")]
    failed = [c for c in checks if c.failed]
    if as_json:
        out.write(json.dumps([asdict(c) | {"failed": c.failed} for c in checks], indent=2) + "\n")
        return 1 if failed else 0
    for check in checks:
        out.write(f"[{check.mark}] {check.name}: {check.detail}\n")
        if check.fix and not check.ok:
            out.write(f"       fix: {check.fix}\n")
    out.write("All checks passed.\n" if not failed else f"{len(failed)} check(s) failed.\n")
    return 1 if failed else 0


def _start(
    name: str, group: Callable[[], list[Check]]
) -> tuple[str, threading.Thread, list[Check]]:
    """Run a group on a daemon thread: one that hangs (a database host that drops packets)
    is reported as such, and does not keep the process from ending."""
    result: list[Check] = []
    thread = threading.Thread(
        target=lambda: result.extend(_guard(name, group)), name=f"doctor {name}", daemon=True
    )
    thread.start()
    return name, thread, result


def _guard(name: str, group: Callable[[], list[Check]]) -> list[Check]:
    try:
        return group()
    except BotError as exc:
        return [Check(name, False, exc.for_operator)]
    except Exception as exc:  # a doctor reports; it never crashes on what it diagnoses
        return [Check(name, False, f"{type(exc).__name__}: {exc}")]
