"""Roland-Morris Disability Questionnaire (RMDQ-24): one point per statement ticked, 0-24."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.instruments.registry import get_instrument
from spinepath.clinical.instruments.rmdq import INSTRUMENT, ITEMS
from spinepath.clinical.sources import get_source


def error_fields(raw: Any) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        INSTRUMENT.run(raw)
    return [error.field for error in caught.value.errors]


def test_nothing_ticked_scores_0_and_everything_ticked_scores_24() -> None:
    assert ITEMS == 24
    assert INSTRUMENT.run({"items": [False] * 24})["score"] == 0
    assert INSTRUMENT.run({"items": [True] * 24})["score"] == 24


@pytest.mark.parametrize("ticked", [1, 5, 17, 18, 23])
def test_score_counts_the_ticked_statements_wherever_they_are(ticked: int) -> None:
    at_start = [True] * ticked + [False] * (24 - ticked)
    at_end = list(reversed(at_start))
    assert INSTRUMENT.run({"items": at_start})["score"] == ticked
    assert INSTRUMENT.run({"items": at_end})["score"] == ticked


def test_result_carries_edition_sources_and_the_mcid() -> None:
    result = INSTRUMENT.run({"items": [False] * 24})
    assert result["instrument"] == "rmdq"
    assert result["edition"] == "RMDQ-24 (Roland & Morris 1983)"
    assert result["max_score"] == 24
    assert result["mcid_change_points"] == 5
    for source_id in result["sources"]:
        assert get_source(source_id).id == source_id
    assert get_instrument("rmdq") is INSTRUMENT


@pytest.mark.parametrize("length", [0, 23, 25])
def test_exactly_24_items_or_a_named_error(length: int) -> None:
    assert error_fields({"items": [False] * length}) == ["items"]


@pytest.mark.parametrize("value", [1, 0, "yes", "true", None])
def test_a_non_boolean_answer_is_named_by_position(value: Any) -> None:
    items: list[Any] = [False] * 24
    items[7] = value
    assert error_fields({"items": items}) == ["items.7"]


def test_missing_wrong_type_and_unknown_fields_are_named() -> None:
    assert error_fields({}) == ["items"]
    assert error_fields({"items": 12}) == ["items"]
    assert error_fields({"items": [False] * 24, "score": 3}) == ["score"]


@given(st.lists(st.booleans(), min_size=24, max_size=24))
def test_score_is_the_number_ticked_within_0_to_24(items: list[bool]) -> None:
    score = INSTRUMENT.run({"items": items})["score"]
    assert score == items.count(True)
    assert 0 <= score <= 24
