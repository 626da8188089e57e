"""SINS (Fisher 2010): every component value, the location of every level, category bands.

The expected points below are typed from the published table (Fisher, Spine 2010;35:E1221,
as reprinted by Fourney, J Clin Oncol 2011 and the secondary copies listed in
docs/clinical-sources/fracture-grading.md), not read from the module's own tables.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.instruments.registry import get_instrument
from spinepath.clinical.instruments.sins import (
    CATEGORIES,
    COMPONENT_TABLES,
    INSTRUMENT,
    LOCATION,
)
from spinepath.clinical.levels import LEVELS
from spinepath.clinical.sources import get_source

PUBLISHED_POINTS: dict[str, dict[str, int]] = {
    "pain": {"mechanical": 3, "occasional": 1, "none": 0},
    "lesion": {"lytic": 2, "mixed": 1, "blastic": 0},
    "alignment": {"subluxation": 4, "de_novo_deformity": 2, "normal": 0},
    "collapse": {"over_50": 3, "under_50": 2, "none_over_50_involved": 1, "none": 0},
    "posterolateral": {"bilateral": 3, "unilateral": 1, "none": 0},
}

# Junctional: occiput–C2, C7–T2, T11–L1, L5–S1 (3); mobile: C3–C6, L2–L4 (2);
# semi-rigid: T3–T10 (1); rigid: S2–S5 (0).
PUBLISHED_LOCATION: dict[str, tuple[str, int]] = {
    **{level: ("junctional", 3) for level in ("C1", "C2", "C7", "T1", "T2")},
    **{level: ("junctional", 3) for level in ("T11", "T12", "L1", "L5", "S1")},
    **{level: ("mobile", 2) for level in ("C3", "C4", "C5", "C6", "L2", "L3", "L4")},
    **{f"T{number}": ("semi_rigid", 1) for number in range(3, 11)},
    **{level: ("rigid", 0) for level in ("S2", "S3", "S4", "S5")},
}

ZERO: dict[str, Any] = {
    "level": "S3",
    "pain": "none",
    "lesion": "blastic",
    "alignment": "normal",
    "collapse": "none",
    "posterolateral": "none",
}

MAXIMUM: dict[str, Any] = {
    "level": "T12",
    "pain": "mechanical",
    "lesion": "lytic",
    "alignment": "subluxation",
    "collapse": "over_50",
    "posterolateral": "bilateral",
}


def score(**changes: Any) -> dict[str, Any]:
    return INSTRUMENT.run(ZERO | changes)


def errors_of(raw: Any) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        INSTRUMENT.run(raw)
    return {error.field: error.message for error in caught.value.errors}


def test_published_location_covers_every_level_once() -> None:
    assert sorted(PUBLISHED_LOCATION) == sorted(LEVELS)


@pytest.mark.parametrize("level", LEVELS)
def test_location_points_of_every_level(level: str) -> None:
    category, points = PUBLISHED_LOCATION[level]
    result = score(level=level)
    assert result["location_category"] == category
    assert result["components"]["location"] == points
    assert result["total"] == points


@pytest.mark.parametrize(
    ("component", "value", "points"),
    [
        (component, value, points)
        for component, values in PUBLISHED_POINTS.items()
        for value, points in values.items()
    ],
)
def test_every_component_value(component: str, value: str, points: int) -> None:
    result = score(**{component: value})
    assert result["components"][component] == points
    assert result["total"] == points


def test_input_choices_are_exactly_the_published_rows() -> None:
    for component, values in PUBLISHED_POINTS.items():
        assert {row.value for row in COMPONENT_TABLES[component]} == set(values)


def test_result_fields_and_sources() -> None:
    result = INSTRUMENT.run(MAXIMUM)
    assert result["instrument"] == "sins"
    assert result["edition"] == INSTRUMENT.edition
    assert set(result) == {
        "instrument",
        "edition",
        "sources",
        "level",
        "location_category",
        "total",
        "components",
        "category",
        "surgical_consultation",
        "note",
    }
    assert set(result["components"]) == {
        "location",
        "pain",
        "lesion",
        "alignment",
        "collapse",
        "posterolateral",
    }
    for source_id in result["sources"]:
        assert get_source(source_id).id == source_id
    rows = [*LOCATION, *CATEGORIES, *(row for table in COMPONENT_TABLES.values() for row in table)]
    for row in rows:
        assert get_source(row.source).id == row.source


def test_maximum_is_18_unstable() -> None:
    result = INSTRUMENT.run(MAXIMUM)
    assert result["total"] == 18
    assert result["category"] == "unstable"
    assert result["surgical_consultation"] is True


def test_minimum_is_0_stable() -> None:
    result = INSTRUMENT.run(ZERO)
    assert result["total"] == 0
    assert result["category"] == "stable"
    assert result["surgical_consultation"] is False


@pytest.mark.parametrize(
    ("changes", "total", "category", "consult"),
    [
        # S3 (0) + mechanical 3 + bilateral 3
        ({"pain": "mechanical", "posterolateral": "bilateral"}, 6, "stable", False),
        # T5 (1) + mechanical 3 + bilateral 3
        (
            {"level": "T5", "pain": "mechanical", "posterolateral": "bilateral"},
            7,
            "indeterminate",
            True,
        ),
        # L3 (2) + mechanical 3 + lytic 2 + subluxation 4 + unilateral 1
        (
            {
                "level": "L3",
                "pain": "mechanical",
                "lesion": "lytic",
                "alignment": "subluxation",
                "posterolateral": "unilateral",
            },
            12,
            "indeterminate",
            True,
        ),
        # T12 (3) + mechanical 3 + lytic 2 + subluxation 4 + unilateral 1
        (
            {
                "level": "T12",
                "pain": "mechanical",
                "lesion": "lytic",
                "alignment": "subluxation",
                "posterolateral": "unilateral",
            },
            13,
            "unstable",
            True,
        ),
    ],
)
def test_category_boundaries(
    changes: dict[str, str], total: int, category: str, consult: bool
) -> None:
    result = score(**changes)
    assert result["total"] == total
    assert result["category"] == category
    assert result["surgical_consultation"] is consult


def test_level_is_normalised() -> None:
    result = score(level=" t12 ")
    assert result["level"] == "T12"
    assert result["components"]["location"] == 3


def test_result_says_sins_is_for_neoplastic_disease() -> None:
    assert "neoplastic" in INSTRUMENT.run(ZERO)["note"]
    assert "neoplastic" in INSTRUMENT.note
    assert "neoplastic" in INSTRUMENT.formula


@pytest.mark.parametrize("level", ["T13", "L6", "C0", "occiput", "", "12"])
def test_an_invalid_level_is_named(level: str) -> None:
    errors = errors_of(ZERO | {"level": level})
    assert list(errors) == ["level"]
    assert "not a vertebral level" in errors["level"]


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("level", 12),
        ("pain", "severe"),
        ("pain", 3),
        ("lesion", "Lytic"),
        ("alignment", "kyphosis"),
        ("collapse", "50"),
        ("posterolateral", True),
        ("posterolateral", None),
    ],
)
def test_unknown_choices_and_wrong_types_are_named(field: str, bad: Any) -> None:
    assert list(errors_of(ZERO | {field: bad})) == [field]


def test_missing_and_extra_fields_are_all_named_at_once() -> None:
    raw = {key: value for key, value in ZERO.items() if key not in {"pain", "collapse"}}
    errors = errors_of(raw | {"location": "junctional"})
    assert set(errors) == {"pain", "collapse", "location"}


def test_candidacy_reads_total_category_and_consultation_through_the_registry() -> None:
    result = get_instrument("sins").run(MAXIMUM)
    assert (result["total"], result["category"], result["surgical_consultation"]) == (
        18,
        "unstable",
        True,
    )


def test_formula_shows_the_bands() -> None:
    for text in ("0–6: stable", "7–12: indeterminate", "13–18: unstable", "7 or more"):
        assert text in INSTRUMENT.formula


@given(
    level=st.sampled_from(LEVELS),
    choices=st.fixed_dictionaries(
        {name: st.sampled_from(sorted(values)) for name, values in PUBLISHED_POINTS.items()}
    ),
)
def test_total_is_the_sum_in_range_and_banded(level: str, choices: dict[str, str]) -> None:
    result = INSTRUMENT.run({"level": level, **choices})
    expected = PUBLISHED_LOCATION[level][1] + sum(
        PUBLISHED_POINTS[name][value] for name, value in choices.items()
    )
    assert result["total"] == expected == sum(result["components"].values())
    assert 0 <= result["total"] <= 18
    band = "stable" if expected <= 6 else "indeterminate" if expected <= 12 else "unstable"
    assert result["category"] == band
    assert result["surgical_consultation"] is (expected >= 7)
