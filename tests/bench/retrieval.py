"""Retrieval benchmark: vector-only vs keyword-only vs hybrid on the Acme decision log.

    .venv/bin/python -m tests.bench.retrieval [--candidates 30] [--rrf-k 60] [--misses]

Indexes tests/data/retrieval/decisions.yaml into a temporary Chroma with the real WordLlama
embedder, asks every question of questions.yaml in each mode through the same HybridSearcher
the bot uses (same scoping: project, channel, superseded), and prints recall@5, MRR, abstention
accuracy at DEFAULT_MIN_SIMILARITY, timings, and the threshold sweep behind that default.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import yaml

from bot.retrieval.embeddings import WordLlamaEmbedder
from bot.retrieval.hybrid import DEFAULT_MIN_SIMILARITY, HybridSearcher, best_similarity
from bot.retrieval.store import ChromaKnowledgeStore
from bot.retrieval.types import Document, Passage, SearchMode

DATA = Path(__file__).resolve().parents[1] / "data" / "retrieval"
PROJECT = "acme"
K = 5
MODES: tuple[SearchMode, ...] = get_args(SearchMode.__value__) if hasattr(SearchMode, "__value__") else ("vector", "keyword", "hybrid")  # noqa: E501


@dataclass(frozen=True)
class Question:
    text: str
    channel: str
    expected: tuple[str, ...]
    must_not_see: tuple[str, ...] = ()


@dataclass
class ModeResult:
    ranks: list[int | None] = field(default_factory=list)  # rank of the first expected hit
    recalls: list[float] = field(default_factory=list)
    best: list[float] = field(default_factory=list)  # best raw similarity, every question
    answerable: list[bool] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)


def doc_id(number: int) -> str:
    return f"decision:{number}"


def load_decisions(path: Path = DATA / "decisions.yaml") -> list[Document]:
    """The decision log as the bot would index it (metadata keys as the services write them)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    docs = []
    for item in data["decisions"]:
        text = " ".join(str(item["text"]).split())
        docs.append(
            Document(
                doc_id(item["id"]),
                text,
                {
                    "project": data["project"],
                    "kind": "decision",
                    "source_channel": item["channel"],
                    "private": bool(item.get("private", False)),
                    "superseded": bool(item.get("superseded", False)),
                    "title": text[:60],
                    "permalink": "",
                    "author": item.get("author", ""),
                    "created_at": item["created_at"],
                },
            )
        )
    return docs


def load_questions(path: Path = DATA / "questions.yaml") -> list[Question]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Question(
            text=item["q"],
            channel=item.get("channel", data["default_channel"]),
            expected=tuple(doc_id(n) for n in item["expected"]),
            must_not_see=tuple(doc_id(n) for n in item.get("must_not_see", ())),
        )
        for item in data["questions"]
    ]


def visible_from(doc: Document, channel: str) -> bool:
    """The scope rule, restated independently of the code under test, to count leaks."""
    md = doc.metadata
    return not md["superseded"] and (md["private"] is False or md["source_channel"] == channel)


def evaluate(
    searcher: HybridSearcher, questions: Sequence[Question], docs: dict[str, Document], mode: SearchMode
) -> ModeResult:
    result = ModeResult()
    for question in questions:
        started = time.perf_counter()
        passages = searcher.search(question.text, project=PROJECT, channel=question.channel, k=K, mode=mode)
        result.latencies.append(time.perf_counter() - started)
        ids = [p.id for p in passages]
        result.best.append(best_similarity(passages))
        result.answerable.append(bool(question.expected))
        for passage in passages:
            if passage.id in question.must_not_see or not visible_from(docs[passage.id], question.channel):
                result.leaks.append(f"{question.text!r} -> {passage.id}")
        if question.expected:
            found = [ids.index(e) + 1 for e in question.expected if e in ids]
            result.ranks.append(min(found) if found else None)
            result.recalls.append(len(found) / len(question.expected))
            if not found:
                result.misses.append(f"{question.text!r}: want {question.expected}, got {_show(passages)}")
    return result


def _show(passages: Sequence[Passage]) -> str:
    return ", ".join(f"{p.id} ({p.similarity:.2f})" for p in passages[:3])


def abstention_accuracy(result: ModeResult, threshold: float) -> tuple[float, float, float]:
    """(accuracy over all questions, share of answerable answered, share of unanswerable abstained)."""
    answered = [b >= threshold for b in result.best]
    good = [a == should for a, should in zip(answered, result.answerable, strict=True)]
    n_ans = sum(result.answerable)
    n_un = len(answered) - n_ans
    ans_ok = sum(a for a, s in zip(answered, result.answerable, strict=True) if s)
    un_ok = sum(not a for a, s in zip(answered, result.answerable, strict=True) if not s)
    return sum(good) / len(good), ans_ok / n_ans, un_ok / max(n_un, 1)


def mrr(result: ModeResult) -> float:
    return statistics.fmean(1.0 / r if r else 0.0 for r in result.ranks)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=30)
    parser.add_argument("--rrf-k", type=int, default=60)
    parser.add_argument("--misses", action="store_true", help="list answerable questions not found")
    args = parser.parse_args(argv)

    docs = load_decisions()
    questions = load_questions()
    embedder = WordLlamaEmbedder()
    embedder.load()
    with tempfile.TemporaryDirectory() as folder:
        store = ChromaKnowledgeStore(embedder, path=folder)
        store.count()  # open the collection outside the timing
        started = time.perf_counter()
        store.upsert(docs)
        index_seconds = time.perf_counter() - started
        searcher = HybridSearcher(store, candidates=args.candidates, rrf_k=args.rrf_k)
        started = time.perf_counter()
        searcher.search("warm up", project=PROJECT, mode="keyword")  # builds the BM25 index
        bm25_seconds = time.perf_counter() - started
        by_id = {d.id: d for d in docs}
        results = {mode: evaluate(searcher, questions, by_id, mode) for mode in ("vector", "keyword", "hybrid")}

    n_ans = sum(1 for q in questions if q.expected)
    print(
        f"{len(docs)} decisions, {len(questions)} questions ({n_ans} answerable, "
        f"{len(questions) - n_ans} unanswerable), k={K}, candidates={args.candidates}, "
        f"rrf_k={args.rrf_k}, embedder={embedder.name}"
    )
    print(f"index: {index_seconds * 1000:.0f} ms (embed + Chroma upsert), BM25 build {bm25_seconds * 1000:.0f} ms")
    print()
    print(f"{'mode':<8} {'recall@5':>9} {'MRR':>6} {'abstain acc':>12} {'answered':>9} {'abstained':>10} {'p50 ms':>7} {'leaks':>6}")
    for mode, result in results.items():
        acc, ans, un = abstention_accuracy(result, DEFAULT_MIN_SIMILARITY)
        print(
            f"{mode:<8} {statistics.fmean(result.recalls):>9.3f} {mrr(result):>6.3f} {acc:>12.3f} "
            f"{ans:>9.3f} {un:>10.3f} {statistics.median(result.latencies) * 1000:>7.1f} {len(result.leaks):>6}"
        )
    print(f"(abstention at DEFAULT_MIN_SIMILARITY={DEFAULT_MIN_SIMILARITY}: answered = share of "
          "answerable questions answered, abstained = share of unanswerable ones abstained)")
    print()
    print("threshold sweep: abstention accuracy on the best raw cosine of the top 5")
    print(f"{'threshold':>9} " + " ".join(f"{m:>8}" for m in results) + f" {'hyb ans':>8} {'hyb abst':>8}")
    threshold = 0.30
    while threshold <= 0.801:
        row = [abstention_accuracy(r, threshold) for r in results.values()]
        mark = "  <- DEFAULT_MIN_SIMILARITY" if abs(threshold - DEFAULT_MIN_SIMILARITY) < 1e-9 else ""
        hybrid = abstention_accuracy(results["hybrid"], threshold)
        print(f"{threshold:>9.3f} " + " ".join(f"{a[0]:>8.3f}" for a in row) + f" {hybrid[1]:>8.3f} {hybrid[2]:>8.3f}{mark}")
        threshold = round(threshold + 0.025, 3)
    for mode, result in results.items():
        for leak in result.leaks:
            print(f"LEAK [{mode}] {leak}")
        if args.misses:
            for miss in result.misses:
                print(f"miss [{mode}] {miss}")
    return 1 if any(r.leaks for r in results.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
