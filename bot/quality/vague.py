"""Vague words (QUS "unambiguous"), skipping the ones that are part of a question.

"How many invoices are overdue?" or "hvor mange" asks for a number; it does not promise
"many" of anything. Quoted text the product shows is not the story's claim either.
"""

from __future__ import annotations

import re

from .text import fold, phrase_pattern
from .vocab import VAGUE_WORDS

_VAGUE = phrase_pattern(VAGUE_WORDS)
# An amount of effort or time with no number: "with minimal effort", "in fewer clicks",
# "med mindre arbeid". A tester needs the number ("in at most three clicks").
_UNMEASURED = re.compile(
    r"\b(?:minimal|minimum|little|less|fewer|reduced|low|least|no extra|"
    r"minimalt?|mindre|lite|færre|minst|redusert)\s+(?:manual\s+|manuelt?\s+)?"
    r"(?:effort|work|time|clicks?|steps?|hassle|fuss|friction|typing|"
    r"arbeid|innsats|tid|klikk|steg|styr|tasting)\b"
)
_QUESTION_WORD = re.compile(r"\b(?:how|hvor)\s*$")
_QUOTED = re.compile(r"\"[^\"]*\"")
# Norwegian phrases that contain a listed word with a precise meaning: "en enkelt time" (a
# single), "hver enkelt elev" (each), "en del av" (part of).
_PRECISE_AFTER = re.compile(r"\b(?:en|et|ett|ei|hver|hvert|den|det|de|hvers)\s*$")
_PRECISE_BEFORE = re.compile(r"^\s*av\b")
_SINGLE = frozenset(("enkelt", "enkelte", "en del"))
# English words that are other, precise words in Norwegian: "fast" means "fixed".
_FALSE_FRIENDS = frozenset(("fast",))
_NORWEGIAN_MARKERS = frozenset(
    ("og", "å", "på", "ikke", "jeg", "vi", "som", "med", "til", "av", "om", "en", "et", "ei",
     "det", "den", "er", "har", "fra", "hver", "alle", "når", "kan", "skal", "min", "mitt",
     "mine", "vår", "våre", "plass", "ansatt", "per", "måned", "uke", "dag", "sin", "sine")
)  # fmt: skip
_ENGLISH_MARKERS = frozenset(
    ("the", "a", "an", "and", "to", "of", "is", "are", "with", "my", "our", "their", "it",
     "for", "in", "on", "by", "can", "each", "every", "all", "per", "when")
)  # fmt: skip


def is_norwegian(text: str) -> bool:
    """Whether `text` reads as Norwegian: more Norwegian than English function words, or a
    letter only Norwegian uses."""
    tokens = re.findall(r"\w+", fold(text))
    norwegian = sum(t in _NORWEGIAN_MARKERS for t in tokens)
    english = sum(t in _ENGLISH_MARKERS for t in tokens)
    return norwegian > english or (norwegian == english and bool(re.search("[æøå]", fold(text))))


def vague_words(text: str) -> list[str]:
    """Distinct vague words of `text` in order, without "how many"/"hvor mange"-style uses."""
    folded = _QUOTED.sub(lambda m: " " * len(m.group(0)), fold(text))
    seen: dict[str, None] = {}
    norwegian = is_norwegian(text)
    for match in _VAGUE.finditer(folded):
        before, word = folded[: match.start()], match.group(0)
        if _QUESTION_WORD.search(before):
            continue
        if word in _SINGLE and (
            _PRECISE_AFTER.search(before) or _PRECISE_BEFORE.search(folded[match.end() :])
        ):
            continue
        if word in _FALSE_FRIENDS and norwegian:
            continue
        seen.setdefault(match.group(0), None)
    for match in _UNMEASURED.finditer(folded):
        seen.setdefault(match.group(0), None)
    return list(seen)
