"""Is each quote a story cites really in the notes?

The model is asked to copy the words a story came from. Models paraphrase, translate and invent,
so the claim is checked here rather than trusted: a story whose quotes cannot be found in the
notes is *unsupported*, and the reviewer is told so before they approve anything.

Matching is on word tokens of the normalised text (see `text.normalise`): case, whitespace, line
breaks, bullets, curly quotes and punctuation between words do not matter, but every word must
be there, in order, whole. "port the report" does not match inside "export the report".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .text import normalise, positions, words
from .types import Check, Finding

__all__ = ["MIN_QUOTE_WORDS", "QuoteCheck", "grounding_findings", "normalise", "verify_quotes"]

MIN_QUOTE_WORDS = 3
"""A quote shorter than this proves little: "the report" occurs in almost any notes."""

_MIN_TWO_WORD_LETTERS = 16
"""Two long words do ground a story: Norwegian compounds pack a phrase into one word, so
"fakturaer eksporteres" says as much as "invoices are exported"."""

MAX_ELISION_GAP = 50
"""How many words an "..." may stand for. An elided quote is one passage with a clause left
out, not fragments collected from all over the notes."""


@dataclass(frozen=True, slots=True)
class QuoteCheck:
    """The quotes of one story, sorted by what checking them against the notes found.

    verified: found in the notes and long enough to show where the story came from.
    missing: not found in the notes (invented, paraphrased or translated by the model).
    too_short: found, but too short to ground a story on its own (or empty).
    """

    verified: tuple[str, ...]
    missing: tuple[str, ...]
    too_short: tuple[str, ...] = ()

    @property
    def unsupported(self) -> bool:
        """True when nothing in the notes backs the story up."""
        return not self.verified


def verify_quotes(quotes: Iterable[str], notes: str) -> QuoteCheck:
    """Sort `quotes` into verified, missing and too short against `notes`.

    A quote may leave words out with "..." or "…" (also "[...]"); each fragment must then occur
    in the notes in the order given, at most `MAX_ELISION_GAP` words apart.
    """
    note_words = words(notes)
    verified: list[str] = []
    missing: list[str] = []
    too_short: list[str] = []
    for quote in quotes:
        fragments = [f for f in (words(part) for part in normalise(quote).split("...")) if f]
        if not fragments:
            too_short.append(quote)
        elif not _occurs(fragments, note_words):
            missing.append(quote)
        elif _too_short(fragments):
            too_short.append(quote)
        else:
            verified.append(quote)
    return QuoteCheck(tuple(verified), tuple(missing), tuple(too_short))


def _too_short(fragments: list[list[str]]) -> bool:
    tokens = [token for fragment in fragments for token in fragment]
    if len(tokens) >= MIN_QUOTE_WORDS:
        return False
    return len(tokens) < 2 or sum(len(t) for t in tokens) < _MIN_TWO_WORD_LETTERS


def _occurs(fragments: list[list[str]], note_words: list[str]) -> bool:
    """True when the fragments occur in order, each within the gap limit of the one before."""

    starts = [positions(note_words, fragment) for fragment in fragments]
    failed: set[tuple[int, int]] = set()  # (fragment, earliest start) already known to fail

    def place(index: int, earliest: int, latest: int) -> bool:
        if index == len(fragments):
            return True
        if (index, earliest) in failed:
            return False
        for start in starts[index]:
            if start < earliest:
                continue
            if start > latest:
                break
            end = start + len(fragments[index])
            if place(index + 1, end, end + MAX_ELISION_GAP):
                return True
        failed.add((index, earliest))
        return False

    return place(0, 0, len(note_words))


def grounding_findings(check: QuoteCheck) -> list[Finding]:
    """Findings for the reviewer: an error when the story is unsupported, notes otherwise."""
    findings: list[Finding] = []
    if check.unsupported:
        if check.missing or check.too_short:
            detail = "none of its quotes could be found in the notes word for word"
            if not check.missing:
                detail = "its quotes are too short to show where it came from"
        else:
            detail = "it cites no words from the notes"
        findings.append(
            Finding(
                Check.GROUNDED,
                "error",
                f"Unsupported: {detail}. Check the notes before approving.",
            )
        )
    for quote in check.missing:
        findings.append(
            Finding(
                Check.GROUNDED,
                "warning",
                f"Quote not found in the notes: {_show(quote)}. Copy the words exactly from the "
                "notes, or remove the quote.",
            )
        )
    if check.verified:
        for quote in check.too_short:
            findings.append(
                Finding(
                    Check.GROUNDED,
                    "info",
                    f"Quote too short to count as a source: {_show(quote)}. Quote the whole "
                    "phrase it comes from.",
                )
            )
    return findings


def _show(quote: str, limit: int = 120) -> str:
    """Quote text for a message, shortened so one long quote cannot flood the review card."""
    text = " ".join(quote.split())
    if not text:
        return "(empty quote)"
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return f'"{text}"'
