"""Findings in the order a reviewer should read them: the most severe first.

A card shows only the first few findings, so the order decides what the reviewer sees: an
unsupported story or a duplicate matters more than a vague word. Within one severity, checks
that question whether the story should exist at all come before those about its wording.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from .types import Check


class Ranked(Protocol):
    """Anything with a check name and a severity: a `Finding` or the domain's `FindingView`."""

    @property
    def check(self) -> str: ...

    @property
    def severity(self) -> str: ...


F = TypeVar("F", bound=Ranked)

SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}
CHECK_ORDER: tuple[Check, ...] = (
    Check.GROUNDED,
    Check.UNIQUE,
    Check.ROLE,
    Check.WELL_FORMED,
    Check.CRITERIA,
    Check.TESTABLE,
    Check.ATOMIC,
    Check.UNAMBIGUOUS,
    Check.MINIMAL,
    Check.ESTIMATABLE,
    Check.UNIFORM,
)


def severity_rank(severity: str) -> int:
    """0 for errors, 1 for warnings, 2 for info; anything unknown last."""
    return SEVERITY_ORDER.get(severity, len(SEVERITY_ORDER))


def _check_rank(check: str) -> int:
    for index, known in enumerate(CHECK_ORDER):
        if known == check:
            return index
    return len(CHECK_ORDER)


def rank_findings(findings: Iterable[F]) -> list[F]:
    """`findings` sorted most severe first, then by check; the original order breaks ties."""
    return sorted(findings, key=lambda f: (severity_rank(f.severity), _check_rank(f.check)))
