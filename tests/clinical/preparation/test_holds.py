"""Every row of the hold table, in both editions, through the whole planner; kidney bands.

The expected values below are written out by hand from the sources (docs/clinical-sources/
preparation.md), not derived from the table: action, stop window in hours for the frequency used
here, and the restart (hours, "next_day", or None when the source gives none).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from spinepath.clinical.preparation import make_plan
from spinepath.clinical.preparation.holds import BRIDGING, EDITIONS, HOLD_TABLE, HoldRule

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
START = "2026-12-01T09:00:00-06:00"

Restart = float | str | None
Expected = tuple[str, tuple[float, float] | None, Restart]

EXPECTED: dict[str, Expected] = {
    # vitamin K antagonists
    "sir-2019/warfarin": ("hold", (120, 120), "next_day"),
    "asra-2018/warfarin": ("hold", (120, 120), 6),
    "sir-2019/acenocoumarol": ("review", None, None),
    "asra-2018/acenocoumarol": ("hold", (72, 72), 24),
    # heparins (enoxaparin prophylactic once daily, therapeutic twice daily; dalteparin daily)
    "sir-2019/heparin/iv": ("hold", (4, 6), 6),
    "sir-2019/heparin/subcutaneous": ("hold", (6, 6), None),
    "asra-2018/heparin/iv": ("hold", (6, 6), 2),
    "asra-2018/heparin/subcutaneous": ("hold", (24, 24), 6),
    "sir-2019/enoxaparin/prophylactic": ("hold", (24, 24), 12),
    "sir-2019/enoxaparin/therapeutic": ("hold", (24, 24), 12),
    "asra-2018/enoxaparin/prophylactic": ("hold", (12, 12), 12),
    "asra-2018/enoxaparin/therapeutic": ("hold", (24, 24), 12),
    "sir-2019/dalteparin": ("hold", (24, 24), 12),
    "asra-2018/dalteparin": ("hold", (24, 24), 12),
    "sir-2019/tinzaparin": ("review", None, None),
    "asra-2018/tinzaparin": ("review", None, None),
    # factor Xa and thrombin inhibitors (apixaban, dabigatran twice daily; others once daily)
    "sir-2019/fondaparinux/crcl-50-": ("hold", (48, 72), 24),
    "sir-2019/fondaparinux/crcl--50": ("hold", (72, 120), 24),
    "asra-2018/fondaparinux": ("review", None, None),
    "sir-2019/apixaban/crcl-50-": ("hold", (48, 48), 24),
    "sir-2019/apixaban/crcl-30-50": ("hold", (72, 72), 24),
    "sir-2019/apixaban/crcl-15-30": ("hold", (72, 72), 24),
    "asra-2018/apixaban": ("review", None, None),
    "sir-2019/rivaroxaban/crcl-30-": ("hold", (48, 48), 24),
    "sir-2019/rivaroxaban/crcl-15-30": ("hold", (72, 72), 24),
    "asra-2018/rivaroxaban": ("review", None, None),
    "sir-2019/edoxaban": ("hold", (48, 48), 24),
    "asra-2018/edoxaban": ("review", None, None),
    "sir-2019/dabigatran/crcl-50-": ("hold", (48, 48), 24),
    "sir-2019/dabigatran/crcl-30-50": ("hold", (72, 96), 24),
    "asra-2018/dabigatran": ("review", None, None),
    # antiplatelets
    "sir-2019/clopidogrel": ("hold", (120, 120), 6),
    "asra-2018/clopidogrel": ("review", None, None),
    "sir-2019/prasugrel": ("hold", (168, 168), "next_day"),
    "asra-2018/prasugrel": ("review", None, None),
    "sir-2019/ticagrelor": ("hold", (120, 120), "next_day"),
    "asra-2018/ticagrelor": ("review", None, None),
    "sir-2019/aspirin": ("review", (72, 120), "next_day"),
    "asra-2018/aspirin/primary_prevention": ("hold", (144, 144), 24),
    "asra-2018/aspirin/secondary_prevention": ("review", None, 24),
    "sir-2019/dipyridamole": ("hold", (72, 120), "next_day"),
    "asra-2018/dipyridamole": ("hold", (48, 48), None),
    "sir-2019/aspirin_dipyridamole": ("hold", (72, 120), "next_day"),
    "asra-2018/aspirin_dipyridamole": ("review", None, 24),
    "sir-2019/cilostazol": ("continue", None, None),
    "asra-2018/cilostazol": ("hold", (48, 48), 24),
    # NSAIDs
    **{
        f"sir-2019/{drug}": ("review", None, None)
        for drug in (
            "ibuprofen",
            "naproxen",
            "diclofenac",
            "ketorolac",
            "etodolac",
            "indomethacin",
            "meloxicam",
            "nabumetone",
            "oxaprozin",
            "piroxicam",
            "ketoprofen",
            "sulindac",
            "flurbiprofen",
        )
    },
    "sir-2019/celecoxib": ("continue", None, None),
    "asra-2018/diclofenac": ("hold", (24, 24), 24),
    "asra-2018/ketorolac": ("hold", (24, 24), 24),
    "asra-2018/ibuprofen": ("hold", (24, 24), 24),
    "asra-2018/etodolac": ("hold", (48, 48), 24),
    "asra-2018/indomethacin": ("hold", (48, 48), 24),
    "asra-2018/naproxen": ("hold", (96, 96), 24),
    "asra-2018/meloxicam": ("hold", (96, 96), 24),
    "asra-2018/nabumetone": ("hold", (144, 144), 24),
    "asra-2018/oxaprozin": ("hold", (240, 240), 24),
    "asra-2018/piroxicam": ("hold", (240, 240), 24),
    "asra-2018/ketoprofen": ("review", None, None),
    "asra-2018/sulindac": ("review", None, None),
    "asra-2018/flurbiprofen": ("review", None, None),
    "asra-2018/celecoxib": ("review", None, None),
    # herbal and dietary supplements (ASRA 2015, both editions)
    **{
        f"{edition}/{herb}": expected
        for edition in ("sir-2019", "asra-2018")
        for herb, expected in (
            ("garlic", ("hold", (168, 168), None)),
            ("ginkgo", ("hold", (36, 36), None)),
            ("ginseng", ("review", None, None)),
            ("fish_oil", ("review", None, None)),
            ("vitamin_e", ("review", None, None)),
            ("turmeric", ("review", None, None)),
            ("ginger", ("review", None, None)),
            ("feverfew", ("review", None, None)),
        )
    },
}

_TWICE_DAILY = {"apixaban", "dabigatran"}


def _medication_for(rule: HoldRule) -> dict[str, Any]:
    medication: dict[str, Any] = {"name": rule.medicine.replace("_", " ")}
    if rule.medicine == "enoxaparin":
        medication["dose_intent"] = rule.variant
        medication["frequency"] = "once daily" if rule.variant == "prophylactic" else "twice daily"
    elif rule.medicine == "heparin":
        medication["route"] = rule.variant
        if rule.variant == "subcutaneous":
            medication["frequency"] = "three times daily"
    elif rule.medicine == "aspirin" and rule.variant:
        medication["indication"] = rule.variant
        medication["frequency"] = "once daily"
    else:
        medication["frequency"] = "twice daily" if rule.medicine in _TWICE_DAILY else "once daily"
    return medication


def _clearance_for(rule: HoldRule) -> float:
    if rule.crcl_min is not None:
        return rule.crcl_min
    if rule.crcl_max is not None:
        return rule.crcl_max - 1
    return 80


def test_every_table_row_has_a_hand_written_expectation_and_no_more() -> None:
    assert {rule.rule_id for rule in HOLD_TABLE} == set(EXPECTED)


def test_every_medicine_with_a_row_has_rows_in_both_editions() -> None:
    medicines = {rule.medicine for rule in HOLD_TABLE}
    for medicine in medicines:
        editions = {rule.edition for rule in HOLD_TABLE if rule.medicine == medicine}
        assert editions == set(EDITIONS), medicine


@pytest.mark.parametrize("rule", HOLD_TABLE, ids=lambda rule: rule.rule_id)
def test_table_row_through_the_planner(rule: HoldRule) -> None:
    action, stop, restart = EXPECTED[rule.rule_id]
    plan = make_plan(
        {
            "procedure_start": START,
            "time_zone": "America/Chicago",
            "edition": rule.edition,
            "creatinine_clearance_ml_min": _clearance_for(rule),
            "medications": [_medication_for(rule)],
        },
        now=NOW,
    )
    entry = plan["medications"][0]
    assert entry["recognised_as"] == rule.medicine
    assert entry["rule_id"] == rule.rule_id
    assert entry["source"] == rule.source_id
    assert entry["rule"] == rule.row
    assert entry["action"] == action
    assert entry["stop_before_hours"] == (list(stop) if stop else None)
    if restart == "next_day":
        assert entry["restart_on"] == "2026-12-02"
        assert entry["restart_at"] == "2026-12-02T00:00:00-06:00"
    else:
        assert entry["restart_after_hours"] == restart
    if rule.note:
        assert rule.note in entry["reason"]


@pytest.mark.parametrize(
    "medicine",
    [
        "apixaban",
        "rivaroxaban",
        "edoxaban",
        "dabigatran",
        "fondaparinux",
        "clopidogrel",
        "prasugrel",
        "ticagrelor",
    ],
)
def test_asra_2018_rows_not_verified_are_review_with_the_reason(medicine: str) -> None:
    plan = make_plan(
        {
            "procedure_start": START,
            "edition": "asra-2018",
            "creatinine_clearance_ml_min": 90,
            "medications": [{"name": medicine, "frequency": "once daily"}],
        },
        now=NOW,
    )
    entry = plan["medications"][0]
    assert entry["action"] == "review"
    assert "not encoded in this edition: source not verified" in entry["reason"]
    assert entry["stop_before_hours"] is None and entry["confidence"] == "U"


# ---- kidney-function bands: each boundary from both sides ----------------------------------

BAND_CASES = [
    # (medicine, frequency, clearance, expected rule id or None for review)
    ("apixaban", "twice daily", 50, "sir-2019/apixaban/crcl-50-"),
    ("apixaban", "twice daily", 49.9, "sir-2019/apixaban/crcl-30-50"),
    ("apixaban", "twice daily", 30, "sir-2019/apixaban/crcl-30-50"),
    ("apixaban", "twice daily", 29.9, "sir-2019/apixaban/crcl-15-30"),
    ("apixaban", "twice daily", 15, "sir-2019/apixaban/crcl-15-30"),
    ("apixaban", "twice daily", 14.9, None),
    ("rivaroxaban", "once daily", 30, "sir-2019/rivaroxaban/crcl-30-"),
    ("rivaroxaban", "once daily", 29.9, "sir-2019/rivaroxaban/crcl-15-30"),
    ("rivaroxaban", "once daily", 15, "sir-2019/rivaroxaban/crcl-15-30"),
    ("rivaroxaban", "once daily", 14.9, None),
    ("dabigatran", "twice daily", 50, "sir-2019/dabigatran/crcl-50-"),
    ("dabigatran", "twice daily", 49.9, "sir-2019/dabigatran/crcl-30-50"),
    ("dabigatran", "twice daily", 30, "sir-2019/dabigatran/crcl-30-50"),
    ("dabigatran", "twice daily", 29.9, None),
    ("fondaparinux", "once daily", 50, "sir-2019/fondaparinux/crcl-50-"),
    ("fondaparinux", "once daily", 49.9, "sir-2019/fondaparinux/crcl--50"),
    ("fondaparinux", "once daily", 0, "sir-2019/fondaparinux/crcl--50"),
]


@pytest.mark.parametrize(("medicine", "frequency", "clearance", "rule_id"), BAND_CASES)
def test_kidney_band_boundaries(
    medicine: str, frequency: str, clearance: float, rule_id: str | None
) -> None:
    plan = make_plan(
        {
            "procedure_start": START,
            "creatinine_clearance_ml_min": clearance,
            "medications": [{"name": medicine, "frequency": frequency}],
        },
        now=NOW,
    )
    entry = plan["medications"][0]
    assert entry["rule_id"] == rule_id
    if rule_id is None:
        assert entry["action"] == "review"
        assert "no kidney band" in entry["reason"]


@pytest.mark.parametrize("medicine", ["apixaban", "rivaroxaban", "dabigatran", "fondaparinux"])
def test_missing_clearance_for_a_banded_rule_is_review_with_the_reason(medicine: str) -> None:
    plan = make_plan(
        {"procedure_start": START, "medications": [{"name": medicine, "frequency": "daily"}]},
        now=NOW,
    )
    entry = plan["medications"][0]
    assert entry["action"] == "review"
    assert "creatinine clearance is needed" in entry["reason"]


def test_edoxaban_has_no_band_and_needs_no_clearance() -> None:
    plan = make_plan(
        {"procedure_start": START, "medications": [{"name": "Savaysa", "frequency": "daily"}]},
        now=NOW,
    )
    assert plan["medications"][0]["action"] == "hold"
    assert plan["medications"][0]["stop_before_hours"] == [48, 48]


# ---- dose variants ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "frequency", "variant"),
    [
        ("Lovenox 40 mg", "once daily", "prophylactic"),
        ("enoxaparin 30 mg", "twice daily", "prophylactic"),
        ("enoxaparin 1 mg/kg", "twice daily", "therapeutic"),
        ("enoxaparin 80 mg therapeutic", "twice daily", "therapeutic"),
        ("enoxaparin for DVT prophylaxis", "once daily", "prophylactic"),
    ],
)
def test_enoxaparin_dose_is_read_from_the_text(name: str, frequency: str, variant: str) -> None:
    plan = make_plan(
        {"procedure_start": START, "medications": [{"name": name, "frequency": frequency}]},
        now=NOW,
    )
    assert plan["medications"][0]["rule_id"] == f"sir-2019/enoxaparin/{variant}"
    assert plan["medications"][0]["action"] == "hold"


@pytest.mark.parametrize(
    ("name", "frequency"), [("enoxaparin 60 mg", "once daily"), ("Lovenox", None)]
)
def test_ambiguous_enoxaparin_dose_goes_to_review(name: str, frequency: str | None) -> None:
    plan = make_plan(
        {"procedure_start": START, "medications": [{"name": name, "frequency": frequency}]},
        now=NOW,
    )
    entry = plan["medications"][0]
    assert entry["action"] == "review"
    assert "prophylactic or therapeutic" in entry["reason"]


def test_therapeutic_enoxaparin_once_daily_spans_24_to_48_hours() -> None:
    plan = make_plan(
        {
            "procedure_start": START,
            "medications": [{"name": "enoxaparin 1.5 mg/kg", "frequency": "once daily"}],
        },
        now=NOW,
    )
    assert plan["medications"][0]["stop_before_hours"] == [24, 48]


def test_heparin_two_or_three_times_a_day_is_subcutaneous() -> None:
    plan = make_plan(
        {
            "procedure_start": START,
            "medications": [{"name": "heparin 5000 units", "frequency": "every 8 hours"}],
        },
        now=NOW,
    )
    assert plan["medications"][0]["rule_id"] == "sir-2019/heparin/subcutaneous"


def test_heparin_route_unknown_goes_to_review() -> None:
    plan = make_plan({"procedure_start": START, "medications": [{"name": "heparin"}]}, now=NOW)
    assert plan["medications"][0]["action"] == "review"
    assert "intravenous or subcutaneous" in plan["medications"][0]["reason"]


@pytest.mark.parametrize(
    ("medication", "action", "stop"),
    [
        ({"name": "aspirin 81 mg", "indication": "primary_prevention"}, "hold", [144, 144]),
        ({"name": "aspirin 81 mg", "indication": "secondary_prevention"}, "review", None),
        ({"name": "aspirin 81 mg for primary prevention"}, "hold", [144, 144]),
        ({"name": "aspirin 81 mg"}, "review", None),
    ],
)
def test_asra_aspirin_depends_on_the_indication(
    medication: dict[str, Any], action: str, stop: list[int] | None
) -> None:
    plan = make_plan(
        {"procedure_start": START, "edition": "asra-2018", "medications": [medication]},
        now=NOW,
    )
    entry = plan["medications"][0]
    assert entry["action"] == action
    assert entry["stop_before_hours"] == stop


def test_sir_aspirin_is_review_with_the_stop_window_as_information() -> None:
    plan = make_plan(
        {
            "procedure_start": START,
            "time_zone": "America/Chicago",
            "medications": [
                {"name": "aspirin 81 mg", "frequency": "daily", "dose_times": ["08:00"]}
            ],
        },
        now=NOW,
    )
    entry = plan["medications"][0]
    assert entry["action"] == "review"
    assert "individual decision" in entry["reason"]
    assert entry["stop_before_hours"] == [72, 120]
    assert entry["last_dose_at"] == "2026-11-26T08:00:00-06:00"  # 5 days before the longest


def test_warfarin_is_a_hold_with_bridging_as_a_separate_review_flag() -> None:
    for edition in EDITIONS:
        plan = make_plan(
            {
                "procedure_start": START,
                "time_zone": "America/Chicago",
                "edition": edition,
                "medications": [
                    {"name": "Coumadin 5 mg", "frequency": "daily", "dose_times": ["18:00"]}
                ],
            },
            now=NOW,
        )
        entry = plan["medications"][0]
        assert entry["action"] == "hold"
        assert entry["review_flags"] == [BRIDGING]
        assert "bridg" not in entry["reason"].lower()
        assert entry["last_dose_at"] == "2026-11-25T18:00:00-06:00"
        assert plan["needs_review"] is True


def test_dose_count_rule_without_a_frequency_is_review() -> None:
    plan = make_plan(
        {
            "procedure_start": START,
            "creatinine_clearance_ml_min": 80,
            "medications": [{"name": "Eliquis 5 mg"}],
        },
        now=NOW,
    )
    entry = plan["medications"][0]
    assert entry["action"] == "review"
    assert "frequency is needed" in entry["reason"]


@pytest.mark.parametrize("frequency", ["weekly", "as needed"])
def test_dose_count_rule_on_a_weekly_or_as_needed_schedule_is_review(frequency: str) -> None:
    plan = make_plan(
        {
            "procedure_start": START,
            "creatinine_clearance_ml_min": 80,
            "medications": [{"name": "Xarelto 20 mg", "frequency": frequency}],
        },
        now=NOW,
    )
    entry = plan["medications"][0]
    assert entry["action"] == "review"
    assert entry["stop_before_hours"] is None
