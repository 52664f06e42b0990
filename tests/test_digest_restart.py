"""Digests across restarts and replicas: one digest per side per day, none lost."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

from bot.services.scheduler import DigestScheduler, SingleProcessLeader, leader_for
from bot.slack.digest_poster import DigestPoster
from bot.storage.db import Database
from tests.harness.app_server import CLIENT_CHANNEL, PROJECTS_YAML, TEAM_CHANNEL, RunningBot

# Tuesday 24 March 2026, 10:00 UTC: after 08:30 in Oslo (11:00) and 09:00 in Bangkok (17:00).
TUESDAY_MORNING = datetime(2026, 3, 24, 10, 0, tzinfo=UTC)


def scheduler(
    bot: RunningBot, leader: object = None, now: datetime = TUESDAY_MORNING
) -> DigestScheduler:
    services = bot.container.services
    poster = DigestPoster(bot.app.client, services.digests, bot.container.projects)
    return DigestScheduler(
        bot.container.projects,
        lambda project, side, day: poster.run(project, side, day),  # type: ignore[arg-type]
        leader=leader or SingleProcessLeader(),  # type: ignore[arg-type]
        last_posted=services.digests.last_posted_date,
        now=lambda: now,
    )


def digests_posted(bot: RunningBot) -> list[str]:
    return [
        c.args["channel"]
        for c in bot.slack.calls_to("chat.postMessage")
        if "handover" in str(c.args.get("text")) or "quiet day" in str(c.args.get("text"))
    ]


def test_start_after_downtime_posts_todays_missed_digests_once(running_bot: RunningBot) -> None:
    first = scheduler(running_bot)
    first.start()
    try:
        running_bot.slack.wait_for("chat.postMessage", count=4, timeout=30)  # 2 projects x 2 sides
    finally:
        first.shutdown()
    posted = digests_posted(running_bot)
    assert sorted(posted) == sorted([TEAM_CHANNEL, CLIENT_CHANNEL, "C0GLOBEXTM", "C0GLOBEXCL"])

    restarted = scheduler(running_bot)  # the bot is killed and started again the same day
    restarted.start()
    try:
        time.sleep(2)  # time for a wrongly repeated catch-up to show up
    finally:
        restarted.shutdown()
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
    poster = DigestPoster(bot.app.client, bot.container.services.digests, bot.container.projects)
    assert poster.run("acme", "team", date(2026, 3, 24)) is None
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
