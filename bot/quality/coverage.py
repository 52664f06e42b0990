"""Needs in the notes that no drafted story picked up, and the points the notes leave open.

The model drafts what it noticed; the reviewer needs to know what it skipped. Sentences that
state a need (see `needs.py`) and that no story cites or restates are listed, in the order of
the notes, so the reviewer can add a story or decide the sentence was not a need. Questions and
undecided points are listed apart, as open items for the client: no story can cover them yet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .cues import NEED_CUES
from .needs import classify, classify_notes
from .sentences import NoteSentence, note_sentences, split_sentences, strip_speaker
from .shape import goal_text
from .synonyms import canonical, canonical_parts, canonical_text
from .text import STOPWORDS, contains_sequence, content_words, normalise, words
from .types import StoryDraft
from .verbs import ALL_VERBS
from .vocab import FILLER_WORDS, PREPOSITIONS

__all__ = ["merge_questions", "open_items", "split_sentences", "states_need", "uncovered_needs"]

_CUE_WORDS = {w for cue in NEED_CUES for w in words(cue)}
_SUBJECTS = set(words("client clients customer customers user users team kunden kundene brukerne"))
# Spoken filler around a need: "Oh, one more thing, …", "Og så …".
_DISCOURSE = set(words("oh ok okay um uh well one more thing also so og også altså ja keep keeps"))

_ACTIONS = frozenset(canonical(verb) for verb in ALL_VERBS)
_LIGHT = set(words("to å be able get gets få kunne have receive motta want like"))

QUOTE_OVERLAP = 0.6
"""Share of a sentence's content words (need cues and "the client"/"kunden" aside) that a
story's quote or goal must repeat to cover it. A goal must also share at least two words."""


def states_need(sentence: str) -> bool:
    """Whether a sentence, on its own, asks for something the product should do."""
    return classify(NoteSentence(sentence)) == "need"


def _kinds(notes: str) -> list[tuple[NoteSentence, str]]:
    sentences = note_sentences(notes)
    return list(zip(sentences, classify_notes(sentences), strict=True))


def uncovered_needs(notes: str, stories: Sequence[StoryDraft]) -> list[str]:
    """Need sentences of `notes` that no story cites in a quote or restates in its goal."""
    quotes = [words(part) for story in stories for q in story.source_quotes for part in _parts(q)]
    goals = [_Goal.of(story) for story in stories]
    uncovered: list[str] = []
    seen: set[str] = set()
    for sentence, kind in _kinds(notes):
        key = normalise(sentence.text)
        if key in seen or kind != "need":
            continue
        seen.add(key)
        if not _covered(strip_speaker(sentence.text), quotes, goals):
            uncovered.append(sentence.text)
    return uncovered


def open_items(notes: str) -> list[str]:
    """Questions and undecided points of `notes`, in order, each once."""
    found: dict[str, str] = {}
    for sentence, kind in _kinds(notes):
        if kind == "open":
            found.setdefault(normalise(sentence.text), sentence.text)
    return list(found.values())


def merge_questions(*lists: Sequence[str]) -> list[str]:
    """Several lists of questions as one, in order, dropping any that repeats an earlier one
    in other words (most of its content words already asked)."""
    merged: list[str] = []
    keys: list[set[str]] = []
    for question in (q for questions in lists for q in questions):
        key = content_words(strip_speaker(question))
        if any(key and other and len(key & other) / min(len(key), len(other)) >= 0.75
               for other in keys):  # fmt: skip
            continue
        merged.append(question)
        keys.append(key)
    return merged


def _topic(text: str, ignore: set[str]) -> set[str]:
    """Content words mapped onto synonyms, so an English goal covers a Norwegian need."""
    skip = STOPWORDS | ignore
    return {
        key
        for w in words(canonical_text(text))
        if len(w) > 1 and w not in skip
        for key in canonical_parts(w)
    }


def _parts(quote: str) -> list[str]:
    return [p for p in normalise(quote).split("...") if p.strip()]


@dataclass(frozen=True)
class _Goal:
    """What a story's goal asks for, its main action, and the words of its role."""

    topic: set[str]
    action: str | None
    role: set[str]

    @classmethod
    def of(cls, story: StoryDraft) -> _Goal:
        goal = goal_text(story)
        # Goals open with their verb ("avbestille en time"), after any light verb ("get").
        first = next((w for w in words(canonical_text(goal)) if w not in _LIGHT), "")
        action = canonical(first) if canonical(first) in _ACTIONS else None
        return cls(_topic(goal, set()), action, _topic(story.role, set()))


# Where a sentence's main clause ends and a qualification begins: "Show how full the bus is,
# at least on the busy lines".
_CLAUSE_END = re.compile(r"[,;:\u2013\u2014]|\s-\s")


def _main_clause(sentence: str) -> list[str]:
    return words(_CLAUSE_END.split(sentence, maxsplit=1)[0])


def _shared(need: set[str], goal: set[str]) -> set[str]:
    """The need's words the goal repeats, a compound counting for its head word ("glemt" in
    "gjenglemt", "kort" in "stempelkort"): stories shorten the notes' compounds."""
    return {
        word
        for word in need
        if word in goal
        or any(len(g) >= 4 and len(word) > len(g) and word.endswith(g) for g in goal)
    }


def _covered(sentence: str, quotes: list[list[str]], goals: list[_Goal]) -> bool:
    tokens = words(sentence)
    ignore = _CUE_WORDS | _SUBJECTS | _DISCOURSE | PREPOSITIONS | FILLER_WORDS
    topic = _topic(sentence, ignore)
    main = _main_clause(sentence)
    for quote in quotes:
        if not quote:
            continue
        if contains_sequence(quote, tokens):
            return True  # the quote spans the whole sentence
        if len(main) >= 3 and len(main) < len(tokens) and contains_sequence(quote, main):
            return True  # the quote is the sentence's main clause, without its qualification
        if 2 * len(quote) >= len(tokens) and contains_sequence(tokens, quote):
            return True  # the quote is most of this sentence
        quoted = _topic(" ".join(quote), ignore)
        if topic and len(topic & quoted) / len(topic) >= QUOTE_OVERLAP:
            return True
    # The need's subject is the story's role ("Pasientene må …" and a story "as a pasient"):
    # the goal restates the rest. A need asking for another action is another need: "avbestille
    # timen" is not covered by "se timene".
    actions = topic & _ACTIONS
    for goal in goals:
        rest = topic - goal.role
        if not rest:
            continue
        shared = _shared(rest, goal.topic)
        same_action = goal.action is None or goal.action in topic or actions <= goal.topic
        if len(shared) >= 2 and len(shared) / len(rest) >= QUOTE_OVERLAP and same_action:
            return True
    return False
