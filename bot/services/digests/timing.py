"""When digests go out: working days, holidays and local digest times, as pure functions.

The server and `apo digest --schedule` share one code path: `make_trigger` builds the trigger the
scheduler runs (`bot.digest_scheduler`), `is_digest_day` is the check its job makes, and
`digest_moments` walks that same trigger, so what people see in the listing is what the server
does. APScheduler's trigger is used here only as calendar arithmetic: nothing in this module
runs, waits or keeps state beyond the holiday calendars it caches.

APScheduler 3.11's CronTrigger gets two DST cases wrong for a once-a-day digest (checked against
3.11.3): a local time that is skipped in spring fires at the *old* offset (02:30 Europe/Oslo on
2026-03-29 fires at 03:30 CEST, half an hour after the first valid instant), and a local time that
occurs twice in autumn fires twice (02:30 CEST and 02:30 CET on 2026-10-25). `DigestTrigger`
corrects both so each digest day has exactly one moment.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_pkg
from apscheduler.triggers.cron import CronTrigger

from bot.domain.digests import DigestSideName
from bot.errors import ConfigError
from bot.projects import WEEKDAYS, Holidays, Project, ProjectsConfig, Side

_EXPLICIT_HOLIDAY = "Holiday (projects file)"


class HolidayCalendar:
    """A side's days off: a country calendar from the `holidays` package plus explicit dates."""

    def __init__(self, country: str | None, dates: tuple[date, ...] = ()) -> None:
        self._dates = frozenset(dates)
        self._country: holidays_pkg.HolidayBase | None = None
        # The package fills in each year the first time a date in it is asked about; the lock
        # keeps two scheduler threads from filling in the same year at once.
        self._lock = threading.Lock()
        if country:
            try:
                self._country = holidays_pkg.country_holidays(country, language="en_US")
            except NotImplementedError:
                raise ConfigError(
                    f"Holiday country {country!r} is not known to the holidays package; "
                    "use an ISO 3166 code such as NO or TH, or list the dates instead."
                ) from None

    @classmethod
    def for_side(cls, side: Side) -> HolidayCalendar:
        return _calendar(side.holidays)

    def name(self, day: date) -> str | None:
        """The holiday's name, or None on an ordinary day."""
        if self._country is not None:
            with self._lock:
                found: str | None = self._country.get(day)
            if found:
                return found
        return _EXPLICIT_HOLIDAY if day in self._dates else None

    def is_holiday(self, day: date) -> bool:
        return self.name(day) is not None


@lru_cache(maxsize=64)
def _calendar(config: Holidays) -> HolidayCalendar:
    # Holidays is a frozen model, so equal configs share one calendar and its loaded years.
    return HolidayCalendar(config.country, config.dates)


def is_digest_day(side: Side, local_date: date) -> bool:
    """A working day of the side that is not one of its holidays."""
    if WEEKDAYS[local_date.weekday()] not in side.working_days:
        return False
    return not HolidayCalendar.for_side(side).is_holiday(local_date)


class DigestTrigger(CronTrigger):  # type: ignore[misc]  # APScheduler 3 ships no type hints
    """A CronTrigger that fires exactly once per matching local day across DST changes."""

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        fire: datetime | None = super().get_next_fire_time(previous_fire_time, now)
        while fire is not None and _is_second_occurrence(fire):
            # The same local time came round again after clocks went back; the first one was it.
            fire = super().get_next_fire_time(fire, fire)
        if fire is not None and not _exists(fire):
            fire = _end_of_gap(fire)
        return fire


def _wall(fire: datetime) -> datetime:
    # CronTrigger returns datetimes whose fields are the matched local wall time, even when
    # that wall time does not exist; keep those fields rather than normalising them.
    return fire.replace(tzinfo=None, fold=0)


def _is_second_occurrence(fire: datetime) -> bool:
    first = _wall(fire).replace(tzinfo=fire.tzinfo, fold=0)
    return first.astimezone(UTC) < fire.astimezone(UTC)


def _exists(fire: datetime) -> bool:
    assert fire.tzinfo is not None
    wall = _wall(fire)
    roundtrip = wall.replace(tzinfo=fire.tzinfo).astimezone(UTC).astimezone(fire.tzinfo)
    return roundtrip.replace(tzinfo=None) == wall


def _end_of_gap(fire: datetime) -> datetime:
    """The first instant after a skipped local time: the moment the clocks jumped forward."""
    zone = fire.tzinfo
    assert zone is not None
    wall = _wall(fire)
    # The two readings of a skipped wall time bracket the transition; bisect to the second.
    lo, hi = sorted(int(wall.replace(tzinfo=zone, fold=f).timestamp()) for f in (0, 1))
    after = datetime.fromtimestamp(hi, zone).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, zone)


def make_trigger(side: Side) -> DigestTrigger:
    """The trigger the server schedules a side's digest on (holidays are checked when it fires)."""
    if not side.working_days:
        raise ConfigError(f"The side with channel {side.channel} has no working days.")
    at = side.digest_time
    return DigestTrigger(
        day_of_week=",".join(side.working_days),
        hour=at.hour,
        minute=at.minute,
        second=at.second,
        timezone=side.zone,
    )


def project_sides(
    project: Project,
) -> tuple[tuple[DigestSideName, Side], tuple[DigestSideName, Side]]:
    """A project's two sides by the names digests are stored under."""
    return (("client", project.client), ("team", project.team))


def side_of(project: Project, name: DigestSideName) -> Side:
    return project.client if name == "client" else project.team


@dataclass(frozen=True)
class DigestMoment:
    local: datetime
    utc: datetime
    local_date: date


def digest_moments(side: Side, start: date, end: date) -> list[DigestMoment]:
    """Every moment the side's digest goes out on local dates start..end (inclusive)."""
    trigger = make_trigger(side)
    zone = side.zone
    # Start a day early: local midnight itself may not exist, and nothing before `start` is kept.
    now = datetime.combine(start - timedelta(days=1), time(0), tzinfo=zone)
    previous: datetime | None = None
    moments: list[DigestMoment] = []
    while (fire := trigger.get_next_fire_time(previous, now)) is not None:
        local = fire.astimezone(zone)
        if local.date() > end:
            break
        if local.date() >= start and is_digest_day(side, local.date()):
            moments.append(DigestMoment(local, fire.astimezone(UTC), local.date()))
        # Exactly how the scheduler asks for the run after one that just happened.
        previous = now = fire
    return moments


def due_on_start(side: Side, now_utc: datetime, last_posted_local_date: date | None) -> date | None:
    """The local date whose digest a (re)starting server should post now, if any.

    Only today's: a digest missed on an earlier day is not posted late, because the next digest
    covers everything since the last one actually sent. "Passed" includes the exact moment, so
    the scheduler's first run is computed strictly after `now_utc` (see DigestScheduler.start).
    """
    zone: ZoneInfo = side.zone
    today = now_utc.astimezone(zone).date()
    if last_posted_local_date is not None and last_posted_local_date >= today:
        return None
    todays = digest_moments(side, today, today)
    if not todays or now_utc < todays[0].utc:
        return None
    return today


def scheduled_date(side: Side, now_utc: datetime, lookback: timedelta) -> date | None:
    """The local date of the trigger's latest run at or before `now_utc`, within `lookback`.

    A job may start late (up to its misfire grace time); one scheduled just before midnight,
    or in a repeated autumn hour, must still count as the day it was scheduled for, which the
    wall clock at the time it runs does not always say. Holidays are not filtered here.
    """
    trigger = make_trigger(side)
    # Arithmetic in UTC: on a local time it would be wall-clock arithmetic, wrong across DST.
    now_utc = now_utc.astimezone(UTC)
    found: date | None = None
    fire = trigger.get_next_fire_time(None, now_utc - lookback)
    while fire is not None and fire <= now_utc:
        found = fire.astimezone(side.zone).date()
        fire = trigger.get_next_fire_time(fire, fire)
    return found


@dataclass(frozen=True)
class ScheduleRow:
    project: str
    side: DigestSideName
    local: datetime
    utc: datetime
    zone: str


def schedule_rows(
    projects: ProjectsConfig, start: date, end: date, project: str | None = None
) -> list[ScheduleRow]:
    """Every digest moment of every project and side in start..end, in the order they happen."""
    chosen = (projects.get(project),) if project else projects.projects
    rows = [
        ScheduleRow(p.key, name, m.local, m.utc, side.timezone)
        for p in chosen
        for name, side in project_sides(p)
        for m in digest_moments(side, start, end)
    ]
    return sorted(rows, key=lambda row: (row.utc, row.project, row.side))
