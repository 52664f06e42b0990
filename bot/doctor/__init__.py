"""`apo doctor`: check each setting and each connection, and say what to fix.

Every check runs even when an earlier one failed, so one run shows everything to mend. The
groups (Slack, the model server, the database, the index) run side by side with short timeouts,
so an unreachable server costs seconds, not minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TextIO

from bot.doctor.check import Check
from bot.doctor.http import Deadline
from bot.errors import BotError
from bot.settings import Settings

GROUP_SECONDS = 4.0  # each group's share of the five seconds a healthy doctor may take


def run_doctor(settings: Settings, *, out: TextIO) -> int:
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
        ("slack", lambda: slack_checks(settings, projects, Deadline(GROUP_SECONDS))),
        ("database", lambda: [database_check(settings)]),
        ("retrieval index", lambda: [index_check(settings, projects)]),
        ("language model", lambda: [model_check(settings, Deadline(GROUP_SECONDS))]),
    ]
    with ThreadPoolExecutor(max_workers=len(groups)) as pool:
        running = [pool.submit(_guard, name, group) for name, group in groups]
        checks = [placeholder_check(settings), *projects_checks, *digests_check(projects)]
        for future in running:
            checks += future.result()
    for check in checks:
        out.write(f"[{check.mark}] {check.name}: {check.detail}\n")
        if check.fix and not check.ok:
            out.write(f"       fix: {check.fix}\n")
    failed = [c for c in checks if c.failed]
    out.write("All checks passed.\n" if not failed else f"{len(failed)} check(s) failed.\n")
    return 1 if failed else 0


def _guard(name: str, group: Callable[[], list[Check]]) -> list[Check]:
    try:
        return group()
    except BotError as exc:
        return [Check(name, False, exc.user_message)]
    except Exception as exc:  # a doctor reports; it never crashes on what it diagnoses
        return [Check(name, False, f"{type(exc).__name__}: {exc}")]
