"""The terms keyword search indexes and looks up, for English and Norwegian alike.

Embeddings blur exact strings: a ticket id ("ACME-142"), a person's name or a Norwegian word
the embedding model barely knows. Keyword search matches them literally, so hybrid search
fuses both. SQLite's FTS5 indexes these terms; PostgreSQL analyses the raw text with its
``english`` and ``norwegian`` configurations and uses :func:`query_words` for the question.

Words are stemmed with the Snowball stemmers (PyStemmer) of both languages, since a record or a
question may be written in either or in both (see :func:`stems`). Stopwords are
the published lists of the ``stop-words`` package (Norwegian: Snowball's list, bokmål and
nynorsk), minus nothing: a term in half the documents is dropped at query time anyway.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

import Stemmer
from stop_words import get_stop_words

STOPWORDS_EN = frozenset(get_stop_words("english"))
STOPWORDS_NB = frozenset(get_stop_words("norwegian"))
STOPWORDS = STOPWORDS_EN | STOPWORDS_NB

_WORD = re.compile(r"[^\W_]+")  # runs of letters (æøå included) and digits
# Hyphenated runs such as "ACME-142" or "e-post": kept whole as well as in parts, so a ticket
# id matches only its own documents while "142" alone still finds it.
_COMPOUND = re.compile(r"[^\W_]+(?:-[^\W_]+)+")
_ENGLISH = Stemmer.Stemmer("english")
_NORWEGIAN = Stemmer.Stemmer("norwegian")


@functools.lru_cache(maxsize=65536)
def stems(word: str) -> tuple[str, ...]:
    """The stem of a lower-case word: Snowball's Norwegian stemmer, applied until the word stops
    changing (it takes one ending per pass, so "fakturaene" -> "faktura" -> "faktur" meets
    "faktura"), then the English one ("reminders" -> "remind"). One term per word for both
    languages: a word's language is not known, and the Norwegian endings rarely end English
    words. Numbers and words with digits stay as they are."""
    if not word.isalpha():
        return (word,)
    for _ in range(3):
        shorter = _NORWEGIAN.stemWord(word)
        if shorter == word:
            break
        word = shorter
    return (_ENGLISH.stemWord(word),)


def _words(text: str) -> tuple[str, list[str]]:
    normal = unicodedata.normalize("NFKC", text).lower()
    words = [w for w in _WORD.findall(normal) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
    return normal, words


def tokenize(text: str) -> list[str]:
    """Lower-cased, NFKC-normalised, stemmed terms, ticket ids both whole and in parts."""
    normal, words = _words(text)
    tokens = [stem for word in words for stem in stems(word)]
    tokens.extend(_COMPOUND.findall(normal))
    return tokens


def fts5_match(terms: Sequence[str]) -> str:
    """An FTS5 MATCH expression for any of ``terms`` (from :func:`tokenize`); "" for none.

    Every term is quoted, so FTS5 reads ``acme-142`` or ``and`` as a word, not as syntax."""
    return " OR ".join(f'"{term}"' for term in dict.fromkeys(terms))


def query_words(text: str) -> list[str]:
    """The question's words and hyphenated compounds, without stopwords, unstemmed: what
    PostgreSQL's own configurations stem. A compound stands for its parts: PostgreSQL reads
    "acme-142" as "acme-142" and "acme" and "142", all required, where "acme" alone would match
    every ticket of the project."""
    normal, words = _words(text)
    compounds = _COMPOUND.findall(normal)
    parts = {part for compound in compounds for part in compound.split("-")}
    return list(dict.fromkeys([*(w for w in words if w not in parts), *compounds]))


__all__ = ["STOPWORDS", "fts5_match", "query_words", "stems", "tokenize"]
