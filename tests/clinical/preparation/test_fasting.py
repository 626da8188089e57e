"""Fasting times (ASA), a clinic's stricter policy, and GLP-1 receptor agonist editions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.preparation import make_plan

NOW = datetime(2026, 11, 1, tzinfo=UTC)
START = "2026-12-01T09:00:00-06:00"


def _plan(**extra: Any) -> dict[str, Any]:
    return make_plan({"procedure_start": START, "time_zone": "America/Chicago", **extra}, now=NOW)


def test_asa_fasting_times() -> None:
    fasting = _plan()["fasting"]
    assert fasting["clear_liquids_until"] == "2026-12-01T07:00:00-06:00"
    assert fasting["light_meal_until"] == "2026-12-01T03:00:00-06:00"
    assert fasting["non_human_milk_until"] == "2026-12-01T03:00:00-06:00"
    assert fasting["solid_food_until"] == "2026-12-01T01:00:00-06:00"
    assert fasting["policy"] == "asa"
    assert fasting["stricter_than_asa"] == []
    assert fasting["glp1"] is None


def test_fasting_hours_are_elapsed_hours_across_the_autumn_change() -> None:
    plan = make_plan(
        {"procedure_start": "2026-11-01T05:00:00-06:00", "time_zone": "America/Chicago"},
        now=NOW.replace(month=10),
    )
    # 8 h before 05:00 CST is 22:00 CDT the evening before (clocks went back at 02:00).
    assert plan["fasting"]["solid_food_until"] == "2026-10-31T22:00:00-05:00"
    assert plan["fasting"]["clear_liquids_until"] == "2026-11-01T03:00:00-06:00"


def test_nothing_by_mouth_after_midnight_is_stricter_for_every_item() -> None:
    fasting = _plan(clinic_policy={"fasting": {"nothing_by_mouth_after_midnight": True}})["fasting"]
    for item in ("solid_food", "light_meal", "non_human_milk", "clear_liquids"):
        assert fasting[f"{item}_until"] == "2026-12-01T00:00:00-06:00"
    assert fasting["policy"] == "asa+clinic"
    assert fasting["asa"]["clear_liquids_until"] == "2026-12-01T07:00:00-06:00"


def test_midnight_rule_never_loosens_asa_for_an_early_procedure() -> None:
    plan = make_plan(
        {
            "procedure_start": "2026-12-01T01:00:00-06:00",
            "time_zone": "America/Chicago",
            "clinic_policy": {"fasting": {"nothing_by_mouth_after_midnight": True}},
        },
        now=NOW,
    )
    fasting = plan["fasting"]
    assert fasting["solid_food_until"] == "2026-11-30T17:00:00-06:00"  # ASA 8 h is earlier
    assert fasting["clear_liquids_until"] == "2026-11-30T23:00:00-06:00"


def test_clinic_hours_may_be_longer_than_asa() -> None:
    fasting = _plan(clinic_policy={"fasting": {"clear_liquids_hours": 4, "solid_food_hours": 12}})[
        "fasting"
    ]
    assert fasting["clear_liquids_until"] == "2026-12-01T05:00:00-06:00"
    assert fasting["solid_food_until"] == "2026-11-30T21:00:00-06:00"
    assert fasting["light_meal_until"] == "2026-12-01T03:00:00-06:00"
    assert set(fasting["stricter_than_asa"]) == {"clear_liquids", "solid_food"}


@pytest.mark.parametrize(
    ("item", "hours"),
    [
        ("clear_liquids_hours", 1),
        ("light_meal_hours", 5.5),
        ("solid_food_hours", 6),
        ("non_human_milk_hours", 2),
    ],
)
def test_a_clinic_policy_may_not_be_less_strict_than_asa(item: str, hours: float) -> None:
    with pytest.raises(InvalidInput) as caught:
        _plan(clinic_policy={"fasting": {item: hours}})
    assert [e.field for e in caught.value.errors] == [f"clinic_policy.fasting.{item}"]
    assert "only be stricter" in caught.value.errors[0].message


# ---- GLP-1 receptor agonists ------------------------------------------------------------------


def _glp1(medication: dict[str, Any], guidance: str) -> tuple[dict[str, Any], dict[str, Any]]:
    plan = _plan(medications=[medication], clinic_policy={"glp1_guidance": guidance})
    return plan["medications"][0], plan["fasting"]


def test_asa_2023_weekly_glp1_is_held_for_the_week_before_the_day() -> None:
    entry, fasting = _glp1(
        {"name": "Ozempic 1 mg", "dose_weekday": "Sunday", "dose_times": ["09:00"]}, "asa-2023"
    )
    assert entry["action"] == "hold"
    # Procedure Tue 1 Dec: no dose on or after Tue 24 Nov 00:00; the usual Sunday dose on
    # 29 Nov is skipped, the last one is Sun 22 Nov.
    assert entry["latest_allowed_last_dose_at"] == "2026-11-24T00:00:00-06:00"
    assert entry["last_dose_at"] == "2026-11-22T09:00:00-06:00"
    assert entry["stop_before_hours"] == [177, 177]
    assert entry["source"] == "asa-2023-glp1"
    assert fasting["glp1"]["guidance"] == "asa-2023"
    assert fasting["glp1"]["liquid_diet_from"] is None
    assert fasting["solid_food_until"] == "2026-12-01T01:00:00-06:00"


def test_asa_2023_daily_glp1_is_held_on_the_day() -> None:
    entry, _ = _glp1({"name": "Victoza", "frequency": "daily", "dose_times": ["07:00"]}, "asa-2023")
    assert entry["action"] == "hold"
    assert entry["latest_allowed_last_dose_at"] == "2026-12-01T00:00:00-06:00"
    assert entry["last_dose_at"] == "2026-11-30T07:00:00-06:00"


def test_asa_2023_gi_symptoms_go_to_review() -> None:
    entry, _ = _glp1(
        {"name": "Rybelsus 7 mg", "frequency": "daily", "gi_symptoms": True}, "asa-2023"
    )
    assert entry["action"] == "review"
    assert "delaying" in entry["reason"]


def test_multisociety_2024_daily_glp1_continues_with_a_liquid_diet() -> None:
    entry, fasting = _glp1(
        {"name": "liraglutide 1.8 mg", "frequency": "daily"}, "multisociety-2024"
    )
    assert entry["action"] == "continue"
    assert entry["source"] == "multisociety-2024-glp1"
    assert fasting["glp1"]["liquid_diet_from"] == "2026-11-30T09:00:00-06:00"
    assert fasting["solid_food_until"] == "2026-11-30T09:00:00-06:00"
    assert fasting["light_meal_until"] == "2026-11-30T09:00:00-06:00"
    assert fasting["clear_liquids_until"] == "2026-12-01T07:00:00-06:00"
    assert "glp1-liquid-diet" in fasting["policy"]


@pytest.mark.parametrize(
    "medication",
    [
        {"name": "Mounjaro 5 mg", "dose_weekday": "friday"},
        {"name": "Trulicity 1.5 mg", "frequency": "weekly"},
        {"name": "Victoza", "frequency": "daily", "dose_escalation": True},
        {"name": "Victoza", "frequency": "daily", "gi_symptoms": True},
        {"name": "semaglutide"},
    ],
)
def test_multisociety_2024_higher_risk_is_a_shared_decision(medication: dict[str, Any]) -> None:
    entry, fasting = _glp1(medication, "multisociety-2024")
    assert entry["action"] == "review"
    assert "shared decision" in entry["reason"]
    assert fasting["glp1"]["liquid_diet_from"] == "2026-11-30T09:00:00-06:00"


def test_default_glp1_guidance_is_multisociety_2024() -> None:
    plan = _plan(medications=[{"name": "Wegovy", "frequency": "weekly"}])
    assert plan["glp1_guidance"] == "multisociety-2024"
    assert plan["fasting"]["glp1"]["medicines"] == ["Wegovy"]


def test_the_brand_tells_the_schedule_when_the_generic_name_is_also_given() -> None:
    entry, _ = _glp1({"name": "semaglutide (Rybelsus) 7 mg"}, "asa-2023")
    assert entry["action"] == "hold"
    assert entry["rule_id"] == "asa-2023/daily"
    assert entry["latest_allowed_last_dose_at"] == "2026-12-01T00:00:00-06:00"


def test_glp1_frequency_that_contradicts_the_brand_is_review() -> None:
    entry, _ = _glp1({"name": "Ozempic", "frequency": "daily"}, "asa-2023")
    assert entry["action"] == "review"
    assert "does not match" in entry["reason"]


@pytest.mark.parametrize("name", ["semaglutide", "exenatide"])
def test_glp1_in_both_daily_and_weekly_forms_needs_the_frequency(name: str) -> None:
    entry, _ = _glp1({"name": name}, "asa-2023")
    assert entry["action"] == "review"
    assert "daily from weekly" in entry["reason"]


def test_unknown_glp1_guidance_is_rejected() -> None:
    with pytest.raises(InvalidInput) as caught:
        _plan(clinic_policy={"glp1_guidance": "asa-2022"})
    assert [e.field for e in caught.value.errors] == ["clinic_policy.glp1_guidance"]
