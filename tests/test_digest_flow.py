"""Handover digests end to end: a Monday of work becomes Tuesday's digests for both sides."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from slack_sdk.errors import SlackApiError

from bot.domain import MessageRef
from bot.services.digests.service import DigestService
from bot.storage.digest_claims import get_digest
from bot.storage.digest_store import SqlDigestStore
from bot.storage.messages import list_channel_messages
from bot.storage.types import DigestSide, DigestStatus
from tests.digest_e2e import post_digest, publisher
from tests.harness.app_server import (
    CLIENT_CHANNEL,
    DEVELOPER,
    REVIEWER,
    TEAM_CHANNEL,
    RunningBot,
)
from tests.harness.fake_slack import SlackCall
from tests.harness.waiting import wait_until
from tests.story_e2e import batch, cards, final_batch_update, story

TUESDAY = date(2026, 3, 24)
# Collected messages are dated by their ts, so these must fall inside the digest window.
STARTED_TS = f"{time.time() - 60:.6f}"
BLOCKED_TS = f"{time.time() - 30:.6f}"
NOTES = (
    "# Monday client meeting\n\n"
    "The accountant wants to create a credit note for a sent invoice.\n"
    "Customers want to see the payment status of each invoice in the portal."
)


def monday(bot: RunningBot) -> None:
    """A /story batch (one approved), two decisions, a team question nothing answers."""
    bot.openai.queue_json(
        batch(
            story(
                "Credit a sent invoice",
                "to create a credit note for a sent invoice",
                ["create a credit note for a sent invoice"],
            ),
            story(
                "See payment status",
                "to see the payment status of each invoice",
                ["see the payment status of each invoice in the portal"],
                role="customer",
            ),
        )
        | {"questions_for_client": ["Should partly paid invoices show the remaining amount?"]}
    )
    bot.signer.command("/story", NOTES, channel_id=CLIENT_CHANNEL, user_id=REVIEWER)
    [first, _] = cards(bot, 2)
    final_batch_update(bot)
    bot.signer.block_action("story_approve", "1", user_id=REVIEWER, channel_id=CLIENT_CHANNEL)
    bot.slack.wait_for("chat.update", predicate=lambda c: c.args["ts"] == first.response["ts"])
    for n, text in enumerate(
        [
            "Credit notes always get their own KID number.",
            "The portal shows paid, partly paid and unpaid.",
        ]
    ):
        bot.signer.command("/decision", text, user_id=REVIEWER, channel_id=CLIENT_CHANNEL)
        bot.slack.wait_for(
            "chat.update", count=n + 1, predicate=lambda c: "recorded by" in str(c.args.get("text"))
        )
    bot.signer.message(
        "Started on the credit note screen today.",
        user=DEVELOPER,
        channel=TEAM_CHANNEL,
        ts=STARTED_TS,
    )
    bot.signer.message(
        "Blocked: which VAT rate applies to credit notes?",
        user=DEVELOPER,
        channel=TEAM_CHANNEL,
        ts=BLOCKED_TS,
    )
    bot.signer.app_mention(
        "Which VAT rate applies to credit notes?",
        channel=TEAM_CHANNEL,
        user=DEVELOPER,
        ts="1700000003.000100",
    )
    bot.slack.wait_for(
        "chat.postMessage",
        predicate=lambda c: (
            c.args["channel"] == CLIENT_CHANNEL
            and "question_answer" in json.dumps(c.args.get("blocks"))
        ),
    )
    wait_for_collected(bot, 2)  # the two team messages, handled asynchronously


def digest_post(bot: RunningBot, channel: str) -> SlackCall:
    [post] = bot.slack.wait_for(
        "chat.postMessage",
        predicate=lambda c: c.args["channel"] == channel and "Morning handover" in c.args["text"],
    )
    return post


def test_tuesday_digests_carry_mondays_work_to_each_side(running_bot: RunningBot) -> None:
    monday(running_bot)
    running_bot.slack.reset()
    running_bot.openai.queue_json(
        {
            "summary": "- Credit note screen started [1]\n- Blocked on the VAT rate [2]",
            "cited": [1, 2],
        }
    )

    assert post_digest(running_bot, "team", TUESDAY)
    team = json.dumps(digest_post(running_bot, TEAM_CHANNEL).args["blocks"])
    assert "From the client meeting" in team and "Monday client meeting" in team
    assert "Ready for sprint planning:* <https://test-team.slack.com/archives/" in team
    assert "#1 Credit a sent invoice" in team
    assert "?thread_ts=" in team  # card links open the batch thread they are replies in
    assert "Should partly paid invoices show the remaining amount?" in team
    assert "#2 See payment status" in team  # still waiting for review
    assert "own KID number" in team and "paid, partly paid and unpaid" in team
    assert "Which VAT rate applies to credit notes?" in team  # still open
    assert "<!date^" in team  # times in each reader's zone

    assert post_digest(running_bot, "client", TUESDAY)
    client = digest_post(running_bot, CLIENT_CHANNEL).args["blocks"]
    answer_buttons = [
        b["accessory"]
        for b in client
        if b.get("accessory", {}).get("action_id") == "question_answer"
    ]
    assert [b["value"] for b in answer_buttons] == ["1"]
    text = json.dumps(client)
    assert "#2 See payment status" in text and "own KID number" in text
    blocked_link = f"https://test-team.slack.com/archives/C0TEAM/p{BLOCKED_TS.replace('.', '')}"
    assert f"Blocked on the VAT rate <{blocked_link}|[2]>" in text
    summary_request = json.dumps(running_bot.openai.last_request())
    assert "Started on the credit note screen today." in summary_request

    # the client answers from the digest; the team is told in the question's thread
    running_bot.signer.block_action(
        "question_answer", "1", user_id=REVIEWER, channel_id=CLIENT_CHANNEL, trigger_id="T.7.d"
    )
    [opened] = running_bot.slack.wait_for("views.open")
    running_bot.signer.view_submission(
        "question_answer_modal",
        {
            "answer_text_block": {
                "answer_text_input": "Credit notes use the VAT rate of the invoice."
            }
        },
        user_id=REVIEWER,
        private_metadata=opened.args["view"]["private_metadata"],
    )
    [told] = running_bot.slack.wait_for(
        "chat.postMessage",
        predicate=lambda c: (
            c.args.get("thread_ts") == "1700000003.000100"
            and "Answered by" in str(c.args.get("text"))
        ),
    )
    assert "<@U0DEV>" in told.args["text"]


def test_a_digest_is_posted_once_and_the_next_starts_where_it_ended(
    running_bot: RunningBot,
) -> None:
    running_bot.signer.command(
        "/decision", "Invoices are due after 14 days.", user_id=REVIEWER, channel_id=CLIENT_CHANNEL
    )
    running_bot.slack.wait_for(
        "chat.update", predicate=lambda c: "recorded by" in str(c.args.get("text"))
    )

    results: list[MessageRef | None] = []
    threads = [
        threading.Thread(target=lambda: results.append(post_digest(running_bot, "team", TUESDAY)))
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len([r for r in results if r]) == 1
    assert (
        len(
            [
                c
                for c in running_bot.slack.calls_to("chat.postMessage")
                if "Morning handover" in c.args.get("text", "")
            ]
        )
        == 1
    )

    running_bot.slack.reset()
    post_digest(running_bot, "team", date(2026, 3, 25))
    [wednesday] = running_bot.slack.wait_for("chat.postMessage")
    assert "14 days" not in json.dumps(wednesday.args)  # already reported on Tuesday
    assert "quiet day" in wednesday.args["text"]


def test_client_digest_goes_out_without_the_model(running_bot: RunningBot) -> None:
    running_bot.signer.message(
        "Deployed the overdue list to staging.",
        user=DEVELOPER,
        channel=TEAM_CHANNEL,
        ts=f"{time.time():.6f}",
    )
    wait_for_collected(running_bot, 1)  # events are handled asynchronously
    running_bot.openai.queue_error(503)
    running_bot.openai.queue_error(503)

    assert post_digest(running_bot, "client", TUESDAY)

    client = json.dumps(digest_post(running_bot, CLIENT_CHANNEL).args["blocks"])
    assert "summary is missing today" in client and "1 messages" in client


def test_failed_post_can_be_retried_and_still_posts_once(running_bot: RunningBot) -> None:
    running_bot.slack.fail_next("chat.postMessage", status=200, error="channel_not_found")

    # A lasting error is not retried on the spot: the run fails and says why.
    with pytest.raises(SlackApiError, match="channel_not_found"):
        post_digest(running_bot, "team", TUESDAY)
    assert post_digest(running_bot, "team", TUESDAY)
    assert post_digest(running_bot, "team", TUESDAY) is None


@pytest.mark.bot_settings(APO_SLACK_RETRIES=0)  # the Slack client itself gives up at once
def test_a_brief_slack_outage_at_digest_time_still_gets_the_digest_out(
    running_bot: RunningBot,
) -> None:
    running_bot.slack.fail_next("chat.postMessage", status=503, times=2)
    naps: list[float] = []
    container = running_bot.container
    digests = DigestService(
        SqlDigestStore(container.db),
        container.projects,
        container.chat_model,
        container.prompts.get("summarize_discussion"),
        sleep=naps.append,
    )
    slack = publisher(running_bot)

    posted = digests.post("acme", "team", TUESDAY, slack, attempts=3, backoff=0.01)

    assert posted
    calls = running_bot.slack.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [503, 503, 200]
    assert naps == [0.01, 0.02]  # backing off between attempts
    with running_bot.container.db.session() as session:
        stored = get_digest("acme", DigestSide.team, TUESDAY, session=session)
    assert stored is not None and stored.status == DigestStatus.posted
    assert (stored.message_ts, stored.error) == (posted.ts, None)
    assert digests.post("acme", "team", TUESDAY, slack) is None  # and still only once


@pytest.mark.bot_settings(APO_SLACK_RETRIES=0)
def test_a_digest_gives_up_after_its_attempts(running_bot: RunningBot) -> None:
    running_bot.slack.fail_next("chat.postMessage", status=503, times=2)
    with pytest.raises(SlackApiError):
        post_digest(running_bot, "team", TUESDAY, attempts=2, backoff=0.01)
    with running_bot.container.db.session() as session:
        stored = get_digest("acme", DigestSide.team, TUESDAY, session=session)
    assert stored is not None and stored.status == DigestStatus.failed
    assert post_digest(running_bot, "team", TUESDAY)  # the next run posts it


def wait_for_collected(bot: RunningBot, count: int, timeout: float = 10) -> None:
    since = datetime.now(UTC) - timedelta(days=1)

    def collected() -> bool:
        with bot.container.db.session() as session:
            return len(list_channel_messages("acme", since=since, session=session)) >= count

    wait_until(collected, timeout=timeout, what=f"{count} messages were not collected")


def test_summary_markers_link_the_messages_the_model_numbered(running_bot: RunningBot) -> None:
    start = time.time() - 120
    stamps = [f"{start + n:.6f}" for n in range(6)]
    for n, ts in enumerate(stamps, start=1):
        running_bot.signer.message(
            f"Team note number {n} about the overdue list.",
            user=DEVELOPER,
            channel=TEAM_CHANNEL,
            ts=ts,
        )
    wait_for_collected(running_bot, 6)
    running_bot.openai.queue_json(
        {
            "summary": "The filter was settled [2]; the export is next [5]; and more [9].",
            "cited": [2, 5, 9],
        }
    )

    assert post_digest(running_bot, "client", TUESDAY)

    text = json.dumps(digest_post(running_bot, CLIENT_CHANNEL).args["blocks"])
    second, fifth = (
        f"https://test-team.slack.com/archives/{TEAM_CHANNEL}/p{stamps[i].replace('.', '')}"
        for i in (1, 4)
    )
    assert f"The filter was settled <{second}|[2]>" in text
    assert f"the export is next <{fifth}|[5]>" in text
    assert "[9]" not in text  # a number the model made up links nowhere and is dropped
    request = json.dumps(running_bot.openai.last_request())
    assert "[2] <U0DEV> Team note number 2" in request  # the numbering the model saw


def test_a_holiday_digest_rolls_into_the_next_working_day(running_bot: RunningBot) -> None:
    """Wednesday 1 April 2026 is a holiday for the team in this test: nothing is posted that
    day, and what happened since Tuesday's digest appears on Thursday."""
    from bot.services.digests.timing import is_digest_day

    team = running_bot.container.projects.get("acme").team
    holiday = team.model_copy(
        update={"holidays": team.holidays.model_copy(update={"dates": (date(2026, 4, 1),)})}
    )
    assert not is_digest_day(holiday, date(2026, 4, 1))  # the scheduler skips the day

    assert post_digest(running_bot, "team", date(2026, 3, 31))  # Tuesday
    running_bot.signer.command(
        "/decision",
        "Dunning starts 7 days after the due date.",
        user_id=REVIEWER,
        channel_id=CLIENT_CHANNEL,
    )
    running_bot.slack.wait_for(
        "chat.update", predicate=lambda c: "Dunning" in str(c.args.get("text"))
    )
    running_bot.slack.reset()

    assert post_digest(running_bot, "team", date(2026, 4, 2))  # Thursday
    [thursday] = running_bot.slack.wait_for("chat.postMessage")
    assert "Dunning starts 7 days after the due date." in json.dumps(thursday.args["blocks"])
