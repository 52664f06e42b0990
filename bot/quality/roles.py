"""The "As a …" part: missing, left unknown, generic, or a persona the notes never mention.

A role tells the developer whose problem this is. "User" or "system" tells them nothing, and a
role the model invented ("power user" when the notes only speak of drivers) is worse: it looks
specific and is not backed by anything. The role's head noun is looked up in the notes,
tolerant of plural, Norwegian definite forms and compounds ("regnskapsførerne",
"lagerarbeider" in "lagerarbeiderne").
"""

from __future__ import annotations

from difflib import SequenceMatcher

from .synonyms import canonical
from .text import STOPWORDS, stem, words
from .types import Check, Finding, StoryDraft
from .vocab import GENERIC_ROLES, ROLE_QUALIFIERS, UNKNOWN_ROLES

_LEADING = ("as", "a", "an", "the", "som", "en", "et", "ei")
_CLAUSE = frozenset(
    ("who", "that", "which", "with", "of", "for", "at", "in", "on", "from", "som", "med", "for",
     "i", "på", "hos", "fra", "av")
)  # fmt: skip


def role_words(role: str) -> list[str]:
    """The role's words without a leading "As a" / "the" / "en"."""
    tokens = words(role)
    while tokens and tokens[0] in _LEADING:
        tokens = tokens[1:]
    return tokens


def head_noun(role: str) -> str | None:
    """The noun that names the person: "finance manager at the client" -> "manager"."""
    tokens = role_words(role)
    for index, token in enumerate(tokens):
        if index and token in _CLAUSE:
            return tokens[index - 1]
    return tokens[-1] if tokens else None


def is_generic(role: str) -> bool:
    """ "user", "system", "noen", or "user"/"bruker" with qualifiers that add nothing."""
    tokens = role_words(role)
    if not tokens:
        return False
    if " ".join(tokens) in GENERIC_ROLES:
        return True
    head = head_noun(role)
    modifiers = [t for t in tokens if t != head]
    return head in GENERIC_ROLES and all(t in ROLE_QUALIFIERS for t in modifiers)


def _same_word(role_word: str, note_word: str) -> bool:
    if role_word == note_word or canonical(role_word) == canonical(note_word):
        return True
    a, b = stem(role_word), stem(note_word)
    if a == b:
        return True
    # Compounds: "arbeider" is the head of "lagerarbeiderne"; "sjåfør" of "lastebilsjåføren".
    if len(a) >= 5 and (b.endswith(a) or b.startswith(a)):
        return True  # also "admin" in "administrators"
    return _cognates(a, b)


_SPELLING = (("sjon", "tion"), ("ks", "x"), ("k", "c"), ("ø", "o"), ("æ", "ae"), ("å", "a"),
             ("ph", "f"), ("th", "t"), ("y", "i"))  # fmt: skip


def _spelled(word: str) -> str:
    for norwegian, english in _SPELLING:
        word = word.replace(norwegian, english)
    return word


def _cognates(a: str, b: str) -> bool:
    """The same word in English and Norwegian spelling: "resepsjonist" and "receptionist",
    "konsulent" and "consultant", "koordinator" and "coordinator"."""
    a, b = _spelled(a), _spelled(b)
    if min(len(a), len(b)) < 6 or a[0] != b[0]:
        return False
    return SequenceMatcher(None, a, b).ratio() >= 0.75


def named_in(role: str, notes: str) -> bool:
    """Whether the role's head noun (in any inflection) occurs in `notes`, and the words that
    narrow it too: "chronic care patient" is a persona of its own when the notes only speak
    of patients."""
    head = head_noun(role)
    if head is None:
        return True
    note_words = set(words(notes))
    if not any(_same_word(head, w) for w in note_words):
        return False
    tokens = role_words(role)
    narrowing = [
        t
        for t in tokens[: tokens.index(head)]
        if t not in ROLE_QUALIFIERS and t not in STOPWORDS and not t.isdigit()
    ]
    # A narrowing word may sit inside a compound of the notes: "care" in "homecare".
    return all(
        any(_same_word(t, w) or (len(t) >= 4 and t in w) for w in note_words) for t in narrowing
    )


def role_findings(story: StoryDraft, notes: str | None = None) -> list[Finding]:
    """One finding for a missing, unknown, generic or invented role (at most one applies)."""
    shown = story.role.strip()
    normal = " ".join(role_words(shown))
    if not normal:
        return [
            Finding(
                Check.ROLE,
                "error",
                'The story names no role: add who needs this (the "As a …" part).',
            )
        ]
    if normal in UNKNOWN_ROLES or shown.casefold() in UNKNOWN_ROLES:
        return [
            Finding(
                Check.ROLE,
                "warning",
                f'The notes name no role ("{shown}"): ask the client who needs this.',
            )
        ]
    if is_generic(shown):
        return [
            Finding(
                Check.ROLE,
                "warning",
                f'The role "{shown}" is generic: name the kind of person from the notes '
                '(e.g. "dispatcher", "regnskapsfører").',
            )
        ]
    if notes and notes.strip() and not named_in(shown, notes):
        return [
            Finding(
                Check.ROLE,
                "warning",
                f'The role "{shown}" does not appear in the notes: use a role the notes name, '
                "or confirm this persona with the client.",
            )
        ]
    return []
