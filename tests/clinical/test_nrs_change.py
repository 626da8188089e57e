"""Change in 0-10 pain score with responder status (≥ 2 points or ≥ 30 %, Farrar 2001)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.instruments.nrs_change import (
    INSTRUMENT,
    RESPONDER_PERCENT,
    RESPONDER_POINTS,
)
from spinepath.clinical.instruments.registry import get_instrument
from spinepath.clinical.sources import get_source


def nrs(baseline: int, follow_up: int) -> dict[str, Any]:
    return INSTRUMENT.run({"baseline": baseline, "follow_up": follow_up})


def error_fields(raw: Any) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        INSTRUMENT.run(raw)
    return [error.field for error in caught.value.errors]


@pytest.mark.parametrize(
    ("baseline", "follow_up", "change", "percent", "by_points", "by_percent"),
    [
        (8, 5, 3, 37.5, True, True),  # formula examples
        (3, 2, 1, 33.3, False, True),
        (7, 6, 1, 14.3, False, False),
        (10, 8, 2, 20.0, True, False),  # 2 points exactly
        (10, 9, 1, 10.0, False, False),
        (10, 7, 3, 30.0, True, True),  # 30 % exactly
        (4, 3, 1, 25.0, False, False),
        (6, 5, 1, 16.7, False, False),
        (5, 5, 0, 0.0, False, False),
        (2, 5, -3, -150.0, False, False),  # worse
        (1, 0, 1, 100.0, False, True),
    ],
)
def test_change_percent_and_responder(
    baseline: int,
    follow_up: int,
    change: int,
    percent: float,
    by_points: bool,
    by_percent: bool,
) -> None:
    result = nrs(baseline, follow_up)
    assert result["change"] == change
    assert result["percent_change"] == percent
    assert result["meets_points_threshold"] is by_points
    assert result["meets_percent_threshold"] is by_percent
    assert result["responder"] is (by_points or by_percent)


def test_baseline_0_has_no_percent_change_and_cannot_respond() -> None:
    for follow_up in (0, 4, 10):
        result = nrs(0, follow_up)
        assert result["percent_change"] is None
        assert result["change"] == -follow_up
        assert result["responder"] is False
        assert result["meets_percent_threshold"] is False


def test_result_includes_the_thresholds_edition_and_sources() -> None:
    result = nrs(6, 3)
    assert result["thresholds"]["points"] == RESPONDER_POINTS == 2
    assert result["thresholds"]["percent"] == RESPONDER_PERCENT == 30
    assert result["instrument"] == "nrs_change"
    assert result["sources"] == ["farrar-2001", "ostelo-2008"]
    for source_id in result["sources"]:
        assert get_source(source_id).confidence == "P"
    assert get_instrument("nrs_change") is INSTRUMENT


@pytest.mark.parametrize(
    ("raw", "fields"),
    [
        ({"baseline": 11, "follow_up": 3}, ["baseline"]),
        ({"baseline": 5, "follow_up": -1}, ["follow_up"]),
        ({"baseline": "5", "follow_up": 3}, ["baseline"]),
        ({"baseline": 5.0, "follow_up": 3}, ["baseline"]),
        ({"baseline": 5, "follow_up": True}, ["follow_up"]),
        ({"baseline": 5, "follow_up": None}, ["follow_up"]),
        ({"baseline": 5}, ["follow_up"]),
        ({}, ["baseline", "follow_up"]),
        ({"baseline": 5, "follow_up": 3, "scale": "vas"}, ["scale"]),
        ({"baseline": 12, "follow_up": "x"}, ["baseline", "follow_up"]),
    ],
)
def test_bad_input_names_every_field(raw: dict[str, Any], fields: list[str]) -> None:
    assert error_fields(raw) == fields


@given(st.integers(0, 10), st.integers(0, 10))
def test_responder_iff_two_points_or_thirty_percent(baseline: int, follow_up: int) -> None:
    result = nrs(baseline, follow_up)
    change = baseline - follow_up
    assert result["change"] == change
    assert -10 <= change <= 10
    by_percent = baseline > 0 and Fraction(change * 100, baseline) >= 30
    assert result["responder"] == (change >= 2 or by_percent)
    assert (result["percent_change"] is None) == (baseline == 0)
    if baseline:
        assert -900.0 <= result["percent_change"] <= 100.0
