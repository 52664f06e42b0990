"""QUS "atomic": a goal that joins two separately deliverable features.

A conjunction splits the goal when what follows it could be built and shipped on its own:

1. a second verb with its own object: "export the report to PDF and email it";
2. a second place or channel, a coordinated prepositional phrase: "show the total on the
   invoice and in the monthly report", "varsle på SMS og i appen";
3. a second thing to build: after "and", a noun phrase with its own determiner headed by an
   artefact noun (report, dashboard, map …): "see late orders and a weekly summary email".

Coordinated bare nouns ("invoices and credit notes", "by date or status") describe one feature
and stay whole, as do the fixed pairs of `vocab.FIXED_PAIRS` ("drag and drop", "navn og
adresse").
"""

from __future__ import annotations

from .clauses import DETERMINERS, second_verb_at, tokens
from .shape import goal_text
from .text import fold, phrase_pattern
from .types import Check, Finding, StoryDraft
from .verbs import verb_forms
from .vocab import ARTEFACT_NOUNS, ONE_UNIT, PREPOSITIONS, TIME_WORDS

JOINERS = frozenset(("and", "or", "&", "plus", "og", "eller", "samt"))
_PHRASE_JOINERS = (("as", "well", "as"), ("i", "tillegg", "til"))
_RANGE_OPENERS = frozenset(("between", "from", "mellom", "fra"))
# Before "and", a channel or recipient also sets up a second place: "by email and in the app".
_LEFT_PREPOSITIONS = PREPOSITIONS | {"by", "to", "from", "per", "as", "til", "fra", "med"}
_ONE_UNIT = phrase_pattern(ONE_UNIT)
_RIGHT_PREPOSITIONS = PREPOSITIONS | {"by", "per"}
# "filter by client and by status": after these verbs, "by"/"på"/"etter" phrases are the
# criteria of one feature, not two places.
_CRITERIA_BASES = frozenset(
    ("filter", "sort", "search", "group", "order", "rank", "find", "list", "count",
     "filtrere", "sortere", "søke", "gruppere", "finne", "telle")
)  # fmt: skip
_CRITERIA_VERBS = verb_forms(_CRITERIA_BASES)
_CRITERIA_PREPOSITIONS = frozenset(("by", "på", "etter"))
# A new thing after "and" ("a banner", "en strekkode") placed or sourced on its own ("on the
# front page", "fra lønnssystemet") is a second deliverable.
_INDEFINITE = frozenset(("a", "an", "en", "et", "ei", "new", "ny", "nytt", "nye"))
_OWN_PLACE = frozenset(
    ("on", "in", "at", "from", "into", "onto", "by", "via", "på", "i", "fra", "hos", "via")
)
# A noun phrase ends at a preposition or at a time clause ("a warning letter after …").
_NOUN_END = frozenset(
    ("of", "for", "with", "when", "if", "on", "in", "at", "to", "from", "by", "after",
     "before", "until", "av", "med", "over", "per", "ved", "når", "hvis", "på", "i", "til",
     "fra", "etter", "før", "innen")
)  # fmt: skip


def _is_artefact(word: str) -> bool:
    """An artefact noun, plural, Norwegian definite or ending a compound ("månedsrapporten")."""
    low = word.casefold().replace("-", "")
    for noun in ARTEFACT_NOUNS:
        if low.endswith(noun) or low.endswith(noun + "s"):
            return True
        for ending in ("en", "et", "a", "er", "ene", "ne"):
            if low.endswith(noun + ending) or (noun.endswith("e") and low.endswith(noun + "n")):
                return True
    return False


def _head(part: list[str]) -> str | None:
    """The head noun of a noun phrase: its last word before "of"/"for"/"with" or the end."""
    words = [w.casefold() for w in part]
    for index, word in enumerate(words):
        if index and word in _NOUN_END:
            return words[index - 1]
    return words[-1] if words else None


def _second_place(left: list[str], right: list[str]) -> bool:
    low_left = [w.casefold() for w in left]
    low_right = [w.casefold() for w in right]
    if len(low_right) < 2 or low_right[0] not in _RIGHT_PREPOSITIONS:
        return False
    if any(w in _RANGE_OPENERS for w in low_left[-3:]):
        return False  # "between the start and the end date"
    if _head(right[1:]) in TIME_WORDS or low_right[-1] in TIME_WORDS:
        return False  # "today and in the evening" is when, not where
    if low_right[0] in _CRITERIA_PREPOSITIONS and any(w in _CRITERIA_VERBS for w in low_left):
        return False
    last_prep = max((i for i, w in enumerate(low_left) if w in _LEFT_PREPOSITIONS), default=-1)
    # A repeated preposition marks two separate things ("by SMS and by email"); one list of
    # bare nouns shares its preposition ("by date and status") and never gets here.
    return 0 <= last_prep < len(low_left) - 1


def _definite_artefact(word: str) -> bool:
    low = word.casefold()
    return _is_artefact(low) and low.endswith(("en", "et", "ene", "a")) and len(low) >= 6


def _second_thing(left: list[str], right: list[str]) -> bool:
    if left and right and _definite_artefact(left[-1]) and _definite_artefact(right[0]):
        return True  # "se ruteoversikten og sjåførlisten": two Norwegian definite artefacts
    if len(right) < 2 or right[0].casefold() not in DETERMINERS | {"new", "ny", "nytt", "nye"}:
        return False
    low_right = [w.casefold() for w in right]
    if low_right[0] in _INDEFINITE and any(w in _OWN_PLACE for w in low_right[2:]):
        return True
    # The left side is already a means of its own (the caller checked it has two words), so a
    # determiner-led artefact after "and" is a second thing to build.
    right_head = _head(right)
    return right_head is not None and _is_artefact(right_head)


def _joints(words: list[str]) -> list[tuple[int, int]]:
    """(start, end) token spans of each conjunction in `words`."""
    spans: list[tuple[int, int]] = []
    low = [w.casefold() for w in words]
    for index, word in enumerate(low):
        if word in JOINERS:
            spans.append((index, index + 1))
        for phrase in _PHRASE_JOINERS:
            if tuple(low[index : index + len(phrase)]) == phrase:
                spans.append((index, index + len(phrase)))
    return spans


def split_goal(goal: str) -> list[str]:
    """The goal cut into the separately deliverable features it joins (one part if atomic)."""
    if _ONE_UNIT.search(fold(goal)):
        return [goal]  # "the map and the list side by side" asks for one combined view
    words = tokens(goal)
    joints = _joints(words)
    parts: list[str] = []
    start = 0
    for number, (j_start, j_end) in enumerate(joints):
        left = words[start:j_start]
        right_end = joints[number + 1][0] if number + 1 < len(joints) else len(words)
        right = words[j_end:right_end]
        if len(left) < 2:
            continue
        if (
            second_verb_at(words[:right_end], j_end, agree_s=False)
            or _second_place(left, right)
            or _second_thing(left, right)
        ):
            parts.append(" ".join(left))
            start = j_end
    if not parts:
        return [goal]
    parts.append(" ".join(words[start:]))
    return [p.replace("_", " ") for p in parts]


def atomic(story: StoryDraft) -> list[Finding]:
    """A finding when the goal joins features that could each be a story of their own."""
    parts = split_goal(goal_text(story))
    if len(parts) < 2:
        return []
    joined = ", ".join(f'"{p}"' for p in parts[:-1]) + f' and "{parts[-1]}"'
    count = "two features" if len(parts) == 2 else f"{len(parts)} features"
    return [
        Finding(
            Check.ATOMIC,
            "warning",
            f"The goal joins {count}: split it into {joined}, one story each.",
        )
    ]
