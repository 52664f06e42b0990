"""Vague words (QUS "unambiguous"), skipping the ones that are part of a question.

"How many invoices are overdue?" or "hvor mange" asks for a number; it does not promise
"many" of anything. Quoted text the product shows is not the story's claim either.
"""

from __future__ import annotations

import re

from .text import fold, phrase_pattern
from .vocab import VAGUE_WORDS

_VAGUE = phrase_pattern(VAGUE_WORDS)
_QUESTION_WORD = re.compile(r"\b(?:how|hvor)\s*$")
_QUOTED = re.compile(r"\"[^\"]*\"")


def vague_words(text: str) -> list[str]:
    """Distinct vague words of `text` in order, without "how many"/"hvor mange"-style uses."""
    folded = _QUOTED.sub(lambda m: " " * len(m.group(0)), fold(text))
    seen: dict[str, None] = {}
    for match in _VAGUE.finditer(folded):
        if _QUESTION_WORD.search(folded[: match.start()]):
            continue
        seen.setdefault(match.group(0), None)
    return list(seen)
