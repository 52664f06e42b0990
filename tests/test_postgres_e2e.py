"""The story flow end to end with PostgreSQL underneath, as a multi-replica deployment runs."""

from __future__ import annotations

from tests.harness.app_server import REVIEWER, TEAM_CHANNEL, RunningBot
from tests.story_e2e import batch, cards, final_batch_update, story

QUOTE = "The accountant wants to export the monthly report to PDF."


def test_draft_approve_and_retried_event_on_postgres(running_bot_on_postgres: RunningBot) -> None:
    bot = running_bot_on_postgres
    bot.openai.queue_json(batch(story("Export report", "to export the report", [QUOTE])))

    bot.signer.command("/story", QUOTE, channel_id=TEAM_CHANNEL)
    [card] = cards(bot, 1)
    final_batch_update(bot)
    story_id = bot.container.services.stories.batch(1).stories[0].id
    bot.signer.block_action(
        "story_approve", str(story_id), user_id=REVIEWER, channel_id=TEAM_CHANNEL
    )
    bot.slack.wait_for("chat.update", predicate=lambda c: c.args["ts"] == card.response["ts"])

    assert bot.container.services.stories.story(story_id).status == "approved"
    assert bot.container.db.backend == "postgresql"
    for retry in (None, 1):
        bot.signer.app_mention(
            "help", channel=TEAM_CHANNEL, ts="1700000400.000100", event_id="EvPG1", retry_num=retry
        )
    in_thread = lambda c: c.args.get("thread_ts") == "1700000400.000100"  # noqa: E731
    bot.slack.wait_for("chat.postMessage", predicate=in_thread)
    bot.wait_until_idle()  # a wrongly processed retry would have posted by now
    assert len([c for c in bot.slack.calls_to("chat.postMessage") if in_thread(c)]) == 1
