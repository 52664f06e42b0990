"""Clause structure from word order: a second verb after "and", an action where a state belongs.

No parser: the cues are a conjunction, an optional subject, and a verb form from `verbs.py`
followed by something that can be its object. That is enough for the short clauses of a user
story and its scenarios, and it keeps nouns such as "invoices and reports" out.
"""

from __future__ import annotations

import re

from .text import fold, phrase_pattern
from .verbs import (
    ENGLISH_VERBS,
    NORWEGIAN_VERBS,
    NOUN_LIKE,
    UI_PRESENT_FORMS,
    verb_forms,
)
from .vocab import FIXED_PAIRS, TIME_WORDS

_TOKEN = re.compile(r"&|\d+(?:[.,:]\d+)*|\w+(?:['\-]\w+)*|\"[^\"]*\"|'[^']+'(?!\w)")
_FIXED = phrase_pattern(FIXED_PAIRS)

CONJUNCTIONS = frozenset(("and", "or", "then", "plus", "og", "eller", "så", "deretter", "samt"))
FILLERS = frozenset(
    ("also", "then", "i", "we", "you", "he", "she", "they", "can", "could", "to", "immediately",
     "også", "deretter", "jeg", "vi", "du", "han", "hun", "de", "kan", "å", "straks")
)  # fmt: skip
PRONOUNS = frozenset(
    ("i", "we", "you", "he", "she", "they", "someone", "jeg", "vi", "du", "han", "hun", "de",
     "man", "noen")
)  # fmt: skip
DETERMINERS = frozenset(
    ("the", "a", "an", "my", "our", "their", "his", "her", "your", "this", "that", "these",
     "those", "each", "every", "all", "one", "two", "some", "any", "it", "them", "en", "et",
     "ei", "den", "det", "de", "denne", "dette", "disse", "min", "mitt", "mine", "vår", "vårt",
     "våre", "sin", "sitt", "sine", "hans", "hennes", "deres", "alle", "hver", "hvert")
)  # fmt: skip
PARTICLES = frozenset(
    ("on", "in", "out", "up", "down", "back", "off", "to", "into", "through", "for", "with",
     "by", "på", "inn", "ut", "opp", "ned", "tilbake", "av", "til", "gjennom", "for", "med",
     "etter")
)  # fmt: skip
STATE_VERBS = frozenset(
    ("is", "am", "are", "was", "were", "has", "have", "had", "exists", "exist", "contains",
     "holds", "er", "var", "har", "hadde", "finnes", "fins", "ligger", "står", "eksisterer")
)  # fmt: skip
_BASES = ENGLISH_VERBS | NORWEGIAN_VERBS
_BASE_OR_NORWEGIAN_PRESENT = _BASES | frozenset(
    f for f in verb_forms(NORWEGIAN_VERBS) if f.endswith("r")
)
_THIRD_PERSON = frozenset(
    f for f in verb_forms(ENGLISH_VERBS) if f.endswith("s") and f not in ENGLISH_VERBS
)
# A finite present-tense action, the verb of a clause with its own subject: "opens", "åpner".
_PRESENT_ACTIONS = _THIRD_PERSON | frozenset(
    f for f in verb_forms(NORWEGIAN_VERBS) if f.endswith("r") and f not in NORWEGIAN_VERBS
)
_SEQUENCE = frozenset(("then", "afterwards", "så", "deretter", "etterpå"))
# Particles of phrasal verbs: a finite verb right before one is an action someone takes ("the
# shopper turns off …", "Kari logs in", "kundeservice søker opp kunden"), whatever the verb.
_PHRASAL_PARTICLES = frozenset(
    ("off", "on", "in", "out", "up", "down", "av", "på", "inn", "ut", "opp", "ned")
)
_NORWEGIAN_PRESENT = frozenset(
    f for f in verb_forms(NORWEGIAN_VERBS) if f.endswith("r") and f not in NORWEGIAN_VERBS
)
_DEFINITE = ("en", "et", "ene", "na")  # Norwegian definite nouns: "kunden", "pasienten"


def tokens(text: str) -> list[str]:
    """Word tokens with their case kept (a capitalised word after a verb is a button name)
    and quoted strings as single tokens; fixed pairs ("drag and drop") become one token."""
    folded = _FIXED.sub(lambda m: m.group(0).replace(" ", "_"), fold(text))
    found = _TOKEN.findall(folded)
    # Restore case from the original where the lengths still line up (fold keeps lengths for
    # plain words), so "click Save" keeps its capital.
    original = _TOKEN.findall(text)
    if len(original) == len(found):
        return [o if o.casefold() == f else f for o, f in zip(original, found, strict=True)]
    return found


_PASSIVE_AUXILIARIES = frozenset(("be", "bli"))
_IRREGULAR_PARTICIPLES = frozenset(
    ("told", "shown", "sent", "given", "paid", "kept", "sold", "fått", "sendt", "gitt", "vist")
)


def _participle(word: str) -> bool:
    """A past participle ("warned", "notified", "varslet") or "able" of "be able to"."""
    if word in _IRREGULAR_PARTICIPLES or word == "able":
        return True
    return len(word) >= 5 and word.endswith(("ed", "et"))


def _object_follows(rest: list[str]) -> bool:
    if len(rest) < 2:
        return False
    nxt = rest[1]
    low = nxt.casefold()
    return (
        low in DETERMINERS
        or low in PARTICLES
        or nxt[:1] in "\"'"
        or nxt[:1].isupper()
        or nxt[:1].isdigit()
    )


def second_verb_at(words: list[str], start: int, *, agree_s: bool) -> bool:
    """Whether `words[start:]` opens a clause of its own: fillers, then a verb and its object."""
    rest = words[start:]
    skipped_subject = False
    while rest and rest[0].casefold() in FILLERS:
        skipped_subject |= rest[0].casefold() in PRONOUNS
        rest = rest[1:]
    if not rest:
        return False
    verb = rest[0].casefold()
    if verb in _PASSIVE_AUXILIARIES and len(rest) >= 2 and _participle(rest[1].casefold()):
        return True  # "… and be warned about …", "… og bli varslet når …": a second outcome
    if verb in _BASE_OR_NORWEGIAN_PRESENT:
        return _object_follows(rest) or (len(rest) >= 2 and verb not in NOUN_LIKE)
    if verb in _THIRD_PERSON and (agree_s or skipped_subject):
        # With the subject settled, a bare noun is an object too: "… and opens claim 881".
        return _object_follows(rest) or (
            len(rest) >= 2 and rest[1].casefold() not in CONJUNCTIONS | FILLERS
        )
    return False


def _is_subject(subject: list[str]) -> bool:
    """A noun phrase that can be a clause's subject: "the head of finance", "Kari", "HR",
    "kunden" (a Norwegian definite noun carries its own article)."""
    low = [w.casefold() for w in subject]
    if any(w in _PRESENT_ACTIONS or w in CONJUNCTIONS for w in low):
        return False
    if low[0] in DETERMINERS - {"it", "them"}:
        return len(low) >= 2
    if all(w[:1].isupper() for w in subject):
        return len(subject) <= 2  # a name or an acronym
    return len(low) == 1 and len(low[0]) >= 5 and low[0].endswith(_DEFINITE)


def new_clause_at(words: list[str], start: int) -> bool:
    """Whether `words[start:]` (after a conjunction) is a clause with a subject of its own and a
    present-tense action: "… and the clerk sends it", "… og kunden åpner kvitteringen"."""
    rest = words[start:]
    while rest and rest[0].casefold() in _SEQUENCE:
        rest = rest[1:]
    for size in (1, 2, 3, 4):
        if len(rest) <= size:
            break
        if rest[size].casefold() in _PRESENT_ACTIONS and _is_subject(rest[:size]):
            return True
    return False


def coordinated_action(clause: str) -> bool:
    """Whether a clause joins two actions: "I select a date and click Search",
    "the driver opens the route and marks a stop", "jeg velger en kunde og trykker Lagre"."""
    words = tokens(clause)
    low = [w.casefold() for w in words]
    # A third-person verb near the start ("the driver opens …"), not a plural noun ("the
    # invoices …"), lets a second -s verb count: "… and marks a stop".
    agree_s = low[:1] not in (["i"], ["we"], ["you"], ["they"]) and any(
        w in _THIRD_PERSON and index and low[index - 1] not in DETERMINERS
        for index, w in enumerate(low[:4])
    )
    return any(
        word.casefold() in CONJUNCTIONS
        and (second_verb_at(words, index + 1, agree_s=agree_s) or new_clause_at(words, index + 1))
        for index, word in enumerate(words)
        if index >= 2
    )


def given_is_action(given: str) -> bool:
    """Whether a Given describes an action ("I click Export", "brukeren trykker på Lagre")
    rather than a state ("I am logged in", "an invoice exists", "the user has opened …")."""
    words = [w.casefold() for w in tokens(given)]
    if words[:1] in (["that"], ["at"]):
        words = words[1:]
    if any(w in STATE_VERBS for w in words[:4]):
        return False
    for size in (1, 2, 3):
        if len(words) <= size:
            break
        subject, verb = words[:size], words[size]
        if verb not in UI_PRESENT_FORMS or verb in STATE_VERBS:
            continue
        if _at_clock_time(words[size + 1 : size + 4]):
            return False  # "the store closes at 23:00" is its opening hours, a state
        if size == 1 and (subject[0] in PRONOUNS or subject[0].endswith(("en", "et", "er"))):
            return True
        if size > 1 and subject[0] in DETERMINERS:
            return True
    if _phrasal_action(words):
        return True
    return bool(words) and words[0] in UI_PRESENT_FORMS and words[0] in _BASES


_CLOCK = frozenset(("at", "kl", "klokka", "klokken", "by", "innen"))
# Numbers as words start a subject as a determiner does: "three invoices on the list".
_NUMBER_WORDS = frozenset(
    ("three", "four", "five", "six", "ten", "several", "many", "no", "to", "tre", "fire",
     "fem", "seks", "ti", "flere", "mange", "ingen")
)  # fmt: skip


def _at_clock_time(after: list[str]) -> bool:
    return any(
        word in _CLOCK and index + 1 < len(after) and after[index + 1][:1].isdigit()
        for index, word in enumerate(after)
    )


def _finite_present(word: str) -> bool:
    """An English third-person form ("turns", "logs") or a Norwegian present of a known verb."""
    if word in _NORWEGIAN_PRESENT:
        return True
    return len(word) >= 4 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


def _phrasal_action(words: list[str]) -> bool:
    """A subject, then a finite verb with its particle: "the shopper turns off Offers",
    "Kari logs in", "kundeservice søker opp kunden". A time after the particle is a schedule,
    not an action ("the shift starts in 5 minutes")."""
    for index in range(1, min(len(words) - 1, 4)):
        verb, particle = words[index], words[index + 1]
        if particle not in _PHRASAL_PARTICLES or not _finite_present(verb):
            continue
        after = words[index + 2 : index + 3]
        if after and (after[0][:1].isdigit() or after[0] in TIME_WORDS):
            return False
        subject = words[:index]
        if subject[0][:1].isdigit() or subject[0] in _NUMBER_WORDS:
            continue  # "three invoices on the list": a counted noun, not a verb
        if subject[0] in DETERMINERS and len(subject) < 2:
            continue  # "the invoices in the list": the -s word is the subject's noun
        if any(w in DETERMINERS or w in PARTICLES for w in subject[1:]):
            continue  # "the list of invoices on …": no verb yet
        return True
    return False


__all__ = ["coordinated_action", "given_is_action", "second_verb_at", "tokens"]
