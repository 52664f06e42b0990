"""Posting a digest: claimed, posted and marked exactly once; retried when Slack fails for a
moment; quiet days; a crashed run's claim taken over; each window starting where the last
posted digest ended."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.domain import MessageRef
from bot.domain.digests import DigestKey, PostedDigest
from bot.services.digests.service import FIRST_WINDOW, STALE_CLAIM
from tests.services.digest_world import (
    MONDAY,
    TEAM,
    NoSuchChannel,
    SlackDown,
    World,
    acme,
)

TUESDAY = MONDAY + timedelta(days=1)


def test_a_digest_is_claimed_posted_and_marked_once(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.decision("Invoices are due after 14 days.")

    posted = world.post("team")

    assert posted == MessageRef(TEAM, "1700000000.000001")
    [sent] = world.slack.posts
    assert (sent.kind, sent.channel) == ("digest", TEAM)
    assert [d.text for d in sent.content.decisions] == ["Invoices are due after 14 days."]
    assert world.store.last_posted("acme", "team") == PostedDigest(MONDAY, world.clock.now)
    assert world.store.last_posted("acme", "client") is None
    assert world.post("team") is None  # another run, another replica: nothing twice
    assert len(world.slack.posts) == 1


def test_a_post_that_fails_for_a_moment_is_tried_again_with_backoff(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.slack.fail_next(SlackDown("503"), SlackDown("503"))

    assert world.post("team", attempts=3, backoff=2)

    assert world.naps == [2, 4]
    assert len(world.slack.posts) == 1
    assert world.store.last_posted("acme", "team") is not None
    assert world.post("team") is None


def test_a_digest_gives_up_after_its_attempts_and_the_next_run_posts_it(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.slack.fail_next(SlackDown("503"), SlackDown("503"))

    with pytest.raises(SlackDown):
        world.post("team", attempts=2, backoff=1)
    assert world.naps == [1]
    assert world.store.last_posted("acme", "team") is None  # marked failed, not posted

    assert world.post("team")
    assert len(world.slack.posts) == 1


def test_a_lasting_failure_is_not_retried_on_the_spot(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.slack.fail_next(NoSuchChannel("channel_not_found"))

    with pytest.raises(NoSuchChannel, match="channel_not_found"):
        world.post("client")
    assert world.naps == []

    assert world.post("client")  # failed, so claimable again
    assert world.post("client") is None


def test_too_few_attempts_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="attempts"):
        World(tmp_path).post("team", attempts=0)


def test_a_quiet_day_gets_one_line(tmp_path: Path) -> None:
    world = World(tmp_path)

    assert world.post("team")

    [sent] = world.slack.posts
    assert sent.kind == "quiet_line" and sent.content.is_quiet


def test_a_quiet_day_is_skipped_when_the_project_says_so(tmp_path: Path) -> None:
    world = World(tmp_path, acme(quiet_digest="skip"))

    assert world.post("team") is None

    assert world.slack.posts == []
    # Marked as sent all the same: the next digest starts here, and no retry posts this one.
    assert world.store.last_posted("acme", "team") == PostedDigest(MONDAY, world.clock.now)
    assert world.post("team") is None


def test_a_crashed_runs_claim_is_taken_over_once_it_is_stale(tmp_path: Path) -> None:
    world = World(tmp_path)
    now = world.clock.now

    def crashed_claim(day_offset: int, age: timedelta) -> None:
        key = DigestKey("acme", "team", MONDAY + timedelta(days=day_offset))
        won = world.store.claim(
            key,
            channel=TEAM,
            window_start=now - timedelta(days=1),
            window_end=now,
            claimed_at=now - age,
            stale_before=now - age - STALE_CLAIM,
        )
        assert won

    crashed_claim(0, STALE_CLAIM + timedelta(seconds=1))
    crashed_claim(1, STALE_CLAIM - timedelta(seconds=1))

    assert world.post("team", MONDAY)  # stale: this run takes it over
    assert world.naps == []
    # Live: that run may still be posting it, so this one waits until the claim is stale,
    # then posts what the dead run never did.
    assert world.post("team", TUESDAY)
    assert world.naps == [STALE_CLAIM.total_seconds() + 1]
    assert len(world.slack.posts) == 2


def test_a_job_taking_over_a_killed_run_claims_at_once_and_keeps_what_it_posted(
    tmp_path: Path,
) -> None:
    """The job's lease says the run before is dead, so its claim (minutes from stale) is taken
    over at once; a digest that run got into the channel is kept, not posted again."""
    world = World(tmp_path)
    for day in (MONDAY, TUESDAY):  # both runs die after claiming; Monday's after posting
        content = world.build("team", day)
        assert world.store.claim(
            DigestKey("acme", "team", day),
            channel=TEAM,
            window_start=content.window_start,
            window_end=content.window_end,
            claimed_at=world.clock.now,
            stale_before=world.clock.now - STALE_CLAIM,
        )
    in_channel = world.slack.post_quiet_line(TEAM, world.build("team", MONDAY))
    world.clock.advance(seconds=5)  # the lease lapsed; the job runs again

    monday = world.digests.post("acme", "team", MONDAY, world.slack, take_over=True)
    tuesday = world.digests.post("acme", "team", TUESDAY, world.slack, take_over=True)

    assert monday == in_channel  # adopted: the message Slack took before the kill
    assert tuesday is not None and tuesday != in_channel
    assert [p.content.local_date for p in world.slack.posts] == [MONDAY, TUESDAY]
    assert world.post("team", MONDAY) is None and world.post("team", TUESDAY) is None


def test_the_window_starts_where_the_last_posted_digest_ended(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.decision("Reported on Monday.")
    monday_end = world.clock.now
    assert world.post("team", MONDAY)

    world.clock.advance(days=1)
    world.decision("Taken on Tuesday.")
    assert world.post("team", TUESDAY)

    tuesday = world.slack.posts[-1].content
    assert tuesday.window_start == monday_end
    assert [d.text for d in tuesday.decisions] == ["Taken on Tuesday."]


def test_the_first_digest_looks_back_a_week(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.decision("Six days ago.", at=world.ago(days=6))
    world.decision("Eight days ago.", at=world.ago(days=8))

    content = world.build("client")

    assert content.window_start == world.clock.now - FIRST_WINDOW
    assert [d.text for d in content.decisions] == ["Six days ago."]


def test_a_failed_digest_does_not_move_the_window(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.decision("Reported on Monday.")
    world.slack.fail_next(NoSuchChannel("channel_not_found"))
    with pytest.raises(NoSuchChannel):
        world.post("team", MONDAY)

    world.clock.advance(days=1)
    assert world.post("team", TUESDAY)

    assert [d.text for d in world.slack.posts[-1].content.decisions] == ["Reported on Monday."]


# --- a crash between claim and post --------------------------------------------------------


def crash_after_claiming(world: World, day: date = MONDAY) -> None:
    """A run that claimed the digest and died before posting it (SIGKILL, a deploy)."""
    now = world.clock.now
    assert world.store.claim(
        DigestKey("acme", "team", day),
        channel=TEAM,
        window_start=now - timedelta(days=1),
        window_end=now,
        claimed_at=now,
        stale_before=now - STALE_CLAIM,
    )


def test_a_restart_right_after_a_crash_between_claim_and_post_still_posts_the_digest(
    tmp_path: Path,
) -> None:
    world = World(tmp_path)
    world.decision("Invoices are due after 14 days.")
    crash_after_claiming(world)
    world.clock.advance(seconds=20)  # the bot is back within seconds; the claim looks live

    posted = world.post("team")

    # The run waited the dead run's claim out instead of giving up the morning's digest.
    assert posted is not None
    assert world.naps == [STALE_CLAIM.total_seconds() + 1]
    [sent] = world.slack.posts
    assert [d.text for d in sent.content.decisions] == ["Invoices are due after 14 days."]
    assert world.store.last_posted("acme", "team") is not None
    assert world.post("team") is None
    assert len(world.slack.posts) == 1


def test_a_run_waiting_on_a_live_claim_does_not_post_what_that_run_posted(
    tmp_path: Path,
) -> None:
    world = World(tmp_path)
    crash_after_claiming(world)  # not dead after all: it posts while this run waits
    claimed_at = world.clock.now
    world.during_nap.append(
        lambda: world.store.mark_posted(
            DigestKey("acme", "team", MONDAY),
            MessageRef(TEAM, "1700000000.999999"),
            claimed_at=claimed_at,
        )
    )

    assert world.post("team") is None

    assert world.slack.posts == []  # the other run's post is the only one
    assert len(world.naps) == 1
