"""Invalid cases give named field errors, every one at once; valid odd cases are accepted."""

from __future__ import annotations

from typing import Any

import pytest

from spinepath.clinical.candidacy import evaluate_case
from spinepath.clinical.errors import InvalidInput

from .builders import DELETE, QUALIFYING, case, fracture


def errors_of(raw: Any) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        evaluate_case(raw)
    return {e.field: e.message for e in caught.value.errors}


def test_level_l9_is_named():
    errors = errors_of(case({"fractures[0].level": "L9"}))
    assert list(errors) == ["fractures.0.level"]
    assert "not a vertebral level" in errors["fractures.0.level"]


def test_nrs_11_is_named():
    assert list(errors_of(case({"pain.nrs": 11}))) == ["pain.nrs"]


def test_negative_nrs_is_named():
    assert list(errors_of(case({"pain.nrs": -1}))) == ["pain.nrs"]


def test_onset_after_the_assessment_date_is_named():
    errors = errors_of(case({"fractures[0].symptom_onset": "2026-11-21"}))
    assert list(errors) == ["fractures.0.symptom_onset"]
    assert "after the assessment date" in errors["fractures.0.symptom_onset"]


def test_onset_on_the_assessment_date_is_valid():
    result = evaluate_case(case({"fractures[0].symptom_onset": "2026-11-20"}))
    assert result["fracture_ages"][0]["days"] == 0


def test_every_bad_field_is_named_at_once():
    errors = errors_of(
        case(
            {
                "fractures[0].level": "L9",
                "pain.nrs": 11,
                "fractures[0].symptom_onset": "2027-01-01",
                "function.rdq": 25,
                "screening.myelopathy": "no",
            }
        )
    )
    assert set(errors) == {
        "fractures.0.level",
        "pain.nrs",
        "fractures.0.symptom_onset",
        "function.rdq",
        "screening.myelopathy",
    }


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("pain.nrs", "7", "pain.nrs"),
        ("pain.nrs", 7.5, "pain.nrs"),
        ("pain.nrs", True, "pain.nrs"),
        ("pain.trend", "better", "pain.trend"),
        ("setting", "day_case", "setting"),
        ("fractures[0].mri_edema", "yes", "fractures.0.mri_edema"),
        ("fractures[0].mri_edema", 1, "fractures.0.mri_edema"),
        ("fractures[0].etiology", "infective", "fractures.0.etiology"),
        ("fractures[0].height_loss_percent", 101, "fractures.0.height_loss_percent"),
        ("fractures[0].height_loss_percent", -1, "fractures.0.height_loss_percent"),
        ("fractures[0].height_loss_percent", "30", "fractures.0.height_loss_percent"),
        ("fractures[0].of_type", 6, "fractures.0.of_type"),
        ("fractures[0].of_type", 0, "fractures.0.of_type"),
        ("fractures[0].symptom_onset", "10/10/2026", "fractures.0.symptom_onset"),
        ("fractures[0].symptom_onset", 20261010, "fractures.0.symptom_onset"),
        ("function.rdq", 25, "function.rdq"),
        ("function.odi_percent", 100.5, "function.odi_percent"),
        ("assessment_date", "2026-13-01", "assessment_date"),
        ("patient.sex", "f", "patient.sex"),
        ("conservative_care.modalities", ["acupuncture"], "conservative_care.modalities.0"),
        ("osteoporosis_care.education", "done", "osteoporosis_care.education"),
    ],
)
def test_wrong_type_or_range_is_named(path: str, value: Any, field: str):
    assert field in errors_of(case({path: value}))


def test_an_unknown_field_is_named_not_ignored():
    errors = errors_of(case({"fractures[0].mri_oedema": True}))
    assert list(errors) == ["fractures.0.mri_oedema"]


def test_an_unknown_section_is_named():
    assert list(errors_of(case({"imaging": {}}))) == ["imaging"]


def test_input_that_is_not_an_object_is_named():
    assert list(errors_of(["not", "a", "case"])) == ["(input)"]


def test_birth_after_assessment_is_named():
    errors = errors_of(case({"patient.birth_date": "2027-01-01"}))
    assert "after the assessment date" in errors["patient.birth_date"]
    # and the fracture then began before the patient was born
    assert "before the birth date" in errors["fractures.0.symptom_onset"]


def test_conservative_care_started_after_assessment_is_named():
    errors = errors_of(case({"conservative_care.started": "2026-12-01"}))
    assert list(errors) == ["conservative_care.started"]


def test_the_same_level_twice_is_named_on_the_second():
    raw = case({"fractures": [fracture(level="L1"), fracture(level="l1")]})
    errors = errors_of(raw)
    assert list(errors) == ["fractures.1.level"]
    assert "fractures.0" in errors["fractures.1.level"]


def test_sins_errors_are_named_under_the_fracture():
    raw = case(
        {
            "fractures[0].etiology": "neoplastic",
            "fractures[0].sins": {
                "pain": "severe",
                "lesion": "lytic",
                "alignment": "normal",
                "collapse": "none",
            },
        }
    )
    errors = errors_of(raw)
    assert set(errors) == {"fractures.0.sins.pain", "fractures.0.sins.posterolateral"}


def test_a_sins_level_other_than_the_fractures_is_named():
    sins = {
        "level": "T8",
        "pain": "none",
        "lesion": "blastic",
        "alignment": "normal",
        "collapse": "none",
        "posterolateral": "none",
    }
    errors = errors_of(case({"fractures[0].etiology": "neoplastic", "fractures[0].sins": sins}))
    assert list(errors) == ["fractures.0.sins.level"]


def test_lower_case_and_spaced_levels_are_normalised():
    result = evaluate_case(case({"fractures[0].level": " t12 "}))
    assert result["case"]["fractures"][0]["level"] == "T12"


def test_an_empty_case_is_valid_and_wholly_unknown():
    result = evaluate_case({})
    for block in result["criteria_sets"].values():
        assert block["status"] == "unknown"
    assert result["recommendation"]["action"] == "complete_missing_information"


def test_null_sections_are_sections_of_unknowns():
    raw = case({"screening": None, "pain": None})
    result = evaluate_case(raw)
    assert result["case"]["pain"] == {"nrs": None, "trend": None, "severe": None}
    assert "screening.myelopathy" in result["recommendation"]["questions"]


def test_an_absent_assessment_date_is_unknown_never_today():
    result = evaluate_case(case({"assessment_date": DELETE}))
    assert result["assessment_date"] is None
    assert result["fracture_ages"][0]["category"] is None
    a = next(c for c in result["criteria_sets"]["cms_lcd_l38201"]["criteria"] if c["id"] == "A")
    assert a["status"] == "unknown"
    assert "assessment_date" in a["missing"]


def test_the_input_is_not_changed():
    raw = case()
    before = repr(raw)
    evaluate_case(raw)
    assert repr(raw) == before
    assert raw == QUALIFYING
