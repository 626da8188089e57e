"""The table of common medicines: every row planned by a cited rule, a cited silence, or review.

Diabetes medicines follow their fasting rules (ADA, FDA SGLT2 labelling) in both editions; where
the chosen bleeding edition is silent and the other gives a rule, the other's rule is offered as
the suggestion and said so.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from spinepath.clinical.preparation import make_plan
from spinepath.clinical.preparation.common_medicines import (
    COMMON_MEDICINES,
    CONTINUE_CLASSES,
    DIABETES_CLASSES,
    REVIEW_CLASSES,
)
from spinepath.clinical.preparation.holds import EDITIONS
from spinepath.clinical.preparation.medicines import BY_ID, MEDICINES, recognise
from spinepath.clinical.sources import get_source
from spinepath.clinical.sources.preparation import (
    ADA_PERIOPERATIVE,
    ASRA_2018,
    CLINCALC_TOP_200,
    FDA_SGLT2_SURGERY,
    SIR_2019,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
START = "2026-12-15T09:00:00-06:00"  # a Tuesday, America/Chicago (CST)
CORE = Path(__file__).resolve().parents[3] / "src" / "spinepath" / "clinical" / "preparation"


def _plan(medications: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return make_plan(
        {
            "procedure_start": START,
            "time_zone": "America/Chicago",
            "creatinine_clearance_ml_min": 70,
            "medications": medications,
            **extra,
        },
        now=NOW,
    )


def _one(medicine: dict[str, Any], **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = _plan([medicine], **extra)["medications"][0]
    return entry


def test_the_table_knows_at_least_200_single_generic_medicines() -> None:
    singles = [m for m in MEDICINES if not m.components and "_" not in m.id.strip("_")]
    generics = {m.id for m in MEDICINES if not m.components}
    assert len(generics) >= 200, len(generics)
    assert len(singles) >= 180
    assert sum(len(m.brands) for m in MEDICINES) >= 300


def test_every_common_row_has_a_class_rule_and_registered_sources() -> None:
    for medicine in COMMON_MEDICINES:
        assert medicine.source_ids[0] == CLINCALC_TOP_200
        for source_id in medicine.source_ids:
            assert get_source(source_id).id == source_id
        known = (
            medicine.medicine_class in CONTINUE_CLASSES
            or medicine.medicine_class in REVIEW_CLASSES
            or medicine.medicine_class in DIABETES_CLASSES
        )
        assert known, medicine.id


def test_no_module_of_the_planner_is_over_800_lines() -> None:
    for path in CORE.glob("*.py"):
        assert len(path.read_text().splitlines()) <= 800, path.name


def test_every_name_and_brand_of_the_common_table_is_recognised_as_itself() -> None:
    for medicine in COMMON_MEDICINES:
        for phrase in (*medicine.names, *medicine.brands):
            found = recognise(phrase)
            assert found.medicine is not None and found.medicine.id == medicine.id, phrase
            assert found.unknown_words == (), phrase


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Zestril 10 mg", "lisinopril"),
        ("Lasix 40 mg", "furosemide"),
        ("Norvasc 5 mg", "amlodipine"),
        ("Lanoxin 0.125 mg", "digoxin"),
        ("Toprol XL 50 mg", "metoprolol"),
        ("Jardiance 10 mg", "empagliflozin"),
        ("Janumet 50/1000", "sitagliptin_metformin"),
        ("Lantus insulin 20 units at bedtime", "insulin_glargine"),
        ("ProAir HFA 2 puffs as needed", "albuterol"),
        ("Flonase nasal spray", "fluticasone"),
        ("losartan/HCTZ 50/12.5", "losartan_hydrochlorothiazide"),
        ("Percocet 5/325", "oxycodone_acetaminophen"),
        ("Xalatan eye drops", "latanoprost"),
    ],
)
def test_frequent_brands_and_written_forms_are_recognised(text: str, expected: str) -> None:
    found = recognise(text)
    assert found.medicine is not None and found.medicine.id == expected
    assert found.unknown_words == ()


CONTINUED = [m for m in COMMON_MEDICINES if m.continue_reason]
REVIEWED = [m for m in COMMON_MEDICINES if m.review_reason]


@pytest.mark.parametrize("medicine", CONTINUED, ids=lambda m: m.id)
def test_a_medicine_with_no_rule_in_the_sources_continues_with_that_reason(medicine: Any) -> None:
    for edition in EDITIONS:
        entry = _one({"name": medicine.names[0], "frequency": "daily"}, edition=edition)
        assert entry["action"] == "continue", entry["reason"]
        assert "No periprocedural rule in the cited sources" in entry["reason"]
        assert entry["rule_id"] == f"{edition}/no-rule/{medicine.medicine_class}"
        assert entry["last_dose_at"] is None and entry["suggestion"] is None


@pytest.mark.parametrize("medicine", REVIEWED, ids=lambda m: m.id)
def test_a_rule_that_could_not_be_verified_goes_to_review_saying_so(medicine: Any) -> None:
    entry = _one({"name": medicine.names[0], "frequency": "daily"})
    assert entry["action"] == "review"
    assert "not encoded: could not be verified" in entry["reason"]
    assert entry["confidence"] == "U"


def test_a_real_medicine_list_has_no_review_but_the_truly_unknown() -> None:
    names = [
        "lisinopril 20 mg",
        "amlodipine 10 mg",
        "metoprolol succinate ER 50 mg",
        "atorvastatin 40 mg",
        "levothyroxine 75 mcg",
        "omeprazole 20 mg",
        "furosemide 20 mg",
        "digoxin 0.125 mg",
        "verapamil 120 mg",
        "gabapentin 300 mg",
        "tramadol 50 mg",
        "tamsulosin 0.4 mg",
        "donepezil 10 mg",
        "Zyxoral 5 mg",
    ]
    plan = _plan([{"name": name, "frequency": "daily"} for name in names])
    reviewed = [m["input"] for m in plan["medications"] if m["action"] == "review"]
    assert reviewed == ["Zyxoral 5 mg"]


# --- diabetes medicines -----------------------------------------------------------------------


def test_metformin_is_held_on_the_day_of_the_procedure() -> None:
    for edition in EDITIONS:
        entry = _one(
            {
                "name": "metformin 500 mg",
                "frequency": "twice daily",
                "dose_times": ["08:00", "18:00"],
            },
            edition=edition,
        )
        assert entry["action"] == "hold"
        assert entry["source"] == ADA_PERIOPERATIVE
        assert entry["latest_allowed_last_dose_at"] == "2026-12-15T00:00:00-06:00"
        assert entry["last_dose_at"] == "2026-12-14T18:00:00-06:00"
        assert entry["stop_before_hours"] == [9, 9]
        assert entry["restart_at"] is None and "no restart time" in entry["restart_rule"]


def test_a_sulfonylurea_dose_at_local_midnight_is_still_allowed_but_not_one_after() -> None:
    at_midnight = _one({"name": "glipizide 5 mg", "frequency": "daily", "dose_times": ["00:00"]})
    assert at_midnight["last_dose_at"] == "2026-12-15T00:00:00-06:00"
    after = _one({"name": "glipizide 5 mg", "frequency": "daily", "dose_times": ["00:01"]})
    assert after["last_dose_at"] == "2026-12-14T00:01:00-06:00"


@pytest.mark.parametrize(
    ("name", "days", "last_dose"),
    [
        ("Jardiance 10 mg", 3, "2026-12-12T08:00:00-06:00"),
        ("dapagliflozin 10 mg", 3, "2026-12-12T08:00:00-06:00"),
        ("Invokana 100 mg", 3, "2026-12-12T08:00:00-06:00"),
        ("Steglatro 5 mg", 4, "2026-12-11T08:00:00-06:00"),
        ("Synjardy 12.5/1000", 3, "2026-12-12T08:00:00-06:00"),
    ],
)
def test_sglt2_inhibitors_stop_their_days_before(name: str, days: int, last_dose: str) -> None:
    entry = _one({"name": name, "frequency": "daily", "dose_times": ["08:00"]})
    assert entry["action"] == "hold"
    assert entry["source"] == FDA_SGLT2_SURGERY
    assert entry["stop_before_hours"] == [days * 24, days * 24]
    assert entry["last_dose_at"] == last_dose
    assert "eating and drinking are back to usual" in entry["restart_rule"]


def test_an_sglt2_dose_exactly_at_the_deadline_counts_and_one_minute_later_does_not() -> None:
    on_time = _one({"name": "empagliflozin", "frequency": "daily", "dose_times": ["09:00"]})
    assert on_time["last_dose_at"] == "2026-12-12T09:00:00-06:00"
    late = _one({"name": "empagliflozin", "frequency": "daily", "dose_times": ["09:01"]})
    assert late["last_dose_at"] == "2026-12-11T09:01:00-06:00"


def test_insulin_goes_to_review_with_the_dose_guidance_shown() -> None:
    for name in ("Lantus 20 units at bedtime", "Humulin N 10 units twice daily", "insulin"):
        entry = _one({"name": name})
        assert entry["action"] == "review"
        assert "half the NPH dose" in entry["reason"] and "75-80 %" in entry["reason"]
        assert entry["source"] == ADA_PERIOPERATIVE


# --- the other edition's rule, offered and said so --------------------------------------------


def test_ibuprofen_under_sir_offers_the_asra_hold_as_the_suggestion() -> None:
    entry = _one(
        {
            "name": "ibuprofen 400 mg",
            "frequency": "three times daily",
            "dose_times": ["08:00", "14:00", "20:00"],
        }
    )
    assert entry["action"] == "review"
    assert entry["source"] == SIR_2019
    assert "SIR 2019 gives no rule here; ASRA 2018 does" in entry["reason"]
    suggestion = entry["suggestion"]
    assert suggestion["action"] == "hold"
    assert suggestion["edition"] == "asra-2018" and suggestion["source"] == ASRA_2018
    assert suggestion["stop_before_hours"] == [24, 24]
    assert suggestion["last_dose_at"] == "2026-12-14T08:00:00-06:00"
    assert suggestion["restart_after_hours"] == 24


def test_ibuprofen_under_asra_is_a_hold_with_no_suggestion() -> None:
    entry = _one({"name": "ibuprofen 400 mg", "frequency": "daily"}, edition="asra-2018")
    assert entry["action"] == "hold" and entry["suggestion"] is None


def test_apixaban_under_asra_offers_the_sir_band_for_the_kidney_function() -> None:
    entry = _one(
        {"name": "Eliquis 5 mg", "frequency": "twice daily", "dose_times": ["08:00", "20:00"]},
        edition="asra-2018",
        creatinine_clearance_ml_min=45,
    )
    assert entry["action"] == "review"
    assert "ASRA 2018 gives no rule here; SIR 2019 does" in entry["reason"]
    assert entry["suggestion"]["rule_id"] == "sir-2019/apixaban/crcl-30-50"
    assert entry["suggestion"]["stop_before_hours"] == [72, 72]


def test_no_suggestion_when_the_other_edition_is_silent_too() -> None:
    entry = _one({"name": "tinzaparin 10000 units", "frequency": "daily"})
    assert entry["action"] == "review" and entry["suggestion"] is None
    assert "does, and it is offered" not in entry["reason"]


def test_celecoxib_under_asra_offers_the_sir_continue() -> None:
    entry = _one({"name": "Celebrex 200 mg", "frequency": "daily"}, edition="asra-2018")
    assert entry["action"] == "review"
    assert entry["suggestion"]["action"] == "continue"


def test_every_listed_brand_of_the_core_table_still_names_its_medicine() -> None:
    assert recognise("Coumadin").medicine == BY_ID["warfarin"]
    assert recognise("Advil").medicine == BY_ID["ibuprofen"]
