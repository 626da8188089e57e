"""Questions that fit the patient: pregnancy is not asked of a man or of a woman aged 55 or more,
and is not counted missing; the rule applied is in the result."""

from __future__ import annotations

from typing import Any

import pytest

from tests.clinical.candidacy.builders import case, run


def _pregnancy(result: dict[str, Any]) -> dict[str, Any]:
    items = result["contraindications"]["items"]
    return dict(next(i for i in items if i["id"] == "pregnancy"))


def _every_missing(result: dict[str, Any]) -> set[str]:
    found = set(result["recommendation"]["questions"])
    for block in result["criteria_sets"].values():
        found |= set(block["missing"])
    return found


@pytest.mark.parametrize(
    ("sex", "birth_date", "rule"),
    [
        ("male", "1990-01-01", "male"),
        ("female", "1945-06-01", "female_55_or_more"),  # 81 on 2026-11-20
        ("female", "1971-11-20", "female_55_or_more"),  # 55 that day
    ],
)
def test_pregnancy_is_not_asked_and_not_missing_when_it_cannot_apply(
    sex: str, birth_date: str, rule: str
) -> None:
    result = run(
        case({"patient.sex": sex, "patient.birth_date": birth_date, "patient.pregnant": None})
    )
    assert "patient.pregnant" not in _every_missing(result)
    assert "pregnancy" not in result["contraindications"]["unknown"]
    assert _pregnancy(result)["present"] is False
    [shown] = result["questions_fitted"]["not_asked"]
    assert (shown["fact"], shown["rule"]) == ("patient.pregnant", rule)
    assert shown["reason"].startswith("not asked")
    assert shown["source"] in result["sources"]
    assert result["recommendation"]["action"] == "refer_for_vertebral_augmentation"


@pytest.mark.parametrize(
    ("sex", "birth_date"),
    [
        ("female", "1971-11-21"),  # 54: one day short of 55
        ("other", "1945-06-01"),
        (None, "1945-06-01"),
    ],
)
def test_pregnancy_is_asked_otherwise(sex: str | None, birth_date: str) -> None:
    result = run(
        case({"patient.sex": sex, "patient.birth_date": birth_date, "patient.pregnant": None})
    )
    assert "patient.pregnant" in result["recommendation"]["questions"]
    assert result["questions_fitted"]["not_asked"] == []


def test_without_an_assessment_date_the_age_is_unknown_and_pregnancy_is_asked() -> None:
    result = run(case({"assessment_date": None, "patient.pregnant": None}))
    assert "patient.pregnant" in _every_missing(result)


def test_a_recorded_pregnancy_is_never_overruled_by_age() -> None:
    result = run(case({"patient.pregnant": True}))
    assert _pregnancy(result)["present"] is True
    assert result["questions_fitted"]["not_asked"] == []
