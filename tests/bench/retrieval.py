"""Retrieval benchmark: vector-only vs keyword-only vs hybrid on the Acme decision log.

    .venv/bin/python -m tests.bench.retrieval [--candidates 30] [--rrf-k 60] [--misses]
                                              [--postgres]

Indexes tests/data/retrieval/decisions.yaml into a temporary Chroma with the real WordLlama
embedder and into the keyword index of a migrated SQLite file (or of a fresh PostgreSQL schema
with ``--postgres``, from APO_TEST_POSTGRES_URL), asks every question of questions.yaml in
each mode through the HybridSearcher the bot uses (same scope rules: project, channel,
superseded), and prints recall@5, MRR, abstention at DEFAULT_MIN_SIMILARITY, timings, and the
threshold sweep behind that default. Exits 1 if any question saw a document outside its scope.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
import yaml

from bot.retrieval.embeddings import WordLlamaEmbedder
from bot.retrieval.hybrid import DEFAULT_MIN_SIMILARITY, HybridSearcher, best_similarity
from bot.retrieval.indexed import IndexedKnowledgeStore
from bot.retrieval.keyword_sql import SqlKeywordIndex
from bot.retrieval.store import ChromaKnowledgeStore
from bot.retrieval.types import Document, IndexRecord, SearchMode
from bot.storage.db import create_db_engine
from bot.storage.migrate import upgrade
from tests.bench.report import Figure

DATA = Path(__file__).resolve().parents[1] / "data" / "retrieval"
PROJECT = "acme"
K = 5
MODES: tuple[SearchMode, ...] = ("vector", "keyword", "hybrid")


@dataclass(frozen=True)
class Question:
    text: str
    channel: str
    expected: tuple[str, ...]
    must_not_see: tuple[str, ...] = ()


@dataclass
class ModeResult:
    ranks: list[int | None] = field(default_factory=list)  # first expected hit, answerable only
    recalls: list[float] = field(default_factory=list)  # answerable only
    best: list[float] = field(default_factory=list)  # best raw cosine in the top k, every question
    answerable: list[bool] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return statistics.fmean(self.recalls)

    @property
    def mrr(self) -> float:
        return statistics.fmean(1.0 / r if r else 0.0 for r in self.ranks)

    def abstention(self, threshold: float) -> tuple[float, float, float]:
        """(accuracy, share of answerable answered, share of unanswerable abstained).

        A question is answered when its best passage is at least ``threshold`` similar."""
        pairs = [(b >= threshold, a) for b, a in zip(self.best, self.answerable, strict=True)]
        answered = sum(ans for ans, should in pairs if should)
        abstained = sum(not ans for ans, should in pairs if not should)
        n_answerable = sum(self.answerable)
        n_other = len(pairs) - n_answerable
        return (
            (answered + abstained) / len(pairs),
            answered / n_answerable,
            abstained / n_other if n_other else 1.0,
        )


def doc_id(number: int) -> str:
    return f"decision:{number}"


def load_decisions(path: Path = DATA / "decisions.yaml") -> list[Document]:
    """The decision log as the bot indexes decisions."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    docs = []
    for item in data["decisions"]:
        text = " ".join(str(item["text"]).split())
        record = IndexRecord(
            project=data["project"],
            kind="decision",
            source_channel=item["channel"],
            private=bool(item.get("private", False)),
            superseded=bool(item.get("superseded", False)),
            title=text[:60],
            author=item.get("author", ""),
            created_at=datetime.fromisoformat(item["created_at"]),
        )
        docs.append(Document(doc_id(item["id"]), text, record.to_metadata()))
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


def in_scope(doc: Document, channel: str) -> bool:
    """The scope rule restated independently of the code under test, to count leaks."""
    md = doc.metadata
    return md["superseded"] is False and (md["private"] is False or md["source_channel"] == channel)


def evaluate(
    searcher: HybridSearcher,
    questions: Sequence[Question],
    docs: dict[str, Document],
    mode: SearchMode,
) -> ModeResult:
    result = ModeResult()
    for question in questions:
        started = time.perf_counter()
        passages = searcher.search(
            question.text, project=PROJECT, channel=question.channel, k=K, mode=mode
        )
        result.latencies.append(time.perf_counter() - started)
        ids = [p.id for p in passages]
        result.best.append(best_similarity(passages))
        result.answerable.append(bool(question.expected))
        for found_id in ids:
            if found_id in question.must_not_see or not in_scope(docs[found_id], question.channel):
                result.leaks.append(f"{question.text!r} -> {found_id}")
        if question.expected:
            ranks = [ids.index(e) + 1 for e in question.expected if e in ids]
            result.ranks.append(min(ranks) if ranks else None)
            result.recalls.append(len(ranks) / len(question.expected))
            if not ranks:
                got = ", ".join(f"{p.id} ({p.similarity:.2f})" for p in passages[:3])
                result.misses.append(f"{question.text!r}: want {question.expected}, got {got}")
    return result


def print_report(
    results: dict[SearchMode, ModeResult], header: str, sweep_from: float = 0.15
) -> None:
    print(header, end="\n\n")
    print(
        f"{'mode':<8} {'recall@5':>8} {'MRR':>6} {'abstain acc':>11} {'answered':>8} "
        f"{'abstained':>9} {'p50 ms':>6} {'leaks':>5}"
    )
    for mode, r in results.items():
        acc, answered, abstained = r.abstention(DEFAULT_MIN_SIMILARITY)
        p50 = statistics.median(r.latencies) * 1000
        print(
            f"{mode:<8} {r.recall:>8.3f} {r.mrr:>6.3f} {acc:>11.3f} {answered:>8.3f} "
            f"{abstained:>9.3f} {p50:>6.1f} {len(r.leaks):>5}"
        )
    print(
        f"\nAbstention at DEFAULT_MIN_SIMILARITY={DEFAULT_MIN_SIMILARITY} on the best raw cosine "
        "of the top 5.\nanswered: share of answerable questions answered; abstained: share of "
        "unanswerable ones abstained;\nabstain acc: both, over all questions.\n"
    )
    print("Threshold sweep (hybrid; 'balanced' is the mean of answered and abstained)")
    print(f"{'threshold':>9} {'accuracy':>8} {'answered':>8} {'abstained':>9} {'balanced':>8}")
    hybrid, best_t, best_balanced = results["hybrid"], 0.0, -1.0
    steps = round((0.70 - sweep_from) / 0.025) + 1
    for threshold in (round(sweep_from + 0.025 * i, 3) for i in range(steps)):
        acc, answered, abstained = hybrid.abstention(threshold)
        balanced = (answered + abstained) / 2
        if balanced > best_balanced:
            best_t, best_balanced = threshold, balanced
        mark = (
            "  <- DEFAULT_MIN_SIMILARITY" if abs(threshold - DEFAULT_MIN_SIMILARITY) < 1e-9 else ""
        )
        print(
            f"{threshold:>9.3f} {acc:>8.3f} {answered:>8.3f} {abstained:>9.3f} "
            f"{balanced:>8.3f}{mark}"
        )
    print(f"best balanced accuracy {best_balanced:.3f} at threshold {best_t:.3f}")


@contextmanager
def keyword_database(folder: str, postgres: bool) -> Iterator[str]:
    """A migrated database for the keyword index: a SQLite file in ``folder``, or a fresh
    schema on APO_TEST_POSTGRES_URL's server, dropped afterwards."""
    if not postgres:
        url = f"sqlite:///{folder}/apo.db"
        upgrade(url)
        yield url
        return
    base = sa.make_url(os.environ["APO_TEST_POSTGRES_URL"])
    schema = f"apo_bench_{uuid.uuid4().hex[:12]}"
    admin = create_db_engine(base.render_as_string(hide_password=False))
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = base.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        rendered = url.render_as_string(hide_password=False)
        upgrade(rendered)
        yield rendered
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@dataclass(frozen=True)
class Run:
    results: dict[SearchMode, ModeResult]
    header: str


def measure(
    candidates: int = 30, rrf_k: int = 60, keyword_floor: float = 0.5, postgres: bool = False
) -> Run:
    docs = load_decisions()
    questions = load_questions()
    embedder = WordLlamaEmbedder()
    embedder.load()
    with (
        tempfile.TemporaryDirectory() as folder,
        keyword_database(folder, postgres) as url,
    ):
        engine = create_db_engine(url)
        chroma = ChromaKnowledgeStore(embedder, path=folder)
        chroma.count()  # opens the collection, outside the timing
        store = IndexedKnowledgeStore(chroma, SqlKeywordIndex(engine))
        started = time.perf_counter()
        store.upsert(docs)
        index_ms = (time.perf_counter() - started) * 1000
        searcher = HybridSearcher(
            chroma,
            store.keywords,
            candidates=candidates,
            rrf_k=rrf_k,
            keyword_floor=keyword_floor,
        )
        by_id = {d.id: d for d in docs}
        results = {mode: evaluate(searcher, questions, by_id, mode) for mode in MODES}
        engine.dispose()

    answerable = sum(1 for q in questions if q.expected)
    return Run(
        results,
        f"{len(docs)} decisions, {len(questions)} questions ({answerable} answerable, "
        f"{len(questions) - answerable} unanswerable); embedder {embedder.name}; k={K}, "
        f"candidates={candidates}, rrf_k={rrf_k}, keyword_floor={keyword_floor}\n"
        f"keyword index on {engine.dialect.name}; index {index_ms:.0f} ms (embedding, Chroma "
        "upsert and keyword table insert)",
    )


SECTION = "Retrieval quality (labelled set)"
# The fused ranking's figures before the queue work (commit 58a0592): it must not get worse.
HYBRID_RECALL_BEFORE = 0.78
HYBRID_MRR_BEFORE = 0.712


def figures(postgres: bool = False) -> list[Figure]:
    run = measure(postgres=postgres)
    engine = "PostgreSQL" if postgres else "SQLite"
    rows = [Figure(SECTION, "set", run.header.replace("\n", "; "))]
    for mode, r in run.results.items():
        acc, answered, abstained = r.abstention(DEFAULT_MIN_SIMILARITY)
        rows.append(
            Figure(
                SECTION,
                f"{mode} ({engine} keywords)",
                f"recall@5 {r.recall:.3f}, MRR {r.mrr:.3f}, abstention accuracy {acc:.3f} "
                f"(answered {answered:.3f}, abstained {abstained:.3f}), "
                f"p50 {statistics.median(r.latencies) * 1000:.1f} ms",
            )
        )
    hybrid = run.results["hybrid"]
    recall, mrr = round(hybrid.recall, 3), round(hybrid.mrr, 3)
    kept = recall >= HYBRID_RECALL_BEFORE and mrr >= HYBRID_MRR_BEFORE
    rows.append(
        Figure(
            SECTION,
            f"hybrid quality kept ({engine} keywords)",
            f"recall@5 {hybrid.recall:.3f}, MRR {hybrid.mrr:.3f}",
            f"recall@5 ≥ {HYBRID_RECALL_BEFORE}, MRR ≥ {HYBRID_MRR_BEFORE} (before the split)",
            kept,
            "" if kept else "questions the fused ranking now misses: `--misses` lists them",
        )
    )
    leaks = sum(len(r.leaks) for r in run.results.values())
    rows.append(
        Figure(
            SECTION,
            f"answers from outside their scope ({engine} keywords)",
            str(leaks),
            "0",
            leaks == 0,
            "" if leaks == 0 else "run `python -m tests.bench.retrieval` to list them",
        )
    )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--candidates", type=int, default=30)
    parser.add_argument("--rrf-k", type=int, default=60)
    parser.add_argument("--keyword-floor", type=float, default=0.5)
    parser.add_argument("--misses", action="store_true", help="list answerable questions missed")
    parser.add_argument(
        "--postgres", action="store_true", help="keyword index on APO_TEST_POSTGRES_URL's server"
    )
    args = parser.parse_args(argv)

    run = measure(args.candidates, args.rrf_k, args.keyword_floor, args.postgres)
    print_report(run.results, run.header)
    for mode, result in run.results.items():
        for leak in result.leaks:
            print(f"LEAK [{mode}] {leak}")
        for miss in result.misses if args.misses else []:
            print(f"miss [{mode}] {miss}")
    return 1 if any(r.leaks for r in run.results.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
