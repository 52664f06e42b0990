"""Whether the passages found are enough to answer a question: decided in code on all the
evidence, before any model call (the model's own "nothing here answers it" is the second gate).

Raw cosine alone separates answerable from unanswerable questions poorly with a small local
embedder, and never counts an exact keyword match ("forfallsdato", "ACME-142") as evidence. So the
decision is a logistic model over a few signals of the passages found:

- ``similarity``: the best raw cosine similarity;
- ``overlap``: the largest share of the question's keyword terms one passage holds;
- ``agreement``: 1 when vector and keyword search rank the same passage first;
- ``identifiers``: the largest share of the question's ticket ids, names and numbers that one
  passage contains verbatim (0 when the question has none);
- ``missing``: 1 when the question names ticket ids, names or numbers and no passage has any.

The weights are fitted on the ``tune`` part of the labelled set only and reported on its
``holdout`` part: ``python -m tests.bench.fit_abstention`` prints them (WordLlama
``l2_supercat-256`` embedder; another embedder spreads cosines differently and needs a refit).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from bot.retrieval.terms import tokenize
from bot.retrieval.types import Passage, SearchResult, Verdict

FEATURES = ("similarity", "overlap", "agreement", "identifiers", "missing")
# The direction each signal may move the decision: more evidence never lowers confidence, and
# ids or names the question names that no passage holds never raise it. The fit keeps each
# weight on its side of zero, so a quirk of a small tune set cannot turn a signal around.
SIGNS = (1, 1, 1, 1, -1)
# From `python -m tests.bench.fit_abstention` (tune part, hybrid search, top 5).
WEIGHTS = (3.10, 4.31, 0.00, 0.00, -0.52)
BIAS = -3.16
# The fit weighs both classes equally, so 0.5 is the balanced point the benchmark also reports.
BALANCED_CONFIDENCE = 0.5
# Answer when the probability of "answerable" is at least this (APO_ANSWER_MIN_CONFIDENCE). The
# two gates are in series: a question wrongly let through here still meets the model's own
# "nothing here answers it", while one wrongly stopped here is escalated and someone waits a
# day for the client. Counting that mistake twice as costly, the least expected cost is to
# answer from p >= 1 / (1 + 2) (the Bayes decision rule), a choice made from that cost, not
# measured on any question.
DEFAULT_MIN_CONFIDENCE = 1 / 3

# Ticket ids ("NLH-14"), numbers of two digits or more, and words written with a capital
# inside a sentence (names, products, acronyms: "Sveve", "PEPPOL").
_TICKET = re.compile(r"\b[A-Za-z]{2,}-\d+\b")
_NUMBER = re.compile(r"\b\d{2,}\b")
_WORD = re.compile(r"[^\W\d_][^\W_]*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+)([^\W\d_][^\W_]*)")


def identifiers(text: str) -> tuple[str, ...]:
    """Ticket ids, numbers and capitalised words (not opening a sentence) of ``text``, lower
    case, in order of first appearance."""
    found = [m.group().lower() for m in _TICKET.finditer(text)]
    text = _TICKET.sub(lambda m: " " * len(m.group()), text)
    starts = {m.start(1) for m in _SENTENCE_START.finditer(text)}
    found += [m.group() for m in _NUMBER.finditer(text)]
    found += [
        m.group().lower()
        for m in _WORD.finditer(text)
        if len(m.group()) > 1 and m.group()[0].isupper() and m.start() not in starts
    ]
    return tuple(dict.fromkeys(found))


def exact_matches(wanted: Sequence[str], text: str) -> tuple[str, ...]:
    """Those of ``wanted`` (from :func:`identifiers`) that ``text`` contains as whole words."""
    lower = text.lower()
    return tuple(w for w in wanted if re.search(rf"(?<![^\W_]){re.escape(w)}(?![^\W_])", lower))


def term_overlap(query_terms: set[str], text: str) -> float:
    """The share of ``query_terms`` (stems from :func:`tokenize`) that ``text`` holds."""
    if not query_terms:
        return 0.0
    return len(query_terms & set(tokenize(text))) / len(query_terms)


def features(query: str, passages: Sequence[Passage]) -> tuple[float, ...]:
    """The signals of :data:`FEATURES` for ``passages`` found for ``query``."""
    wanted = identifiers(query)
    best_share = max((len(p.exact_matches) / max(len(wanted), 1) for p in passages), default=0.0)
    return (
        max((p.similarity for p in passages), default=-1.0),
        max((p.term_overlap for p in passages), default=0.0),
        float(any(p.vector_rank == 1 and p.keyword_rank == 1 for p in passages)),
        best_share if wanted else 0.0,
        float(bool(wanted) and not any(p.exact_matches for p in passages)),
    )


def probability(values: Sequence[float]) -> float:
    z = BIAS + sum(w * x for w, x in zip(WEIGHTS, values, strict=True))
    return 1.0 / (1.0 + math.exp(-z))


def decide(
    query: str, passages: Sequence[Passage], *, min_confidence: float = DEFAULT_MIN_CONFIDENCE
) -> SearchResult:
    """Answer or abstain on the evidence of ``passages``, with the reason in words."""
    values = features(query, passages)
    p = probability(values) if passages else 0.0
    similarity, overlap, agreement, share, missing = values
    said = [
        f"best similarity {similarity:.2f}",
        f"{overlap:.0%} of the question's terms in one passage",
    ]
    if agreement:
        said.append("vector and keyword search agree on the first passage")
    if share:
        said.append(f"{share:.0%} of its ids/names found verbatim")
    if missing:
        said.append("none of its ids/names found")
    if not passages:
        reason = "nothing in scope matches the question"
    else:
        reason = "; ".join(said) + f" (confidence {p:.2f}, answers from {min_confidence:.2f})"
    decision: Verdict = "answer" if p >= min_confidence else "abstain"
    return SearchResult(tuple(passages), decision, reason, p)


__all__ = [
    "BALANCED_CONFIDENCE",
    "DEFAULT_MIN_CONFIDENCE",
    "FEATURES",
    "decide",
    "exact_matches",
    "features",
    "identifiers",
    "term_overlap",
]
