"""Text helpers every check shares: one normal form, one tokeniser, one crude stemmer.

All comparisons in this package go through `normalise` and `words`, so a quote, a note sentence
and a backlog story are compared on the same footing whatever keyboard, chat client or LLM
produced them (curly quotes, non-breaking spaces, en dashes, "…" versus "...").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_QUOTES = {
    **dict.fromkeys("“”„‟«»〝〞＂", '"'),
    **dict.fromkeys("‘’‚‛‹›`´′", "'"),
}
_DASHES = dict.fromkeys("‐‑‒–—―−﹘﹣－", "-")
_TRANSLATE = str.maketrans({**_QUOTES, **_DASHES})
_SPACED_DOTS = re.compile(r"\.(?:\s*\.){2,}")
_BRACKETED_ELLIPSIS = re.compile(r"[\[(]\s*\.\.\.\s*[\])]")
_SPACE = re.compile(r"\s+")

# Numbers keep their inner separators ("10.5", "1,200") and words keep inner apostrophes and
# hyphens ("don't", "e-post"); everything else is a separator. Both sides of every comparison
# use this tokeniser, so the exact choice matters less than using it everywhere.
_WORD = re.compile(r"\d+(?:[.,:]\d+)*|\w+(?:['\-]\w+)*")

STOPWORDS = frozenset(
    (
        # English function words. Particles that change meaning ("in", "out", "on", "off",
        # "up", "down", "not", "no") are deliberately absent: "log in" and "log out" differ.
        "a", "an", "the", "to", "of", "for", "from", "by", "with", "at", "as", "into", "about",
        "and", "or", "but", "if", "so", "that", "this", "these", "those", "it", "its", "i",
        "me", "my", "we", "us", "our", "you", "your", "he", "she", "they", "them", "their",
        "his", "her", "be", "is", "are", "was", "were", "been", "being", "am", "can", "could",
        "would", "will", "shall", "should", "may", "might", "must", "do", "does", "did", "has",
        "have", "had", "able", "want", "wants", "also", "then", "than", "there", "here",
        "which", "who", "whom", "what", "when", "where", "how", "all", "any", "each", "very",
        "just", "only", "such", "own", "same", "other", "via", "per",
        # Norwegian, same rule: "på", "av" and "ikke" carry meaning ("logge på", "logge av").
        "en", "et", "ei", "den", "det", "de", "å", "til", "fra", "med", "om", "som", "så", "og",
        "eller", "men", "hvis", "jeg", "meg", "min", "mitt", "mine", "vi", "oss", "vår", "vårt",
        "våre", "du", "deg", "din", "dere", "han", "hun", "hen", "dem", "deres", "sin", "sitt",
        "sine", "er", "var", "blir", "ble", "vært", "kan", "kunne", "skal", "skulle", "vil",
        "ville", "må", "måtte", "bør", "burde", "har", "hadde", "også", "da", "enn", "der",
        "her", "hva", "hvem", "hvor", "hvordan", "alle", "hver", "noe", "noen", "slik", "når",
        "ved", "hvilke", "hvilken", "hvilket",
    )
)  # fmt: skip

_SUFFIXES = ("erne", "ene", "ere", "ing", "ies", "ied", "ed", "er", "en", "et", "s")


def normalise(text: str) -> str:
    """Return `text` in the one form all comparisons use.

    NFKC first (full-width letters, ligatures, "…" to "..."), then one kind of quote and dash,
    casefold (so "Æ"/"æ" and "SS"/"ß" compare equal), collapsed whitespace, and no punctuation
    or whitespace at either end (a quote copied with its bullet or full stop still matches).
    """
    return _strip_punctuation(fold(text).strip())


def fold(text: str) -> str:
    """`normalise` without trimming the ends, for searching phrases such as "etc." or "e.g."."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = _BRACKETED_ELLIPSIS.sub("...", text)
    text = _SPACED_DOTS.sub("...", text)
    return _SPACE.sub(" ", text.casefold())


def _strip_punctuation(text: str) -> str:
    start, end = 0, len(text)
    while start < end and _is_edge_noise(text[start]):
        start += 1
    while end > start and _is_edge_noise(text[end - 1]):
        end -= 1
    return text[start:end]


def _is_edge_noise(char: str) -> bool:
    return char.isspace() or unicodedata.category(char).startswith("P") or char in "•◦▪‣*"


def words(text: str) -> list[str]:
    """Split `text` into normalised word tokens, ignoring punctuation and line breaks."""
    return _WORD.findall(normalise(text))


def stem(word: str) -> str:
    """Strip common English and Norwegian inflections, crudely but consistently.

    Used only to compare two texts with each other, so it needs to map "reports", "reported" and
    "rapporten"/"rapportene" onto one key each, not to produce real stems.
    """
    changed = True
    while changed and len(word) > 4:
        changed = False
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
                changed = True
                break
        if not changed and word.endswith("e") and len(word) >= 5:
            word = word[:-1]
            changed = True
    return word


def content_words(text: str, *, ignore: Iterable[str] = ()) -> set[str]:
    """Stemmed words of `text` that carry meaning: no stopwords, no one-letter tokens."""
    skip = STOPWORDS | set(ignore)
    return {stem(w) for w in words(text) if len(w) > 1 and w not in skip}


def contains_sequence(haystack: list[str], needle: list[str]) -> bool:
    """True when `needle` occurs in `haystack` as consecutive tokens."""
    return bool(positions(haystack, needle))


def positions(haystack: list[str], needle: list[str]) -> list[int]:
    """Start indexes of every occurrence of `needle` as consecutive tokens in `haystack`."""
    size = len(needle)
    if not size:
        return []
    first = needle[0]
    return [
        i
        for i in range(len(haystack) - size + 1)
        if haystack[i] == first and haystack[i : i + size] == needle
    ]


def phrase_pattern(phrases: Iterable[str], *, flags: int = 0) -> re.Pattern[str]:
    """A regex matching any of `phrases` as whole words in normalised text, longest first.

    Longest first so that "as soon as possible" wins over "soon" and "user-friendly" over
    "friendly" when both are listed.
    """
    ordered = sorted({fold(p).strip() for p in phrases} - {""}, key=len, reverse=True)
    alternatives = "|".join(re.escape(p) for p in ordered)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", flags)


def found_phrases(pattern: re.Pattern[str], text: str) -> list[str]:
    """Distinct matches of `pattern` in folded `text`, in order of first appearance."""
    seen: dict[str, None] = {}
    for match in pattern.finditer(fold(text)):
        seen.setdefault(match.group(0), None)
    return list(seen)
