"""`apo stats`: model calls, tokens and estimated cost per project and month, from the
`llm_call` rows each model call leaves, which now name their project."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot.cli import main
from bot.errors import ConfigError
from bot.ops.costs import parse_prices
from bot.storage.db import Database
from bot.storage.models import LLMCall
from bot.storage.usage import record_llm_call
from tests.harness.app_server import TEAM_CHANNEL, RunningBot
from tests.story_e2e import batch, story

QUOTE = "The accountant wants to export the monthly report to PDF."


@pytest.fixture
def database(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.chdir(tmp_path)  # no developer's .env
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.delenv("APO_MODEL_PRICES", raising=False)
    db = Database(sqlite_url)
    from bot.storage.migrate import upgrade

    upgrade(sqlite_url)
    return db


def seed(db: Database) -> None:
    calls = [
        ("acme", "gpt-4.1-mini", 1_000_000, 500_000, True, datetime(2026, 11, 3, tzinfo=UTC)),
        ("acme", "gpt-4.1-mini", 1_000_000, 0, False, datetime(2026, 11, 20, tzinfo=UTC)),
        ("acme", "gpt-4.1-mini", 2_000_000, 0, True, datetime(2026, 12, 1, tzinfo=UTC)),
        ("globex", "llama3.1", 10_000, 2_000, True, datetime(2026, 12, 1, tzinfo=UTC)),
    ]
    with db.session() as session:
        for project, model, prompt, completion, ok, at in calls:
            record_llm_call(
                "story_draft",
                model,
                prompt_tokens=prompt,
                completion_tokens=completion,
                ok=ok,
                project=project,
                at=at,
                session=session,
            )


def test_stats_sums_per_project_month_and_model_with_a_cost(
    database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(database)

    assert main(["stats", "--json"]) == 0

    rows = json.loads(capsys.readouterr().out)
    assert [(r["project"], r["month"], r["calls"], r["failed"]) for r in rows] == [
        ("acme", "2026-11", 2, 1),
        ("acme", "2026-12", 1, 0),
        ("globex", "2026-12", 1, 0),
    ]
    # 2M prompt tokens at $0.40 and 0.5M completion tokens at $1.60 per million.
    assert rows[0]["cost_usd"] == pytest.approx(0.8 + 0.8)
    assert rows[1]["cost_usd"] == pytest.approx(0.8)
    assert rows[2]["cost_usd"] is None, "no price known for a local model"


def test_stats_table_filters_and_uses_configured_prices(
    database: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(database)
    monkeypatch.setenv("APO_MODEL_PRICES", "llama3.1=0/0")

    assert main(["stats", "--project", "globex", "--since", "2026-12"]) == 0

    out = capsys.readouterr().out
    assert "globex" in out and "acme" not in out
    assert "$0.00" in out and "?" not in out.splitlines()[1]


def test_stats_with_nothing_recorded_says_so(
    database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats"]) == 0
    assert "No model calls recorded yet." in capsys.readouterr().out


def test_bad_prices_and_months_are_named() -> None:
    with pytest.raises(ConfigError, match="'gpt=cheap' is not model=PROMPT/COMPLETION"):
        parse_prices("gpt-4.1=1/2, gpt=cheap")
    assert main(["stats", "--since", "March"]) == 2


def test_a_drafting_call_is_recorded_for_its_project(running_bot: RunningBot) -> None:
    running_bot.openai.queue_json(batch(story("Export report", "to export the report", [QUOTE])))

    running_bot.signer.command("/story", QUOTE, channel_id=TEAM_CHANNEL)
    running_bot.wait_until_idle()

    with running_bot.container.db.session() as session:
        calls = session.exec(select(LLMCall)).all()
    assert [(c.purpose, c.project) for c in calls] == [("story_draft", "acme")]
