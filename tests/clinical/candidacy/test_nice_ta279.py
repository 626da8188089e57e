"""NICE TA279: severe ongoing pain after a recent unhealed fracture despite optimal pain
management, and pain confirmed at the level. No weeks and no pain number: clinician assertions."""

from __future__ import annotations

from typing import Any

import pytest

from .builders import case, fracture, nice, onset_days_before, run

SET = ("nice_ta279",)


def status(raw: dict[str, Any]) -> str:
    return str(run(raw, SET)["criteria_sets"]["nice_ta279"]["status"])


def test_the_qualifying_case_meets_ta279():
    assert status(case()) == "met"


@pytest.mark.parametrize(
    ("severe", "expected"), [(True, "met"), (False, "not_met"), (None, "unknown")]
)
def test_severe_pain_is_the_clinicians_judgement(severe: Any, expected: str):
    item = nice(case({"pain.severe": severe, "pain.nrs": None}), "1_severe_ongoing_pain")
    assert item["status"] == expected
    if severe is None:
        assert item["missing"] == ["pain.severe"]


@pytest.mark.parametrize("nrs", [0, 3, 10])
def test_the_clinicians_explicit_judgement_wins_over_the_nrs(nrs: int):
    item = nice(case({"pain.nrs": nrs}), "1_severe_ongoing_pain")
    assert item["status"] == "met"
    assert item["facts"]["pain.nrs"] == nrs
    assert item["derived"] == {}
    refused = nice(case({"pain.nrs": nrs, "pain.severe": False}), "1_severe_ongoing_pain")
    assert refused["status"] == "not_met"


@pytest.mark.parametrize(
    ("nrs", "expected"), [(0, "not_met"), (6, "not_met"), (7, "met"), (8, "met"), (10, "met")]
)
def test_severe_pain_is_derived_from_the_nrs_when_not_judged(nrs: int, expected: str):
    # Palos 2006: NRS 7-10 is severe; both sides of the cut-off.
    item = nice(case({"pain.nrs": nrs, "pain.severe": None}), "1_severe_ongoing_pain")
    assert item["status"] == expected
    assert item["missing"] == []
    derived = item["derived"]["pain.severe"]
    assert derived["derived"] is True and derived["from_value"] == 7
    assert derived["source"] == "palos-2006-nrs-cutpoints"
    assert "derived" in item["reason"] or "taken from NRS" in item["reason"]


@pytest.mark.parametrize("days", [10, 85, 200])
def test_no_number_of_weeks_an_unhealed_fracture_on_imaging_is_recent(days: int):
    item = nice(
        case({"fractures[0].symptom_onset": onset_days_before(days)}), "1_recent_unhealed_fracture"
    )
    assert item["status"] == "met"
    assert "NICE set no number of weeks" in item["reason"]


@pytest.mark.parametrize(
    ("mri", "scan", "expected"),
    [(True, None, "met"), (None, True, "met"), (False, None, "not_met"), (None, None, "unknown")],
)
def test_unhealed_is_shown_on_imaging(mri: Any, scan: Any, expected: str):
    raw = case({"fractures[0].mri_edema": mri, "fractures[0].bone_scan_uptake": scan})
    assert nice(raw, "1_recent_unhealed_fracture")["status"] == expected


@pytest.mark.parametrize(
    ("etiology", "expected"),
    [
        ("osteoporotic", "met"),
        ("neoplastic", "not_met"),
        ("traumatic", "not_met"),
        (None, "unknown"),
    ],
)
def test_ta279_is_guidance_for_osteoporotic_fractures(etiology: Any, expected: str):
    raw = case({"fractures[0].etiology": etiology})
    assert nice(raw, "1_recent_unhealed_fracture")["status"] == expected
    applies = run(raw, SET)["criteria_sets"]["nice_ta279"]["applies"]
    assert applies is {"met": True, "not_met": False, "unknown": None}[expected]


@pytest.mark.parametrize(
    ("tried", "expected"), [(True, "met"), (False, "not_met"), (None, "unknown")]
)
def test_optimal_pain_management_is_the_clinicians_judgement(tried: Any, expected: str):
    raw = case({"conservative_care.optimal_management_tried": tried})
    assert nice(raw, "1_despite_optimal_pain_management")["status"] == expected


@pytest.mark.parametrize(
    ("confirmed", "expected"), [(True, "met"), (False, "not_met"), (None, "unknown")]
)
def test_pain_must_be_confirmed_at_the_level(confirmed: Any, expected: str):
    raw = case({"fractures[0].pain_confirmed_at_level": confirmed})
    item = nice(raw, "2_pain_confirmed_at_level")
    assert item["status"] == expected
    if confirmed is None:
        assert item["missing"] == ["fractures[0].pain_confirmed_at_level"]


def test_pain_confirmed_at_a_healed_level_does_not_count():
    healed = fracture(level="T9", mri_edema=False, pain_confirmed_at_level=True)
    fresh = fracture(level="L2", pain_confirmed_at_level=False)
    item = nice(case({"fractures": [healed, fresh]}), "2_pain_confirmed_at_level")
    assert item["status"] == "not_met"
    assert "L2" in item["reason"]


def test_the_set_cites_ta279_and_its_edition():
    block = run(case(), SET)["criteria_sets"]["nice_ta279"]
    assert block["edition"] == "TA279 (2013)"
    assert {c["source"] for c in block["criteria"]} == {"nice-ta279-2013"}
