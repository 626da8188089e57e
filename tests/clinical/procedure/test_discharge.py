"""Discharge readiness, each criterion missing in turn, and the score items from baseline vitals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.procedure import discharge
from spinepath.clinical.sources import get_source

NOW = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)


def ready_input(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "now": NOW,
        "procedure_ended_at": NOW - timedelta(minutes=75),
        "observation_minimum_minutes": 60,
        "sedation_given": True,
        "aldrete_total": 10,
        "padss_total": 9,
        "escort_confirmed": True,
        "pain_relief_given": True,
        "antibiotics_prescribed": True,
        "antibiotics_given": True,
        "instructions_given": True,
        "follow_up_booked": True,
        "open_alerts": 0,
        "latest_news2_total": 1,
        "discharge_news2_below": 5,
    }
    data.update(changes)
    return data


def test_everything_met_is_ready() -> None:
    result = discharge.assess(ready_input())
    assert result["ready"] is True
    assert result["missing"] == []
    assert [item["id"] for item in result["items"]] == [c.id for c in discharge.CRITERIA]


@pytest.mark.parametrize(
    ("criterion", "change"),
    [
        ("observation_time", {"procedure_ended_at": NOW - timedelta(minutes=59)}),
        ("aldrete", {"aldrete_total": 8}),
        ("aldrete", {"aldrete_total": None}),
        ("padss", {"padss_total": 8}),
        ("padss", {"padss_total": None}),
        ("escort", {"escort_confirmed": False}),
        ("pain_relief", {"pain_relief_given": False}),
        ("antibiotics", {"antibiotics_given": False}),
        ("instructions", {"instructions_given": False}),
        ("follow_up", {"follow_up_booked": False}),
        ("alerts", {"open_alerts": 1}),
        ("latest_news2", {"latest_news2_total": 5}),
        ("latest_news2", {"latest_news2_total": None}),
    ],
)
def test_each_criterion_missing_in_turn_is_named_and_blocks_discharge(
    criterion: str, change: dict[str, Any]
) -> None:
    result = discharge.assess(ready_input(**change))
    assert result["ready"] is False
    assert result["missing"] == [criterion]


def test_observation_time_is_met_at_the_minimum_and_not_a_minute_before() -> None:
    at = discharge.assess(ready_input(procedure_ended_at=NOW - timedelta(minutes=60)))
    before = discharge.assess(ready_input(procedure_ended_at=NOW - timedelta(seconds=3599)))
    assert at["ready"] and not before["ready"]
    assert before["items"][0]["detail"] == "59 of 60 minutes since the procedure ended"
    assert at["minimum_time_reached_at"] == NOW.isoformat()


def test_the_clinic_minimum_is_a_setting() -> None:
    result = discharge.assess(
        ready_input(procedure_ended_at=NOW - timedelta(minutes=75), observation_minimum_minutes=90)
    )
    assert result["missing"] == ["observation_time"]


def test_aldrete_is_not_needed_without_sedation_nor_antibiotics_unless_prescribed() -> None:
    result = discharge.assess(
        ready_input(
            sedation_given=False,
            aldrete_total=None,
            antibiotics_prescribed=False,
            antibiotics_given=False,
        )
    )
    statuses = {item["id"]: item["status"] for item in result["items"]}
    assert result["ready"] is True
    assert (statuses["aldrete"], statuses["antibiotics"]) == ("not_needed", "not_needed")


@pytest.mark.parametrize(("total", "met"), [(8, False), (9, True), (10, True)])
def test_aldrete_and_padss_are_met_from_9(total: int, met: bool) -> None:
    for name in ("aldrete_total", "padss_total"):
        assert discharge.assess(ready_input(**{name: total}))["ready"] is met


def test_a_procedure_ending_after_now_and_bad_totals_are_named() -> None:
    with pytest.raises(InvalidInput) as caught:
        discharge.assess(
            ready_input(procedure_ended_at=NOW + timedelta(minutes=1), aldrete_total=11)
        )
    assert {e.field for e in caught.value.errors} >= {"aldrete_total"}
    with pytest.raises(InvalidInput) as caught:
        discharge.assess(ready_input(procedure_ended_at=NOW + timedelta(minutes=1)))
    assert "cannot end after now" in str(caught.value)


def test_every_criterion_and_setting_cites_registered_sources() -> None:
    for criterion in discharge.CRITERIA:
        assert all(get_source(source) for source in criterion.source_ids)
    for setting in discharge.SETTINGS:
        assert all(get_source(source) for source in setting.source_ids)
    assert (discharge.OBSERVATION_MINIMUM.default, discharge.OBSERVATION_INTERVAL.default) == (
        60,
        15,
    )


# ---- Items derived from baseline vitals ---------------------------------------------------------


def circulation(baseline: int, current: int) -> int | None:
    item = discharge.derive_item(
        discharge.ALDRETE_CIRCULATION,
        {"systolic_bp_mmhg": baseline},
        {"systolic_bp_mmhg": current},
    )
    return item["points"] if item else None


@pytest.mark.parametrize(
    ("current", "points"),
    [(100, 2), (120, 2), (80, 2), (121, 1), (79, 1), (149, 1), (51, 1), (150, 0), (50, 0)],
)
def test_aldrete_circulation_bands_on_both_sides(current: int, points: int) -> None:
    assert circulation(100, current) == points


def vital_signs(base: tuple[int, int], now: tuple[int, int]) -> dict[str, Any] | None:
    return discharge.derive_item(
        discharge.PADSS_VITAL_SIGNS,
        {"systolic_bp_mmhg": base[0], "pulse_per_min": base[1]},
        {"systolic_bp_mmhg": now[0], "pulse_per_min": now[1]},
    )


@pytest.mark.parametrize(
    ("now", "points"),
    [
        ((120, 60), 2),  # 20 % and 0 %
        ((121, 60), 1),  # just over 20 %
        ((140, 84), 1),  # 40 % and 40 %
        ((141, 60), 0),  # just over 40 %
        ((100, 85), 0),  # pressure unchanged, pulse 41.7 %: the worse change counts
    ],
)
def test_padss_vital_signs_take_the_worse_of_pressure_and_pulse(
    now: tuple[int, int], points: int
) -> None:
    item = vital_signs((100, 60), now)
    assert item is not None
    assert item["points"] == points


def test_items_are_not_derived_without_a_usable_baseline() -> None:
    assert circulation(0, 120) is None
    assert (
        discharge.derive_item(
            discharge.PADSS_VITAL_SIGNS, {"systolic_bp_mmhg": 120}, {"systolic_bp_mmhg": 120}
        )
        is None
    )


def test_a_derived_item_shows_its_basis() -> None:
    item = vital_signs((125, 70), (110, 80))
    assert item == {
        "instrument": "padss",
        "item": "vital_signs",
        "points": 2,
        "percent_change": {"systolic_bp_mmhg": 12.0, "pulse_per_min": 14.3},
        "baseline": {"systolic_bp_mmhg": 125, "pulse_per_min": 70},
        "current": {"systolic_bp_mmhg": 110, "pulse_per_min": 80},
        "source": "marshall-chung-1999",
    }


@given(st.integers(1, 300), st.integers(0, 300), st.integers(0, 300))
def test_points_never_rise_as_the_change_from_baseline_grows(
    baseline: int, first: int, second: int
) -> None:
    near, far = sorted((first, second), key=lambda value: abs(value - baseline))
    assert circulation(baseline, near) >= circulation(baseline, far)  # type: ignore[operator]


@pytest.mark.parametrize(("total", "met"), [(4, True), (5, False), (13, False)])
def test_the_latest_news2_must_be_below_the_discharge_threshold(total: int, met: bool) -> None:
    result = discharge.assess(ready_input(latest_news2_total=total))
    [item] = [i for i in result["items"] if i["id"] == "latest_news2"]
    assert (item["status"] == "met") is met
    assert item["detail"] == f"latest NEWS2 {total}; must be below 5"
    assert "rcp-news2-2017" in item["sources"]


def test_the_discharge_threshold_is_a_clinic_setting_defaulting_to_the_rcp_urgent_threshold() -> (
    None
):
    assert discharge.DISCHARGE_NEWS2_BELOW.default == 5
    stricter = discharge.assess(ready_input(latest_news2_total=3, discharge_news2_below=3))
    assert stricter["missing"] == ["latest_news2"]
