"""The digest runner: job settings, the job body, leader gating, catch-up on start, and
leader election over PostgreSQL advisory locks."""

from __future__ import annotations

import threading
import time as clock
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.digest_scheduler import DigestScheduler
from bot.projects import Holidays, Project, ProjectsConfig, Side
from bot.services.digests.timing import DigestTrigger
from bot.storage.db import create_db_engine
from bot.storage.leader import PostgresAdvisoryLeader, SingleProcessLeader, leader_for

OSLO = ZoneInfo("Europe/Oslo")
CLIENT = Side(timezone="Europe/Oslo", channel="C0CLIENT1", holidays=Holidays(country="NO"))
TEAM = Side(
    timezone="Asia/Bangkok",
    channel="C0TEAM001",
    digest_time=time(9),
    holidays=Holidays(country="TH"),
)
PROJECTS = ProjectsConfig(projects=(Project(key="acme", name="Acme", client=CLIENT, team=TEAM),))
# Far ahead of the real clock, so scheduled jobs never come due while a test runs.
MONDAY = date(2030, 1, 7)


def _oslo(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO).astimezone(UTC)


class FakeLeader:
    def __init__(self, leader: bool = True) -> None:
        self.leader = leader
        self.released = False

    def is_leader(self) -> bool:
        return self.leader

    def release(self) -> None:
        self.released = True


class Recorder:
    """A run_digest that records its calls and lets a test wait for them."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, date]] = []
        self.called = threading.Event()

    def __call__(self, project: str, side: str, local_date: date) -> None:
        self.calls.append((project, side, local_date))
        self.called.set()


def _scheduler(
    now: datetime,
    *,
    leader: FakeLeader | None = None,
    posted: dict[str, date | None] | None = None,
    projects: ProjectsConfig = PROJECTS,
) -> tuple[DigestScheduler, Recorder]:
    run = Recorder()
    last = posted or {}
    scheduler = DigestScheduler(
        projects,
        run,
        leader=leader or FakeLeader(),
        last_posted=lambda _project, side: last.get(side),
        now=lambda: now,
    )
    return scheduler, run


def test_fire_posts_the_sides_digest_for_its_local_date() -> None:
    scheduler, run = _scheduler(_oslo(MONDAY, 8, 30))

    assert scheduler.fire("acme", "client") is True
    assert run.calls == [("acme", "client", MONDAY)]


def test_fire_on_a_holiday_or_weekend_posts_nothing() -> None:
    easter_monday, saturday = date(2030, 4, 22), date(2030, 1, 12)
    for now in (_oslo(easter_monday, 8, 30), _oslo(saturday, 8, 30), _oslo(saturday, 9)):
        scheduler, run = _scheduler(now)
        assert scheduler.fire("acme", "client") is False
        assert run.calls == []


def test_fire_on_a_follower_posts_nothing_until_it_leads() -> None:
    leader = FakeLeader(leader=False)
    scheduler, run = _scheduler(_oslo(MONDAY, 8, 30), leader=leader)

    assert scheduler.fire("acme", "client") is False
    assert run.calls == []
    leader.leader = True
    assert scheduler.fire("acme", "client") is True
    assert run.calls == [("acme", "client", MONDAY)]


def test_fire_long_after_any_scheduled_run_posts_nothing() -> None:
    # Monday 07:00: the last scheduled run was Friday's.
    scheduler, run = _scheduler(_oslo(MONDAY, 7))

    assert scheduler.fire("acme", "client") is False
    assert run.calls == []


def test_a_late_run_after_midnight_belongs_to_the_scheduled_day() -> None:
    late_side = CLIENT.model_copy(update={"digest_time": time(23, 30)})
    projects = ProjectsConfig(
        projects=(Project(key="acme", name="Acme", client=late_side, team=TEAM),)
    )
    # Monday's 23:30 run started 40 minutes late, within the misfire grace time.
    scheduler, run = _scheduler(_oslo(MONDAY + timedelta(days=1), 0, 10), projects=projects)

    assert scheduler.fire("acme", "client") is True
    assert run.calls == [("acme", "client", MONDAY)]


@pytest.fixture
def started() -> Iterator[list[DigestScheduler]]:
    """Schedulers a test started; shut down even when the test fails."""
    schedulers: list[DigestScheduler] = []
    yield schedulers
    for scheduler in schedulers:
        scheduler.shutdown()


def test_jobs_are_set_up_deliberately(started: list[DigestScheduler]) -> None:
    now = _oslo(MONDAY, 7)  # before Oslo's 08:30, after Bangkok's 09:00 (13:00 there)
    scheduler, run = _scheduler(now, posted={"client": None, "team": MONDAY})
    scheduler.start()
    started.append(scheduler)

    jobs = {job.id: job for job in scheduler.jobs()}
    assert set(jobs) == {"digest:acme:client", "digest:acme:team"}
    for job in jobs.values():
        assert job.misfire_grace_time == 3600
        assert job.coalesce is True
        assert job.max_instances == 1
        assert isinstance(job.trigger, DigestTrigger)
    assert jobs["digest:acme:client"].next_run_time == _oslo(MONDAY, 8, 30)
    assert jobs["digest:acme:team"].next_run_time == datetime(2030, 1, 8, 2, tzinfo=UTC)
    assert str(jobs["digest:acme:team"].trigger.timezone) == "Asia/Bangkok"
    assert run.calls == []


def test_start_posts_todays_missed_digest_once(started: list[DigestScheduler]) -> None:
    # Down through Oslo's 08:30; Bangkok's digest went out before the outage.
    scheduler, run = _scheduler(
        _oslo(MONDAY, 10), posted={"client": date(2030, 1, 4), "team": MONDAY}
    )
    scheduler.start()
    started.append(scheduler)

    assert run.called.wait(5)
    scheduler.shutdown()
    assert run.calls == [("acme", "client", MONDAY)]


def test_start_just_before_the_digest_moment_leaves_it_to_the_job(
    started: list[DigestScheduler],
) -> None:
    moment = _oslo(MONDAY, 8, 30)
    scheduler, run = _scheduler(moment - timedelta(microseconds=1), posted={"team": MONDAY})
    scheduler.start()
    started.append(scheduler)

    jobs = {job.id: job for job in scheduler.jobs()}
    assert jobs["digest:acme:client"].next_run_time == moment
    scheduler.shutdown()
    assert run.calls == []


def test_start_at_the_digest_moment_posts_it_once(started: list[DigestScheduler]) -> None:
    moment = _oslo(MONDAY, 8, 30)
    scheduler, run = _scheduler(moment, posted={"team": MONDAY})
    scheduler.start()
    started.append(scheduler)

    assert run.called.wait(5)
    scheduler.shutdown()
    assert run.calls == [("acme", "client", MONDAY)]


def test_start_does_not_post_a_missed_digest_on_a_follower(
    started: list[DigestScheduler],
) -> None:
    asked = threading.Event()

    class Follower(FakeLeader):
        def is_leader(self) -> bool:
            asked.set()
            return False

    scheduler, run = _scheduler(_oslo(MONDAY, 10), leader=Follower())
    scheduler.start()
    started.append(scheduler)

    assert asked.wait(5)
    scheduler.shutdown()
    assert run.calls == []


def test_shutdown_steps_down_as_leader() -> None:
    leader = FakeLeader()
    scheduler, _ = _scheduler(_oslo(MONDAY, 7), leader=leader, posted={"team": MONDAY})
    scheduler.start()
    scheduler.shutdown()

    assert leader.released


def test_a_zero_misfire_grace_time_is_refused() -> None:
    with pytest.raises(ValueError, match="misfire_grace_seconds"):
        DigestScheduler(
            PROJECTS,
            Recorder(),
            leader=SingleProcessLeader(),
            last_posted=lambda _p, _s: None,
            misfire_grace_seconds=0,
        )


def test_leader_for_picks_by_dialect() -> None:
    sqlite = sa.create_engine("sqlite://")
    postgres = sa.create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")

    assert isinstance(leader_for(sqlite), SingleProcessLeader)
    assert isinstance(leader_for(postgres), PostgresAdvisoryLeader)
    assert SingleProcessLeader().is_leader()


def test_an_unreachable_database_means_not_leader() -> None:
    engine = sa.create_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2}
    )
    leader = PostgresAdvisoryLeader(engine)

    assert leader.is_leader() is False
    leader.release()
    engine.dispose()


# --- PostgreSQL leader election ---------------------------------------------------------


@pytest.fixture
def engines(postgres_url: str) -> Iterator[list[Engine]]:
    made = [create_db_engine(postgres_url) for _ in range(3)]
    yield made
    for engine in made:
        engine.dispose()


def _wait_for(condition: object, seconds: float = 5.0) -> bool:
    assert callable(condition)
    deadline = clock.monotonic() + seconds
    while clock.monotonic() < deadline:
        if condition():
            return True
        clock.sleep(0.05)
    return False


def test_two_replicas_elect_exactly_one_leader(engines: list[Engine]) -> None:
    first, second = PostgresAdvisoryLeader(engines[0]), PostgresAdvisoryLeader(engines[1])

    assert first.is_leader() is True
    assert second.is_leader() is False
    assert first.is_leader() is True  # asking again keeps it
    assert second.is_leader() is False

    first.release()
    assert second.is_leader() is True
    assert first.is_leader() is False
    second.release()


def test_leadership_moves_when_the_leaders_connection_dies(
    engines: list[Engine], postgres_url: str
) -> None:
    first, second = PostgresAdvisoryLeader(engines[0]), PostgresAdvisoryLeader(engines[1])
    assert first.is_leader() and not second.is_leader()
    app_name = sa.make_url(postgres_url).query["application_name"]

    with engines[2].connect() as admin:
        killed = admin.execute(
            sa.text(
                "SELECT pg_terminate_backend(l.pid) FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND a.application_name = :name"
            ),
            {"name": app_name},
        ).all()
    assert killed == [(True,)]

    # The server frees the lock as the killed backend exits, a moment after the signal.
    assert _wait_for(second.is_leader)
    assert first.is_leader() is False  # notices its dead connection and cannot win back
    second.release()
    assert first.is_leader() is True  # re-acquired on a fresh connection
    first.release()


def test_deployments_in_different_schemas_elect_separately(
    engines: list[Engine], postgres_url: str
) -> None:
    other_schema = postgres_url.replace("apo_test_", "apo_other_")
    schema = str(sa.make_url(other_schema).query["options"]).removeprefix("-csearch_path=")
    with engines[2].begin() as admin:
        admin.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    other = create_db_engine(other_schema)
    try:
        here, there = PostgresAdvisoryLeader(engines[0]), PostgresAdvisoryLeader(other)
        assert here.is_leader() is True
        assert there.is_leader() is True
        assert PostgresAdvisoryLeader(engines[1]).is_leader() is False
        here.release()
        there.release()
    finally:
        other.dispose()
        with engines[2].begin() as admin:
            admin.execute(sa.text(f'DROP SCHEMA "{schema}"'))


def test_becoming_the_leader_posts_what_the_old_leader_left_unposted_today() -> None:
    """A replica that takes over from a dead scheduler posts today's digest that is due and
    not posted, once, and says so through `on_leadership` (the metrics gauge)."""
    leader = FakeLeader(False)
    changes: list[bool] = []
    run = Recorder()
    posted: dict[str, date | None] = {"client": None, "team": MONDAY}
    scheduler = DigestScheduler(
        PROJECTS,
        run,
        leader=leader,
        last_posted=lambda _project, side: posted[side],
        on_leadership=changes.append,
        now=lambda: _oslo(MONDAY, 10),  # after Oslo's 08:30
    )

    assert scheduler.check_leadership() is False
    assert run.calls == [] and changes == [False]

    leader.leader = True
    assert scheduler.check_leadership() is True
    assert run.calls == [("acme", "client", MONDAY)], "the team side was posted already"
    assert changes == [False, True]

    assert scheduler.check_leadership() is True  # still the leader: nothing again
    assert len(run.calls) == 1

    leader.leader = False
    assert scheduler.check_leadership() is False
    assert changes == [False, True, False]
