"""Modified Aldrete (Aldrete 1995) and modified PADSS (Marshall & Chung 1999): five items of 0-2
points each, ready (phase I discharge / home) at a total of 9 or more.

No published worked example with item points and a total was found for either; the tests check
the sum, the threshold on both sides and the item descriptions shown to the clinician.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.instruments import aldrete, padss
from spinepath.clinical.instruments.registry import get_instrument
from spinepath.clinical.sources import get_source


@dataclass(frozen=True)
class Score:
    name: str
    module: ModuleType
    fields: tuple[str, ...]
    ready_key: str
    threshold: int

    @property
    def best(self) -> dict[str, int]:
        return dict.fromkeys(self.fields, 2)

    def run(self, raw: Any) -> dict[str, Any]:
        return dict(self.module.INSTRUMENT.run(raw))

    def error_fields(self, raw: Any) -> list[str]:
        with pytest.raises(InvalidInput) as caught:
            self.run(raw)
        return [error.field for error in caught.value.errors]


ALDRETE = Score(
    "aldrete",
    aldrete,
    ("activity", "respiration", "circulation", "consciousness", "oxygen_saturation"),
    "discharge_ready",
    aldrete.DISCHARGE_FROM_TOTAL,
)
PADSS = Score(
    "padss",
    padss,
    ("vital_signs", "ambulation", "nausea_vomiting", "pain", "surgical_bleeding"),
    "home_ready",
    padss.HOME_READY_FROM_TOTAL,
)
SCORES = [pytest.param(ALDRETE, id="aldrete"), pytest.param(PADSS, id="padss")]
ITEM_CASES = [
    pytest.param(score, field, id=f"{score.name}-{field}")
    for score in (ALDRETE, PADSS)
    for field in score.fields
]


@pytest.mark.parametrize("score", SCORES)
def test_items_are_the_published_five_in_order(score: Score) -> None:
    assert [item.field for item in score.module.ITEMS] == list(score.fields)
    assert score.threshold == 9


@pytest.mark.parametrize("score", SCORES)
def test_all_items_at_2_total_10_ready(score: Score) -> None:
    result = score.run(score.best)
    assert result["total"] == 10
    assert result[score.ready_key] is True
    assert result["components"] == score.best


@pytest.mark.parametrize("score", SCORES)
def test_all_items_at_0_total_0_not_ready(score: Score) -> None:
    result = score.run(dict.fromkeys(score.fields, 0))
    assert (result["total"], result[score.ready_key]) == (0, False)


@pytest.mark.parametrize(("score", "lowered"), ITEM_CASES)
def test_total_9_is_ready(score: Score, lowered: str) -> None:
    result = score.run({**score.best, lowered: 1})
    assert (result["total"], result[score.ready_key]) == (9, True)


@pytest.mark.parametrize(("score", "lowered"), ITEM_CASES)
def test_total_8_is_not_ready(score: Score, lowered: str) -> None:
    previous = score.fields[score.fields.index(lowered) - 1]
    for raw in ({**score.best, lowered: 0}, {**score.best, lowered: 1, previous: 1}):
        result = score.run(raw)
        assert (result["total"], result[score.ready_key]) == (8, False)


@pytest.mark.parametrize("score", SCORES)
def test_result_carries_instrument_edition_and_resolvable_sources(score: Score) -> None:
    instrument = score.module.INSTRUMENT
    result = score.run(score.best)
    assert result["instrument"] == score.name
    assert result["edition"] == instrument.edition
    assert result["sources"] == list(instrument.source_ids)
    for source_id in [*result["sources"], *(item.source_id for item in score.module.ITEMS)]:
        assert get_source(source_id).id == source_id
    assert get_instrument(score.name) is instrument


@pytest.mark.parametrize("score", SCORES)
def test_each_item_says_what_2_1_and_0_points_mean_in_schema_and_formula(score: Score) -> None:
    instrument = score.module.INSTRUMENT
    properties = instrument.input_schema()["properties"]
    for item in score.module.ITEMS:
        description = properties[item.field]["description"]
        for points, meaning in zip((2, 1, 0), item.levels, strict=True):
            assert f"{points} = {meaning}" in description
        assert description in instrument.formula
    assert "9 or more" in instrument.formula


@pytest.mark.parametrize(("score", "field"), ITEM_CASES)
@pytest.mark.parametrize("value", [-1, 3, 1.5, "2", True, None])
def test_out_of_range_and_wrong_type_points_are_named(score: Score, field: str, value: Any) -> None:
    assert score.error_fields({**score.best, field: value}) == [field]


@pytest.mark.parametrize(("score", "field"), ITEM_CASES)
def test_each_missing_item_is_named(score: Score, field: str) -> None:
    assert score.error_fields({key: 2 for key in score.fields if key != field}) == [field]


@pytest.mark.parametrize("score", SCORES)
def test_every_bad_item_is_named_at_once_and_unknown_fields_refused(score: Score) -> None:
    first, second = score.fields[0], score.fields[1]
    raw = {**score.best, first: 5, second: "x", "colour": 2}
    assert sorted(score.error_fields(raw)) == sorted([first, second, "colour"])
    assert score.error_fields("10") == ["(input)"]


@pytest.mark.parametrize("score", SCORES)
@given(data=st.data())
def test_total_is_the_item_sum_in_0_to_10(score: Score, data: st.DataObject) -> None:
    raw = data.draw(st.fixed_dictionaries({field: st.integers(0, 2) for field in score.fields}))
    result = score.run(raw)
    assert result["total"] == sum(raw.values())
    assert 0 <= result["total"] <= 10
    assert result[score.ready_key] == (result["total"] >= 9)
