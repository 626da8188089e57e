"""Oswestry Disability Index v2.1a scoring (Fairbank & Pynsent 2000).

Worked examples from the ODI scoring instructions: 16 points with all ten sections answered is
32 %; with one section missed, 16 of 45 is printed as "35.5 %" (a truncation of 35.56): the
spinepath's half-up rule to one decimal gives 35.6.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.instruments.odi import BANDS, INSTRUMENT, MAX_UNANSWERED, round_half_up
from spinepath.clinical.instruments.registry import get_instrument
from spinepath.clinical.sources import get_source

SIXTEEN_POINTS = [3, 2, 2, 2, 2, 1, 1, 1, 1, 1]


def odi(sections: list[int | None]) -> dict[str, Any]:
    return INSTRUMENT.run({"sections": sections})


def with_points(total: int, answered: int = 10) -> list[int | None]:
    """Sections summing to ``total`` over the first ``answered`` sections, the rest null."""
    sections: list[int | None] = []
    for _ in range(answered):
        points = min(5, total)
        sections.append(points)
        total -= points
    assert total == 0
    return sections + [None] * (10 - answered)


def error_fields(raw: Any) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        INSTRUMENT.run(raw)
    return [error.field for error in caught.value.errors]


def test_worked_example_16_points_all_answered_is_32_percent() -> None:
    result = odi(SIXTEEN_POINTS)
    assert result["score_percent"] == 32.0
    assert result["answered"] == 10
    assert result["points"] == 16
    assert result["band"] == "moderate"
    assert result["scorable"] is True
    assert result["unanswered_sections"] == []


def test_worked_example_16_points_one_section_missed_is_35_6_percent() -> None:
    sections: list[int | None] = [3, 2, 2, 2, 2, 1, 1, None, 2, 1]
    result = odi(sections)
    assert result["score_percent"] == 35.6  # the form prints 35.5 (truncated 35.555…)
    assert result["answered"] == 9
    assert result["unanswered_sections"] == [8]
    assert result["band"] == "moderate"


def test_no_disability_and_maximum_disability() -> None:
    assert (odi([0] * 10)["score_percent"], odi([0] * 10)["band"]) == (0.0, "minimal")
    assert (odi([5] * 10)["score_percent"], odi([5] * 10)["band"]) == (100.0, "bed-bound")


@pytest.mark.parametrize(
    ("points", "answered", "percent", "band"),
    [
        (10, 10, 20.0, "minimal"),
        (11, 10, 22.0, "moderate"),
        (20, 10, 40.0, "moderate"),
        (21, 10, 42.0, "severe"),
        (30, 10, 60.0, "severe"),
        (31, 10, 62.0, "crippled"),
        (40, 10, 80.0, "crippled"),
        (41, 10, 82.0, "bed-bound"),
        (9, 9, 20.0, "minimal"),
        (10, 9, 22.2, "moderate"),
        (18, 9, 40.0, "moderate"),
        (19, 9, 42.2, "severe"),
        (36, 9, 80.0, "crippled"),
        (37, 9, 82.2, "bed-bound"),
    ],
)
def test_band_boundaries_on_both_sides(
    points: int, answered: int, percent: float, band: str
) -> None:
    result = odi(with_points(points, answered))
    assert (result["score_percent"], result["band"]) == (percent, band)


def test_bands_are_the_published_five() -> None:
    assert [(b.name, b.upper_percent) for b in BANDS] == [
        ("minimal", 20),
        ("moderate", 40),
        ("severe", 60),
        ("crippled", 80),
        ("bed-bound", None),
    ]


def test_rounding_is_half_up_in_decimal_not_float() -> None:
    assert round(35.55, 1) == 35.5  # binary float rounds this half down
    assert round_half_up(Fraction(3555, 100)) == Decimal("35.6")
    assert round_half_up(Fraction(5, 100)) == Decimal("0.1")
    assert round_half_up(Fraction(2, 3) * 100) == Decimal("66.7")
    assert round_half_up(Fraction(1, 3) * 100) == Decimal("33.3")


def test_two_unanswered_sections_are_not_scorable() -> None:
    assert MAX_UNANSWERED == 1
    result = odi([3, None, 2, 2, 2, 1, 1, None, 2, 1])
    assert result["scorable"] is False
    assert result["score_percent"] is None
    assert result["band"] is None
    assert result["answered"] == 8
    assert result["unanswered_sections"] == [2, 8]
    assert "2 sections unanswered" in result["reason"]


def test_an_empty_questionnaire_is_not_scorable() -> None:
    result = odi([None] * 10)
    assert (result["scorable"], result["answered"], result["points"]) == (False, 0, 0)


def test_result_carries_edition_sources_and_the_mcid() -> None:
    result = odi(SIXTEEN_POINTS)
    assert result["instrument"] == "odi"
    assert result["edition"] == "ODI v2.1a scoring (Fairbank & Pynsent 2000)"
    for source_id in result["sources"]:
        assert get_source(source_id).id == source_id
    assert "ostelo-2008" in result["sources"]
    assert result["mcid_change_points"] == 10
    assert get_instrument("odi") is INSTRUMENT


def test_ships_scoring_without_the_questionnaire_wording() -> None:
    shipped = json.dumps(INSTRUMENT.input_schema()) + INSTRUMENT.formula + INSTRUMENT.note
    assert "pain intensity" in shipped  # section names only
    for statement in ("I have no pain at the moment", "I can look after myself normally"):
        assert statement.lower() not in shipped.lower()


@pytest.mark.parametrize("length", [0, 9, 11])
def test_sections_must_be_exactly_ten(length: int) -> None:
    assert error_fields({"sections": [1] * length}) == ["sections"]


@pytest.mark.parametrize("value", [-1, 6, 2.5, "3", True])
def test_a_bad_section_value_is_named_by_position(value: Any) -> None:
    sections: list[Any] = [1] * 10
    sections[3] = value
    assert error_fields({"sections": sections}) == ["sections.3"]


def test_missing_wrong_type_and_unknown_fields_are_named() -> None:
    assert error_fields({}) == ["sections"]
    assert error_fields({"sections": "1,2,3"}) == ["sections"]
    assert sorted(error_fields({"sections": [1] * 10, "version": "2.1a"})) == ["version"]
    sections: list[Any] = [1, 9, 1, 1, 1, "x", 1, 1, 1, 1]
    assert error_fields({"sections": sections}) == ["sections.1", "sections.5"]


sections_strategy = st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=10, max_size=10)


@given(sections_strategy)
def test_score_is_in_range_scorable_iff_at_most_one_missing(sections: list[int | None]) -> None:
    result = odi(sections)
    answered = [points for points in sections if points is not None]
    assert result["answered"] == len(answered)
    assert result["scorable"] == (len(answered) >= 9)
    if result["scorable"]:
        exact = Decimal(sum(answered) * 100) / Decimal(5 * len(answered))
        expected = exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        assert result["score_percent"] == float(expected)
        assert 0.0 <= result["score_percent"] <= 100.0
        assert result["band"] in {band.name for band in BANDS}
    else:
        assert result["score_percent"] is None


@given(
    st.lists(st.integers(0, 5), min_size=10, max_size=10),
    st.one_of(st.none(), st.integers(0, 9)),
    st.integers(0, 9),
)
def test_more_points_in_a_section_never_lowers_the_score(
    points: list[int], missing: int | None, index: int
) -> None:
    sections: list[int | None] = list(points)
    if missing is not None:
        sections[missing] = None
    if sections[index] is None:
        return
    worse = list(sections)
    worse[index] = 5
    assert odi(worse)["score_percent"] >= odi(sections)["score_percent"]
