"""Quality User Story lint (Lucassen et al., 2016): one function per criterion a machine can check.

Each check takes one `StoryDraft` and returns `Finding`s worded for the reviewer who decides
whether to approve it. The checks are heuristics over word lists (see `vocab.py`), tuned to miss
rather than nag: a reviewer who sees false alarms on every story stops reading them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .criteria import acceptance_criteria, vague_in_thens
from .duplicates import DuplicateMatch, duplicate_findings, find_duplicates
from .shape import benefit_text, goal_text, is_task, uniform
from .text import found_phrases, normalise, phrase_pattern, words
from .types import Check, Finding, StoryDraft
from .vocab import (
    ABBREVIATIONS,
    ACTION_VERBS,
    CLAUSE_FILLERS,
    CONJUNCTIONS,
    FIXED_PAIRS,
    GENERIC_ROLES,
    TEMPLATE_INDICATORS,
    UNKNOWN_ROLES,
    VAGUE_WORDS,
)

MAX_GOAL_WORDS = 25
MAX_SCENARIOS = 8

_CONJUNCTION = phrase_pattern(CONJUNCTIONS, flags=re.IGNORECASE)
_FIXED = phrase_pattern(FIXED_PAIRS, flags=re.IGNORECASE)
_FILLERS = sorted((f.split() for f in CLAUSE_FILLERS), key=len, reverse=True)
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}")
_TRAILING_NOTE = re.compile(r"\s-{1,2}\s|;")
_SENTENCE_BREAK = re.compile(r"[.!?]\s+\S")
_ABBREVIATIONS = phrase_pattern(ABBREVIATIONS)
_INDICATORS = phrase_pattern(TEMPLATE_INDICATORS)
_VAGUE = phrase_pattern(VAGUE_WORDS)


def well_formed(story: StoryDraft) -> list[Finding]:
    """A role and a means must be there; an unknown or generic role is pointed out."""
    findings: list[Finding] = []
    role = normalise(story.role)
    if not goal_text(story):
        findings.append(
            Finding(Check.WELL_FORMED, "error", 'The story has no goal (the "I want …" part).')
        )
    if not role:
        findings.append(
            Finding(Check.WELL_FORMED, "error", 'The story names no role (the "As a …" part).')
        )
    elif role in UNKNOWN_ROLES:
        findings.append(
            Finding(
                Check.WELL_FORMED,
                "warning",
                f'The notes name no role ("{story.role.strip()}"): ask who needs this.',
            )
        )
    elif role in GENERIC_ROLES:
        findings.append(
            Finding(
                Check.WELL_FORMED,
                "info",
                f'The role "{story.role.strip()}" is generic: name the kind of user if known.',
            )
        )
    if is_task(story):
        findings.append(
            Finding(
                Check.WELL_FORMED,
                "warning",
                f'The goal reads like a developer task ("{goal_text(story)}"), '
                "not something a user wants to do.",
            )
        )
    return findings


def atomic(story: StoryDraft) -> list[Finding]:
    """Flag a goal whose conjunction joins two features.

    A conjunction splits the goal when the text before it (since the last split) has at least
    two words, and the text after it (up to the next conjunction) has at least two words and,
    after fillers such as "also", "then", "I can", starts with an action verb from
    `vocab.ACTION_VERBS`. So "export the report to PDF and email it" is split, while
    "invoices and credit notes", "by date or status" and fixed pairs like "drag and drop" are
    not.
    """
    goal = " ".join(goal_text(story).split())
    fixed = [m.span() for m in _FIXED.finditer(goal)]
    joints = [
        m
        for m in _CONJUNCTION.finditer(goal)
        if not any(start <= m.start() < end for start, end in fixed)
    ]
    parts: list[str] = []
    used: list[str] = []
    segment_start = 0
    for index, joint in enumerate(joints):
        left = goal[segment_start : joint.start()]
        right_end = joints[index + 1].start() if index + 1 < len(joints) else len(goal)
        right = goal[joint.end() : right_end]
        if len(words(left)) >= 2 and _starts_feature(words(right)):
            parts.append(left.strip(" ,;"))
            used.append(joint.group(0).lower())
            segment_start = joint.end()
    if not parts:
        return []
    parts.append(goal[segment_start:].strip(" ,;"))
    joined = ", ".join(f'"{p}"' for p in parts[:-1]) + f' and "{parts[-1]}"'
    how = " / ".join(f'"{c}"' for c in dict.fromkeys(used))
    count = "two features" if len(parts) == 2 else f"{len(parts)} features"
    return [
        Finding(
            Check.ATOMIC,
            "warning",
            f"The goal joins {count} with {how}: consider splitting {joined}.",
        )
    ]


def _starts_feature(tokens: list[str]) -> bool:
    """Whether the words after a conjunction begin a second means (verb plus something)."""
    stripped = True
    while stripped and tokens:
        stripped = False
        for filler in _FILLERS:
            if tokens[: len(filler)] == filler:
                tokens = tokens[len(filler) :]
                stripped = True
                break
    return len(tokens) >= 2 and tokens[0] in ACTION_VERBS


def minimal(story: StoryDraft) -> list[Finding]:
    """Flag anything in the story sentence beyond role, means and end.

    Brackets, "e.g."/"i.e."/"f.eks.", notes after a dash or semicolon, a second sentence, and
    template words repeated inside a part ("so that" inside the goal). "etc." is left to the
    unambiguous check, which names it as a vague word, so it is not reported twice.
    """
    findings: list[Finding] = []
    for part, text in (
        ("role", story.role),
        ("goal", goal_text(story)),
        ("benefit", story.benefit),
    ):
        problems: list[str] = []
        problems += [f'a bracketed note "{b}"' for b in _BRACKETS.findall(text)]
        problems += [f'the abbreviation "{a}"' for a in found_phrases(_ABBREVIATIONS, text)]
        if _TRAILING_NOTE.search(text):
            problems.append("a note after a dash or semicolon")
        if _SENTENCE_BREAK.search(_ABBREVIATIONS.sub("", normalise(text))):
            problems.append("more than one sentence")
        problems += [f'the template words "{w}"' for w in found_phrases(_INDICATORS, text)]
        if problems:
            findings.append(
                Finding(
                    Check.MINIMAL,
                    "warning",
                    f"The {part} has {', '.join(problems)}: keep it to one plain sentence "
                    "and move the details to the acceptance criteria.",
                )
            )
    return findings


def unambiguous(story: StoryDraft) -> list[Finding]:
    """Name the vague words in the goal, the benefit and each Then."""
    places = [
        (part, found_phrases(_VAGUE, text))
        for part, text in (("goal", goal_text(story)), ("benefit", benefit_text(story)))
    ]
    places += [(f"Then of scenario {n}", found) for n, found in vague_in_thens(story)]
    return [
        Finding(
            Check.UNAMBIGUOUS,
            "warning",
            f"Vague words in the {part}: {_quoted(found)}. "
            "Replace them with something a tester can check.",
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


def lint_story(story: StoryDraft) -> list[Finding]:
    """Every single-story check, in the order a reviewer reads a story."""
    return [
        *well_formed(story),
        *atomic(story),
        *minimal(story),
        *unambiguous(story),
        *estimatable(story),
        *acceptance_criteria(story),
    ]


def lint_batch(
    stories: Sequence[StoryDraft], *, duplicates: Sequence[DuplicateMatch] | None = None
) -> list[list[Finding]]:
    """Lint each story, then add the checks that need the whole batch: uniform and unique.

    `duplicates` lets a caller that already ran `find_duplicates` with the backlog and an
    embedding similarity pass its matches in; without it, duplicates are looked for within the
    batch by text alone.
    """
    matches = find_duplicates(stories) if duplicates is None else duplicates
    per_story = [lint_story(story) for story in stories]
    for findings, extra in zip(per_story, uniform(stories), strict=True):
        findings.extend(extra)
    for findings, extra in zip(per_story, duplicate_findings(matches, len(stories)), strict=True):
        findings.extend(extra)
    return per_story
