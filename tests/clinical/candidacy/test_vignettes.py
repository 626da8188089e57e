"""Realistic vignettes written from the criteria text, each a one-line story and its expected
suggestion. Each case is the qualifying case (an 82-year-old woman, outpatient, osteoporotic L1
fracture 41 days old with oedema on MRI, worsening NRS 7 despite optimal care, screened, BMD
referral done; see builders.QUALIFYING) with the changes the story tells.

``sets`` is the clinic's choice: a US clinic applies the LCD, a UK clinic NICE TA279.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from .builders import case, fracture, onset_days_before, run

LCD = ("cms_lcd_l38201",)
NICE = ("nice_ta279",)
BOTH = ("cms_lcd_l38201", "nice_ta279")


@dataclass(frozen=True)
class Vignette:
    story: str
    sets: tuple[str, ...]
    changes: dict[str, Any]
    action: str
    statuses: dict[str, str] = field(default_factory=dict)
    reason_mentions: str = ""


def lesion(**components: str) -> dict[str, str]:
    base = {
        "pain": "occasional",
        "lesion": "blastic",
        "alignment": "normal",
        "collapse": "none",
        "posterolateral": "none",
    }
    return {**base, **components}


VIGNETTES = [
    Vignette(
        "82-year-old woman, L1 fracture 41 days ago, oedema on MRI, worsening NRS 7 despite "
        "analgesics and a brace, BMD referral made: both sets met",
        BOTH,
        {},
        "refer_for_vertebral_augmentation",
        {"cms_lcd_l38201": "met", "nice_ta279": "met"},
    ),
    Vignette(
        "78-year-old man admitted after a fall, T12 fracture 10 days old on STIR, NRS 9 in "
        "hospital, no time yet for conservative care: LCD B1 is met",
        LCD,
        {
            "setting": "inpatient",
            "pain.nrs": 9,
            "fractures[0].level": "T12",
            "fractures[0].symptom_onset": onset_days_before(10),
            "conservative_care.optimal_management_tried": False,
        },
        "refer_for_vertebral_augmentation",
        {"cms_lcd_l38201": "met"},
    ),
    Vignette(
        "the same admitted man under NICE: optimal pain management has not been tried yet",
        NICE,
        {
            "setting": "inpatient",
            "pain.nrs": 9,
            "fractures[0].symptom_onset": onset_days_before(10),
            "conservative_care.optimal_management_tried": False,
        },
        "continue_conservative_care",
        {"nice_ta279": "not_met"},
        "optimal pain management",
    ),
    Vignette(
        "70-year-old woman, L2 fracture 9 weeks old, pain steady at NRS 6 despite optimal care, "
        "35 % height loss with kyphosis, RDQ 15: two findings, B2 met",
        LCD,
        {
            "fractures[0].level": "L2",
            "fractures[0].symptom_onset": onset_days_before(63),
            "pain.trend": "stable",
            "pain.nrs": 6,
            "fractures[0].height_loss_percent": 35,
            "function.rdq": 15,
        },
        "refer_for_vertebral_augmentation",
        {"cms_lcd_l38201": "met"},
    ),
    Vignette(
        "steady NRS 6 at 9 weeks with 30 % height loss but no kyphosis and RDQ 12: one finding "
        "only, B2 not met",
        LCD,
        {
            "fractures[0].symptom_onset": onset_days_before(63),
            "pain.trend": "stable",
            "pain.nrs": 6,
            "fractures[0].kyphotic_deformity": False,
            "function.rdq": 12,
        },
        "continue_conservative_care",
        {"cms_lcd_l38201": "not_met"},
        "1 of the findings",
    ),
    Vignette(
        "steady NRS 6, kyphotic deformity and RDQ 20 though only 20 % height loss: two findings",
        LCD,
        {
            "pain.trend": "stable",
            "pain.nrs": 6,
            "fractures[0].height_loss_percent": 20,
            "function.rdq": 20,
        },
        "refer_for_vertebral_augmentation",
        {"cms_lcd_l38201": "met"},
    ),
    Vignette(
        "fracture 14 weeks old with oedema still on MRI: chronic, not covered by the LCD",
        LCD,
        {"fractures[0].symptom_onset": onset_days_before(98)},
        "continue_conservative_care",
        {"cms_lcd_l38201": "not_met"},
        "chronic",
    ),
    Vignette(
        "the same 14-week fracture in a UK clinic: unhealed on MRI, severe pain despite optimal "
        "management; NICE sets no number of weeks",
        NICE,
        {"fractures[0].symptom_onset": onset_days_before(98)},
        "refer_for_vertebral_augmentation",
        {"nice_ta279": "met"},
    ),
    Vignette(
        "4 weeks after the fracture the pain is improving, NRS 3, walking again",
        BOTH,
        {"pain.trend": "improving", "pain.nrs": 3, "pain.severe": False},
        "continue_conservative_care",
        {"cms_lcd_l38201": "not_met", "nice_ta279": "not_met"},
    ),
    Vignette(
        "new weakness of both legs since the fracture: a neurological deficit",
        BOTH,
        {"screening.neurological_deficit": True},
        "urgent_surgical_evaluation",
        {},
        "neurological deficit",
    ),
    Vignette(
        "gait disturbance and hyperreflexia below a T8 fracture: myelopathy",
        BOTH,
        {"screening.myelopathy": True, "fractures[0].level": "T8"},
        "urgent_surgical_evaluation",
        {},
        "myelopathy",
    ),
    Vignette(
        "myeloma, lytic L3 lesion with mechanical pain and bilateral pedicle involvement: "
        "SINS 2+3+2+0+0+3 = 10",
        LCD,
        {
            "fractures": [
                fracture(
                    level="L3",
                    etiology="neoplastic",
                    osteolytic_lesion=True,
                    sins=lesion(pain="mechanical", lesion="lytic", posterolateral="bilateral"),
                )
            ]
        },
        "surgical_evaluation",
        {},
        "SINS 10",
    ),
    Vignette(
        "breast cancer metastasis at T10, lytic, under 50 % collapse, occasional pain "
        "(SINS 1+1+2+0+2+0 = 6), pain unrelieved by opioids and radiotherapy",
        LCD,
        {
            "fractures": [
                fracture(
                    level="T10",
                    etiology="neoplastic",
                    osteolytic_lesion=True,
                    sins=lesion(lesion="lytic", collapse="under_50"),
                )
            ],
            "pain.trend": "stable",
        },
        "refer_for_vertebral_augmentation",
        {"cms_lcd_l38201": "met"},
    ),
    Vignette(
        "back pain with an old L1 wedge on x-ray, but MRI shows no oedema: a healed fracture",
        BOTH,
        {"fractures[0].mri_edema": False},
        "not_a_candidate",
        {"cms_lcd_l38201": "not_met", "nice_ta279": "not_met"},
        "negative",
    ),
    Vignette(
        "fever and bacteraemia from a urinary infection at the time of assessment",
        BOTH,
        {"screening.active_infection": True},
        "not_a_candidate",
        {},
        "active_infection",
    ),
    Vignette(
        "38-year-old, pregnant, with a vertebral fracture from pregnancy-associated osteoporosis",
        LCD,
        {"patient.pregnant": True, "patient.birth_date": "1988-05-01"},
        "not_a_candidate",
        {},
        "pregnancy",
    ),
    Vignette(
        "mechanical valve on warfarin, coagulopathy that cannot be corrected: absolute in the "
        "practice parameter that the NICE set uses",
        NICE,
        {"screening.uncorrectable_coagulopathy": True},
        "not_a_candidate",
        {},
        "uncorrectable_coagulopathy",
    ),
    Vignette(
        "the same patient under the LCD, which classes uncorrected coagulopathy as relative",
        LCD,
        {"screening.uncorrectable_coagulopathy": True},
        "refer_for_vertebral_augmentation",
        {"cms_lcd_l38201": "met"},
        "relative",
    ),
    Vignette(
        "plain x-ray shows a new L1 compression; no MRI or bone scan yet",
        BOTH,
        {"fractures[0].mri_edema": None, "fractures[0].bone_scan_uptake": None},
        "obtain_advanced_imaging",
        {"cms_lcd_l38201": "unknown", "nice_ta279": "unknown"},
    ),
    Vignette(
        "pacemaker rules out MRI; the bone scan shows intense uptake at L1",
        BOTH,
        {"fractures[0].mri_edema": None, "fractures[0].bone_scan_uptake": True},
        "refer_for_vertebral_augmentation",
        {"cms_lcd_l38201": "met", "nice_ta279": "met"},
    ),
    Vignette(
        "four acute fractures T11 to L2, all with oedema: more than three levels, relative",
        LCD,
        {"fractures": [fracture(level=level) for level in ("T11", "T12", "L1", "L2")]},
        "refer_for_vertebral_augmentation",
        {"cms_lcd_l38201": "met"},
        "more_than_three_levels",
    ),
    Vignette(
        "everything qualifies, but no bone-density referral or osteoporosis education yet",
        LCD,
        {"osteoporosis_care.bmd_referral": False, "osteoporosis_care.education": False},
        "complete_missing_information",
        {"cms_lcd_l38201": "not_met"},
        "C not met",
    ),
    Vignette(
        "35-year-old motorcyclist, traumatic L1 fracture judged unstable on CT",
        BOTH,
        {
            "fractures[0].etiology": "traumatic",
            "screening.spinal_instability": True,
            "patient.birth_date": "1991-02-02",
        },
        "surgical_evaluation",
        {},
        "spinal instability",
    ),
    Vignette(
        "osteoporotic OF 4 fracture (both endplates, collapse) with NRS 7 on analgesia: OF score "
        "2×4 + 1 = 9",
        BOTH,
        {"fractures[0].of_type": 4},
        "surgical_evaluation",
        {},
        "OF score 9",
    ),
    Vignette(
        "osteoporotic C6 fracture with oedema: outside the LCD's T1–L5",
        LCD,
        {"fractures[0].level": "C6"},
        "continue_conservative_care",
        {"cms_lcd_l38201": "not_met"},
        "outside T1–L5",
    ),
    Vignette(
        "first visit, pain score and its course not yet recorded",
        LCD,
        {"pain.nrs": None, "pain.trend": None},
        "complete_missing_information",
        {"cms_lcd_l38201": "unknown"},
    ),
    Vignette(
        "admitted with the fracture but NRS 7: below B1's 8",
        LCD,
        {"setting": "inpatient", "pain.nrs": 7},
        "continue_conservative_care",
        {"cms_lcd_l38201": "not_met"},
    ),
    Vignette(
        "sciatica from a coexisting disc herniation: radicular pain, a relative contraindication",
        BOTH,
        {"screening.radicular_pain": True},
        "refer_for_vertebral_augmentation",
        {"cms_lcd_l38201": "met"},
        "radicular_pain",
    ),
    Vignette(
        "the pain is mainly from hip osteoarthritis, not the fracture",
        LCD,
        {"screening.pain_from_other_cause": True},
        "not_a_candidate",
        {},
        "pain_from_other_cause",
    ),
]


def test_there_are_at_least_twenty_vignettes():
    assert len(VIGNETTES) >= 20
    assert len({v.story for v in VIGNETTES}) == len(VIGNETTES)


@pytest.mark.parametrize("vignette", VIGNETTES, ids=lambda v: v.story[:60])
def test_vignette(vignette: Vignette):
    result = run(case(vignette.changes), vignette.sets)
    suggestion = result["recommendation"]
    assert suggestion["action"] == vignette.action, suggestion["reasons"]
    for set_name, status in vignette.statuses.items():
        assert result["criteria_sets"][set_name]["status"] == status
    if vignette.reason_mentions:
        assert any(vignette.reason_mentions in reason for reason in suggestion["reasons"]), (
            suggestion["reasons"]
        )
