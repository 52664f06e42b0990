"""Digest scheduling maths: a whole year in Oslo and Bangkok, DST Sundays, holidays, restarts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from bot.errors import ConfigError
from bot.projects import Holidays, Project, ProjectsConfig, Side
from bot.services.digests.timing import (
    HolidayCalendar,
    digest_moments,
    due_on_start,
    is_digest_day,
    make_trigger,
    schedule_rows,
    scheduled_date,
)

OSLO = ZoneInfo("Europe/Oslo")
BANGKOK = ZoneInfo("Asia/Bangkok")
CLIENT = Side(
    timezone="Europe/Oslo",
    channel="C0CLIENT1",
    digest_time=time(8, 30),
    holidays=Holidays(country="NO"),
)
TEAM = Side(
    timezone="Asia/Bangkok",
    channel="C0TEAM001",
    digest_time=time(9, 0),
    holidays=Holidays(country="TH"),
)
# 02:30 does not exist in Oslo on 2026-03-29 and happens twice on 2026-10-25.
NIGHT_OWL = Side(
    timezone="Europe/Oslo", channel="C0NIGHT01", digest_time=time(2, 30), working_days=("sun",)
)
YEAR_START, YEAR_END = date(2026, 1, 1), date(2026, 12, 31)
SPRING_FORWARD, FALL_BACK = date(2026, 3, 29), date(2026, 10, 25)


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _expected_dates(country: str) -> list[date]:
    # Straight from the holidays package, independently of the code under test.
    off = holidays.country_holidays(country, years=2026)
    return [d for d in _days(YEAR_START, YEAR_END) if d.weekday() < 5 and d not in off]


def _utc(local: datetime) -> datetime:
    return local.astimezone(UTC)


@pytest.mark.parametrize(("side", "country"), [(CLIENT, "NO"), (TEAM, "TH")])
def test_a_year_has_one_digest_per_working_day_at_the_local_time(side: Side, country: str) -> None:
    moments = digest_moments(side, YEAR_START, YEAR_END)

    assert [m.local_date for m in moments] == _expected_dates(country)
    for moment in moments:
        assert moment.local.tzinfo == side.zone
        assert moment.local.replace(tzinfo=None) == datetime.combine(
            moment.local_date, side.digest_time
        )
        assert moment.utc == moment.local.astimezone(UTC)
        assert moment.utc.tzinfo == UTC
    assert [m.utc for m in moments] == sorted({m.utc for m in moments})


def test_oslo_skips_weekends_and_norwegian_holidays() -> None:
    dates = {m.local_date for m in digest_moments(CLIENT, YEAR_START, YEAR_END)}

    # 261 weekdays in 2026, of which 8 are Norwegian public holidays.
    assert len(dates) == 253
    weekday_holidays = [
        date(2026, 1, 1),
        date(2026, 4, 2),  # Maundy Thursday
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 1),
        date(2026, 5, 14),  # Ascension Day
        date(2026, 5, 25),  # Whit Monday
        date(2026, 12, 25),
    ]
    assert not dates & set(weekday_holidays)
    assert {date(2026, 4, 7), date(2026, 5, 26), date(2026, 12, 24), date(2026, 12, 28)} <= dates
    assert not any(d.weekday() >= 5 for d in dates)
    # 17 May is a Sunday in 2026; in 2027 it is a Monday and still no digest day.
    assert not is_digest_day(CLIENT, date(2027, 5, 17))
    assert is_digest_day(CLIENT, date(2027, 5, 18))


def test_bangkok_skips_songkran() -> None:
    april = [m.local_date for m in digest_moments(TEAM, date(2026, 4, 10), date(2026, 4, 17))]

    assert april == [date(2026, 4, 10), date(2026, 4, 16), date(2026, 4, 17)]
    assert HolidayCalendar.for_side(TEAM).name(date(2026, 4, 14)) == "Songkran Festival"


def test_oslo_utc_offset_switches_exactly_at_the_dst_sundays() -> None:
    moments = digest_moments(CLIENT, YEAR_START, YEAR_END)

    for moment in moments:
        summer = SPRING_FORWARD < moment.local_date < FALL_BACK
        assert moment.local.utcoffset() == timedelta(hours=2 if summer else 1), moment
    around_spring = {
        m.local_date.isoformat(): m.utc.strftime("%H:%M")
        for m in digest_moments(CLIENT, date(2026, 3, 23), date(2026, 4, 10))
    }
    assert around_spring == {
        **{f"2026-03-{d}": "07:30" for d in (23, 24, 25, 26, 27)},
        **{f"2026-03-{d}": "06:30" for d in (30, 31)},
        "2026-04-01": "06:30",  # then Easter: 2, 3 and 6 April are holidays
        **{f"2026-04-{d:02}": "06:30" for d in (7, 8, 9, 10)},
    }
    around_autumn = {
        m.local_date.isoformat(): m.utc.strftime("%H:%M")
        for m in digest_moments(CLIENT, date(2026, 10, 19), date(2026, 10, 30))
    }
    assert around_autumn == {
        **{f"2026-10-{d}": "06:30" for d in (19, 20, 21, 22, 23)},
        **{f"2026-10-{d}": "07:30" for d in (26, 27, 28, 29, 30)},
    }


def test_bangkok_stays_at_0200_utc_all_year_while_oslo_changes() -> None:
    moments = digest_moments(TEAM, YEAR_START, YEAR_END)

    assert {m.utc.time() for m in moments} == {time(2, 0)}
    by_date = {m.local_date: m.utc for m in moments}
    for day in (date(2026, 3, 27), date(2026, 3, 30), date(2026, 10, 22), date(2026, 10, 26)):
        assert by_date[day] == datetime.combine(day, time(2, 0), tzinfo=UTC)


def test_a_nonexistent_local_time_fires_once_when_the_clocks_jump() -> None:
    (moment,) = digest_moments(NIGHT_OWL, SPRING_FORWARD, SPRING_FORWARD)

    # 02:00 CET jumps to 03:00 CEST (01:00 UTC): the first instant after 02:30 that exists.
    assert moment.utc == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert moment.local.replace(tzinfo=None) == datetime(2026, 3, 29, 3, 0)
    assert moment.local_date == SPRING_FORWARD


def test_an_ambiguous_local_time_fires_once_the_first_time() -> None:
    (moment,) = digest_moments(NIGHT_OWL, FALL_BACK, FALL_BACK)

    assert moment.utc == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, not CET
    assert moment.local.utcoffset() == timedelta(hours=2)


def test_a_sunday_night_schedule_fires_every_sunday_once_through_the_year() -> None:
    moments = digest_moments(NIGHT_OWL, YEAR_START, YEAR_END)
    sundays = [d for d in _days(YEAR_START, YEAR_END) if d.weekday() == 6]

    assert [m.local_date for m in moments] == sundays
    neighbours = {m.local_date: m.utc for m in moments if m.local_date.month in (3, 4, 10, 11)}
    assert neighbours[date(2026, 3, 22)] == datetime(2026, 3, 22, 1, 30, tzinfo=UTC)
    assert neighbours[date(2026, 4, 5)] == datetime(2026, 4, 5, 0, 30, tzinfo=UTC)
    assert neighbours[date(2026, 11, 1)] == datetime(2026, 11, 1, 1, 30, tzinfo=UTC)


def test_the_trigger_as_the_scheduler_drives_it_fires_once_on_dst_sundays() -> None:
    # The scheduler asks for the next run a little after the previous one has started.
    trigger = make_trigger(NIGHT_OWL)
    fire = trigger.get_next_fire_time(None, datetime(2026, 3, 1, tzinfo=UTC))
    fires = []
    for _ in range(60):  # bounded: a trigger that repeats itself fails instead of hanging
        if fire is None or fire >= datetime(2026, 12, 1, tzinfo=UTC):
            break
        fires.append(fire.astimezone(UTC))
        # In UTC: wall-clock arithmetic on a local time would step back across the DST fold.
        fire = trigger.get_next_fire_time(fire, fire.astimezone(UTC) + timedelta(seconds=2))
    on_dst_days = [f for f in fires if f.date() in (SPRING_FORWARD, FALL_BACK)]

    assert on_dst_days == [
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    ]
    assert len(fires) == len({f.date() for f in fires})


def test_a_restart_inside_the_repeated_hour_does_not_fire_again() -> None:
    trigger = make_trigger(NIGHT_OWL)
    # 01:10 UTC is 02:10 CET, the second pass through 02:xx; 02:30 CEST already happened.
    fire = trigger.get_next_fire_time(None, datetime(2026, 10, 25, 1, 10, tzinfo=UTC))

    assert fire is not None
    assert fire.astimezone(UTC) == datetime(2026, 11, 1, 1, 30, tzinfo=UTC)


def test_scheduled_date_names_the_day_a_late_run_belongs_to() -> None:
    day = timedelta(days=1)
    # In the repeated hour after the 02:30 CEST run: the wall clock (02:10) is before 02:30.
    in_repeat = datetime(2026, 10, 25, 1, 10, tzinfo=UTC)
    assert scheduled_date(NIGHT_OWL, in_repeat, day) == FALL_BACK
    assert scheduled_date(NIGHT_OWL, datetime(2026, 3, 29, 1, 0, tzinfo=UTC), day) == SPRING_FORWARD
    assert scheduled_date(NIGHT_OWL, datetime(2026, 3, 29, 0, 59, tzinfo=UTC), day) is None
    late = CLIENT.model_copy(update={"digest_time": time(23, 30)})
    assert scheduled_date(late, _oslo(date(2026, 3, 4), 0, 10), day) == date(2026, 3, 3)
    # Holidays are the caller's business: the trigger still ran on Easter Monday.
    assert scheduled_date(CLIENT, _oslo(date(2026, 4, 6), 9), day) == date(2026, 4, 6)


def test_explicit_holiday_dates_are_skipped() -> None:
    side = CLIENT.model_copy(update={"holidays": Holidays(dates=(date(2026, 3, 2),))})

    dates = [m.local_date for m in digest_moments(side, date(2026, 3, 1), date(2026, 3, 4))]

    assert dates == [date(2026, 3, 3), date(2026, 3, 4)]
    calendar = HolidayCalendar.for_side(side)
    assert calendar.is_holiday(date(2026, 3, 2))
    assert calendar.name(date(2026, 3, 2)) == "Holiday (projects file)"
    assert calendar.name(date(2026, 12, 25)) is None  # no country configured


def test_country_and_explicit_dates_combine() -> None:
    side = CLIENT.model_copy(
        update={"holidays": Holidays(country="NO", dates=(date(2026, 12, 24),))}
    )
    calendar = HolidayCalendar.for_side(side)

    assert calendar.name(date(2026, 12, 25)) == "Christmas Day"
    assert calendar.is_holiday(date(2026, 12, 24))
    assert not is_digest_day(side, date(2026, 12, 24))
    assert is_digest_day(side, date(2026, 12, 23))


def test_an_unknown_holiday_country_is_a_config_error() -> None:
    side = CLIENT.model_copy(update={"holidays": Holidays(country="XX")})

    with pytest.raises(ConfigError, match="XX"):
        HolidayCalendar.for_side(side)


def test_the_trigger_runs_in_the_sides_own_zone() -> None:
    trigger = make_trigger(TEAM)

    assert str(trigger.timezone) == "Asia/Bangkok"
    fields = {f.name: str(f) for f in trigger.fields}
    assert (fields["day_of_week"], fields["hour"], fields["minute"]) == (
        "mon,tue,wed,thu,fri",
        "9",
        "0",
    )


def _oslo(day: date, hour: int, minute: int = 0) -> datetime:
    return _utc(datetime.combine(day, time(hour, minute), tzinfo=OSLO))


TUESDAY = date(2026, 3, 3)


def test_due_on_start_after_downtime_through_the_digest_time() -> None:
    assert due_on_start(CLIENT, _oslo(TUESDAY, 10), date(2026, 3, 2)) == TUESDAY
    assert due_on_start(CLIENT, _oslo(TUESDAY, 10), None) == TUESDAY
    assert due_on_start(CLIENT, _oslo(TUESDAY, 8, 30), date(2026, 3, 2)) == TUESDAY


def test_due_on_start_nothing_when_already_posted_or_not_yet_time() -> None:
    assert due_on_start(CLIENT, _oslo(TUESDAY, 10), TUESDAY) is None
    assert due_on_start(CLIENT, _oslo(TUESDAY, 8, 29), date(2026, 3, 2)) is None


def test_due_on_start_does_not_post_a_previous_days_digest_late() -> None:
    # Down from Tuesday 08:00 until Wednesday: Tuesday's content goes into Wednesday's digest.
    wednesday = TUESDAY + timedelta(days=1)

    assert due_on_start(CLIENT, _oslo(wednesday, 7), date(2026, 3, 2)) is None
    assert due_on_start(CLIENT, _oslo(wednesday, 9), date(2026, 3, 2)) == wednesday


def test_due_on_start_nothing_on_holidays_and_weekends() -> None:
    assert due_on_start(CLIENT, _oslo(date(2026, 5, 14), 10), date(2026, 5, 13)) is None
    assert due_on_start(CLIENT, _oslo(date(2026, 3, 7), 10), date(2026, 3, 6)) is None
    songkran = _utc(datetime(2026, 4, 14, 12, tzinfo=BANGKOK))
    assert due_on_start(TEAM, songkran, date(2026, 4, 10)) is None


def test_due_on_start_uses_the_sides_own_date() -> None:
    wednesday = date(2026, 3, 4)  # Tuesday 3 March is Makha Bucha in Thailand
    # 20:00 Oslo on Wednesday is already Thursday 02:00 in Bangkok, before its 09:00 digest.
    assert due_on_start(TEAM, _oslo(wednesday, 20), wednesday) is None
    assert due_on_start(TEAM, _oslo(wednesday, 20), None) is None
    assert due_on_start(TEAM, _oslo(wednesday, 3, 30), None) == wednesday  # 09:30 in Bangkok
    assert due_on_start(TEAM, _oslo(TUESDAY, 3, 30), None) is None


def test_due_on_start_on_the_spring_forward_sunday() -> None:
    assert due_on_start(NIGHT_OWL, datetime(2026, 3, 29, 0, 59, tzinfo=UTC), None) is None
    assert due_on_start(NIGHT_OWL, datetime(2026, 3, 29, 1, 0, tzinfo=UTC), None) == SPRING_FORWARD


PROJECTS = ProjectsConfig(
    projects=(
        Project(key="acme", name="Acme", client=CLIENT, team=TEAM),
        Project(
            key="beta",
            name="Beta",
            client=CLIENT.model_copy(update={"channel": "C0CLIENT2", "digest_time": time(9)}),
            team=TEAM.model_copy(update={"channel": "C0TEAM002"}),
        ),
    )
)


def test_schedule_rows_list_every_moment_in_utc_order() -> None:
    rows = schedule_rows(PROJECTS, date(2026, 3, 27), date(2026, 3, 30))

    assert [
        (r.project, r.side, r.local.strftime("%a %H:%M"), r.utc.strftime("%d %H:%M")) for r in rows
    ] == [
        ("acme", "team", "Fri 09:00", "27 02:00"),
        ("beta", "team", "Fri 09:00", "27 02:00"),
        ("acme", "client", "Fri 08:30", "27 07:30"),
        ("beta", "client", "Fri 09:00", "27 08:00"),
        ("acme", "team", "Mon 09:00", "30 02:00"),
        ("beta", "team", "Mon 09:00", "30 02:00"),
        ("acme", "client", "Mon 08:30", "30 06:30"),
        ("beta", "client", "Mon 09:00", "30 07:00"),
    ]
    assert {(r.side, r.zone) for r in rows} == {("client", "Europe/Oslo"), ("team", "Asia/Bangkok")}


def test_schedule_rows_for_one_project() -> None:
    rows = schedule_rows(PROJECTS, YEAR_START, YEAR_END, project="beta")

    assert {r.project for r in rows} == {"beta"}
    assert len(rows) == len(_expected_dates("NO")) + len(_expected_dates("TH"))
    with pytest.raises(ConfigError, match="nope"):
        schedule_rows(PROJECTS, YEAR_START, YEAR_END, project="nope")
