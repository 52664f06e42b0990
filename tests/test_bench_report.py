"""The benchmark page: machine, targets and one table per section, from fake figures."""

from __future__ import annotations

from tests.bench.report import Figure, Machine, markdown
from tests.bench.run_all import FAILED, run

HOST = Machine(
    cores=2,
    memory="3.8 GB",
    cpu="Test CPU @ 2.0GHz",
    python="3.11.9",
    commit="abc1234",
    date="2026-12-02 05:00 UTC",
    load_before=1.5,
    load_after=2.25,
    seconds=420,
)
FIGURES = [
    Figure("Serving", "ack p99, 50 concurrent", "80 ms", "p99 ≤ 100 ms", True),
    Figure("Serving", "ack p99, 100 concurrent", "210 ms", "p99 ≤ 150 ms", False, "CPU-bound"),
    Figure("Serving", "model cost per answer", "1.00 calls, 1,365 tokens"),
    Figure("Start-up", "`apo --help`", "0.21 s | fast", "≤ 0.5 s", True),
]


def test_page_has_the_machine_the_targets_and_a_table_per_section() -> None:
    page = markdown(FIGURES, HOST, notes=["Fakes on loopback."])
    lines = page.splitlines()

    assert lines[0] == "# Benchmarks"
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == ["## Machine", "## Targets", "## Serving", "## Start-up", "## Notes"]
    machine = page.split("## Machine")[1].split("## Targets")[0]
    for fact in ("2026-12-02 05:00 UTC", "abc1234", "cores: 2", "3.8 GB", "Test CPU", "1.50"):
        assert fact in machine
    targets = page.split("## Targets")[1].split("## Serving")[0]
    assert "2 of 3 targets met." in targets
    assert (
        "| Serving | ack p99, 100 concurrent | 210 ms | p99 ≤ 150 ms | **missed** | CPU-bound |"
        in targets
    )
    assert "model cost per answer" not in targets  # a figure without a target
    serving = page.split("## Serving")[1].split("## Start-up")[0]
    assert "| model cost per answer | 1.00 calls, 1,365 tokens |  |  |  |" in serving
    assert "0.21 s \\| fast" in page  # a pipe inside a cell does not break the table
    assert "- Fakes on loopback." in page


def test_runner_collects_every_benchmark_and_keeps_a_failure_visible() -> None:
    def fake_runner(name: str, quick: bool) -> list[Figure]:
        if name == "broken":
            return [Figure(name, FAILED, "failed", "runs", False, "Traceback: boom")]
        return [f for f in FIGURES if f.section == name]

    page, figures = run(["Serving", "broken"], quick=True, runner=fake_runner)

    assert [f.section for f in figures] == ["Serving", "Serving", "Serving", "broken"]
    assert "## broken" in page and "Traceback: boom" in page
    assert "Quick run" in page
