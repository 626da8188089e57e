"""Dosing frequency, dose counts in hours and usual dose times across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spinepath.clinical.preparation import dose_schedule as ds

CHICAGO = ZoneInfo("America/Chicago")


@pytest.mark.parametrize(
    ("text", "per_day", "weekly"),
    [
        ("twice daily", 2, False),
        ("BID", 2, False),
        ("b.i.d.", 2, False),
        ("every 12 hours", 2, False),
        ("q12h", 2, False),
        ("once daily", 1, False),
        ("daily", 1, False),
        ("at bedtime", 1, False),
        ("three times a day", 3, False),
        ("TID", 3, False),
        ("q8h", 3, False),
        ("four times daily", 4, False),
        ("once weekly", 1 / 7, True),
        ("every week", 1 / 7, True),
    ],
)
def test_frequency_phrases(text: str, per_day: float, weekly: bool) -> None:
    frequency = ds.parse_frequency(text)
    assert frequency is not None
    assert frequency.doses_per_day == pytest.approx(per_day)
    assert frequency.weekly is weekly


@pytest.mark.parametrize("text", ["", "every other day", "twice weekly", "sometimes"])
def test_frequencies_not_understood_are_none(text: str) -> None:
    assert ds.parse_frequency(text) is None


def test_as_needed_has_no_schedule_to_count_doses_on() -> None:
    frequency = ds.parse_frequency("as needed")
    assert frequency is not None and frequency.as_needed and frequency.doses_per_day is None
    prn_bid = ds.parse_frequency("twice daily as needed")
    assert prn_bid is not None
    assert ds.doses_to_hours(4, prn_bid) is None


def test_dose_counts_convert_by_frequency() -> None:
    twice = ds.parse_frequency("twice daily")
    once = ds.parse_frequency("once daily")
    assert twice is not None and once is not None
    assert ds.doses_to_hours(4, twice) == 48  # apixaban 4 doses twice daily
    assert ds.doses_to_hours(2, once) == 48  # rivaroxaban 2 doses once daily
    assert ds.doses_to_hours(8, twice) == 96


@pytest.mark.parametrize("text", ["25:00", "24:00", "8", "08:60", "8am", "-1:00", "08:00:00"])
def test_clock_times_must_be_on_the_24_hour_clock(text: str) -> None:
    with pytest.raises(ValueError, match="24-hour clock"):
        ds.parse_clock_time(text)


def test_clock_times_accept_one_digit_hours() -> None:
    assert ds.parse_clock_time("8:05") == time(8, 5)
    assert ds.parse_clock_time("23:59") == time(23, 59)


def test_elapsed_hours_across_the_autumn_change_differ_from_the_wall_clock() -> None:
    # Monday 2 Nov 2026, 09:00 CST; clocks went back at 02:00 CDT on Sunday 1 Nov.
    start = datetime(2026, 11, 2, 9, 0, tzinfo=CHICAGO)
    deadline = ds.shift_hours(start, -48, CHICAGO)
    assert deadline.isoformat() == "2026-10-31T10:00:00-05:00"
    assert ds.hours_between(deadline, start) == 48


def test_last_usual_dose_respects_elapsed_hours_across_the_autumn_change() -> None:
    deadline = datetime(2026, 10, 31, 10, 0, tzinfo=CHICAGO)  # 48 h before Mon 09:00 CST
    at_ten = ds.last_usual_dose_at_or_before(deadline, CHICAGO, (time(10, 0), time(22, 0)))
    assert at_ten is not None and at_ten.isoformat() == "2026-10-31T10:00:00-05:00"
    at_eight = ds.last_usual_dose_at_or_before(deadline, CHICAGO, (time(8, 0), time(20, 0)))
    assert at_eight is not None and at_eight.isoformat() == "2026-10-31T08:00:00-05:00"


def test_a_dose_time_that_happens_twice_counts_as_the_later_one() -> None:
    # 01:30 happens at -05:00 and again at -06:00 on 1 Nov 2026 in Chicago.
    between = datetime(2026, 11, 1, 1, 45, tzinfo=CHICAGO)  # fold 0: 06:45 UTC
    found = ds.last_usual_dose_at_or_before(between, CHICAGO, (time(1, 30),))
    # The second 01:30 (07:30 UTC) is after the deadline, so the day before is used.
    assert found is not None and found.isoformat() == "2026-10-31T01:30:00-05:00"


def test_a_dose_time_in_the_spring_gap_moves_to_the_real_moment() -> None:
    # 02:30 does not exist on 8 Mar 2026 in Chicago (02:00 CST -> 03:00 CDT).
    deadline = datetime(2026, 3, 8, 12, 0, tzinfo=CHICAGO)
    found = ds.last_usual_dose_at_or_before(deadline, CHICAGO, (time(2, 30),))
    assert found is not None and found.isoformat() == "2026-03-08T03:30:00-05:00"
    assert found.astimezone(UTC) <= deadline.astimezone(UTC)


def test_weekly_dose_search_uses_the_weekday() -> None:
    deadline = datetime(2026, 11, 24, 0, 0, tzinfo=CHICAGO)  # Tuesday
    sunday = ds.WEEKDAYS.index("sunday")
    found = ds.last_usual_dose_at_or_before(deadline, CHICAGO, (time(9, 0),), sunday)
    assert found is not None and found.isoformat() == "2026-11-22T09:00:00-06:00"


def test_first_usual_dose_after_a_restart_moment() -> None:
    moment = datetime(2026, 12, 2, 9, 0, tzinfo=CHICAGO)
    found = ds.first_usual_dose_at_or_after(moment, CHICAGO, (time(8, 0), time(20, 0)))
    assert found is not None and found.isoformat() == "2026-12-02T20:00:00-06:00"
    exact = ds.first_usual_dose_at_or_after(moment, CHICAGO, (time(9, 0),))
    assert exact == moment


def test_no_dose_times_no_usual_dose() -> None:
    moment = datetime(2026, 12, 2, 9, 0, tzinfo=CHICAGO)
    assert ds.last_usual_dose_at_or_before(moment, CHICAGO, ()) is None
    assert ds.first_usual_dose_at_or_after(moment, CHICAGO, ()) is None


ZONES = st.sampled_from(["America/Chicago", "Europe/London", "Australia/Sydney", "UTC"])
MOMENTS = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda naive: naive.replace(tzinfo=UTC, microsecond=0, second=0)
)
CLOCKS = st.lists(
    st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
    min_size=1,
    max_size=4,
    unique=True,
)


@settings(max_examples=200, deadline=None)
@given(zone_name=ZONES, deadline=MOMENTS, clocks=CLOCKS)
def test_last_usual_dose_is_the_latest_dose_time_not_after_the_deadline(
    zone_name: str, deadline: datetime, clocks: list[time]
) -> None:
    zone = ZoneInfo(zone_name)
    found = ds.last_usual_dose_at_or_before(deadline, zone, tuple(clocks))
    assert found is not None
    assert found.astimezone(UTC) <= deadline
    # No usual dose time (any interpretation that is still safe) lies between it and the deadline.
    local_day = deadline.astimezone(zone).date()
    for offset in range(-2, 2):
        day = local_day + timedelta(days=offset)
        for clock in clocks:
            late = ds.local_instant(day, clock, zone, latest=True).astimezone(UTC)
            if late <= deadline:
                assert late <= found.astimezone(UTC)


@settings(max_examples=200, deadline=None)
@given(zone_name=ZONES, moment=MOMENTS, clocks=CLOCKS)
def test_first_usual_dose_is_not_before_the_moment(
    zone_name: str, moment: datetime, clocks: list[time]
) -> None:
    zone = ZoneInfo(zone_name)
    found = ds.first_usual_dose_at_or_after(moment, zone, tuple(clocks))
    assert found is not None
    assert found.astimezone(UTC) >= moment
    assert found.astimezone(UTC) - moment < timedelta(hours=26)
