"""AO Spine–DGOU OF score, pocket-card version: item weights, health penalties, bands.

Expected points are typed from the pocket card's "modified score for therapeutic decision
making in OF" (see docs/clinical-sources/fracture-grading.md), not read from the module.
No published worked example of a single patient's score was found.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.instruments.of_score import INSTRUMENT, ITEMS, RECOMMENDATIONS
from spinepath.clinical.instruments.registry import get_instrument
from spinepath.clinical.sources import get_source

BOOLEAN_ITEMS = (
    "t_score_below_minus_3",
    "deformity_progression",
    "pain_vas_5_or_more",
    "neurological_deficit",
    "mobilisation_possible",
)

# Pocket card: T-score < −3 +1; progression yes +1 / no −1; pain VAS ≥ 5 +1 / < 5 −1;
# neurological symptoms +2 (no value for "no": 0); mobilisation impossible +1 / possible −1.
PUBLISHED_ITEM_POINTS: dict[str, dict[bool, int]] = {
    "t_score_below_minus_3": {True: 1, False: 0},
    "deformity_progression": {True: 1, False: -1},
    "pain_vas_5_or_more": {True: 1, False: -1},
    "neurological_deficit": {True: 2, False: 0},
    "mobilisation_possible": {True: -1, False: 1},
}

ALL_UNKNOWN: dict[str, Any] = {"of_type": 1, **dict.fromkeys(BOOLEAN_ITEMS), "health_penalties": []}


def score(**changes: Any) -> dict[str, Any]:
    return INSTRUMENT.run(ALL_UNKNOWN | changes)


def errors_of(raw: Any) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        INSTRUMENT.run(raw)
    return {error.field: error.message for error in caught.value.errors}


@pytest.mark.parametrize("of_type", [1, 2, 3, 4, 5])
def test_morphology_is_twice_the_of_type(of_type: int) -> None:
    result = score(of_type=of_type)
    assert result["components"]["of_type"] == 2 * of_type
    assert result["total"] == 2 * of_type


@pytest.mark.parametrize(
    ("item", "answer", "points"),
    [
        (item, answer, points)
        for item, answers in PUBLISHED_ITEM_POINTS.items()
        for answer, points in answers.items()
    ],
)
def test_every_item_answer(item: str, answer: bool, points: int) -> None:
    result = score(**{item: answer})
    assert result["components"][item] == points
    assert result["total"] == 2 + points
    assert item not in result["unknown_items"]


def test_mobilisation_possible_true_subtracts_and_false_adds() -> None:
    assert score(mobilisation_possible=True)["components"]["mobilisation_possible"] == -1
    assert score(mobilisation_possible=False)["components"]["mobilisation_possible"] == 1


@pytest.mark.parametrize(
    ("penalties", "points"),
    [
        ([], 0),
        (["asa_over_3"], -1),
        (["frailty_over_2"], -1),
        (["anticoagulation"], -1),
        (["asa_over_3", "anticoagulation"], -2),
        (["asa_over_3", "frailty_over_2", "anticoagulation"], -2),  # at most −2
    ],
)
def test_health_penalties_count_minus_one_each_at_most_minus_two(
    penalties: list[str], points: int
) -> None:
    result = score(health_penalties=penalties)
    assert result["components"]["health_penalties"] == points
    assert "health_penalties" not in result["unknown_items"]


def test_unknown_items_score_zero_and_are_listed_in_input_order() -> None:
    result = score(health_penalties=None)
    assert result["unknown_items"] == [*BOOLEAN_ITEMS, "health_penalties"]
    assert all(result["components"][item] == 0 for item in result["unknown_items"])
    assert result["total"] == 2


def test_answered_items_are_not_listed_as_unknown() -> None:
    result = score(deformity_progression=False, neurological_deficit=True)
    assert result["unknown_items"] == [
        "t_score_below_minus_3",
        "pain_vas_5_or_more",
        "mobilisation_possible",
    ]


@pytest.mark.parametrize(
    ("changes", "total", "recommendation"),
    [
        ({"of_type": 2, "t_score_below_minus_3": True}, 5, "conservative"),
        ({"of_type": 3}, 6, "either"),
        ({"of_type": 3, "t_score_below_minus_3": True}, 7, "surgical"),
        ({"of_type": 4, "mobilisation_possible": True, "pain_vas_5_or_more": False}, 6, "either"),
        ({"of_type": 4, "mobilisation_possible": False}, 9, "surgical"),
    ],
)
def test_recommendation_boundaries(
    changes: dict[str, Any], total: int, recommendation: str
) -> None:
    result = score(**changes)
    assert result["total"] == total
    assert result["recommendation"] == recommendation


def test_lowest_possible_total_is_minus_3_and_conservative() -> None:
    result = INSTRUMENT.run(
        {
            "of_type": 1,
            "t_score_below_minus_3": False,
            "deformity_progression": False,
            "pain_vas_5_or_more": False,
            "neurological_deficit": False,
            "mobilisation_possible": True,
            "health_penalties": ["asa_over_3", "frailty_over_2", "anticoagulation"],
        }
    )
    assert result["total"] == -3
    assert result["recommendation"] == "conservative"
    assert result["unknown_items"] == []


def test_highest_possible_total_is_16_and_surgical() -> None:
    result = INSTRUMENT.run(
        {
            "of_type": 5,
            "t_score_below_minus_3": True,
            "deformity_progression": True,
            "pain_vas_5_or_more": True,
            "neurological_deficit": True,
            "mobilisation_possible": False,
            "health_penalties": [],
        }
    )
    assert result["total"] == 16
    assert result["recommendation"] == "surgical"


def test_result_says_plainly_that_the_score_is_not_validated() -> None:
    result = score()
    assert result["validated"] is False
    assert "not yet validated" in result["note"].lower()
    assert "not yet validated" in INSTRUMENT.note.lower()
    assert "not validated" in INSTRUMENT.edition


def test_result_fields_and_sources() -> None:
    result = score()
    assert set(result) == {
        "instrument",
        "edition",
        "sources",
        "total",
        "components",
        "recommendation",
        "unknown_items",
        "validated",
        "note",
    }
    assert result["instrument"] == "of_score"
    for source_id in result["sources"]:
        assert get_source(source_id).id == source_id
    for row in (*ITEMS, *RECOMMENDATIONS):
        assert get_source(row.source).id == row.source


def test_candidacy_reads_total_and_recommendation_through_the_registry() -> None:
    result = get_instrument("of_score").run(ALL_UNKNOWN | {"of_type": 3})
    assert (result["total"], result["recommendation"]) == (6, "either")


@pytest.mark.parametrize("bad", [0, 6, -1, "3", 3.0, True, None])
def test_of_type_out_of_range_or_wrong_type_is_named(bad: Any) -> None:
    assert list(errors_of(ALL_UNKNOWN | {"of_type": bad})) == ["of_type"]


@pytest.mark.parametrize("bad", [1, 0, "yes", "true", []])
@pytest.mark.parametrize("item", BOOLEAN_ITEMS)
def test_items_must_be_true_false_or_null(item: str, bad: Any) -> None:
    assert list(errors_of(ALL_UNKNOWN | {item: bad})) == [item]


def test_every_missing_field_is_named_null_must_be_given_explicitly() -> None:
    assert set(errors_of({})) == {"of_type", *BOOLEAN_ITEMS, "health_penalties"}


def test_duplicate_health_penalties_are_an_error() -> None:
    errors = errors_of(ALL_UNKNOWN | {"health_penalties": ["anticoagulation", "anticoagulation"]})
    assert list(errors) == ["health_penalties"]
    assert "anticoagulation" in errors["health_penalties"]


@pytest.mark.parametrize("bad", [["asa_over_4"], "asa_over_3", [1], {"asa_over_3": True}])
def test_unknown_or_malformed_health_penalties_are_named(bad: Any) -> None:
    assert all(
        field.startswith("health_penalties")
        for field in errors_of(ALL_UNKNOWN | {"health_penalties": bad})
    )


def test_unknown_fields_are_named() -> None:
    assert list(errors_of(ALL_UNKNOWN | {"age": 80})) == ["age"]


def test_formula_shows_weights_and_bands() -> None:
    for text in (
        "2 × OF type",
        "yes +1, no −1",
        "yes +2, no 0",
        "yes −1, no +1",
        "at most −2",
        "5 or less: conservative",
        "6: conservative therapy or surgery",
        "7 or more: surgery",
    ):
        assert text in INSTRUMENT.formula


answers = st.none() | st.booleans()


@given(
    of_type=st.integers(min_value=1, max_value=5),
    items=st.fixed_dictionaries({item: answers for item in BOOLEAN_ITEMS}),
    penalties=st.none()
    | st.lists(st.sampled_from(["asa_over_3", "frailty_over_2", "anticoagulation"]), unique=True),
)
def test_total_is_the_sum_in_range_and_banded(
    of_type: int, items: dict[str, bool | None], penalties: list[str] | None
) -> None:
    result = INSTRUMENT.run({"of_type": of_type, **items, "health_penalties": penalties})
    expected = 2 * of_type
    expected += sum(
        PUBLISHED_ITEM_POINTS[item][answer] for item, answer in items.items() if answer is not None
    )
    expected += max(-2, -len(penalties)) if penalties is not None else 0
    assert result["total"] == expected == sum(result["components"].values())
    assert -3 <= result["total"] <= 16
    band = "conservative" if expected <= 5 else "either" if expected == 6 else "surgical"
    assert result["recommendation"] == band
    unknown = [item for item in BOOLEAN_ITEMS if items[item] is None]
    assert result["unknown_items"] == unknown + (["health_penalties"] if penalties is None else [])
    assert result["validated"] is False
