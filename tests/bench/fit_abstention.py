"""Fit the fusion weight and the abstention model on the ``tune`` part of the labelled set.

    .venv/bin/python -m tests.bench.fit_abstention

1. Fusion: hybrid recall@5 and MRR on the tune questions for several vector weights (keyword
   weight 1), the records indexed with their reference translations; the best MRR (then
   recall) is what ``DEFAULT_VECTOR_WEIGHT`` in bot/retrieval/hybrid.py should say.
2. Abstention: the evidence features (bot.retrieval.evidence.FEATURES) of every tune question
   with that weight, and a logistic regression on them (answerable = 1), fitted by gradient
   descent with a little L2, classes weighted to balance and each weight kept on the side of
   zero ``SIGNS`` says; prints ``WEIGHTS`` and ``BIAS`` to
   paste into bot/retrieval/evidence.py. The holdout part is never read here:
   ``python -m tests.bench.retrieval`` reports it.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from bot.retrieval.evidence import FEATURES, SIGNS, features
from tests.bench.retrieval import Scores, ask, indexed_searcher, load_all, with_translations

VECTOR_WEIGHTS = (0.5, 1.0, 2.0)
STEPS = 20000
RATE = 0.5
L2 = 0.001


def fit(rows: Sequence[tuple[float, ...]], labels: Sequence[int]) -> tuple[list[float], float]:
    """Logistic regression by batch gradient descent; each class weighs half the loss."""
    n_pos = sum(labels)
    n_neg = len(labels) - n_pos
    sample = [0.5 / n_pos if y else 0.5 / n_neg for y in labels]
    weights = [0.0] * len(rows[0])
    bias = 0.0
    for _ in range(STEPS):
        grad = [L2 * w for w in weights]
        grad_bias = 0.0
        for x, y, s in zip(rows, labels, sample, strict=True):
            z = bias + sum(w * v for w, v in zip(weights, x, strict=True))
            error = (1.0 / (1.0 + math.exp(-z)) - y) * s
            grad = [g + error * v for g, v in zip(grad, x, strict=True)]
            grad_bias += error
        weights = [w - RATE * g for w, g in zip(weights, grad, strict=True)]
        # projected: each weight stays on the side of zero SIGNS allows
        weights = [
            max(0.0, w) if sign > 0 else min(0.0, w) for w, sign in zip(weights, SIGNS, strict=True)
        ]
        bias -= RATE * grad_bias
    return weights, bias


def main() -> int:
    originals, questions = load_all()
    # indexed as the bot indexes them: with their record-time translations
    docs = with_translations(originals)
    tune = [q for q in questions if q.split == "tune"]
    print(f"{len(tune)} tune questions ({sum(bool(q.expected) for q in tune)} answerable)\n")
    print(f"{'vector weight':>13} {'recall@5':>8} {'MRR':>6}")
    # best MRR, then recall, then the weight closest to plain reciprocal-rank fusion
    best: tuple[float, float, float] = (-1.0, -1.0, -1.0)
    chosen = 1.0
    for weight in VECTOR_WEIGHTS:
        with indexed_searcher(docs, vector_weight=weight) as searcher:
            scores = Scores([ask(searcher, q, "hybrid") for q in tune])
        recall, mrr = scores.recall or 0.0, scores.mrr or 0.0
        print(f"{weight:>13.2f} {recall:>8.3f} {mrr:>6.3f}")
        if (mrr, recall, -abs(weight - 1.0)) > best:
            best, chosen = (mrr, recall, -abs(weight - 1.0)), weight
    weight = chosen
    print(f"\nDEFAULT_VECTOR_WEIGHT = {weight}\n")
    with indexed_searcher(docs, vector_weight=weight) as searcher:
        outcomes = [ask(searcher, q, "hybrid") for q in tune]
    rows = [features(o.question.text, o.passages) for o in outcomes]
    labels = [int(bool(o.question.expected)) for o in outcomes]
    weights, bias = fit(rows, labels)
    print("features: " + ", ".join(FEATURES))
    print("WEIGHTS = (" + ", ".join(f"{w:.2f}" for w in weights) + ")")
    print(f"BIAS = {bias:.2f}")
    predicted = [bias + sum(w * v for w, v in zip(weights, x, strict=True)) >= 0 for x in rows]
    shares = [
        statistics.fmean(p for p, y in zip(predicted, labels, strict=True) if y),
        statistics.fmean(not p for p, y in zip(predicted, labels, strict=True) if not y),
    ]
    print(
        f"tune balanced accuracy {statistics.fmean(shares):.3f} (answered {shares[0]:.3f}, "
        f"abstained {shares[1]:.3f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
