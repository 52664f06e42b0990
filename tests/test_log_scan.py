"""The log scan (tests/log_scan.py) sees the bot's own log lines and would catch a leak."""

from __future__ import annotations

from tests import log_scan
from tests.harness import signer
from tests.harness.app_server import TEAM_CHANNEL, RunningBot
from tests.harness.waiting import wait_until

NOTES = "The accountant wants to export every invoice of the quarter to PDF."


def test_the_scan_reads_the_bots_log_and_flags_secrets_and_bodies(running_bot: RunningBot) -> None:
    running_bot.openai.queue_error(500)
    running_bot.openai.queue_error(500)

    running_bot.signer.command("/story", NOTES, channel_id=TEAM_CHANNEL)

    [keep] = log_scan.CURRENT
    wait_until(
        lambda: any("drafting note" in line for line in keep.lines),
        timeout=20,
        what="the bot's warning about the failed draft was not captured",
    )
    assert log_scan.leaks(keep.lines, signer.SENT_BODIES) == []  # what the bot logged is clean
    assert NOTES in log_scan.people_wrote(signer.SENT_BODIES[-1])
    assert log_scan.leaks([f"bot.x WARNING could not draft: {NOTES}"], signer.SENT_BODIES)
    assert log_scan.leaks(["slack_sdk DEBUG token=xoxb-test"], [])
    assert log_scan.leaks(["bot.http INFO secret test-signing-secret"], [])
