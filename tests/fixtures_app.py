"""Fixtures that run the whole bot over HTTP against the fake Slack and OpenAI servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures_db import copy_migrated_sqlite
from tests.harness.app_server import RunningBot, bot_settings, start_bot
from tests.harness.fake_openai import FakeOpenAI
from tests.harness.fake_slack import FakeSlack


@pytest.fixture
def running_bot(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    fake_slack: FakeSlack,
    fake_openai: FakeOpenAI,
    migrated_sqlite_template: Path,
) -> Iterator[RunningBot]:
    """The bot on loopback; `@pytest.mark.bot_settings(NAME=value)` overrides settings."""
    marker = request.node.get_closest_marker("bot_settings")
    overrides = dict(marker.kwargs) if marker else {}
    settings = bot_settings(tmp_path, fake_slack, fake_openai, **overrides)
    if (
        settings.database_url.startswith("sqlite:///")
        and not Path(settings.database_url.removeprefix("sqlite:///")).exists()
    ):
        # Start-up still runs the real upgrade; on the copy it finds nothing left to do.
        copy_migrated_sqlite(migrated_sqlite_template, settings.database_url)
    bot = start_bot(settings, fake_slack, fake_openai)
    try:
        yield bot
    finally:
        bot.stop()


@pytest.fixture
def running_bot_on_postgres(
    tmp_path: Path, postgres_url: str, fake_slack: FakeSlack, fake_openai: FakeOpenAI
) -> Iterator[RunningBot]:
    """The same bot with its database on PostgreSQL (skipped when none is configured)."""
    settings = bot_settings(tmp_path, fake_slack, fake_openai, db_url=postgres_url)
    bot = start_bot(settings, fake_slack, fake_openai)
    try:
        yield bot
    finally:
        bot.stop()
