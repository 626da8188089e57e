"""Questions that fit the patient, over HTTP: the pregnancy question is not counted missing for
a man or an 81-year-old woman (the rule is in the stored result), and NICE's severe pain is
derived from a recorded NRS of 8 unless the clinician says otherwise."""

from __future__ import annotations

from typing import Any

import pytest

from spinepath.accounts.roles import Role
from tests.assessments.helpers import assessed
from tests.clinical.candidacy.builders import case
from tests.follow_up.helpers import web_client
from tests.support import ClinicUsers


def _missing_anywhere(result: dict[str, Any]) -> set[str]:
    found = set(result["recommendation"]["questions"])
    for block in result["criteria_sets"].values():
        found |= set(block["missing"])
    return found


def _severe(result: dict[str, Any]) -> dict[str, Any]:
    criteria = result["criteria_sets"]["nice_ta279"]["criteria"]
    return dict(next(c for c in criteria if c["id"] == "1_severe_ongoing_pain"))


@pytest.mark.parametrize(
    ("sex", "birth_date", "rule"),
    [("male", "1950-04-01", "male"), ("female", "1945-06-01", "female_55_or_more")],
)
def test_the_pregnancy_question_is_not_counted_missing_for_a_man_or_an_81_year_old_woman(
    clinic: ClinicUsers, sex: str, birth_date: str, rule: str
) -> None:
    unanswered = case(
        {"patient.sex": sex, "patient.birth_date": birth_date, "patient.pregnant": None}
    )
    with clinic.client(Role.NURSE) as client:
        _, assessment = assessed(client, unanswered)
    with web_client(clinic, Role.NURSE) as browser:
        page = browser.get(f"/episodes/{assessment['episode_id']}/assessment")
        form = browser.get(f"/episodes/{assessment['episode_id']}/consultation")
    result = assessment["result"]
    assert "patient.pregnant" not in _missing_anywhere(result)
    assert "pregnancy" not in result["contraindications"]["unknown"]
    assert [item["rule"] for item in result["questions_fitted"]["not_asked"]] == [rule]
    assert assessment["action"] == "refer_for_vertebral_augmentation"
    assert page.status_code == 200, page.text
    assert "not asked" in page.text
    assert form.status_code == 200 and "Answer anyway" in form.text


def test_a_54_year_old_woman_is_still_asked(clinic: ClinicUsers) -> None:
    unanswered = case({"patient.birth_date": "1972-06-01", "patient.pregnant": None})
    with clinic.client(Role.NURSE) as client:
        _, assessment = assessed(client, unanswered)
    assert "patient.pregnant" in assessment["result"]["recommendation"]["questions"]
    assert assessment["action"] == "complete_missing_information"


def test_severe_pain_is_derived_from_nrs_8_and_shown_as_derived(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        _, assessment = assessed(client, case({"pain.nrs": 8, "pain.severe": None}))
    with web_client(clinic, Role.NURSE) as browser:
        page = browser.get(f"/episodes/{assessment['episode_id']}/assessment")
    item = _severe(assessment["result"])
    assert item["status"] == "met" and item["missing"] == []
    assert item["derived"]["pain.severe"]["derived"] is True
    assert item["derived"]["pain.severe"]["value"] is True
    assert assessment["result"]["criteria_sets"]["nice_ta279"]["status"] == "met"
    assert "palos-2006-nrs-cutpoints" in assessment["result"]["sources"]
    assert page.status_code == 200, page.text
    assert "yes, derived: severe pain taken from NRS 7 or more" in page.text


def test_the_clinicians_no_overrides_the_derived_severe_pain(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        _, assessment = assessed(client, case({"pain.nrs": 8, "pain.severe": False}))
    item = _severe(assessment["result"])
    assert item["status"] == "not_met"
    assert item["derived"] == {}
