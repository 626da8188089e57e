"""Six-point morphometry: heights, ratios, wedge angle, height loss, Genant grade and shape.

Expected numbers are worked by hand from the definitions (Genant 1993 grades as the project
specifies them: 0 < 20 %, 1 from 20 to < 25 %, 2 from 25 to 40 % inclusive, 3 > 40 %).
No published worked example with six measured points and its grade was found (see
docs/clinical-sources/fracture-grading.md).
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.instruments.morphometry import GENANT_GRADES, INSTRUMENT, SHAPE_RULES
from spinepath.clinical.instruments.registry import get_instrument
from spinepath.clinical.sources import get_source

HEIGHT_KEYS = {
    "anterior_mm",
    "middle_mm",
    "posterior_mm",
    "anterior_posterior_ratio",
    "middle_posterior_ratio",
    "expected_height_mm",
    "height_loss_percent",
    "genant_grade",
    "shape",
}


def by_heights(
    anterior: float, middle: float, posterior: float, reference: float | None = None
) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "heights_mm": {"anterior": anterior, "middle": middle, "posterior": posterior}
    }
    if reference is not None:
        raw["reference_height_mm"] = reference
    return INSTRUMENT.run(raw)


def box_points(
    anterior: float, middle: float, posterior: float, depth: float = 30.0
) -> dict[str, list[float]]:
    """A vertebra on a flat inferior endplate (y = 0), anterior at x = 0, posterior at depth."""
    return {
        "anterior_superior": [0.0, anterior],
        "anterior_inferior": [0.0, 0.0],
        "middle_superior": [depth / 2, middle],
        "middle_inferior": [depth / 2, 0.0],
        "posterior_superior": [depth, posterior],
        "posterior_inferior": [depth, 0.0],
    }


def errors_of(raw: Any) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        INSTRUMENT.run(raw)
    return {error.field: error.message for error in caught.value.errors}


# --- results -------------------------------------------------------------------------------


def test_result_carries_instrument_edition_resolvable_sources_and_exactly_the_issue_fields() -> (
    None
):
    result = by_heights(18, 24, 25)
    assert result["instrument"] == "morphometry"
    assert result["edition"] == INSTRUMENT.edition
    assert result["sources"]
    for source_id in result["sources"]:
        assert get_source(source_id).id == source_id
    assert set(result) == {"instrument", "edition", "sources"} | HEIGHT_KEYS


def test_every_grade_and_shape_rule_names_a_registered_source() -> None:
    for row in (*GENANT_GRADES, *SHAPE_RULES):
        assert get_source(row.source).id == row.source


def test_registry_serves_morphometry() -> None:
    assert get_instrument("morphometry") is INSTRUMENT


def test_anterior_wedge_hand_worked() -> None:
    # Ha 18, Hm 24, Hp 25: expected 25, loss (25 − 18) / 25 = 28 % → grade 2, wedge.
    result = by_heights(18, 24, 25)
    assert result["anterior_mm"] == 18.0
    assert result["middle_mm"] == 24.0
    assert result["posterior_mm"] == 25.0
    assert result["anterior_posterior_ratio"] == 0.72
    assert result["middle_posterior_ratio"] == 0.96
    assert result["expected_height_mm"] == 25.0
    assert result["height_loss_percent"] == 28.0
    assert result["genant_grade"] == 2
    assert result["shape"] == "wedge"
    assert "wedge_angle_deg" not in result


def test_reference_height_raises_the_expected_height() -> None:
    # An evenly flattened body (25, 25, 25) against a normal neighbour of 40 mm: 37.5 % → 2.
    result = by_heights(25, 25, 25, reference=40)
    assert result["expected_height_mm"] == 40.0
    assert result["height_loss_percent"] == 37.5
    assert result["genant_grade"] == 2
    assert result["shape"] == "crush"


def test_reference_smaller_than_the_body_changes_nothing() -> None:
    assert by_heights(18, 24, 25, reference=20) == by_heights(18, 24, 25)


def test_ratios_are_against_the_posterior_height() -> None:
    result = by_heights(20, 15, 30)
    assert result["anterior_posterior_ratio"] == 0.667
    assert result["middle_posterior_ratio"] == 0.5


# --- Genant grade boundaries, both sides ---------------------------------------------------


@pytest.mark.parametrize(
    ("anterior", "loss", "grade"),
    [
        (100.0, 0.0, 0),
        (80.01, 19.99, 0),
        (80.0, 20.0, 1),
        (75.01, 24.99, 1),
        (75.0, 25.0, 2),
        (60.0, 40.0, 2),
        (59.99, 40.01, 3),
        (0.01, 99.99, 3),
    ],
)
def test_genant_grade_boundaries(anterior: float, loss: float, grade: int) -> None:
    result = by_heights(anterior, 100.0, 100.0)
    assert result["height_loss_percent"] == round(loss, 1)
    assert result["genant_grade"] == grade


@pytest.mark.parametrize(
    ("reference", "grade"),
    [(62.49, 0), (62.5, 1), (66.66, 1), (66.67, 2), (83.33, 2), (83.34, 3)],
)
def test_boundaries_against_a_reference_vertebra(reference: float, grade: int) -> None:
    # A 50 mm body: 20 % at 62.5 mm, 25 % at 66.67, 40 % at 83.33 (reference heights).
    assert by_heights(50, 50, 50, reference=reference)["genant_grade"] == grade


def test_grade_comes_from_the_unrounded_loss() -> None:
    # 19.99 % is shown as 20.0 % but is still below 20 %: grade 0, no shape.
    result = by_heights(80.01, 100, 100)
    assert result["height_loss_percent"] == 20.0
    assert result["genant_grade"] == 0
    assert result["shape"] == "none"
    # 40.04 % is shown as 40.0 % but is above 40 %: grade 3.
    severe = by_heights(59.96, 100, 100)
    assert severe["height_loss_percent"] == 40.0
    assert severe["genant_grade"] == 3


def test_a_boundary_typed_in_decimals_lands_exactly() -> None:
    # 25.5 and 15.3 give exactly 40 % in decimal; binary floats would not.
    result = by_heights(15.3, 25.5, 25.5)
    assert result["height_loss_percent"] == 40.0
    assert result["genant_grade"] == 2


# --- shape and its tie rules ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("heights", "reference", "shape"),
    [
        ((15, 20, 20), None, "wedge"),
        ((20, 15, 20), None, "biconcave"),
        ((20, 20, 15), None, "crush"),
        ((15, 15, 20), None, "biconcave"),  # anterior and middle tie: biconcave before wedge
        ((15, 20, 15), None, "crush"),  # anterior and posterior tie: crush before wedge
        ((20, 15, 15), None, "crush"),  # middle and posterior tie: crush before biconcave
        ((15, 15, 15), 20, "crush"),  # all three tie (evenly flattened): crush
        ((19, 20, 20), None, "none"),  # 5 % loss: grade 0 has no shape
        ((20, 20, 20), None, "none"),
    ],
)
def test_shape_and_tie_order(
    heights: tuple[float, float, float], reference: float | None, shape: str
) -> None:
    assert by_heights(*heights, reference=reference)["shape"] == shape


# --- points --------------------------------------------------------------------------------


def test_heights_from_points_are_superior_to_inferior_distances() -> None:
    points = {
        "anterior_superior": [3.0, 4.0],  # 5 mm from the origin (3-4-5 triangle)
        "anterior_inferior": [0.0, 0.0],
        "middle_superior": [15.0, 24.0],
        "middle_inferior": [15.0, 0.0],
        "posterior_superior": [36.0, 25.0],
        "posterior_inferior": [30.0, 17.0],  # 6-8-10: 10 mm
    }
    result = INSTRUMENT.run({"points_mm": points})
    assert result["anterior_mm"] == 5.0
    assert result["middle_mm"] == 24.0
    assert result["posterior_mm"] == 10.0


def test_points_give_the_same_numbers_as_heights_plus_the_wedge_angle() -> None:
    from_points = INSTRUMENT.run({"points_mm": box_points(20, 24, 25)})
    from_heights = by_heights(20, 24, 25)
    assert {key: from_points[key] for key in HEIGHT_KEYS} == {
        key: from_heights[key] for key in HEIGHT_KEYS
    }
    # Superior endplate rises 5 mm over 30 mm; the inferior is flat: atan(5/30) = 9.46°.
    assert from_points["wedge_angle_deg"] == 9.5
    assert from_points["height_loss_percent"] == 20.0
    assert from_points["genant_grade"] == 1


def test_wedge_angle_of_parallel_endplates_is_zero() -> None:
    assert INSTRUMENT.run({"points_mm": box_points(25, 25, 25)})["wedge_angle_deg"] == 0.0


def test_wedge_angle_is_not_negative_whichever_way_the_body_tilts() -> None:
    anterior_low = INSTRUMENT.run({"points_mm": box_points(20, 22.5, 25)})
    posterior_low = INSTRUMENT.run({"points_mm": box_points(25, 22.5, 20)})
    assert anterior_low["wedge_angle_deg"] == posterior_low["wedge_angle_deg"] == 9.5


def test_wedge_angle_with_both_endplates_tilted() -> None:
    # Superior line slope +1/3 (18.43°), inferior slope −1/3 (−18.43°): 36.87° apart.
    points = {
        "anterior_superior": [0.0, 20.0],
        "anterior_inferior": [0.0, 0.0],
        "middle_superior": [15.0, 25.0],
        "middle_inferior": [15.0, -5.0],
        "posterior_superior": [30.0, 30.0],
        "posterior_inferior": [30.0, -10.0],
    }
    result = INSTRUMENT.run({"points_mm": points})
    assert result["wedge_angle_deg"] == 36.9
    assert result["anterior_mm"] == 20.0
    assert result["posterior_mm"] == 40.0
    assert result["height_loss_percent"] == 50.0
    assert result["genant_grade"] == 3
    assert result["shape"] == "wedge"


# --- invalid input -------------------------------------------------------------------------


def test_neither_heights_nor_points_names_both_fields() -> None:
    errors = errors_of({})
    assert set(errors) == {"heights_mm", "points_mm"}
    assert "either" in errors["heights_mm"]


def test_both_heights_and_points_is_an_error() -> None:
    errors = errors_of(
        {
            "heights_mm": {"anterior": 1, "middle": 1, "posterior": 1},
            "points_mm": box_points(1, 1, 1),
        }
    )
    assert set(errors) == {"heights_mm", "points_mm"}
    assert "not both" in errors["points_mm"]


@pytest.mark.parametrize("bad", [0, -3.5, 0.0, 1001])
def test_heights_out_of_range_are_named(bad: float) -> None:
    errors = errors_of({"heights_mm": {"anterior": bad, "middle": 20, "posterior": 20}})
    assert list(errors) == ["heights_mm.anterior"]


@pytest.mark.parametrize("bad", [True, "20", None, [20], math.nan, math.inf])
def test_heights_of_the_wrong_type_are_named(bad: Any) -> None:
    errors = errors_of({"heights_mm": {"anterior": 20, "middle": bad, "posterior": 20}})
    assert list(errors) == ["heights_mm.middle"]


def test_every_bad_height_is_named_at_once() -> None:
    errors = errors_of({"heights_mm": {"anterior": 0, "middle": "x"}, "reference_height_mm": -1})
    assert set(errors) == {
        "heights_mm.anterior",
        "heights_mm.middle",
        "heights_mm.posterior",
        "reference_height_mm",
    }


def test_unknown_fields_are_named() -> None:
    errors = errors_of(
        {"heights_mm": {"anterior": 20, "middle": 20, "posterior": 20, "lateral": 3}, "x": 1}
    )
    assert set(errors) == {"heights_mm.lateral", "x"}


def test_input_must_be_an_object() -> None:
    assert errors_of([1, 2, 3]) == {"(input)": "must be a JSON object"}


@pytest.mark.parametrize(
    ("point", "field"),
    [
        ([1.0], "points_mm.middle_inferior"),
        ([1.0, 2.0, 3.0], "points_mm.middle_inferior"),
        ([1.0, math.nan], "points_mm.middle_inferior.1"),
        ([math.inf, 1.0], "points_mm.middle_inferior.0"),
        (["1", 1.0], "points_mm.middle_inferior.0"),
        ([True, 1.0], "points_mm.middle_inferior.0"),
        ([1.0, 100_001.0], "points_mm.middle_inferior.1"),
    ],
)
def test_malformed_points_are_named(point: Any, field: str) -> None:
    points: dict[str, Any] = box_points(20, 24, 25)
    points["middle_inferior"] = point
    assert list(errors_of({"points_mm": points})) == [field]


def test_a_missing_point_is_named() -> None:
    points = box_points(20, 24, 25)
    del points["posterior_superior"]
    assert errors_of({"points_mm": points}) == {"points_mm.posterior_superior": "Field required"}


def test_coincident_superior_and_inferior_points_are_an_error() -> None:
    points = box_points(20, 24, 25)
    points["middle_superior"] = list(points["middle_inferior"])
    errors = errors_of({"points_mm": points})
    assert list(errors) == ["points_mm.middle_inferior"]
    assert "middle_superior" in errors["points_mm.middle_inferior"]


def test_a_collapsed_endplate_line_is_an_error() -> None:
    points = box_points(20, 24, 25)
    points["posterior_inferior"] = list(points["anterior_inferior"])
    errors = errors_of({"points_mm": points})
    assert list(errors) == ["points_mm.posterior_inferior"]
    assert "endplate" in errors["points_mm.posterior_inferior"]


def test_formula_shows_every_grade_band_and_the_tie_rule() -> None:
    for text in ("loss < 20 %", "20 % ≤ loss < 25 %", "25 % ≤ loss ≤ 40 %", "40 % < loss"):
        assert text in INSTRUMENT.formula
    assert "crush, then biconcave, then wedge" in INSTRUMENT.formula


# --- properties ----------------------------------------------------------------------------

mm = st.integers(min_value=100, max_value=6000).map(lambda hundredths: hundredths / 100)
boundaries = (20.0, 25.0, 40.0)


def _rotate(point: list[float], angle: float, dx: float, dy: float) -> list[float]:
    x, y = point
    return [
        x * math.cos(angle) - y * math.sin(angle) + dx,
        x * math.sin(angle) + y * math.cos(angle) + dy,
    ]


def _loss(heights: tuple[float, float, float]) -> float:
    return (max(heights) - min(heights)) * 100 / max(heights)


@given(
    heights=st.tuples(mm, mm, mm),
    inferior=st.tuples(*(st.floats(min_value=-5, max_value=5) for _ in range(3))),
    depth=st.floats(min_value=15, max_value=60),
    middle_x=st.floats(min_value=0.3, max_value=0.7),
    angle=st.floats(min_value=-math.pi, max_value=math.pi),
    dx=st.floats(min_value=-5000, max_value=5000),
    dy=st.floats(min_value=-5000, max_value=5000),
)
def test_invariant_to_translating_and_rotating_the_six_points(
    heights: tuple[float, float, float],
    inferior: tuple[float, float, float],
    depth: float,
    middle_x: float,
    angle: float,
    dx: float,
    dy: float,
) -> None:
    xs = (0.0, depth * middle_x, depth)
    points: dict[str, list[float]] = {}
    for column, x, height, base in zip(
        ("anterior", "middle", "posterior"), xs, heights, inferior, strict=True
    ):
        points[f"{column}_inferior"] = [x, base]
        points[f"{column}_superior"] = [x, base + height]
    moved = {name: _rotate(point, angle, dx, dy) for name, point in points.items()}
    # Away from a grade boundary and from a tie, float rotation cannot change grade or shape.
    assume(all(abs(_loss(heights) - boundary) > 1e-6 for boundary in boundaries))
    ordered = sorted(heights)
    assume(ordered[1] - ordered[0] > 1e-6 or ordered[0] == ordered[2])

    before = INSTRUMENT.run({"points_mm": points})
    after = INSTRUMENT.run({"points_mm": moved})

    for key in ("anterior_mm", "middle_mm", "posterior_mm", "expected_height_mm"):
        assert after[key] == pytest.approx(before[key], abs=0.1 + 1e-9)
    assert after["height_loss_percent"] == pytest.approx(
        before["height_loss_percent"], abs=0.1 + 1e-9
    )
    for key in ("anterior_posterior_ratio", "middle_posterior_ratio"):
        assert after[key] == pytest.approx(before[key], abs=0.001 + 1e-9)
    assert after["wedge_angle_deg"] == pytest.approx(before["wedge_angle_deg"], abs=0.1 + 1e-9)
    assert after["genant_grade"] == before["genant_grade"]
    if ordered[0] != ordered[2] or before["genant_grade"] == 0:
        assert after["shape"] == before["shape"]


@given(
    heights=st.tuples(mm, mm, mm),
    reference=st.none() | mm,
    shrink=st.floats(min_value=0.0, max_value=0.99),
)
def test_grade_never_falls_when_the_smallest_height_shrinks(
    heights: tuple[float, float, float], reference: float | None, shrink: float
) -> None:
    before = by_heights(*heights, reference=reference)
    smallest = heights.index(min(heights))
    smaller = list(heights)
    smaller[smallest] = max(0.01, round(heights[smallest] * (1 - shrink), 2))
    after = by_heights(*smaller, reference=reference)
    assert after["genant_grade"] >= before["genant_grade"]
    assert after["height_loss_percent"] >= before["height_loss_percent"]


@given(heights=st.tuples(mm, mm, mm), reference=st.none() | mm)
def test_results_stay_in_range(
    heights: tuple[float, float, float], reference: float | None
) -> None:
    result = by_heights(*heights, reference=reference)
    assert 0 <= result["height_loss_percent"] < 100
    assert result["genant_grade"] in {0, 1, 2, 3}
    assert (result["shape"] == "none") == (result["genant_grade"] == 0)
    assert result["expected_height_mm"] >= max(
        result["anterior_mm"], result["middle_mm"], result["posterior_mm"]
    )
