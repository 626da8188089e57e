"""Modified PADSS (Marshall & Chung 1999): five items of 0-2 points, home-ready at ≥ 9.

No published worked example with item points and a total was found; the tests check the sum,
the threshold on both sides and the item descriptions shown to the clinician.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.instruments.padss import HOME_READY_FROM_TOTAL, INSTRUMENT, ITEMS
from spinepath.clinical.instruments.registry import get_instrument
from spinepath.clinical.sources import get_source

FIELDS = ["vital_signs", "ambulation", "nausea_vomiting", "pain", "surgical_bleeding"]
BEST = dict.fromkeys(FIELDS, 2)


def error_fields(raw: Any) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        INSTRUMENT.run(raw)
    return [error.field for error in caught.value.errors]


def test_items_are_the_published_five_in_order() -> None:
    assert [item.field for item in ITEMS] == FIELDS
    assert HOME_READY_FROM_TOTAL == 9


def test_all_items_at_2_total_10_home_ready() -> None:
    result = INSTRUMENT.run(BEST)
    assert result["total"] == 10
    assert result["home_ready"] is True
    assert result["components"] == BEST


def test_all_items_at_0_total_0_not_home_ready() -> None:
    result = INSTRUMENT.run(dict.fromkeys(FIELDS, 0))
    assert (result["total"], result["home_ready"]) == (0, False)


@pytest.mark.parametrize("lowered", FIELDS)
def test_total_9_is_home_ready(lowered: str) -> None:
    result = INSTRUMENT.run({**BEST, lowered: 1})
    assert (result["total"], result["home_ready"]) == (9, True)


@pytest.mark.parametrize("lowered", FIELDS)
def test_total_8_is_not_home_ready(lowered: str) -> None:
    for raw in ({**BEST, lowered: 0}, {**BEST, lowered: 1, FIELDS[FIELDS.index(lowered) - 1]: 1}):
        result = INSTRUMENT.run(raw)
        assert (result["total"], result["home_ready"]) == (8, False)


def test_result_carries_instrument_edition_and_resolvable_sources() -> None:
    result = INSTRUMENT.run(BEST)
    assert result["instrument"] == "padss"
    assert result["edition"] == INSTRUMENT.edition
    assert result["sources"] == list(INSTRUMENT.source_ids)
    for source_id in [*result["sources"], *(item.source_id for item in ITEMS)]:
        assert get_source(source_id).id == source_id
    assert get_instrument("padss") is INSTRUMENT


def test_each_item_says_what_2_1_and_0_points_mean_in_schema_and_formula() -> None:
    properties = INSTRUMENT.input_schema()["properties"]
    for item in ITEMS:
        description = properties[item.field]["description"]
        for points, meaning in zip((2, 1, 0), item.levels, strict=True):
            assert f"{points} = {meaning}" in description
        assert description in INSTRUMENT.formula
    assert "9 or more" in INSTRUMENT.formula


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("value", [-1, 3, 1.5, "2", True, None])
def test_out_of_range_and_wrong_type_points_are_named(field: str, value: Any) -> None:
    assert error_fields({**BEST, field: value}) == [field]


@pytest.mark.parametrize("field", FIELDS)
def test_each_missing_item_is_named(field: str) -> None:
    assert error_fields({key: 2 for key in FIELDS if key != field}) == [field]


def test_every_bad_item_is_named_at_once_and_unknown_fields_refused() -> None:
    raw = {**BEST, FIELDS[0]: 5, FIELDS[1]: "x", "colour": 2}
    assert sorted(error_fields(raw)) == sorted([FIELDS[0], FIELDS[1], "colour"])
    assert error_fields("10") == ["(input)"]


@given(st.fixed_dictionaries({field: st.integers(0, 2) for field in FIELDS}))
def test_total_is_the_item_sum_in_0_to_10(raw: dict[str, int]) -> None:
    result = INSTRUMENT.run(raw)
    assert result["total"] == sum(raw.values())
    assert 0 <= result["total"] <= 10
    assert result["home_ready"] == (result["total"] >= 9)


def test_home_readiness_names_the_responsible_adult_escort() -> None:
    assert "responsible adult" in INSTRUMENT.formula
    assert "responsible adult" in INSTRUMENT.note


def test_pain_item_uses_the_nrs_bands_and_names_the_yes_no_variant() -> None:
    pain = next(item for item in ITEMS if item.field == "pain")
    assert [level.split("(")[-1] for level in pain.levels] == ["NRS 0-3)", "NRS 4-6)", "NRS 7-10)"]
    assert "acceptable to the patient (2) or not (1)" in INSTRUMENT.formula
