"""Quality User Story lint (Lucassen et al., 2016): one function per criterion a machine can check.

Each check takes one `StoryDraft` and returns `Finding`s worded for the reviewer who decides
whether to approve it. The checks are heuristics over word lists (see `vocab.py`), tuned to miss
rather than nag: a reviewer who sees false alarms on every story stops reading them.
"""

from __future__ import annotations

from collections.abc import Sequence

from .atomic import atomic
from .criteria import acceptance_criteria, vague_in_thens
from .duplicates import DuplicateMatch, duplicate_findings, find_duplicates
from .minimal import minimal
from .roles import role_findings
from .shape import benefit_text, goal_text, is_task, uniform
from .text import words
from .types import Check, Finding, StoryDraft
from .vague import vague_words

MAX_GOAL_WORDS = 25
MAX_SCENARIOS = 8


def well_formed(story: StoryDraft) -> list[Finding]:
    """A means must be there and must be something a user wants, not a developer task."""
    findings: list[Finding] = []
    if not goal_text(story):
        findings.append(
            Finding(
                Check.WELL_FORMED,
                "error",
                'The story has no goal: add what the person wants to do (the "I want …" part).',
            )
        )
    if is_task(story):
        findings.append(
            Finding(
                Check.WELL_FORMED,
                "warning",
                f'The goal reads like a developer task ("{goal_text(story)}"): rewrite it as '
                "what a user wants to do, and keep the task for the sprint board.",
            )
        )
    return findings


def unambiguous(story: StoryDraft) -> list[Finding]:
    """Name the vague words in the goal, the benefit and each Then."""
    places = [
        (part, vague_words(text))
        for part, text in (("goal", goal_text(story)), ("benefit", benefit_text(story)))
    ]
    places += [(f"Then of scenario {n}", found) for n, found in vague_in_thens(story)]
    return [
        Finding(
            Check.UNAMBIGUOUS,
            "warning",
            f"Vague words in the {part}: {_quoted(found)}. "
            "Replace them with a number, a limit or a name a tester can check.",
        )
        for part, found in places
        if found
    ]


def _quoted(found: Sequence[str]) -> str:
    return ", ".join(f'"{w}"' for w in found)


def estimatable(story: StoryDraft) -> list[Finding]:
    """Flag stories too big to estimate: a very long means or many scenarios."""
    findings: list[Finding] = []
    length = len(words(goal_text(story)))
    if length > MAX_GOAL_WORDS:
        findings.append(
            Finding(
                Check.ESTIMATABLE,
                "warning",
                f"The goal is {length} words long: this may be an epic; consider splitting it.",
            )
        )
    if len(story.criteria) > MAX_SCENARIOS:
        findings.append(
            Finding(
                Check.ESTIMATABLE,
                "warning",
                f"{len(story.criteria)} scenarios (more than {MAX_SCENARIOS}): "
                "this may be an epic; consider splitting the story.",
            )
        )
    return findings


def lint_story(story: StoryDraft, notes: str | None = None) -> list[Finding]:
    """Every single-story check, in the order a reviewer reads a story.

    With `notes`, the role is also looked up in them (a persona the notes never mention)."""
    return [
        *role_findings(story, notes),
        *well_formed(story),
        *atomic(story),
        *minimal(story),
        *unambiguous(story),
        *estimatable(story),
        *acceptance_criteria(story),
    ]


def lint_batch(
    stories: Sequence[StoryDraft],
    *,
    duplicates: Sequence[DuplicateMatch] | None = None,
    notes: str | None = None,
) -> list[list[Finding]]:
    """Lint each story, then add the checks that need the whole batch: uniform and unique.

    `duplicates` lets a caller that already ran `find_duplicates` with the backlog and an
    embedding similarity pass its matches in; without it, duplicates are looked for within the
    batch by text alone.
    """
    matches = find_duplicates(stories) if duplicates is None else duplicates
    per_story = [lint_story(story, notes) for story in stories]
    for findings, extra in zip(per_story, uniform(stories), strict=True):
        findings.extend(extra)
    for findings, extra in zip(per_story, duplicate_findings(matches, len(stories)), strict=True):
        findings.extend(extra)
    return per_story
