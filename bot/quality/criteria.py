"""Acceptance criteria shape: Given/When/Then, one When per scenario, a Then a tester can see.

A developer in another time zone builds from these scenarios without asking, so each one must
describe a single trigger and an outcome someone can observe. "Then it works correctly" cannot be
tested; "Then the invoice shows status Paid" can.
"""

from __future__ import annotations

import re

from bot.domain import Criterion

from .text import STOPWORDS, found_phrases, normalise, phrase_pattern, words
from .types import Check, Finding, StoryDraft
from .vocab import GENERIC_SUBJECTS, NON_OBSERVABLE, OBSERVABLE_WORDS, VAGUE_WORDS

_KEYWORD = re.compile(r"^\s*(?:given|when|then|and|gitt|når|så)\b[\s,:]*", re.IGNORECASE)
_SECOND_WHEN = re.compile(r"(?<![\w-])(?:and|or|then|og|eller|så)\s+(?:when|når)(?![\w-])")
# "when" inside a Then usually starts a second scenario; "the date when it was paid" does not.
_WHEN_IN_THEN = re.compile(
    r"(?<!date )(?<!time )(?<!day )(?<!dato )(?<!dag )(?<![\w-])(?:when|når)(?![\w-])"
)
_NON_OBSERVABLE = phrase_pattern(NON_OBSERVABLE)
_OBSERVABLE = phrase_pattern(OBSERVABLE_WORDS)
_VAGUE = phrase_pattern(VAGUE_WORDS)


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
    findings: list[Finding] = []
    label = f"Scenario {number}"
    if not given:
        findings.append(
            Finding(Check.CRITERIA, "warning", f'{label} has no "Given": state the starting point.')
        )
    for name, text in (("When", when), ("Then", then)):
        if not text:
            findings.append(Finding(Check.CRITERIA, "error", f'{label} has no "{name}".'))
    if _SECOND_WHEN.search(normalise(when)):
        findings.append(
            Finding(
                Check.CRITERIA,
                "warning",
                f'{label} has more than one "When" ("{when}"): give each trigger its own scenario.',
            )
        )
    if _WHEN_IN_THEN.search(normalise(then)):
        findings.append(
            Finding(
                Check.CRITERIA,
                "warning",
                f'The Then of {label.lower()} contains another "when" ("{then}"): '
                "split it into a scenario of its own.",
            )
        )
    if then and not observable(then):
        findings.append(
            Finding(
                Check.CRITERIA,
                "warning",
                f'The Then of {label.lower()} ("{then}") names no outcome a tester can see: '
                "say what is shown, sent, saved or refused.",
            )
        )
    return findings


def observable(then: str) -> bool:
    """Whether a Then clause names something a tester could see happen.

    Deliberately modest: a Then fails only when, once generic subjects ("it", "the system"),
    function words, vague words and "works / is handled / correctly" are taken away, nothing is
    left; or when it says something "works" or "is handled" without any sign of an outcome
    (shown, sent, saved, an error message…). Anything more specific gets the benefit of the doubt.
    """
    text = normalise(then)
    if _OBSERVABLE.search(text):
        return True
    if _NON_OBSERVABLE.search(text):
        return False
    leftover = _VAGUE.sub(" ", text)
    return any(w not in STOPWORDS and w not in GENERIC_SUBJECTS for w in words(leftover))


def vague_in_thens(story: StoryDraft) -> list[tuple[int, list[str]]]:
    """(scenario number, vague words) for each Then that uses vague words."""
    hits = []
    for number, criterion in enumerate(story.criteria, start=1):
        found = found_phrases(_VAGUE, criterion.then)
        if found:
            hits.append((number, found))
    return hits
