"""The figures every benchmark returns, and the Markdown page `make bench` writes from them.

Each benchmark module has a `figures(...) -> list[Figure]` function (its `main` prints the same
figures), so `tests.bench.run_all` can collect them all into `docs/benchmarks.md`.
"""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Figure:
    """One measured figure; with a target, whether it was met and why (or why not)."""

    section: str
    what: str
    measured: str
    target: str = ""
    met: bool | None = None  # None: a figure without a target
    reason: str = ""


@dataclass(frozen=True)
class Machine:
    cores: int
    memory: str
    cpu: str
    python: str
    commit: str
    date: str
    load_before: float
    load_after: float
    seconds: float


def _proc_field(path: str, name: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def git_commit() -> str:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{sha} (with uncommitted changes)" if dirty else sha


def machine(load_before: float, seconds: float) -> Machine:
    memory = _proc_field("/proc/meminfo", "MemTotal")
    if memory.endswith("kB"):
        memory = f"{int(memory.split()[0]) / 1024 / 1024:.1f} GB"
    return Machine(
        cores=os.cpu_count() or 0,
        memory=memory,
        cpu=_proc_field("/proc/cpuinfo", "model name"),
        python=platform.python_version(),
        commit=git_commit(),
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        load_before=load_before,
        load_after=os.getloadavg()[0],
        seconds=seconds,
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _verdict(figure: Figure) -> str:
    if figure.met is None:
        return ""
    return "met" if figure.met else "**missed**"


def figure_table(figures: Sequence[Figure]) -> list[str]:
    lines = ["| what | measured | target | | why |", "|---|---|---|---|---|"]
    lines += [
        f"| {_cell(f.what)} | {_cell(f.measured)} | {_cell(f.target)} | {_verdict(f)} "
        f"| {_cell(f.reason)} |"
        for f in figures
    ]
    return lines


def markdown(figures: Sequence[Figure], host: Machine, notes: Sequence[str] = ()) -> str:
    targets = [f for f in figures if f.met is not None]
    met = sum(1 for f in targets if f.met)
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m tests.bench.run_all`); do not edit by hand.",
        "",
        "## Machine",
        "",
        f"- date: {host.date}",
        f"- commit: {host.commit}",
        f"- cores: {host.cores}; memory: {host.memory}; CPU: {host.cpu}",
        f"- Python {host.python}",
        f"- load average (1 min): {host.load_before:.2f} before, {host.load_after:.2f} after "
        f"(the machine is shared: a load above the core count inflates wall times)",
        f"- the whole run took {host.seconds / 60:.1f} min",
        "",
        "## Targets",
        "",
        f"{met} of {len(targets)} targets met.",
        "",
        "| section | what | measured | target | | why |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {_cell(f.section)} | {_cell(f.what)} | {_cell(f.measured)} | {_cell(f.target)} "
        f"| {_verdict(f)} | {_cell(f.reason)} |"
        for f in targets
    ]
    sections = list(dict.fromkeys(f.section for f in figures))
    for section in sections:
        lines += ["", f"## {section}", ""]
        lines += figure_table([f for f in figures if f.section == section])
    if notes:
        lines += ["", "## Notes", ""]
        lines += [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def print_figures(figures: Sequence[Figure]) -> None:
    for section in dict.fromkeys(f.section for f in figures):
        print(f"## {section}\n")
        print("\n".join(figure_table([f for f in figures if f.section == section])))
        print()
