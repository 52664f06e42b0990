"""Runs every benchmark and writes docs/benchmarks.md (what `make bench` does).

    .venv/bin/python -m tests.bench.run_all [--quick] [--only NAME ...] [--output PATH]

Each benchmark runs in its own fresh process (so one's peak memory or crash cannot touch
another's figures) and hands back its figures as JSON; this process writes the page. `--quick`
trims the keyword index to 1k/10k chunks and the ack bursts to 50 requests, for trying things
out; the default produces the full table. Exits 1 when a benchmark fails to run (a missed
target is a figure on the page, not a failure).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

from tests.bench.report import ROOT, Figure, machine, markdown

FAILED = "benchmark ran"
BENCHES = ("retrieval", "story_checks", "startup", "keyword_scale", "acks")
NOTES = (
    "Every figure comes from real processes on loopback: `apo` commands and `apo serve --http` "
    "as subprocesses, the fake Slack of `tests/harness/fake_slack.py` and a fake OpenAI server "
    "that answers every chat call after 3 s (the model latency) and reports usage tokens of "
    "about one per four characters of prompt and answer.",
    "Ack latency is the HTTP answer time of each signed request, sent all at once on separate "
    "connections with httpx; half are `/story` commands with the 598-word English example "
    "notes, half `app_mention` questions, each with a distinct event id.",
    "Model cost and the stable prefixes are read from the `llm_call` rows the bot records and "
    "from the prompts the fake model received; a prompt's stable prefix is the text every "
    "real call of it began with.",
    "Keyword search at scale: 100 scoped queries per size here (200 when run alone).",
    "The minimal Bolt app (`tests/bench/bolt_reference.py`) acks and calls the same fake "
    "model, served the way the bot serves (Starlette adapter under uvicorn), with a listener "
    "thread for every request in flight so its acks never queue behind model calls.",
)


def run_bench(name: str, quick: bool) -> list[Figure]:
    """Figures of one benchmark, computed in this process."""
    if name == "retrieval":
        from tests.bench import retrieval

        figures = retrieval.figures()
        if os.environ.get("APO_TEST_POSTGRES_URL", "").strip():
            figures += retrieval.figures(postgres=True)
        return figures
    if name == "story_checks":
        from tests.bench import story_checks

        return story_checks.figures()
    if name == "startup":
        from tests.bench import startup

        return startup.figures()
    if name == "keyword_scale":
        from tests.bench import keyword_scale

        sizes = (1000, 10_000) if quick else (1000, 10_000, 100_000)
        return keyword_scale.figures(sizes, queries=100)
    if name == "acks":
        from tests.bench import acks

        return acks.figures((50,) if quick else (50, 100))
    raise ValueError(f"unknown benchmark {name!r}")


def in_child(name: str, quick: bool) -> list[Figure]:
    """Run one benchmark in a fresh interpreter; a failure becomes a missed figure."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [sys.executable, "-m", "tests.bench.run_all", "--child", name, out.name]
        if quick:
            command.append("--quick")
        started = time.perf_counter()
        result = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
        )
        took = time.perf_counter() - started
        print(f"{name}: {took:.0f} s (exit {result.returncode})", file=sys.stderr)
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            return [Figure(name, FAILED, "failed", "runs", False, " / ".join(tail)[:400])]
        return [Figure(**row) for row in json.loads(Path(out.name).read_text())]


def run(
    names: Sequence[str], quick: bool, runner: Callable[[str, bool], list[Figure]]
) -> tuple[str, list[Figure]]:
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    figures: list[Figure] = []
    for name in names:
        figures += runner(name, quick)
    host = machine(load_before, time.perf_counter() - started)
    notes = list(NOTES)
    if quick:
        notes.insert(0, "Quick run (`--quick`): not the full table.")
    return markdown(figures, host, notes), figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller runs, not the full table")
    parser.add_argument("--only", nargs="+", choices=BENCHES, help="run only these benchmarks")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--child", nargs=2, metavar=("NAME", "JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        name, out = args.child
        rows = run_bench(name, args.quick)
        Path(out).write_text(json.dumps([asdict(r) for r in rows]), encoding="utf-8")
        return 0
    page, figures = run(args.only or BENCHES, args.quick, in_child)
    Path(args.output).write_text(page, encoding="utf-8")
    print(page)
    return 1 if any(f.what == FAILED for f in figures) else 0


if __name__ == "__main__":
    raise SystemExit(main())
