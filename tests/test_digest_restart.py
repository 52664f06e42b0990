"""Digests across restarts and replicas: one digest per side per day, none lost."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.digest_scheduler import DigestScheduler
from bot.services.digests.service import STALE_CLAIM
from bot.services.digests.timing import digest_moments, project_sides
from bot.storage.db import Database, session_scope
from bot.storage.digest_claims import (
    claim_digest,
    get_digest,
    mark_digest_failed,
    mark_digest_posted,
)
from bot.storage.leader import SingleProcessLeader, leader_for
from bot.storage.types import DigestSide, DigestStatus, now_utc
from tests.digest_e2e import post_digest, publisher
from tests.harness.app_server import CLIENT_CHANNEL, PROJECTS_YAML, TEAM_CHANNEL, RunningBot
from tests.test_storage import add_project, engines, run_together

# Tuesday 24 March 2026, 10:00 UTC: after 08:30 in Oslo (11:00) and 09:00 in Bangkok (17:00).
TUESDAY_MORNING = datetime(2026, 3, 24, 10, 0, tzinfo=UTC)


def scheduler(
    bot: RunningBot, leader: object = None, now: datetime = TUESDAY_MORNING
) -> DigestScheduler:
    digests = bot.container.services.digests
    slack = publisher(bot)
    return DigestScheduler(
        bot.container.projects,
        lambda project, side, day: digests.post(project, side, day, slack),
        leader=leader or SingleProcessLeader(),  # type: ignore[arg-type]
        last_posted=digests.last_posted_date,
        now=lambda: now,
    )


def digests_posted(bot: RunningBot) -> list[str]:
    return [
        c.args["channel"]
        for c in bot.slack.calls_to("chat.postMessage")
        if "handover" in str(c.args.get("text")) or "quiet day" in str(c.args.get("text"))
    ]


def test_start_after_downtime_posts_todays_missed_digests_once(
    running_bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = scheduler(running_bot)
    first.start()
    try:
        running_bot.slack.wait_for("chat.postMessage", count=4, timeout=30)  # 2 projects x 2 sides
    finally:
        first.shutdown()
    posted = digests_posted(running_bot)
    assert sorted(posted) == sorted([TEAM_CHANNEL, CLIENT_CHANNEL, "C0GLOBEXTM", "C0GLOBEXCL"])

    restarted = scheduler(running_bot)  # the bot is killed and started again the same day
    # Started paused, the jobs stay exactly as start() queued them: a catch-up would be a run
    # due at once (the wall clock); every side must wait for its next scheduled moment.
    jobs_start = restarted._scheduler.start
    monkeypatch.setattr(restarted._scheduler, "start", partial(jobs_start, paused=True))
    restarted.start()
    try:
        next_runs = {job.id: job.next_run_time for job in restarted.jobs()}
        assert len(next_runs) == 4
        tomorrow = TUESDAY_MORNING + timedelta(days=1)
        assert all(TUESDAY_MORNING < at < tomorrow for at in next_runs.values()), next_runs
    finally:
        restarted.shutdown()

    # Each side's job run again at its own digest moment today (a restart right at that
    # moment) reaches the digest service, whose stored key lets nothing through a second time.
    today = date(2026, 3, 24)
    for project in running_bot.container.projects.projects:
        for name, side in project_sides(project):
            [moment] = digest_moments(side, today, today)
            assert scheduler(running_bot, now=moment.utc).fire(project.key, name) is True
    assert digests_posted(running_bot) == posted  # nothing twice


def test_two_replicas_on_postgres_post_one_digest(running_bot_on_postgres: RunningBot) -> None:
    bot = running_bot_on_postgres
    other = Database(bot.container.settings.database_url)  # the second replica's own engine
    at_team_digest_time = datetime(2026, 3, 24, 2, 0, tzinfo=UTC)  # 09:00 in Bangkok
    replicas = [
        scheduler(bot, leader_for(bot.container.db.engine), at_team_digest_time),
        scheduler(bot, leader_for(other.engine), at_team_digest_time),
    ]
    leaders = [r._leader.is_leader() for r in replicas]
    assert sorted(leaders) == [False, True]

    fired: list[bool] = []
    threads = [
        threading.Thread(target=lambda r=r: fired.append(r.fire("acme", "team"))) for r in replicas
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(fired) == [False, True]
    # even without the leader lock, the stored key lets only one post through
    assert post_digest(bot, "team", date(2026, 3, 24)) is None
    assert digests_posted(bot) == [TEAM_CHANNEL]
    for replica in replicas:
        replica.shutdown()
    other.dispose()


def test_apo_digest_schedule_and_dry_run(tmp_path: Path) -> None:
    (tmp_path / "apo.yaml").write_text(PROJECTS_YAML, encoding="utf-8")
    env = {
        "APO_CONFIG": str(tmp_path / "apo.yaml"),
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'apo.db'}",
        "CHROMA_PATH": str(tmp_path / "c"),
    }

    def apo(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    schedule = apo(
        "digest", "--schedule", "--project", "acme", "--from", "2026-10-23", "--to", "2026-10-27"
    )
    assert schedule.returncode == 0, schedule.stderr
    lines = schedule.stdout.splitlines()
    assert "acme         client Fri 2026-10-23 08:30 Europe/Oslo      2026-10-23 06:30 UTC" in lines
    assert "acme         client Mon 2026-10-26 08:30 Europe/Oslo      2026-10-26 07:30 UTC" in lines
    assert "acme         team   Mon 2026-10-26 09:00 Asia/Bangkok     2026-10-26 02:00 UTC" in lines
    assert lines[-1] == "6 digests"  # Fri, Mon, Tue; no weekend

    dry = apo(
        "digest",
        "--project",
        "acme",
        "--side",
        "team",
        "--now",
        "2026-03-24T09:00+07:00",
        "--dry-run",
    )
    assert dry.returncode == 0, dry.stderr
    assert "Morning handover for the team: Acme Invoicing" in dry.stdout
    assert "Tuesday 24 March 2026" in dry.stdout

    bad = apo("digest", "--project", "acme", "--side", "team", "--now", "tomorrow")
    assert bad.returncode == 2 and "not an ISO time" in bad.stderr

    # Posting for another moment would move where the next real digest starts: refused.
    future = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    for moment in ("2026-03-24T09:00+07:00", future):
        elsewhen = apo("digest", "--project", "acme", "--side", "team", "--now", moment)
        assert elsewhen.returncode == 2, elsewhen.stderr
        assert "in the future or more than 15 minutes ago" in elsewhen.stderr
        assert "--dry-run" in elsewhen.stderr
    # --now close to the real time is a real digest: it goes on to need the Slack token.
    close = (datetime.now(UTC) - timedelta(minutes=2)).isoformat()
    near = apo("digest", "--project", "acme", "--side", "team", "--now", close)
    assert near.returncode == 2 and "15 minutes ago" not in near.stderr
    assert "SLACK_BOT_TOKEN" in near.stderr


# --- the claim: atomic takeover of a stale claim ---------------------------------------------


def test_stale_claim_is_taken_over_by_exactly_one_of_two_replicas(migrated_url: str) -> None:
    side = DigestSide.team
    with engines(migrated_url, 2) as pair:
        add_project(pair[0])

        def claim(engine: Engine, day: date) -> bool:
            now = now_utc()
            with session_scope(engine) as s:
                return claim_digest(
                    "acme", side, day, stale_before=now - STALE_CLAIM, claimed_at=now, session=s
                )

        for n in range(8):
            day = date(2026, 3, 2) + timedelta(days=n)
            crashed_at = now_utc() - STALE_CLAIM - timedelta(minutes=1)
            with session_scope(pair[0]) as s:  # claimed, then the replica died
                assert claim_digest("acme", side, day, claimed_at=crashed_at, session=s)
            results = run_together(*(partial(claim, engine, day) for engine in pair))
            assert sorted(results) == [False, True], day
            with session_scope(pair[1]) as s:
                taken = get_digest("acme", side, day, session=s)
            assert taken is not None and taken.status == DigestStatus.pending
            assert taken.created_at > now_utc() - timedelta(minutes=1)  # a fresh claim


def test_a_live_claim_is_not_taken_over_and_a_reclaim_is_fresh(migrated_engine: Engine) -> None:
    add_project(migrated_engine)
    side, day = DigestSide.client, date(2026, 3, 24)

    def claim(at: datetime) -> bool:
        with session_scope(migrated_engine) as s:
            return claim_digest(
                "acme", side, day, stale_before=at - STALE_CLAIM, claimed_at=at, session=s
            )

    long_ago = now_utc() - timedelta(hours=2)
    assert claim(long_ago)
    with session_scope(migrated_engine) as s:  # that attempt failed, long ago
        mark_digest_failed("acme", side, day, "service_unavailable", session=s)
    now = now_utc()
    assert claim(now)  # claimed again: the claim time is now, not the first claim's
    with session_scope(migrated_engine) as s:
        again = get_digest("acme", side, day, session=s)
    assert again is not None and again.created_at >= now - timedelta(seconds=1)
    assert not claim(now + STALE_CLAIM - timedelta(seconds=5))  # live: not taken over
    assert claim(now + STALE_CLAIM + timedelta(seconds=5))  # stale: taken over


def test_a_run_whose_stale_claim_was_taken_over_cannot_mark_the_digest(
    migrated_engine: Engine,
) -> None:
    add_project(migrated_engine)
    side, day = DigestSide.team, date(2026, 3, 24)

    def claim(at: datetime) -> bool:
        with session_scope(migrated_engine) as s:
            return claim_digest(
                "acme", side, day, stale_before=at - STALE_CLAIM, claimed_at=at, session=s
            )

    first = now_utc() - STALE_CLAIM - timedelta(minutes=1)
    second = now_utc()
    assert claim(first) and claim(second)  # run A stalled; run B took the claim over

    with session_scope(migrated_engine) as s:  # A's post finally fails: it must not undo B
        mark_digest_failed("acme", side, day, "timeout", claimed_at=first, session=s)
    with session_scope(migrated_engine) as s:
        digest = get_digest("acme", side, day, session=s)
        assert digest is not None and digest.status == DigestStatus.pending
    assert not claim(now_utc())  # so A's retry cannot claim (and post) it a second time
    with session_scope(migrated_engine) as s:
        mark_digest_posted(
            "acme", side, day, channel_id="C0TEAM", message_ts="1.2", claimed_at=second, session=s
        )
        digest = get_digest("acme", side, day, session=s)
        assert digest is not None and digest.status == DigestStatus.posted
