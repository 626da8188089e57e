"""Follow-up schedules: the sourced defaults, a clinic's own, due dates and overdue by zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.follow_up.schedule import (
    DEFAULT_SCHEDULES,
    PlanKind,
    add_months,
    contact_state,
    last_moment_of,
    overdue_from,
    parse_schedule_config,
    plan_contacts,
)
from spinepath.clinical.sources import get_source

AUCKLAND = ZoneInfo("Pacific/Auckland")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def test_post_procedure_default_is_next_day_two_weeks_three_and_twelve_months() -> None:
    planned = plan_contacts(DEFAULT_SCHEDULES[PlanKind.POST_PROCEDURE], date(2026, 1, 31))
    assert [(c.code, c.due_date, c.window_end) for c in planned] == [
        ("day_1", date(2026, 2, 1), date(2026, 2, 1)),
        ("week_2", date(2026, 2, 14), date(2026, 2, 28)),  # 2-4 weeks (Hirsch 2018)
        ("month_3", date(2026, 4, 30), date(2026, 4, 30)),  # 31 Jan + 3 months → 30 Apr
        ("month_12", date(2027, 1, 31), date(2027, 1, 31)),
    ]
    assert [c.sequence for c in planned] == [1, 2, 3, 4]
    assert planned[0].reminder_email is False and planned[1].reminder_email is True


def test_conservative_default_is_one_visit_at_two_to_four_weeks() -> None:
    (visit,) = plan_contacts(DEFAULT_SCHEDULES[PlanKind.CONSERVATIVE], date(2026, 3, 1))
    assert (visit.code, visit.due_date, visit.window_end) == (
        "week_2_4",
        date(2026, 3, 15),
        date(2026, 3, 29),
    )
    assert visit.source_id == "hirsch-2018-vcf-pathway"


def test_every_default_row_cites_a_registered_source() -> None:
    for rows in DEFAULT_SCHEDULES.values():
        for row in rows:
            assert row.source_id is not None
            assert get_source(row.source_id).citation


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2026, 12, 31), 12, date(2027, 12, 31)),
    ],
)
def test_calendar_months_keep_the_day_or_the_last_day_of_the_month(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)), st.integers(0, 120))
def test_adding_months_moves_by_whole_months_and_never_past_the_day(start: date, n: int) -> None:
    moved = add_months(start, n)
    assert (moved.year - start.year) * 12 + moved.month - start.month == n
    assert moved.day <= start.day


def test_a_clinic_schedule_replaces_the_default_and_is_validated() -> None:
    config = parse_schedule_config(
        {
            "post_procedure": [
                {"code": "week_1", "label": "Call at 1 week", "mode": "phone", "offset_days": 7},
                {"code": "month_6", "label": "Visit", "mode": "visit", "offset_months": 6},
            ]
        }
    )
    assert [t.code for t in config.post_procedure] == ["week_1", "month_6"]
    assert [t.code for t in config.conservative] == ["week_2_4"]  # default kept


def test_a_bad_clinic_schedule_names_every_bad_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_schedule_config(
            {
                "post_procedure": [
                    {"code": "Week 1", "label": "", "mode": "fax", "offset_days": 7},
                    {"code": "month_6", "label": "x", "mode": "visit"},
                ],
                "conservative": [
                    {"code": "v", "label": "a", "mode": "visit", "offset_days": 3},
                    {"code": "v", "label": "b", "mode": "visit", "offset_days": 9},
                ],
            }
        )
    fields = {error.field for error in caught.value.errors}
    assert {"post_procedure.0.code", "post_procedure.0.label", "post_procedure.0.mode"} <= fields
    assert "post_procedure.1" in fields  # no offset
    with pytest.raises(InvalidInput) as duplicate:
        parse_schedule_config(
            {
                "conservative": [
                    {"code": "v", "label": "a", "mode": "visit", "offset_days": 3},
                    {"code": "v", "label": "b", "mode": "visit", "offset_days": 9},
                ]
            }
        )
    assert [e.field for e in duplicate.value.errors] == ["conservative.1.code"]


def test_baseline_is_not_a_contact_code() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_schedule_config(
            {
                "conservative": [
                    {"code": "baseline", "label": "x", "mode": "visit", "offset_days": 1}
                ]
            }
        )
    assert caught.value.errors[0].field == "conservative.0"


def test_overdue_starts_at_the_clinics_midnight_not_the_servers() -> None:
    # Due 1 Dec 2026, no window. Auckland is UTC+13 in December, Los Angeles UTC-8.
    due = date(2026, 12, 1)
    assert overdue_from(due, AUCKLAND).astimezone(UTC) == datetime(2026, 12, 1, 11, tzinfo=UTC)
    assert overdue_from(due, LOS_ANGELES).astimezone(UTC) == datetime(2026, 12, 2, 8, tzinfo=UTC)
    moment = datetime(2026, 12, 1, 20, tzinfo=UTC)  # 2 Dec 09:00 Auckland, 1 Dec 12:00 LA
    assert contact_state(due, due, "planned", moment, AUCKLAND) == "overdue"
    assert contact_state(due, due, "planned", moment, LOS_ANGELES) == "due"


@pytest.mark.parametrize("zone", [AUCKLAND, LOS_ANGELES, ZoneInfo("UTC")])
def test_state_changes_exactly_at_local_midnights(zone: ZoneInfo) -> None:
    due, end = date(2026, 3, 10), date(2026, 3, 12)
    starts = datetime(2026, 3, 10, tzinfo=zone)
    tick = timedelta(microseconds=1)
    assert contact_state(due, end, "planned", starts - tick, zone) == "upcoming"
    assert contact_state(due, end, "planned", starts, zone) == "due"
    late = overdue_from(end, zone)
    assert contact_state(due, end, "planned", late - tick, zone) == "due"
    assert contact_state(due, end, "planned", late, zone) == "overdue"
    assert last_moment_of(end, zone) == late - tick
    assert contact_state(due, end, "done", late, zone) == "done"


def test_overdue_moment_across_the_spring_change_is_local_midnight() -> None:
    # Clocks in Los Angeles go forward on 8 March 2026 at 02:00: midnight on 9 March is UTC-7.
    assert overdue_from(date(2026, 3, 8), LOS_ANGELES).astimezone(UTC) == datetime(
        2026, 3, 9, 7, tzinfo=UTC
    )
    assert overdue_from(date(2026, 3, 7), LOS_ANGELES).astimezone(UTC) == datetime(
        2026, 3, 8, 8, tzinfo=UTC
    )
