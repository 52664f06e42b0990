"""Acceptance criteria shape: Given/When/Then, one When per scenario, a Then a tester can see.

A developer in another time zone builds from these scenarios without asking, so each one must
describe a single trigger and an outcome someone can observe. "Then it works correctly" cannot be
tested; "Then the invoice shows status Paid" can.
"""

from __future__ import annotations

import re

from bot.domain.stories import Criterion

from .clauses import coordinated_action, given_is_action
from .text import STOPWORDS, fold, found_phrases, normalise, phrase_pattern, words
from .types import Check, Finding, StoryDraft
from .vague import vague_words
from .verbs import ACTION_FORMS, ALL_VERBS
from .vocab import (
    ABSOLUTES,
    FEELINGS,
    GENERIC_SUBJECTS,
    NON_OBSERVABLE,
    OBSERVABLE_WORDS,
    VAGUE_WORDS,
)

_KEYWORD = re.compile(r"^\s*(?:given|when|then|and|gitt|når|så)\b[\s,:]*", re.IGNORECASE)
_SECOND_WHEN = re.compile(r"(?<![\w-])(?:and|or|then|og|eller|så)\s+(?:when|når)(?![\w-])")
# "when" inside a Then usually starts a second scenario; "the date when it was paid" does not.
_WHEN_IN_THEN = re.compile(
    r"(?<!date )(?<!time )(?<!day )(?<!dato )(?<!dag )(?<![\w-])(?:when|når)(?![\w-])"
)
# Text the product shows ("a message 'Saved'") may say anything: it is not the Then's claim.
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'(?!\w)")
_NON_OBSERVABLE = phrase_pattern(NON_OBSERVABLE)
_OBSERVABLE = phrase_pattern(OBSERVABLE_WORDS)
_FEELINGS = phrase_pattern(FEELINGS)
_ABSOLUTES = phrase_pattern(ABSOLUTES)
_VAGUE = phrase_pattern(VAGUE_WORDS)
_NUMBER = re.compile(r"\d")
# What a message or prompt says is shown text, not the Then's own claim: "asks whether the
# user wants to save", "lets the driver know", "a message says the slot is always free".
_REPORTED = re.compile(
    r"\b(?:asks?|asked|prompts?|prompted|says?|tells?|reads|stating|saying|spør|sier|står)\b.*"
    r"|\blets?\s+(?:\w+\s+){0,2}know\b"
)
_NON_OBSERVABLE_WORDS = frozenset(w for phrase in NON_OBSERVABLE for w in phrase.split())
# Participles and passives of action verbs: "exported", "booked", "avbestilles", "sendt".
_RESULTS = (
    frozenset(
        form
        for form in ACTION_FORMS
        if form.endswith(("ed", "es", "et", "te", "t", "en")) and form not in ALL_VERBS
    )
    - _NON_OBSERVABLE_WORDS
)


def strip_keyword(clause: str) -> str:
    """The clause without a leading "Given"/"When"/"Then" the model may have repeated."""
    return _KEYWORD.sub("", clause, count=1).strip()


def acceptance_criteria(story: StoryDraft) -> list[Finding]:
    """Check every scenario of `story` for shape, a single When and an observable Then."""
    if not story.criteria:
        return [
            Finding(
                Check.CRITERIA,
                "error",
                "No acceptance criteria: add at least one Given/When/Then scenario.",
            )
        ]
    findings: list[Finding] = []
    for number, criterion in enumerate(story.criteria, start=1):
        findings.extend(_scenario(number, criterion))
    return findings


def _scenario(number: int, criterion: Criterion) -> list[Finding]:
    given, when, then = (
        strip_keyword(c) for c in (criterion.given, criterion.when, criterion.then)
    )
    label = f"scenario {number}"
    findings: list[Finding] = []

    def warn(message: str) -> None:
        findings.append(Finding(Check.CRITERIA, "warning", message))

    if not given:
        warn(f'Scenario {number} has no "Given": state the starting point.')
    elif given_is_action(given):
        warn(
            f'The Given of {label} ("{given}") is an action, not a starting state: describe '
            'the state before it (e.g. "an invoice exists") and move the action to the When.'
        )
    for name, text, what in (
        ("When", when, "the one action that triggers the outcome"),
        ("Then", then, "the outcome a tester should see"),
    ):
        if not text:
            findings.append(
                Finding(Check.CRITERIA, "error", f'Scenario {number} has no "{name}": add {what}.')
            )
    if _SECOND_WHEN.search(normalise(when)) or coordinated_action(when):
        warn(
            f'The When of {label} does more than one thing ("{when}"): '
            "keep one action and give the other its own scenario."
        )
    if _WHEN_IN_THEN.search(normalise(then)):
        warn(
            f'The Then of {label} contains another "when" ("{then}"): '
            "split it into a scenario of its own."
        )
    problem = untestable_then(then) if then else None
    if problem:
        findings.append(
            Finding(Check.TESTABLE, "warning", f'The Then of {label} ("{then}") {problem}.')
        )
    return findings


def untestable_then(then: str) -> str | None:
    """Why a Then clause cannot be checked by a test, or None when it can.

    Feelings, knowledge and intent ("the manager feels confident") and absolute claims
    ("never", "always", "alltid") fail even next to an observable word, since that part of the
    claim stays untestable. Otherwise the Then fails only when it names no outcome at all.
    """
    claim = _REPORTED.sub(" ", _QUOTED.sub(" ", fold(then)))
    feelings = found_phrases(_FEELINGS, claim)
    if feelings:
        return (
            f"is about what someone feels, knows or intends ({_listed(feelings)}): "
            "say what they see or receive instead"
        )
    absolutes = found_phrases(_ABSOLUTES, claim)
    if absolutes:
        return (
            f"makes an absolute claim no test can prove ({_listed(absolutes)}): "
            "state the outcome for the situation in this scenario"
        )
    if not observable(then):
        return "names no outcome a tester can see: say what is shown, sent, saved or refused"
    return None


def _listed(found: list[str]) -> str:
    return ", ".join(f'"{w}"' for w in found)


def observable(then: str) -> bool:
    """Whether a Then clause names something a tester could see happen.

    An outcome word (shown, sent, saved, an error message, a number) makes it observable.
    Without one, it fails when it only says something "works", "is processed" or "is better",
    or when nothing is left once generic subjects ("it", "the system"), function words and
    vague words are taken away. Anything more specific gets the benefit of the doubt.
    """
    text = normalise(then)
    if _OBSERVABLE.search(text) or _NUMBER.search(text) or _QUOTED.search(then):
        return True
    if any(w in _RESULTS for w in words(text)):
        return True  # "the route is exported", "timen avbestilles": an action's visible result
    if _NON_OBSERVABLE.search(text):
        return False
    leftover = _VAGUE.sub(" ", text)
    return any(w not in STOPWORDS and w not in GENERIC_SUBJECTS for w in words(leftover))


def vague_in_thens(story: StoryDraft) -> list[tuple[int, list[str]]]:
    """(scenario number, vague words) for each Then that uses vague words."""
    hits = []
    for number, criterion in enumerate(story.criteria, start=1):
        found = vague_words(criterion.then)
        if found:
            hits.append((number, found))
    return hits
