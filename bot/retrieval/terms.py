"""The terms keyword search indexes and looks up, for English and Norwegian alike.

Embeddings blur exact strings: a ticket id ("ACME-142"), a person's name or a Norwegian word
the embedding model barely knows. Keyword search matches them literally, so hybrid search
fuses both. SQLite's FTS5 indexes these terms (its own ``porter`` stemmer knows only English);
PostgreSQL analyses the raw text with its ``english`` and ``norwegian`` configurations and uses
:func:`query_words` for the question.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Short, hand-picked lists of question words and glue: they occur in every question and would
# otherwise give every document a little score. (Keyword search takes no negations either.)
STOPWORDS_EN = _wordset(
    """a an and are as at be been but by can could did do does doing for from had has have
    how i if in into is it its me my of on or our should so than that the their them then
    there these they this those to us was we were what when where which who whom why will
    with would you your about any also just not no yes please"""
)
# Bokmål function words (and a few nynorsk spellings people mix in).
STOPWORDS_NB = _wordset(
    """og i på til for med av som er det den de en et ett å at om har hadde ikke kan skal vil
    må jeg vi du dere han hun seg sin sitt sine hva hvem hvor hvordan hvorfor hvilken hvilke
    hvilket når da så men eller fra ved etter før hos også bare nå her der dette denne disse
    blir ble bli være var vært noe noen alle enn oss meg deg dem vår vårt våre min mitt mine
    din ditt dine får fikk gjør gjøre sånn slik kva korleis ikkje eg"""
)
STOPWORDS = STOPWORDS_EN | STOPWORDS_NB

_WORD = re.compile(r"[^\W_]+")  # runs of letters (æøå included) and digits
# Hyphenated runs such as "ACME-142" or "e-post": kept whole as well as in parts, so a ticket
# id matches only its own documents while "142" alone still finds it.
_COMPOUND = re.compile(r"[^\W_]+(?:-[^\W_]+)+")
# English plural/verb endings and Norwegian definite/plural endings, longest first.
_SUFFIXES = ("ene", "ane", "ing", "ers", "er", "es", "en", "et", "ed", "s", "e")


def _stem(token: str) -> str:
    """Strip up to two common endings, so "fakturaene"/"fakturaer"/"faktura" and
    "reminders"/"reminder" meet. Crude on purpose: it runs on both languages and needs no
    dictionary; it applies to queries and documents alike, so over-stripping mostly cancels."""
    if not token.isalpha():
        return token
    for _ in range(2):
        for suffix in _SUFFIXES:
            if token.endswith(suffix) and len(token) - len(suffix) >= 3:
                token = token[: -len(suffix)]
                break
        else:
            break
    return token


def tokenize(text: str) -> list[str]:
    """Lower-cased, NFKC-normalised, stemmed terms, ticket ids both whole and in parts."""
    normal = unicodedata.normalize("NFKC", text).lower()
    tokens = [
        _stem(word)
        for word in _WORD.findall(normal)
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit())
    ]
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
    normal = unicodedata.normalize("NFKC", text).lower()
    compounds = _COMPOUND.findall(normal)
    parts = {part for compound in compounds for part in compound.split("-")}
    words = [
        word
        for word in _WORD.findall(normal)
        if word not in STOPWORDS and word not in parts and (len(word) > 1 or word.isdigit())
    ]
    return list(dict.fromkeys([*words, *compounds]))


__all__ = ["STOPWORDS", "fts5_match", "query_words", "tokenize"]
