"""Fracture age: acute < 6 weeks, subacute 6 to 12 weeks, chronic beyond; the bound is cited."""

from __future__ import annotations

from datetime import date

import pytest

from spinepath.clinical.candidacy.fracture_age import (
    FRACTURE_AGE_BOUNDS,
    categorise,
    fracture_age,
)
from spinepath.clinical.sources import get_source

from .builders import case, onset_days_before, run


@pytest.mark.parametrize(
    ("days", "category"),
    [
        (0, "acute"),
        (41, "acute"),  # 5 weeks 6 days
        (42, "subacute"),  # exactly 6 weeks
        (84, "subacute"),  # exactly 12 weeks
        (85, "chronic"),  # 12 weeks 1 day
        (400, "chronic"),
    ],
)
def test_each_bound_on_both_sides(days: int, category: str):
    assert categorise(days)[0] == category


def test_a_negative_age_is_refused():
    with pytest.raises(ValueError, match="after its assessment"):
        categorise(-1)


def test_age_is_counted_from_onset_to_assessment():
    age = fracture_age(date(2026, 10, 10), date(2026, 11, 20))
    assert age is not None
    assert (age.days, age.weeks, age.category) == (41, 5.9, "acute")


def test_an_unknown_date_gives_an_unknown_age():
    assert fracture_age(None, date(2026, 11, 20)) is None
    assert fracture_age(date(2026, 10, 10), None) is None


def test_the_bounds_are_six_and_twelve_weeks_with_registered_sources():
    by_name = {bound.name: bound for bound in FRACTURE_AGE_BOUNDS}
    assert by_name["acute_below_weeks"].weeks == 6
    assert by_name["subacute_up_to_weeks"].weeks == 12
    for bound in FRACTURE_AGE_BOUNDS:
        get_source(bound.source)
        for other in bound.also:
            get_source(other)
        assert bound.confidence in ("P", "S")


def test_the_result_says_which_bound_was_used_and_its_source():
    result = run(case({"fractures[0].symptom_onset": onset_days_before(85)}))
    age = result["fracture_ages"][0]
    assert age["category"] == "chronic"
    assert age["bound"] == "subacute_up_to_weeks"
    assert age["bound_weeks"] == 12
    assert age["source"] == "cms-lcd-l34228"
    assert [b["name"] for b in result["fracture_age_bounds"]] == [
        "acute_below_weeks",
        "subacute_up_to_weeks",
    ]


def test_an_acute_fracture_cites_the_six_week_bound():
    age = run(case())["fracture_ages"][0]
    assert (age["category"], age["bound_weeks"], age["source"]) == ("acute", 6, "cms-lcd-l38201")


def test_unknown_onset_lists_what_is_missing():
    age = run(case({"fractures[0].symptom_onset": None}))["fracture_ages"][0]
    assert age["category"] is None
    assert age["missing"] == ["fractures[0].symptom_onset"]
