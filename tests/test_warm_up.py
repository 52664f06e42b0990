"""`apo serve` answers at once and loads the heavy parts (embedding model, Chroma, hybrid
search, chat model) in the background: that load must call no model or embeddings server, and a
part that cannot load is only logged, for its first user to see the error as before."""

from __future__ import annotations

import logging

import pytest

from tests.harness.app_server import RunningBot


def test_warm_up_loads_every_part_and_calls_no_server(
    running_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.container"):
        running_bot.container.warm_up()

    assert "heavy parts loaded" in caplog.text
    assert "failed" not in caplog.text
    assert running_bot.openai.request_count == 0


@pytest.mark.bot_settings(CHROMA_URL="http://127.0.0.1:9")
def test_a_part_that_cannot_load_is_logged_not_raised(
    running_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.container"):
        running_bot.container.warm_up()

    assert "warming up the knowledge index failed" in caplog.text
