"""Runs each side's digest on its own local schedule, on one replica, and catches up on start.

Posting exactly once is not this module's job: the digest service claims the (project, side,
local date) key before posting. This module makes sure the claim is attempted at the right
moments, by one replica, and that a digest missed by downtime earlier the same day is still
attempted.

It is not a service but a driver of one, like the Slack listeners and the CLI: it owns
background threads for the life of the process (`apo serve` starts and stops it) and elects
itself through a PostgreSQL advisory lock (`bot.storage.leader`), neither of which a use case
should know about. The rules it applies (which moments, which days) are the digest service's
own pure `timing` functions; what it calls is `DigestService.post` and `last_posted_date`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.domain import Clock, utc_now
from bot.domain.digests import DigestSideName
from bot.projects import ProjectsConfig
from bot.services.digests.timing import (
    due_on_start,
    is_digest_day,
    make_trigger,
    project_sides,
    scheduled_date,
    side_of,
)
from bot.storage.leader import LeaderLock

logger = logging.getLogger(__name__)

RunDigest = Callable[[str, DigestSideName, date], object]
LastPosted = Callable[[str, DigestSideName], date | None]
# How long a submitted run may wait for a free worker (many projects, slow LLM summaries).
_QUEUE_ALLOWANCE = timedelta(minutes=15)


class DigestScheduler:
    """One APScheduler job per (project, side) on that side's own trigger and time zone."""

    def __init__(
        self,
        projects: ProjectsConfig,
        run_digest: RunDigest,
        *,
        leader: LeaderLock,
        last_posted: LastPosted,
        misfire_grace_seconds: int = 3600,
        daily_upkeep: Callable[[], object] | None = None,
        leader_check_seconds: float = 15.0,
        on_leadership: Callable[[bool], object] = lambda _leading: None,
        now: Clock = utc_now,
    ) -> None:
        if not 0 < misfire_grace_seconds < 24 * 3600:
            raise ValueError("misfire_grace_seconds must be more than 0 and less than a day")
        self._projects = projects
        self._run_digest = run_digest
        self._leader = leader
        self._last_posted = last_posted
        self._grace = misfire_grace_seconds
        self._now = now
        self._daily_upkeep = daily_upkeep
        self._leader_check = leader_check_seconds
        self._on_leadership = on_leadership
        # None until the first check: start() does the catch-up of a process that leads
        # from the start; only a follower that becomes the leader catches up again.
        self._leading: bool | None = None
        # Today's digests found missed at start; each side's job takes its own on its first run.
        self._catch_up: dict[tuple[str, DigestSideName], date] = {}
        # Triggers carry their own zones; the scheduler's zone only affects its log lines.
        self._scheduler = BackgroundScheduler(timezone=ZoneInfo("UTC"))

    def start(self) -> None:
        """Schedule every side, queue today's digests missed while down, and start running."""
        now = self._now().astimezone(UTC)  # so that adding a microsecond is exact
        for project in self._projects.projects:
            for name, side in project_sides(project):
                trigger = make_trigger(side)
                first_run: datetime | None
                due = due_on_start(side, now, self._last_posted(project.key, name))
                if due is not None:
                    logger.info("Catching up on %s's %s digest for %s", project.key, name, due)
                    self._catch_up[(project.key, name)] = due
                    # Run the side's own job once right away (on the scheduler's clock), so
                    # the catch-up and the next scheduled run can never overlap.
                    first_run = datetime.now(UTC)
                else:
                    # Strictly after `now`: a run at exactly `now` is a catch-up, so a start
                    # at the digest moment neither misses nor doubles it.
                    first_run = trigger.get_next_fire_time(None, now + timedelta(microseconds=1))
                self._scheduler.add_job(
                    self.fire,
                    trigger,
                    args=(project.key, name),
                    id=f"digest:{project.key}:{name}",
                    next_run_time=first_run,
                    # APScheduler's default grace is 1 s: a restart, deploy or long GC pause
                    # across the digest time would silently drop that day's digest. An hour
                    # still lets it go out; later than that, a morning digest arriving in the
                    # afternoon is worse than rolling its content into the next one (and a
                    # restart later the same day still posts it, through the catch-up above).
                    misfire_grace_time=self._grace,
                    # Several runs missed while suspended are one digest, not a burst of them.
                    coalesce=True,
                    # A slow digest (LLM summary) must not overlap with its next run.
                    max_instances=1,
                )
        if self._daily_upkeep is not None:
            # At start, then every 24 hours: the retention period of collected messages.
            self._scheduler.add_job(
                self.upkeep,
                IntervalTrigger(days=1),
                id="upkeep",
                next_run_time=datetime.now(UTC),
                misfire_grace_time=self._grace,
                coalesce=True,
                max_instances=1,
            )
        if self._leader_check > 0:
            # Leadership is asked for at every digest moment anyway; asking regularly as well
            # means a replica that died is replaced as scheduler within this interval (its
            # advisory lock ends with its connection), and the new leader posts any digest
            # the old one left unposted today.
            self._scheduler.add_job(
                self.check_leadership,
                IntervalTrigger(seconds=self._leader_check),
                id="leadership",
                next_run_time=datetime.now(UTC),
                coalesce=True,
                max_instances=1,
            )
        self._scheduler.start()

    def check_leadership(self) -> bool:
        """Ask for leadership; on becoming the leader, catch up on today's unposted digests."""
        leading = self._leader.is_leader()
        before, self._leading = self._leading, leading
        if leading == before:
            return leading
        self._on_leadership(leading)
        if leading:
            logger.info("this process now schedules the digests")
            if before is False:
                self._catch_up_missed()
        elif before:
            logger.warning("this process no longer schedules the digests")
        return leading

    def _catch_up_missed(self) -> None:
        now = self._now().astimezone(UTC)
        for project in self._projects.projects:
            for name, side in project_sides(project):
                due = due_on_start(side, now, self._last_posted(project.key, name))
                if due is None:
                    continue
                logger.info("Catching up on %s's %s digest for %s", project.key, name, due)
                # Posting is claimed per (project, side, date): a scheduled run of the same
                # digest at this moment cannot post it twice.
                self._catch_up[(project.key, name)] = due
                self.fire(project.key, name)

    def upkeep(self) -> bool:
        """The daily upkeep job, on the leader only; True when it ran."""
        if self._daily_upkeep is None or not self._leader.is_leader():
            return False
        try:
            self._daily_upkeep()
        except Exception:  # tomorrow's run tries again; the digests go on meanwhile
            logger.exception("the daily upkeep failed")
        return True

    def shutdown(self, wait: bool = True) -> None:
        """Stop scheduling (waiting for running digests) and step down as leader."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=wait)
        self._leader.release()

    def jobs(self) -> list[Any]:
        """The scheduled digest (and upkeep) jobs (for `apo doctor` and tests)."""
        return [job for job in self._scheduler.get_jobs() if job.id != "leadership"]

    def fire(self, project: str, side: DigestSideName) -> bool:
        """The scheduled job body; True when `run_digest` was called."""
        config = side_of(self._projects.get(project), side)
        local_date = self._catch_up.pop((project, side), None)
        if local_date is None:
            # A run starts at most the grace time late, plus time queued for a worker.
            lookback = timedelta(seconds=self._grace) + _QUEUE_ALLOWANCE
            local_date = scheduled_date(config, self._now(), lookback)
        if local_date is None or not is_digest_day(config, local_date):
            logger.info("No %s digest for %s now: not a digest day", side, project)
            return False
        if not self._leader.is_leader():
            logger.debug("Not the leader; %s/%s digest left to the leader", project, side)
            return False
        self._run_digest(project, side, local_date)
        return True
