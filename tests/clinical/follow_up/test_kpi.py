"""IOF Capture the Fracture indicators (Javaid 2020): windows and achievement levels."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.follow_up.kpi import KPIS, achievement_band, evaluate

FRACTURE = date(2026, 1, 5)
WEEK_12 = FRACTURE + timedelta(days=84)  # 30 Mar 2026
WEEK_16 = FRACTURE + timedelta(days=112)  # 27 Apr 2026
WEEK_52 = FRACTURE + timedelta(days=364)  # 4 Jan 2027


def _status(today: date, **facts: object) -> dict[str, str]:
    return {r.code: r.status for r in evaluate({"fracture_date": FRACTURE, **facts}, today)}


def test_windows_are_12_16_and_52_weeks_from_the_fracture() -> None:
    assert [k.weeks for k in KPIS] == [12, 16, 52]
    results = evaluate({"fracture_date": FRACTURE}, FRACTURE)
    assert [r.deadline for r in results] == [WEEK_12, WEEK_16, WEEK_52]
    assert {r.source_id for r in results} == {"iof-ctf-kpi-2020"}


def test_dxa_on_the_deadline_day_counts_and_the_day_after_does_not() -> None:
    assert _status(WEEK_12, dxa_date=WEEK_12)["dxa_12_weeks"] == "met"
    late = WEEK_12 + timedelta(days=1)
    assert _status(late, dxa_date=late)["dxa_12_weeks"] == "not_met"


def test_treatment_on_the_deadline_day_counts_and_the_day_after_does_not() -> None:
    assert _status(WEEK_16, treatment_start_date=WEEK_16)["treatment_16_weeks"] == "met"
    late = WEEK_16 + timedelta(days=1)
    assert _status(late, treatment_start_date=late)["treatment_16_weeks"] == "not_met"


def test_a_gap_is_pending_until_the_deadline_passes() -> None:
    assert _status(WEEK_12)["dxa_12_weeks"] == "pending"
    assert _status(WEEK_12 + timedelta(days=1))["dxa_12_weeks"] == "not_met"


def test_a_scan_before_the_fracture_does_not_count() -> None:
    assert _status(FRACTURE, dxa_date=FRACTURE - timedelta(days=1))["dxa_12_weeks"] == "pending"


def test_on_treatment_at_52_weeks_needs_a_check_on_or_after_that_day() -> None:
    early = {"adherence_checked_on": WEEK_52 - timedelta(days=1), "still_on_treatment": True}
    assert _status(WEEK_52 - timedelta(days=1), **early)["on_treatment_52_weeks"] == "pending"
    assert _status(WEEK_52, **early)["on_treatment_52_weeks"] == "no_data"
    on_time = {"adherence_checked_on": WEEK_52, "still_on_treatment": True}
    assert _status(WEEK_52, **on_time)["on_treatment_52_weeks"] == "met"
    stopped = {"adherence_checked_on": WEEK_52, "still_on_treatment": False}
    assert _status(WEEK_52, **stopped)["on_treatment_52_weeks"] == "not_met"


def test_bad_facts_name_every_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        evaluate({"fracture_date": "soon", "dxa_date": 3, "extra": 1}, FRACTURE)
    assert {e.field for e in caught.value.errors} == {"fracture_date", "dxa_date", "extra"}


@pytest.mark.parametrize(
    ("achieved", "eligible", "band"),
    [
        (0, 10, "below_50"),
        (49, 100, "below_50"),
        (99, 199, "below_50"),  # 49.7 %
        (1, 2, "50_to_80"),  # exactly 50 %
        (4, 5, "50_to_80"),  # exactly 80 %
        (801, 1000, "above_80"),  # 80.1 %
        (10, 10, "above_80"),
    ],
)
def test_achievement_bands_below_50_50_to_80_above_80(
    achieved: int, eligible: int, band: str
) -> None:
    found = achievement_band(achieved, eligible)
    assert found is not None and found.code == band


def test_no_eligible_patients_has_no_band() -> None:
    assert achievement_band(0, 0) is None
    with pytest.raises(ValueError):
        achievement_band(3, 2)
