"""Synonyms and translations of everyday software words, for comparing two stories' wording.

Two drafts of one need rarely share their exact words: "download my bills" and "export the
invoices", or a Norwegian story against an English backlog ("se forfalte fakturaer" and "view
overdue invoices"). Each group of `lexicon.py` maps onto its first word, and so does each
group of the general vocabulary in `lexicon_general.py`, unless one of its words already
belongs to a group: then the whole general group joins that group. Compounds, genitives and
cognate spellings are mapped too.
"""

from __future__ import annotations

import re
from functools import cache

from .lexicon import GROUPS
from .lexicon import PHRASES as _PHRASES
from .lexicon_general import GENERAL_GROUPS, GENERAL_PHRASES
from .text import fold, phrase_pattern, stem

# English and Norwegian spell shared Latin and Greek words differently: "receptionist" and
# "resepsjonist", "contract" and "kontrakt", "administration" and "administrasjon".
_COGNATE_SPELLING = (
    (re.compile(r"tion"), "sjon"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"ck|c|q"), "k"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"th"), "t"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"y\Z"), "i"),
)


def cognate(word: str) -> str:
    """`word` in Norwegian spelling of an international word, so cognates compare equal."""
    for pattern, replacement in _COGNATE_SPELLING:
        word = pattern.sub(replacement, word)
    return word


# The project's phrases win over the general vocabulary's.
PHRASES = {**GENERAL_PHRASES, **_PHRASES}

# Inflection endings that look like words of the lexicon once stemmed ("-ene", "-ing").
_ENDINGS = frozenset(("ene", "ing", "ings", "ers", "ane"))


@cache
def _canon() -> dict[str, str]:
    table: dict[str, str] = {}
    for group in GROUPS:
        members = group.split()
        for word in members:
            table.setdefault(stem(word), stem(members[0]))
    # A general group joins the group of its first word that is already known ("close stenge
    # shut" joins "close lukke"); words known elsewhere keep their group.
    for group in GENERAL_GROUPS:
        keys = [stem(word) for word in group.split()]
        head = next((table[key] for key in keys if key in table), keys[0])
        for key in keys:
            table.setdefault(key, head)
    # A group whose first word stems like a word of an earlier group joins that group:
    # "dispatcher disponent" follows "dispatch" wherever that went.
    for key, value in list(table.items()):
        seen = {key}
        while table.get(value, value) != value and value not in seen:
            seen.add(value)
            value = table[value]
        table[key] = value
    for key, value in list(table.items()):
        table.setdefault(cognate(key), value)
    return table


# The general vocabulary's short stems ("rate", "ring", "les") end too many unrelated words
# ("accurate", "engineering", "modules") for a compound to be split on them.
_SHORTEST_GENERAL_TAIL = 5


@cache
def _core_keys() -> frozenset[str]:
    """The stems of the words of `lexicon.py`, and their cognate spellings."""
    core = {stem(word) for group in GROUPS for word in group.split()}
    return frozenset(core | {cognate(key) for key in core})


@cache
def _tails() -> frozenset[str]:
    """Stems a compound may end with: those of `lexicon.py`, and the longer general ones."""
    core = _core_keys()
    return frozenset(k for k in _canon() if k in core or len(k) >= _SHORTEST_GENERAL_TAIL)


_PHRASE = phrase_pattern(PHRASES)


def canonical_text(text: str) -> str:
    """`text` folded, with multi-word synonyms ("laste ned", "log in") replaced by one word."""
    return _PHRASE.sub(lambda m: PHRASES[m.group(0)], fold(text))


def canonical_parts(word: str) -> tuple[str, ...]:
    """`canonical(word)`, or the canonical parts of a compound whose tail is a known word:
    "telefonnummer" -> ("phone", "number"), "fakturaliste" -> ("invoice", "list"). A short
    word splits only when its head is known too ("ukeplan"), so "welcome" stays whole."""
    key = canonical(word)
    table = _canon()
    tails = _tails()
    if key in table.values() or len(word) < 7:
        return (key,)

    def split(head: str, known: str) -> tuple[str, ...] | None:
        # Without the linking -s- or -e- of "innleverings|frist", "syke|fravær" when that
        # leaves a known word.
        unlinked = head[:-1] if head.endswith(("s", "e")) else head
        bare = next((h for h in (head, unlinked) if stem(h) in table), head.rstrip("s"))
        if len(bare) < 3 or (len(word) < 8 and stem(bare) not in table):
            return None
        return (canonical(bare), table[known])

    folded = fold(word)
    for size in range(len(folded) - 3, 2, -1):
        head, tail = folded[:-size], folded[-size:]
        if stem(tail) in tails and tail not in _ENDINGS and (found := split(head, stem(tail))):
            return found  # "team|leder"
    stemmed = stem(word)
    for size in range(len(stemmed) - 3, 2, -1):
        head, tail = stemmed[:-size], stemmed[-size:]
        # The stemmer took the tail's final "e" with its ending: "portkoden" -> "portkod".
        known = next((t for t in (tail, tail + "e") if t in tails), None)
        if known and (found := split(head, known)):
            return found
    return (key,)


def is_synonym(word: str) -> bool:
    """Whether `word` belongs to one of the synonym groups."""
    return stem(fold(word)) in _canon()


def canonical(word: str) -> str:
    """The stem of `word`, mapped onto its group's first word when it has one. A genitive
    ("customer's", Norwegian "ukes", "måneds") is the word it is formed from."""
    if word.endswith("'s"):
        word = word[:-2]
    table = _canon()
    key = stem(word)
    if key not in table and word.endswith("s") and stem(word[:-1]) in table:
        key = stem(word[:-1])
    # "timen" -> "tim": the stem of "time" keeps its -e. Not onto a general word from any
    # three letters: "not" is no "note", "son" no "sone".
    if key not in table and key + "e" in table and (len(key) > 3 or key + "e" in _core_keys()):
        key += "e"
    if key in table:
        return table[key]
    return table.get(cognate(key), cognate(key))
