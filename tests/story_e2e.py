"""Helpers for the /story end-to-end tests: scripted model answers and Slack-side lookups."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.domain import MessageRef
from tests.harness.app_server import RunningBot
from tests.harness.fake_slack import SlackCall
from tests.harness.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]
NOTES_EN = (ROOT / "knowledge/examples/meeting-notes-en.md").read_text(encoding="utf-8")
NOTES_NO = (ROOT / "knowledge/examples/meeting-notes-no.md").read_text(encoding="utf-8")


def scripted(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "tests/data" / name).read_text(encoding="utf-8"))
    return data


def story(title: str, goal: str, quotes: list[str], role: str = "accountant") -> dict[str, Any]:
    return {
        "title": title,
        "role": role,
        "goal": goal,
        "benefit": "month-end closing is correct",
        "acceptance_criteria": [
            {"given": "a sent invoice", "when": "I open it", "then": "its total is shown"}
        ],
        "source_quotes": quotes,
        "open_questions": [],
        "depends_on": [],
    }


def batch(*stories: dict[str, Any]) -> dict[str, Any]:
    return {"stories": list(stories), "questions_for_client": [], "out_of_scope": []}


def cards(bot: RunningBot, count: int, timeout: float = 20) -> list[SlackCall]:
    """The story cards: messages posted in a thread."""
    return bot.slack.wait_for(
        "chat.postMessage", count=count, timeout=timeout, predicate=lambda c: "thread_ts" in c.args
    )


def final_batch_update(bot: RunningBot, timeout: float = 20) -> SlackCall:
    [update] = bot.slack.wait_for(
        "chat.update", timeout=timeout, predicate=lambda c: "drafted" in c.args.get("text", "")
    )
    return update


def everything_sent(bot: RunningBot) -> str:
    return json.dumps([c.args for c in bot.slack.calls])


def story_ids(bot: RunningBot, note_id: int) -> list[int]:
    return [s.id for s in bot.container.services.stories.batch(note_id).stories]


def wait_until_escalated(bot: RunningBot, channel: str, ts: str, timeout: float = 20) -> None:
    """The fake records the escalation post when it arrives; the bot stores where it went
    only once Slack has answered. A reply sent in between would find no escalation."""
    wait_until(
        lambda: (
            bot.container.services.escalations.escalated_at(MessageRef(channel, ts)) is not None
        ),
        timeout=timeout,
        what="the escalation was not stored",
    )
