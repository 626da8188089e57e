"""Pre-procedure labs: INR and platelets (and fibrinogen with chronic liver disease), SIR 2019."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.preparation import make_plan

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _labs(labs: dict[str, Any], **extra: Any) -> dict[str, dict[str, Any]]:
    plan = make_plan(
        {"procedure_start": "2026-12-01T09:00:00-06:00", "labs": labs, **extra}, now=NOW
    )
    return {lab["test"]: lab for lab in plan["labs"]}


@pytest.mark.parametrize(("inr", "status"), [(1.8, "ok"), (1.81, "out_of_range"), (1.0, "ok")])
def test_inr_default_threshold_is_at_most_1_8(inr: float, status: str) -> None:
    lab = _labs({"inr": inr, "platelets_10e9_per_l": 200})["inr"]
    assert lab["threshold"] == "<= 1.8"
    assert lab["status"] == status
    assert lab["flagged"] is (status != "ok")


@pytest.mark.parametrize(("inr", "status"), [(1.5, "ok"), (1.51, "out_of_range")])
def test_inr_threshold_1_5_is_selectable(inr: float, status: str) -> None:
    labs = _labs({"inr": inr}, clinic_policy={"inr_threshold": 1.5})
    assert labs["inr"]["threshold"] == "<= 1.5"
    assert labs["inr"]["status"] == status


@pytest.mark.parametrize(
    ("platelets", "status"), [(50, "ok"), (49.9, "out_of_range"), (0, "out_of_range")]
)
def test_platelets_at_least_50(platelets: float, status: str) -> None:
    lab = _labs({"inr": 1.0, "platelets_10e9_per_l": platelets})["platelets"]
    assert lab["threshold"] == ">= 50"
    assert lab["status"] == status


def test_missing_labs_are_flagged_not_assumed_normal() -> None:
    plan = make_plan({"procedure_start": "2026-12-01T09:00:00-06:00"}, now=NOW)
    assert [lab["status"] for lab in plan["labs"]] == ["missing", "missing"]
    assert all(lab["flagged"] for lab in plan["labs"])
    assert plan["needs_review"] is True


def test_normal_labs_and_no_medicines_need_no_review() -> None:
    plan = make_plan(
        {
            "procedure_start": "2026-12-01T09:00:00-06:00",
            "labs": {"inr": 1.0, "platelets_10e9_per_l": 250, "hemoglobin_g_dl": 13},
        },
        now=NOW,
    )
    assert plan["needs_review"] is False
    assert plan["other_labs"][0]["value"] == 13


@pytest.mark.parametrize(
    ("labs", "expected"),
    [
        (
            {"inr": 2.49, "platelets_10e9_per_l": 30.1, "fibrinogen_mg_dl": 100.1},
            {"inr": "ok", "platelets": "ok", "fibrinogen": "ok"},
        ),
        (
            {"inr": 2.5, "platelets_10e9_per_l": 30, "fibrinogen_mg_dl": 100},
            {"inr": "out_of_range", "platelets": "out_of_range", "fibrinogen": "out_of_range"},
        ),
        ({"inr": 2.0}, {"inr": "ok", "platelets": "missing", "fibrinogen": "missing"}),
    ],
)
def test_chronic_liver_disease_thresholds(labs: dict[str, float], expected: dict[str, str]) -> None:
    found = _labs(labs, chronic_liver_disease=True)
    assert {test: lab["status"] for test, lab in found.items()} == expected
    assert found["inr"]["threshold"] == "< 2.5"
    assert found["platelets"]["threshold"] == "> 30"
    assert found["fibrinogen"]["threshold"] == "> 100"


@pytest.mark.parametrize("threshold", [1.6, 2.0, 1.0])
def test_other_inr_thresholds_are_rejected(threshold: float) -> None:
    with pytest.raises(InvalidInput) as caught:
        _labs({}, clinic_policy={"inr_threshold": threshold})
    assert [e.field for e in caught.value.errors] == ["clinic_policy.inr_threshold"]
