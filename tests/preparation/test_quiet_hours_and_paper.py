"""Calendar alarms never ring in quiet hours (property-based), and the paper size follows the
clinic's locale or, without one, the country of its time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spinepath.preparation.paper import paper_size, region_of_locale
from spinepath.preparation.patient_text import Alarm, Reminder, in_quiet_hours, quiet_alarms

CHICAGO = ZoneInfo("America/Chicago")
DEFAULT = (time(21, 0), time(7, 0))


def _reminder(start: datetime, *befores: timedelta) -> Reminder:
    alarms = tuple(Alarm(before, f"alarm {before}") for before in befores)
    return Reminder("stop-0", "Last dose of warfarin", "Take it now.", start, 15, alarms)


def _rings(reminder: Reminder, alarm: Alarm) -> datetime:
    return (reminder.start - alarm.before).astimezone(CHICAGO)


@pytest.mark.parametrize(
    ("rings_at", "expected"),
    [
        (time(20, 59), False),
        (time(21, 0), True),
        (time(23, 59), True),
        (time(0, 0), True),
        (time(6, 59), True),
        (time(7, 0), False),
        (time(12, 0), False),
    ],
)
def test_the_default_quiet_hours_are_21_to_7_on_both_sides(rings_at: time, expected: bool) -> None:
    moment = datetime.combine(datetime(2026, 12, 15).date(), rings_at, tzinfo=CHICAGO)
    assert in_quiet_hours(moment, DEFAULT) is expected


def test_an_alarm_at_5_30_moves_to_20_00_the_evening_before_and_says_when() -> None:
    start = datetime(2026, 12, 15, 7, 30, tzinfo=CHICAGO)
    moved = quiet_alarms(_reminder(start, timedelta(hours=2)), CHICAGO, DEFAULT)
    (alarm,) = moved.alarms
    assert _rings(moved, alarm) == datetime(2026, 12, 14, 20, 0, tzinfo=CHICAGO)
    assert alarm.moved_from_quiet_hours
    assert alarm.text == "Coming up on Tuesday, December 15 at 7:30 AM: last dose of warfarin."


def test_an_alarm_outside_quiet_hours_is_left_alone() -> None:
    start = datetime(2026, 12, 15, 9, 0, tzinfo=CHICAGO)
    reminder = _reminder(start, timedelta(0), timedelta(days=1))
    assert quiet_alarms(reminder, CHICAGO, DEFAULT) == reminder


@settings(max_examples=300, deadline=None)
@given(
    start_minutes=st.integers(min_value=0, max_value=60 * 24 * 60),
    before_minutes=st.integers(min_value=0, max_value=60 * 48),
    begin_hour=st.integers(min_value=0, max_value=23),
    length_hours=st.integers(min_value=1, max_value=14),
)
def test_no_alarm_rings_in_quiet_hours_and_a_moved_one_rings_earlier(
    start_minutes: int, before_minutes: int, begin_hour: int, length_hours: int
) -> None:
    quiet = (time(begin_hour, 0), time((begin_hour + length_hours) % 24, 0))
    start = (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=start_minutes)).astimezone(
        CHICAGO
    )
    reminder = _reminder(start, timedelta(minutes=before_minutes))
    moved = quiet_alarms(reminder, CHICAGO, quiet)
    (original,) = reminder.alarms
    (alarm,) = moved.alarms
    assert not in_quiet_hours(_rings(moved, alarm), quiet)
    if in_quiet_hours(_rings(reminder, original), quiet):
        assert alarm.moved_from_quiet_hours
        assert _rings(moved, alarm) < _rings(reminder, original)
        assert _rings(reminder, original) - _rings(moved, alarm) <= timedelta(
            hours=length_hours + 2
        )
    else:
        assert alarm == original


@pytest.mark.parametrize(
    ("locale", "region"),
    [("en-US", "US"), ("fr_CA", "CA"), ("es-419", None), ("en", None), (None, None)],
)
def test_the_region_is_read_from_the_locale(locale: str | None, region: str | None) -> None:
    assert region_of_locale(locale) == region


@pytest.mark.parametrize(
    ("locale", "zone", "paper"),
    [
        ("en-US", "Europe/London", "Letter"),  # the locale wins
        ("en-GB", "America/Chicago", "A4"),
        (None, "America/Chicago", "Letter"),  # the zone's country
        (None, "America/Toronto", "Letter"),
        (None, "Europe/London", "A4"),
        (None, "Asia/Tokyo", "A4"),
        (None, "UTC", "A4"),
    ],
)
def test_the_paper_size_follows_the_locale_then_the_zone(
    locale: str | None, zone: str, paper: str
) -> None:
    assert paper_size(locale, zone) == paper
