"""The suggested action: each of the seven, the priority order, and what decides an outcome."""

from __future__ import annotations

from typing import Any

import pytest

from spinepath.clinical.candidacy.recommendation import ACTIONS

from .builders import action, case, fracture, onset_days_before, run

ISSUE_ORDER = [
    "urgent_surgical_evaluation",
    "surgical_evaluation",
    "not_a_candidate",
    "obtain_advanced_imaging",
    "complete_missing_information",
    "continue_conservative_care",
    "refer_for_vertebral_augmentation",
]

SINS_STABLE = {
    "pain": "occasional",
    "lesion": "blastic",
    "alignment": "normal",
    "collapse": "none",
    "posterolateral": "none",
}


def sins_lesion(level: str, **components: str) -> dict[str, Any]:
    return {**SINS_STABLE, **components}


def neoplastic_case(sins: dict[str, Any] | None, level: str = "L3") -> dict[str, Any]:
    return case(
        {
            "fractures": [
                fracture(level=level, etiology="neoplastic", osteolytic_lesion=True, sins=sins)
            ]
        }
    )


def test_the_actions_are_the_issues_in_its_order():
    assert list(ACTIONS) == ISSUE_ORDER


def test_refer_when_every_set_is_met():
    result = run(case())
    assert result["recommendation"]["action"] == "refer_for_vertebral_augmentation"
    assert "no absolute contraindication present" in result["recommendation"]["reasons"]


@pytest.mark.parametrize("flag", ["myelopathy", "neurological_deficit"])
def test_urgent_surgical_evaluation_for_myelopathy_or_deficit(flag: str):
    result = run(case({f"screening.{flag}": True}))
    assert result["recommendation"]["action"] == "urgent_surgical_evaluation"
    assert flag in result["recommendation"]["reasons"][0]


def test_urgent_wins_over_every_other_action():
    raw = case(
        {
            "screening.myelopathy": True,
            "screening.spinal_instability": True,
            "patient.pregnant": True,
            "fractures[0].mri_edema": None,
        }
    )
    assert action(raw) == "urgent_surgical_evaluation"


def test_surgical_evaluation_for_spinal_instability():
    assert action(case({"screening.spinal_instability": True})) == "surgical_evaluation"


def test_surgical_evaluation_wins_over_an_absolute_contraindication():
    raw = case({"screening.spinal_instability": True, "screening.active_infection": True})
    assert action(raw) == "surgical_evaluation"


# SINS (Fisher 2010): L3 is mobile spine, 2 points. Occasional pain 1, blastic 0 → 3 so far.
@pytest.mark.parametrize(
    ("components", "total", "expected"),
    [
        # 2 + 1 + 2 (lytic) + 0 + 0 + 1 (unilateral) = 6: stable
        (
            {"lesion": "lytic", "posterolateral": "unilateral"},
            6,
            "refer_for_vertebral_augmentation",
        ),
        # 2 + 3 (mechanical) + 2 (lytic) + 0 + 0 + 0 = 7: surgical consultation
        ({"pain": "mechanical", "lesion": "lytic"}, 7, "surgical_evaluation"),
    ],
)
def test_sins_7_or_more_calls_for_surgical_evaluation(
    components: dict[str, str], total: int, expected: str
):
    result = run(neoplastic_case(sins_lesion("L3", **components)))
    assert result["scores"][0]["sins"]["total"] == total
    assert result["recommendation"]["action"] == expected


def test_a_neoplastic_fracture_without_sins_asks_for_it():
    result = run(neoplastic_case(None))
    assert result["recommendation"]["action"] == "complete_missing_information"
    assert result["recommendation"]["questions"] == ["fractures[0].sins"]


def test_sins_on_an_osteoporotic_fracture_is_shown_but_not_used():
    raw = case(
        {
            "fractures[0].sins": sins_lesion(
                "L1", pain="mechanical", lesion="lytic", posterolateral="bilateral"
            )
        }
    )
    result = run(raw)
    assert result["scores"][0]["sins"]["total"] >= 7
    assert result["scores"][0]["sins_used"] is False
    assert result["recommendation"]["action"] == "refer_for_vertebral_augmentation"


# OF score (AO Spine pocket card): 2 × OF type; pain ≥ 5 on analgesia +1, < 5 −1; progression
# +1 yes, −1 no; neurological deficit +2; unknown items 0. > 6 → surgical.
@pytest.mark.parametrize(
    ("of_type", "nrs", "progression", "total", "expected"),
    [
        (2, 7, None, 5, "refer_for_vertebral_augmentation"),  # 4 + 1
        (3, 4, True, 6, None),  # 6 − 1 + 1 = 6: "either", not surgical
        (3, 7, None, 7, "surgical_evaluation"),  # 6 + 1
        (4, 7, False, 8, "surgical_evaluation"),  # 8 + 1 − 1
    ],
)
def test_of_score_over_6_calls_for_surgical_evaluation(
    of_type: int, nrs: int, progression: Any, total: int, expected: str | None
):
    raw = case(
        {
            "fractures[0].of_type": of_type,
            "pain.nrs": nrs,
            "fractures[0].height_loss_progression": progression,
        }
    )
    result = run(raw)
    assert result["scores"][0]["of_score"]["total"] == total
    if expected is None:
        assert result["recommendation"]["action"] != "surgical_evaluation"
    else:
        assert result["recommendation"]["action"] == expected


def test_no_of_score_without_an_of_type():
    assert run(case())["scores"] == []


@pytest.mark.parametrize(
    ("path", "cid"),
    [
        ("screening.active_infection", "active_infection"),
        ("screening.pain_from_other_cause", "pain_from_other_cause"),
        ("patient.pregnant", "pregnancy"),
    ],
)
def test_not_a_candidate_with_an_absolute_contraindication(path: str, cid: str):
    result = run(case({path: True}))
    assert result["recommendation"]["action"] == "not_a_candidate"
    assert cid in result["recommendation"]["reasons"][0]


def test_not_a_candidate_when_advanced_imaging_is_negative():
    result = run(case({"fractures[0].mri_edema": False}))
    assert result["recommendation"]["action"] == "not_a_candidate"
    assert "negative" in result["recommendation"]["reasons"][0]


def test_not_a_candidate_wins_over_missing_information():
    raw = case({"patient.pregnant": True, "pain.nrs": None, "fractures[0].mri_edema": None})
    assert action(raw) == "not_a_candidate"


def test_obtain_advanced_imaging_when_imaging_is_unknown_and_decides():
    result = run(case({"fractures[0].mri_edema": None}))
    assert result["recommendation"]["action"] == "obtain_advanced_imaging"
    assert result["recommendation"]["questions"][:2] == [
        "fractures[0].mri_edema",
        "fractures[0].bone_scan_uptake",
    ]


def test_no_imaging_when_the_criteria_are_already_not_met():
    raw = case(
        {"fractures[0].mri_edema": None, "fractures[0].symptom_onset": onset_days_before(200)}
    )
    assert action(raw, ("cms_lcd_l38201",)) == "continue_conservative_care"


def test_obtain_imaging_wins_over_other_missing_information():
    raw = case({"fractures[0].mri_edema": None, "screening.myelopathy": None})
    result = run(raw)
    assert result["recommendation"]["action"] == "obtain_advanced_imaging"
    assert "screening.myelopathy" in result["recommendation"]["questions"]


@pytest.mark.parametrize(
    "path",
    [
        "pain.nrs",
        "pain.trend",
        "conservative_care.optimal_management_tried",
        "setting",
        "fractures[0].symptom_onset",
        "osteoporosis_care.bmd_referral",
        "pain.severe",
    ],
)
def test_complete_missing_information_when_a_criterion_fact_is_unknown(path: str):
    # Severe pain is derived from the NRS unless the NRS is unknown too.
    also = {"pain.nrs": None} if path == "pain.severe" else {}
    result = run(case({path: None, **also}))
    assert result["recommendation"]["action"] == "complete_missing_information"
    assert path in result["recommendation"]["questions"]


@pytest.mark.parametrize(
    "path", ["patient.pregnant", "screening.active_infection", "screening.pain_from_other_cause"]
)
def test_an_unknown_absolute_contraindication_blocks_a_referral(path: str):
    # Pregnancy is asked of a woman under 55: a 45-year-old here.
    result = run(case({path: None, "patient.birth_date": "1981-03-02"}))
    assert result["recommendation"]["action"] == "complete_missing_information"
    assert result["recommendation"]["questions"] == [path]


@pytest.mark.parametrize(
    "path",
    ["screening.myelopathy", "screening.neurological_deficit", "screening.spinal_instability"],
)
def test_an_unknown_red_flag_is_asked_even_when_criteria_are_not_met(path: str):
    raw = case({path: None, "pain.trend": "improving", "pain.nrs": 2})
    result = run(raw)
    assert result["recommendation"]["action"] == "complete_missing_information"
    assert result["recommendation"]["questions"] == [path]
    assert any(r.startswith("otherwise:") for r in result["recommendation"]["reasons"])


def test_an_unknown_relative_contraindication_does_not_block_a_referral():
    result = run(case({"screening.retropulsion": None}))
    assert result["recommendation"]["action"] == "refer_for_vertebral_augmentation"
    assert any("not screened: retropulsion" in r for r in result["recommendation"]["reasons"])


def test_relative_contraindications_are_named_with_a_referral():
    result = run(case({"screening.radicular_pain": True}))
    assert result["recommendation"]["action"] == "refer_for_vertebral_augmentation"
    assert any("radicular_pain" in r for r in result["recommendation"]["reasons"])


def test_an_unmet_documentation_criterion_is_information_to_complete():
    result = run(case({"osteoporosis_care.bmd_referral": False}))
    assert result["recommendation"]["action"] == "complete_missing_information"
    assert any("C not met" in r for r in result["recommendation"]["reasons"])


@pytest.mark.parametrize(
    "changes",
    [
        {"pain.trend": "improving", "pain.nrs": 3},
        {"fractures[0].symptom_onset": onset_days_before(120)},
        {"conservative_care.optimal_management_tried": False},
        {"pain.severe": False},
    ],
)
def test_continue_conservative_care_when_criteria_are_not_met(changes: dict[str, Any]):
    result = run(case(changes))
    assert result["recommendation"]["action"] == "continue_conservative_care"
    assert result["recommendation"]["reasons"]


def test_continue_conservative_care_when_no_applied_set_covers_the_fracture():
    result = run(case({"fractures[0].etiology": "traumatic"}))
    assert result["recommendation"]["action"] == "continue_conservative_care"


def test_a_set_that_does_not_cover_the_case_does_not_block_the_one_that_does():
    # NICE TA279 is for osteoporotic fractures; a myeloma lesion is judged by the LCD alone.
    result = run(neoplastic_case(SINS_STABLE))
    assert result["criteria_sets"]["nice_ta279"]["applies"] is False
    assert result["criteria_sets"]["cms_lcd_l38201"]["status"] == "met"
    assert result["recommendation"]["action"] == "refer_for_vertebral_augmentation"


def test_every_applied_set_must_be_met_to_refer():
    raw = case({"pain.severe": False})  # LCD met, NICE not
    assert action(raw, ("cms_lcd_l38201",)) == "refer_for_vertebral_augmentation"
    assert action(raw, ("nice_ta279",)) == "continue_conservative_care"
    assert action(raw) == "continue_conservative_care"
