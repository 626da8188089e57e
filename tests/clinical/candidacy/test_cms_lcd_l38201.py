"""LCD L38201: criteria A, B1/B2 and C on both sides of each threshold, unknown against false.

Thresholds are typed here from the LCD text as transcribed in REFERENCE.md §1 (NRS ≥ 8 in
hospital, ≥ 5 outside; height loss > 25 %; RDQ > 17; at least two findings; T1–L5; < 6 weeks
acute, to 12 weeks subacute), not read from the module.
"""

from __future__ import annotations

from typing import Any

import pytest

from .builders import case, fracture, lcd, onset_days_before, run

SET = ("cms_lcd_l38201",)


def lcd_status(raw: dict[str, Any]) -> str:
    return str(run(raw, SET)["criteria_sets"]["cms_lcd_l38201"]["status"])


# --- criterion A -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "status"),
    [("C7", "not_met"), ("T1", "met"), ("T12", "met"), ("L5", "met"), ("S1", "not_met")],
)
def test_a_level_must_be_t1_to_l5(level: str, status: str):
    assert lcd(case({"fractures[0].level": level}), "A")["status"] == status


@pytest.mark.parametrize(
    ("days", "status"),
    [(41, "met"), (42, "met"), (84, "met"), (85, "not_met")],
)
def test_a_acute_and_subacute_covered_chronic_not(days: int, status: str):
    assert (
        lcd(case({"fractures[0].symptom_onset": onset_days_before(days)}), "A")["status"] == status
    )


def test_a_chronic_fracture_is_not_covered_even_with_oedema():
    a = lcd(case({"fractures[0].symptom_onset": onset_days_before(120)}), "A")
    assert a["status"] == "not_met"
    assert "chronic" in a["reason"]
    assert "A58534" in a["reason"]


@pytest.mark.parametrize(
    ("mri", "scan", "status"),
    [
        (True, None, "met"),
        (None, True, "met"),
        (False, True, "met"),  # a positive bone scan wins over a negative MRI
        (True, False, "met"),
        (False, None, "not_met"),
        (None, False, "not_met"),
        (False, False, "not_met"),
        (None, None, "unknown"),
    ],
)
def test_a_needs_oedema_on_mri_or_uptake_on_bone_scan(mri: Any, scan: Any, status: str):
    raw = case({"fractures[0].mri_edema": mri, "fractures[0].bone_scan_uptake": scan})
    assert lcd(raw, "A")["status"] == status


def test_a_unknown_imaging_lists_both_studies_as_missing():
    raw = case({"fractures[0].mri_edema": None})
    a = lcd(raw, "A")
    assert a["missing"] == ["fractures[0].mri_edema", "fractures[0].bone_scan_uptake"]
    block = run(raw, SET)["criteria_sets"]["cms_lcd_l38201"]
    assert block["status"] == "unknown"
    assert block["missing"] == ["fractures[0].mri_edema", "fractures[0].bone_scan_uptake"]


@pytest.mark.parametrize(
    ("etiology", "status"),
    [("osteoporotic", "met"), ("traumatic", "not_met"), ("unknown", "unknown"), (None, "unknown")],
)
def test_a_is_for_osteoporotic_fractures(etiology: Any, status: str):
    a = lcd(case({"fractures[0].etiology": etiology}), "A")
    assert a["status"] == status
    if status == "unknown":
        assert a["missing"] == ["fractures[0].etiology"]


@pytest.mark.parametrize(
    ("path", "missing"),
    [
        ("fractures[0].symptom_onset", ["fractures[0].symptom_onset"]),
        ("fractures[0].level", ["fractures[0].level"]),
        ("assessment_date", ["assessment_date"]),
    ],
)
def test_a_unknown_fact_is_unknown_not_false(path: str, missing: list[str]):
    a = lcd(case({path: None}), "A")
    assert a["status"] == "unknown"
    assert a["missing"] == missing


def test_a_without_any_fracture_asks_for_one():
    a = lcd(case({"fractures": None}), "A")
    assert (a["status"], a["missing"]) == ("unknown", ["fractures"])
    assert lcd(case({"fractures": []}), "A")["missing"] == ["fractures"]


def test_a_is_met_by_one_qualifying_fracture_among_several():
    old = fracture(level="T8", symptom_onset=onset_days_before(300), mri_edema=False)
    new = fracture(level="L2")
    a = lcd(case({"fractures": [old, new]}), "A")
    assert a["status"] == "met"
    assert "L2" in a["reason"]


def test_a_a_known_failure_does_not_hide_an_unknown_elsewhere():
    old = fracture(level="T8", symptom_onset=onset_days_before(300))
    unknown = fracture(level="L2", mri_edema=None)
    a = lcd(case({"fractures": [old, unknown]}), "A")
    assert a["status"] == "unknown"
    assert a["missing"] == ["fractures[1].mri_edema", "fractures[1].bone_scan_uptake"]


# --- criterion B -------------------------------------------------------------------------------


@pytest.mark.parametrize(("nrs", "status"), [(7, "not_met"), (8, "met"), (10, "met")])
def test_b1_hospitalised_needs_nrs_8(nrs: int, status: str):
    raw = case({"setting": "inpatient", "pain.nrs": nrs})
    b = lcd(raw, "B")
    assert b["status"] == status
    assert b["reason"].startswith("B1")


def test_b1_does_not_ask_for_non_surgical_management():
    raw = case(
        {"setting": "inpatient", "pain.nrs": 9, "conservative_care.optimal_management_tried": None}
    )
    assert lcd(raw, "B")["status"] == "met"


@pytest.mark.parametrize(("nrs", "status"), [(4, "not_met"), (5, "met"), (6, "met")])
def test_b2_outpatient_needs_nrs_5(nrs: int, status: str):
    assert lcd(case({"pain.nrs": nrs}), "B")["status"] == status


@pytest.mark.parametrize(
    ("tried", "status"), [(True, "met"), (False, "not_met"), (None, "unknown")]
)
def test_b2_needs_optimal_non_surgical_management(tried: Any, status: str):
    b = lcd(case({"conservative_care.optimal_management_tried": tried}), "B")
    assert b["status"] == status
    if tried is None:
        assert b["missing"] == ["conservative_care.optimal_management_tried"]


def test_b_unknown_nrs_is_unknown():
    b = lcd(case({"pain.nrs": None}), "B")
    assert (b["status"], b["missing"]) == ("unknown", ["pain.nrs"])


def stable(**changes: Any) -> dict[str, Any]:
    """Stable pain, NRS 6, with no findings unless given."""
    base = {
        "pain.trend": "stable",
        "pain.nrs": 6,
        "fractures[0].height_loss_percent": 10,
        "fractures[0].kyphotic_deformity": False,
        "function.rdq": 10,
    }
    return case({**base, **{k.replace("__", "."): v for k, v in changes.items()}})


def test_b2_worsening_pain_needs_no_findings():
    raw = stable()
    raw["pain"]["trend"] = "worsening"
    assert lcd(raw, "B")["status"] == "met"


def test_b2_stable_pain_without_findings_is_not_met():
    assert lcd(stable(), "B")["status"] == "not_met"


@pytest.mark.parametrize(("height_loss", "status"), [(25, "not_met"), (25.1, "met"), (26, "met")])
def test_b2_height_loss_must_exceed_25_percent(height_loss: float, status: str):
    raw = stable(**{"fractures[0]__kyphotic_deformity": True})
    raw["fractures"][0]["height_loss_percent"] = height_loss
    assert lcd(raw, "B")["status"] == status


@pytest.mark.parametrize(("rdq", "status"), [(17, "not_met"), (18, "met")])
def test_b2_rdq_must_exceed_17(rdq: int, status: str):
    raw = stable()
    raw["fractures"][0]["kyphotic_deformity"] = True
    raw["function"]["rdq"] = rdq
    assert lcd(raw, "B")["status"] == status


def test_b2_improved_pain_still_5_counts_like_stable():
    raw = stable()
    raw["pain"]["trend"] = "improving"
    raw["pain"]["nrs"] = 5
    raw["fractures"][0]["kyphotic_deformity"] = True
    raw["function"]["rdq"] = 20
    assert lcd(raw, "B")["status"] == "met"


def test_b2_one_finding_known_and_two_unknown_is_unknown_listing_them():
    raw = stable()
    raw["fractures"][0]["kyphotic_deformity"] = True
    raw["fractures"][0]["height_loss_percent"] = None
    raw["function"]["rdq"] = None
    b = lcd(raw, "B")
    assert b["status"] == "unknown"
    assert b["missing"] == ["fractures[0].height_loss_percent", "function.rdq"]


def test_b2_no_finding_and_one_unknown_cannot_reach_two():
    raw = stable()
    raw["function"]["rdq"] = None
    assert lcd(raw, "B")["status"] == "not_met"


def test_b2_unknown_trend_is_unknown():
    raw = stable()
    raw["pain"]["trend"] = None
    b = lcd(raw, "B")
    assert (b["status"], b["missing"]) == ("unknown", ["pain.trend"])


def test_b2_progression_of_height_loss_is_not_counted_and_says_so():
    raw = stable()
    raw["fractures"][0]["kyphotic_deformity"] = True
    raw["fractures"][0]["height_loss_progression"] = True
    b = lcd(raw, "B")
    assert b["status"] == "not_met"
    assert "progression of height loss is recorded but not counted" in b["reason"]
    assert b["derived"]["height_loss_progression_counted"] is False


def test_b_setting_unknown_decides_only_when_the_paths_disagree():
    assert lcd(case({"setting": None, "pain.nrs": 9}), "B")["status"] == "met"
    assert lcd(case({"setting": None, "pain.nrs": 4}), "B")["status"] == "not_met"
    b = lcd(case({"setting": None, "pain.nrs": 6}), "B")
    assert (b["status"], b["missing"]) == ("unknown", ["setting"])


# --- criterion C -------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["bmd_referral", "education", "program_instruction"])
def test_c_each_part_false_is_not_met_and_a_documentation_gap(field: str):
    raw = case({f"osteoporosis_care.{field}": False})
    result = run(raw, SET)
    c = next(c for c in result["criteria_sets"]["cms_lcd_l38201"]["criteria"] if c["id"] == "C")
    assert (c["status"], c["kind"]) == ("not_met", "documentation")
    assert result["criteria_sets"]["cms_lcd_l38201"]["status"] == "not_met"
    gap = next(g for g in result["documentation_gaps"] if g["id"] == "continuum_of_care")
    assert gap["status"] == "not_met"
    assert gap["fields"] == [f"osteoporosis_care.{field}"]


@pytest.mark.parametrize("field", ["bmd_referral", "education", "program_instruction"])
def test_c_each_part_unknown_is_unknown(field: str):
    c = lcd(case({f"osteoporosis_care.{field}": None}), "C")
    assert (c["status"], c["missing"]) == ("unknown", [f"osteoporosis_care.{field}"])


# --- the set -----------------------------------------------------------------------------------


def test_the_set_is_met_only_when_every_criterion_is():
    assert lcd_status(case()) == "met"


def test_any_unmet_criterion_makes_the_set_not_met_even_with_unknowns():
    raw = case({"pain.nrs": 3, "fractures[0].mri_edema": None})
    block = run(raw, SET)["criteria_sets"]["cms_lcd_l38201"]
    assert block["status"] == "not_met"
    # the unknowns are still asked
    assert "fractures[0].mri_edema" in block["missing"]


def test_the_set_carries_title_edition_and_sources():
    block = run(case(), SET)["criteria_sets"]["cms_lcd_l38201"]
    assert block["edition"].startswith("L38201")
    assert "cms-lcd-l38201" in block["sources"]
    assert all(c["source"] for c in block["criteria"])


def test_the_payer_checklist_lists_what_is_missing():
    raw = case(
        {"pain.nrs": None, "screening.retropulsion": None, "conservative_care.modalities": None}
    )
    result = run(raw, SET)
    gaps = {g["id"]: g for g in result["documentation_gaps"]}
    assert gaps["pain_score"]["fields"] == ["pain.nrs"]
    assert gaps["contraindication_screening"]["fields"] == ["screening.retropulsion"]
    assert gaps["non_surgical_management"]["fields"] == ["conservative_care.modalities"]
    assert "rdq" not in gaps  # recorded


def test_rdq_is_asked_for_only_when_it_is_one_of_the_findings_needed():
    assert "rdq" not in {
        g["id"] for g in run(case({"function.rdq": None}), SET)["documentation_gaps"]
    }
    raw = stable()
    raw["fractures"][0]["kyphotic_deformity"] = True
    raw["function"]["rdq"] = None
    assert "rdq" in {g["id"] for g in run(raw, SET)["documentation_gaps"]}


# --- neoplastic indication ---------------------------------------------------------------------


def neoplastic(**fields: Any) -> dict[str, Any]:
    sins = {
        "pain": "occasional",
        "lesion": "blastic",
        "alignment": "normal",
        "collapse": "none",
        "posterolateral": "none",
    }
    return case(
        {
            "fractures": [
                fracture(
                    **{"etiology": "neoplastic", "osteolytic_lesion": True, "sins": sins, **fields}
                )
            ]
        }
    )


def test_neoplastic_fractures_take_the_osteolytic_lesion_indication():
    block = run(neoplastic(), SET)["criteria_sets"]["cms_lcd_l38201"]
    assert block["indication"] == "osteolytic_neoplastic"
    assert [c["id"] for c in block["criteria"]] == ["N1", "N2"]
    assert block["status"] == "met"


@pytest.mark.parametrize(
    ("lytic", "status"), [(True, "met"), (False, "not_met"), (None, "unknown")]
)
def test_neoplastic_needs_an_osteolytic_lesion(lytic: Any, status: str):
    block = run(neoplastic(osteolytic_lesion=lytic), SET)["criteria_sets"]["cms_lcd_l38201"]
    assert block["criteria"][0]["status"] == status


def test_neoplastic_pain_improving_on_medical_therapy_is_not_intractable():
    raw = neoplastic()
    raw["pain"]["trend"] = "improving"
    block = run(raw, SET)["criteria_sets"]["cms_lcd_l38201"]
    assert block["criteria"][1]["status"] == "not_met"
