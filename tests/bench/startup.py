"""Start-up benchmark: how long the `apo` commands and `apo serve --http` take to be useful.

    .venv/bin/python -m tests.bench.startup

Runs the real command as a person would (`python -m bot …`, a fresh process each time) in a
temporary folder with its own SQLite database and Chroma index (the sample `knowledge/` indexed
first), and prints a Markdown table of each figure against its target (issue 9):

- `apo --help`: median wall time of 5 runs, and which heavy libraries it imported (none may be);
- `apo search` and `apo decide`: median of 3 runs each;
- `apo serve --http`: from the process start to the first healthy `GET /healthz`, and its
  resident memory once idle (after any background warm-up), with fake Slack and OpenAI servers
  on loopback so nothing leaves the machine.

Exits 1 when a target is missed.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.bench.report import Figure, print_figures
from tests.harness.app_server import PROJECTS_YAML
from tests.harness.fake_openai import FakeOpenAI
from tests.harness.fake_slack import FakeSlack
from tests.harness.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
# What `apo --help` must never load: each costs from a tenth of a second to several seconds.
HEAVY_MODULES = ("chromadb", "langchain", "wordllama", "openai")
# The settings a developer's shell might carry; the benchmark sets its own.
CONTRACT_NAMES = (
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_API_URL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "DATABASE_URL",
    "CHROMA_PATH",
    "CHROMA_URL",
    "APO_CONFIG",
    "APO_EMBEDDINGS",
)
QUESTION = "When is an invoice due if nobody changes it?"


SECTION = "Start-up"


def row(what: str, measured: str, target: str, met: bool, reason: str = "") -> Figure:
    return Figure(SECTION, what, measured, target, met, reason)


def apo_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot", *args]


def imported_modules(importtime_stderr: str) -> set[str]:
    """Top-level package names from `python -X importtime` output."""
    names = set()
    for line in importtime_stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+\d+ \|\s*(\S+)", line)
        if match:
            names.add(match.group(1).split(".")[0])
    return names


def heavy_among(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m.startswith(h) for h in HEAVY_MODULES))


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float  # the command's own user + system time: what a busy machine does not inflate

    def __str__(self) -> str:
        return f"{self.wall:.2f} s (CPU {self.cpu:.2f} s)"

    def why(self, limit: float) -> str:
        """Why the wall time is over `limit`, or nothing when it is not."""
        if self.wall <= limit:
            return ""
        if self.cpu <= limit:
            return "the command's own CPU time is within the target: other work shared the cores"
        return f"the command itself needs {self.cpu:.2f} s of CPU (imports and set-up)"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(command: Sequence[str], env: dict[str, str], cwd: Path) -> Timing:
    cpu, started = children_cpu(), time.perf_counter()
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    timing = Timing(time.perf_counter() - started, children_cpu() - cpu)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return timing


def median_time(
    make_command: Callable[[int], Sequence[str]], runs: int, env: dict[str, str], cwd: Path
) -> Timing:
    timings = [timed_run(make_command(n), env, cwd) for n in range(runs)]
    return Timing(
        statistics.median(t.wall for t in timings), statistics.median(t.cpu for t in timings)
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_ticks(pid: int) -> int:
    # Fields after the command name (which may hold spaces): utime and stime are 14 and 15.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def wait_idle(pid: int, *, quiet: float = 1.0, timeout: float = 30.0) -> None:
    """Until the process has used no CPU for `quiet` seconds (its warm-up is over); a process
    still busy after `timeout` is measured as it is."""
    seen = {"ticks": cpu_ticks(pid), "since": time.monotonic()}

    def quiet_long_enough() -> bool:
        now = cpu_ticks(pid)
        if now != seen["ticks"]:
            seen["ticks"], seen["since"] = now, time.monotonic()
        return time.monotonic() - seen["since"] >= quiet

    with contextlib.suppress(AssertionError):
        wait_until(
            quiet_long_enough, timeout=timeout, what="the process never went idle", interval=0.1
        )


def wait_healthy(process: subprocess.Popen[str], base_url: str, *, timeout: float) -> None:
    """Until `process` answers GET /healthz with 200; fails if it exits first."""

    def healthy() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            return httpx.get(base_url + "/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    wait_until(healthy, timeout=timeout, what="the server never answered /healthz")


def serve_figures(env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Seconds from start to a healthy /healthz, and resident MB once idle."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        apo_command("serve", "--http", "--host", "127.0.0.1", "--port", str(port)),
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_healthy(process, f"http://127.0.0.1:{port}", timeout=60)
        healthy = time.perf_counter() - started
        wait_idle(process.pid)
        return healthy, rss_mb(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def base_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CONTRACT_NAMES}
    config = tmp / "apo.yaml"
    config.write_text(PROJECTS_YAML, encoding="utf-8")
    env.update(
        APO_CONFIG=str(config),
        DATABASE_URL=f"sqlite:///{tmp / 'apo.db'}",
        CHROMA_PATH=str(tmp / "chroma"),
        APO_LOG_LEVEL="WARNING",
    )
    return env


def measure(tmp: Path) -> list[Figure]:
    env = base_env(tmp)
    rows: list[Figure] = []

    help_time = median_time(lambda _: apo_command("--help"), 5, env=env, cwd=tmp)
    rows.append(
        row(
            "`apo --help` (median of 5)",
            str(help_time),
            "≤ 0.5 s",
            help_time.wall <= 0.5,
            help_time.why(0.5),
        )
    )
    trace = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", "--help"],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    heavy = heavy_among(imported_modules(trace.stderr))
    rows.append(
        row(
            "heavy libraries `apo --help` imports",
            ", ".join(heavy) or "none",
            "none of " + ", ".join(HEAVY_MODULES),
            not heavy,
        )
    )

    with FakeSlack() as slack, FakeOpenAI() as openai:
        # A configured deployment: a model is set up, but search and decide must not call it.
        env.update(
            OPENAI_API_KEY="sk-bench",
            OPENAI_BASE_URL=openai.url,
            SLACK_BOT_TOKEN="xoxb-bench",
            SLACK_SIGNING_SECRET="bench-secret",
            SLACK_API_URL=slack.url,
        )
        timed_run(apo_command("index", str(ROOT / "knowledge"), "--project", "acme"), env, tmp)

        search = median_time(
            lambda _: apo_command("search", QUESTION, "--project", "acme"), 3, env=env, cwd=tmp
        )
        rows.append(
            row("`apo search` (median of 3)", str(search), "≤ 2 s", search.wall <= 2, search.why(2))
        )
        decide = median_time(
            lambda n: apo_command("decide", f"Benchmark decision {n}", "--project", "acme"),
            3,
            env=env,
            cwd=tmp,
        )
        rows.append(
            row("`apo decide` (median of 3)", str(decide), "≤ 2 s", decide.wall <= 2, decide.why(2))
        )

        healthy, rss = serve_figures(env, tmp)
        rows.append(
            row(
                "`apo serve --http` to a healthy `/healthz`",
                f"{healthy:.2f} s",
                "≤ 3 s",
                healthy <= 3,
            )
        )
        rows.append(
            row(
                "resident memory of `apo serve --http`, idle",
                f"{rss:.0f} MB",
                "≤ 300 MB",
                rss <= 300,
            )
        )
        if openai.unscripted:
            raise RuntimeError(f"unexpected model calls: {openai.unscripted}")
    return rows


def figures() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="apo-bench-startup-") as tmp:
        return measure(Path(tmp))


def main() -> int:
    load_before = os.getloadavg()[0]
    rows = figures()
    print(
        f"# Start-up ({os.cpu_count()} cores; load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after)\n"
    )
    print_figures(rows)
    print(
        "Wall times are what a person waits; CPU is the command's own user + system time. "
        "A wall time well above its CPU time means other work shared the cores."
    )
    return 0 if all(r.met for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
