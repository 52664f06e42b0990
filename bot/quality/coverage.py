"""Needs in the notes that no drafted story picked up.

The model drafts what it noticed; the reviewer needs to know what it skipped. Sentences that
state a need ("we must…", "kunden ønsker…") and that no story cites or restates are listed, in
the order of the notes, so the reviewer can add a story or decide the sentence was not a need.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .shape import goal_text
from .text import contains_sequence, content_words, normalise, phrase_pattern, words
from .types import StoryDraft

NEED_CUES = (
    "must", "should", "need", "needs", "needed", "want", "wants", "would like", "we'd like",
    "they'd like", "has to", "have to", "require", "requires", "required", "requirement",
    "can we", "could we", "it would be good", "it would be nice", "it would be great",
    "should be possible", "should be able", "ask for", "asks for", "asked for", "wish",
    "important", "expect", "expects", "shall",
    "skal", "må", "bør", "trenger", "trengs", "ønsker", "ønske", "ønsket", "vil ha", "vil gjerne",
    "vil at", "vil kunne", "kunne tenke", "om vi kunne", "om de kunne", "om man kunne",
    "om brukerne kunne", "hadde vært fint", "hadde vært bra", "hadde vært nyttig", "behov",
    "krav", "savner", "mangler", "viktig",
)  # fmt: skip

NEGATED_NEEDS = (
    "don't need", "do not need", "doesn't need", "does not need", "no need", "not needed",
    "not required", "not a requirement", "don't want", "do not want", "out of scope",
    "trenger ikke", "trengs ikke", "ikke behov", "ikke nødvendig", "ikke et krav",
    "utenfor scope", "vil ikke ha",
)  # fmt: skip

_NEED = phrase_pattern(NEED_CUES)
_NEGATED = phrase_pattern(NEGATED_NEEDS)
_BULLET = re.compile(r"^\s*(?:[-*•·▪‣◦–—]|\d{1,3}[.)]|[a-zA-Z][.)](?=\s))\s*")
# A sentence ends at . ! or ? followed by space and a character that is not lower case:
# "3. mars" (a Norwegian date) and "ca. 20 fakturaer" stay whole.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=\S)")
_ABBREVIATION_END = re.compile(
    r"\b(?:e\.g|i\.e|etc|f\.eks|osv|dvs|bl\.a|ca|kl|mr|ms|dr|nr)\.$", re.IGNORECASE
)
_CUE_WORDS = {w for cue in NEED_CUES for w in words(cue)}
_SUBJECTS = set(words("client clients customer customers user users team kunden kundene brukerne"))

QUOTE_OVERLAP = 0.6
"""Share of a sentence's content words (need cues and "the client"/"kunden" aside) that a
story's quote or goal must repeat to cover it. A goal must also share at least two words."""


def split_sentences(notes: str) -> list[str]:
    """Split meeting notes into sentences, treating each bullet or numbered item as its own.

    A plain line that ends without punctuation and is followed by a line starting in lower case
    is a wrapped sentence and is joined to it; anything else on a new line starts a new one.
    """
    lines: list[str] = []
    for raw in notes.splitlines():
        bullet = bool(_BULLET.match(raw))
        text = _BULLET.sub("", raw, count=1).strip() if bullet else raw.strip()
        previous = lines[-1] if lines else ""
        if previous and text and not bullet and text[0].islower() and previous[-1] not in ".!?:":
            lines[-1] = f"{previous} {text}"
        else:
            lines.append(text)  # a blank line is kept, so nothing joins across it
    return [sentence for line in lines for sentence in _split_line(line)]


def _split_line(text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[start : match.start()].strip()
        if text[match.end()].islower() or _ABBREVIATION_END.search(candidate.rstrip("\"')]")):
            continue
        pieces.append(candidate)
        start = match.end()
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


def states_need(sentence: str) -> bool:
    """Whether a sentence asks for something: a need cue and no "we don't need" negation."""
    text = normalise(sentence)
    return len(words(text)) >= 3 and bool(_NEED.search(text)) and not _NEGATED.search(text)


def uncovered_needs(notes: str, stories: Sequence[StoryDraft]) -> list[str]:
    """Need sentences of `notes` that no story cites in a quote or restates in its goal."""
    quotes = [words(part) for story in stories for q in story.source_quotes for part in _parts(q)]
    goals = [content_words(goal_text(story)) for story in stories]
    uncovered: list[str] = []
    seen: set[str] = set()
    for sentence in split_sentences(notes):
        key = normalise(sentence)
        if key in seen or not states_need(sentence):
            continue
        seen.add(key)
        if not _covered(sentence, quotes, goals):
            uncovered.append(sentence)
    return uncovered


def _parts(quote: str) -> list[str]:
    return [p for p in normalise(quote).split("...") if p.strip()]


def _covered(sentence: str, quotes: list[list[str]], goals: list[set[str]]) -> bool:
    tokens = words(sentence)
    ignore = _CUE_WORDS | _SUBJECTS
    topic = content_words(sentence, ignore=ignore)
    for quote in quotes:
        if not quote:
            continue
        if contains_sequence(quote, tokens):
            return True  # the quote spans the whole sentence
        if 2 * len(quote) >= len(tokens) and contains_sequence(tokens, quote):
            return True  # the quote is most of this sentence
        quoted = content_words(" ".join(quote), ignore=ignore)
        if topic and len(topic & quoted) / len(topic) >= QUOTE_OVERLAP:
            return True
    return any(
        len(topic & goal) >= 2 and len(topic & goal) / len(topic) >= QUOTE_OVERLAP
        for goal in goals
        if topic
    )
