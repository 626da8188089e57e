"""Contraindications: each present, absent or unknown; classed by each set with its source."""

from __future__ import annotations

from typing import Any

import pytest

from spinepath.clinical.candidacy import CRITERIA_SETS
from spinepath.clinical.candidacy.contraindications import CONTRAINDICATION_IDS
from spinepath.clinical.sources import get_source

from .builders import case, fracture, run

ISSUE_IDS = [
    "active_infection",
    "uncorrectable_coagulopathy",
    "cement_or_contrast_allergy",
    "pregnancy",
    "pain_from_other_cause",
    "neurological_deficit",
    "myelopathy",
    "radicular_pain",
    "spinal_instability",
    "retropulsion",
    "more_than_three_levels",
    "improving_on_medical_therapy",
]

SCREENED = {
    "active_infection": "screening.active_infection",
    "uncorrectable_coagulopathy": "screening.uncorrectable_coagulopathy",
    "cement_or_contrast_allergy": "screening.cement_or_contrast_allergy",
    "pregnancy": "patient.pregnant",
    "pain_from_other_cause": "screening.pain_from_other_cause",
    "neurological_deficit": "screening.neurological_deficit",
    "myelopathy": "screening.myelopathy",
    "radicular_pain": "screening.radicular_pain",
    "spinal_instability": "screening.spinal_instability",
    "retropulsion": "screening.retropulsion",
}

# Typed from REFERENCE.md §1: the LCD's own classes.
LCD_CLASSES = {
    "pain_from_other_cause": "absolute",
    "active_infection": "absolute",
    "pregnancy": "absolute",
    "more_than_three_levels": "relative",
    "cement_or_contrast_allergy": "relative",
    "uncorrectable_coagulopathy": "relative",
    "spinal_instability": "relative",
    "myelopathy": "relative",
    "neurological_deficit": "relative",
    "radicular_pain": "relative",
    "retropulsion": "relative",
}
# The ACR practice parameter's [S].
PRACTICE_PARAMETER_CLASSES = {
    "active_infection": "absolute",
    "uncorrectable_coagulopathy": "absolute",
    "cement_or_contrast_allergy": "absolute",
    "radicular_pain": "relative",
    "retropulsion": "relative",
    "myelopathy": "relative",
    "improving_on_medical_therapy": "relative",
}


def summary(raw: dict[str, Any], sets: tuple[str, ...] | None = None) -> dict[str, Any]:
    return dict(run(raw, sets)["contraindications"])


def item(raw: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(i for i in summary(raw)["items"] if i["id"] == cid)


def test_the_ids_are_exactly_the_issues():
    assert list(CONTRAINDICATION_IDS) == ISSUE_IDS
    assert [i["id"] for i in summary(case())["items"]] == ISSUE_IDS


@pytest.mark.parametrize(("cid", "path"), sorted(SCREENED.items()))
def test_each_screened_contraindication_true_false_and_unknown(cid: str, path: str):
    # Pregnancy is asked of a woman under 55 only: a 40-year-old here.
    young = {"patient.birth_date": "1986-03-02"} if cid == "pregnancy" else {}
    assert item(case({**young, path: True}), cid)["present"] is True
    assert item(case({**young, path: False}), cid)["present"] is False
    unknown = item(case({**young, path: None}), cid)
    assert unknown["present"] is None
    assert unknown["missing"] == [path]
    assert cid in summary(case({**young, path: None}))["unknown"]


@pytest.mark.parametrize(("count", "present"), [(3, False), (4, True)])
def test_more_than_three_levels(count: int, present: bool):
    levels = ["T11", "T12", "L1", "L2"][:count]
    raw = case({"fractures": [fracture(level=level) for level in levels]})
    assert item(raw, "more_than_three_levels")["present"] is present
    if present:
        assert "more_than_three_levels" in summary(raw)["relative"]


def test_more_than_three_levels_is_unknown_without_fractures():
    assert item(case({"fractures": None}), "more_than_three_levels")["present"] is None


@pytest.mark.parametrize(
    ("trend", "present"),
    [("improving", True), ("stable", False), ("worsening", False), (None, None)],
)
def test_improving_on_medical_therapy_from_the_pain_trend(trend: Any, present: Any):
    assert item(case({"pain.trend": trend}), "improving_on_medical_therapy")["present"] is present


@pytest.mark.parametrize(("cid", "cls"), sorted(LCD_CLASSES.items()))
def test_the_lcd_set_classes_as_the_lcd_does(cid: str, cls: str):
    classification = CRITERIA_SETS["cms_lcd_l38201"].contraindications[cid]
    assert classification.contraindication_class == cls
    assert classification.sources == ("cms-lcd-l38201",)


@pytest.mark.parametrize(("cid", "cls"), sorted(PRACTICE_PARAMETER_CLASSES.items()))
def test_the_nice_set_classes_as_the_practice_parameter_does(cid: str, cls: str):
    classification = CRITERIA_SETS["nice_ta279"].contraindications[cid]
    assert classification.contraindication_class == cls
    assert classification.sources == ("acr-asnr-assr-sir-snis-va-2017",)


def test_every_classification_has_a_registered_source():
    for criteria_set in CRITERIA_SETS.values():
        assert set(criteria_set.contraindications) == set(ISSUE_IDS)
        for classification in criteria_set.contraindications.values():
            for source in classification.sources:
                get_source(source)


def test_pregnancy_is_absolute_under_l38201():
    raw = case({"patient.pregnant": True})
    only_lcd = run(raw, ("cms_lcd_l38201",))
    assert only_lcd["criteria_sets"]["cms_lcd_l38201"]["contraindications"]["absolute"] == [
        "pregnancy"
    ]
    assert only_lcd["contraindications"]["absolute"] == ["pregnancy"]


def test_the_sets_disagree_on_coagulopathy_and_each_keeps_its_own_class():
    raw = case({"screening.uncorrectable_coagulopathy": True})
    result = run(raw)
    assert result["criteria_sets"]["cms_lcd_l38201"]["contraindications"]["relative"] == [
        "uncorrectable_coagulopathy"
    ]
    assert result["criteria_sets"]["nice_ta279"]["contraindications"]["absolute"] == [
        "uncorrectable_coagulopathy"
    ]
    detail = next(
        i for i in result["contraindications"]["items"] if i["id"] == "uncorrectable_coagulopathy"
    )
    assert detail["by_set"]["cms_lcd_l38201"]["class"] == "relative"
    assert detail["by_set"]["nice_ta279"]["class"] == "absolute"
    # the summary is the strictest of the applied sets
    assert result["contraindications"]["absolute"] == ["uncorrectable_coagulopathy"]
    # with the LCD alone it is relative
    assert run(raw, ("cms_lcd_l38201",))["contraindications"]["relative"] == [
        "uncorrectable_coagulopathy"
    ]


def test_no_contraindication_in_the_qualifying_case():
    s = summary(case())
    assert (s["absolute"], s["relative"], s["unknown"]) == ([], [], [])
