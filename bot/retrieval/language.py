"""Which of the bot's languages (English, Norwegian) a record is written in.

A rule over the ``stop-words`` package's published lists (already used by keyword search), not a
language-identification library: the bot only ever has to tell its two languages apart, function
words do that reliably from a dozen words on, and the rule costs no download and microseconds
(`langdetect` and `lingua` ship profiles for 55-75 languages, 10-100 MB, to answer a question
with two possible answers). Words in both lists ("i", "at", "for", "man") count for neither.

Measured on the 140 records of the retrieval benchmark against py3langid 0.4.0 (a 4.6 MB
wheel, 1.8 s to load its model, 2 ms a record, restricted to en/no): the same main language
for 139, in 19 µs a record; the one difference is a mixed record ("Standard betalingsfrist er
10 dager …; The allowed range per customer stays 7–60 days"), which this rule translates both
ways anyway. The English list holds some two-letter codes: "kr" in a Norwegian amount counts
as English, so at worst a record is also asked for in the language it is written in, and that
echo is dropped (services.knowledge.translation).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from stop_words import get_stop_words

from bot.domain.languages import LANGUAGES

_ONLY_EN = frozenset(get_stop_words("english")) - frozenset(get_stop_words("norwegian"))
_ONLY_NO = frozenset(get_stop_words("norwegian")) - frozenset(get_stop_words("english"))
_WORD = re.compile(r"[^\W\d_]+")
# Letters only Norwegian writes: a text with them and too few function words to tell is
# still Norwegian in part ("Purregebyr: 70 kr, også på andre purring").
_NORWEGIAN_LETTERS = re.compile(r"[æøå]", re.IGNORECASE)
# A record counts as written in a language when at least this share of its function words
# belong to it; below, it is translated into that language. One English clause in a Norwegian
# record ("The allowed range stays 7-60 days") leaves Norwegian under this share, so such a mixed
# record is translated both ways, each translation carrying the part the other lacks.
MIN_SHARE = 0.8


@dataclass(frozen=True)
class LanguageMix:
    """How many of a text's function words are English-only and Norwegian-only."""

    english: int
    norwegian: int
    norwegian_letters: bool

    def share(self, language: str) -> float:
        """The share of the function words that belong to ``language`` (0.0 when none do)."""
        total = self.english + self.norwegian
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
        if total == 0:
            if language == "Norwegian":
                return 1.0 if self.norwegian_letters else 0.0
            return 0.0 if self.norwegian_letters else 1.0
        return (self.english if language == "English" else self.norwegian) / total

    def holds(self, language: str) -> bool:
        return self.share(language) >= MIN_SHARE


def mix(text: str) -> LanguageMix:
    words = _WORD.findall(unicodedata.normalize("NFKC", text).lower())
    return LanguageMix(
        english=sum(w in _ONLY_EN for w in words),
        # a word with æ, ø or å is Norwegian evidence too: the lists lack most short verbs
        norwegian=sum(w in _ONLY_NO or bool(_NORWEGIAN_LETTERS.search(w)) for w in words),
        norwegian_letters=bool(_NORWEGIAN_LETTERS.search(text)),
    )


def missing_languages(text: str, languages: Iterable[str]) -> list[str]:
    """Those of ``languages`` (the project's) that ``text`` is not written in, or only in
    part: a record is translated into each so that a question in any of them finds it.
    Languages the bot does not know are left out."""
    found = mix(text)
    return [
        language
        for language in dict.fromkeys(languages)
        if language in LANGUAGES and not found.holds(language)
    ]


__all__ = ["LANGUAGES", "MIN_SHARE", "LanguageMix", "missing_languages", "mix"]
