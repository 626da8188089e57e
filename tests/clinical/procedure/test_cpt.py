"""CPT derivation: 22510-22515 by technique, region and number of levels, with the cases the
codes do not decide sent to review."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.levels import LEVELS, Region, region_of
from spinepath.clinical.procedure import cpt
from spinepath.clinical.sources import get_source


def derive(*levels: tuple[str, str]) -> dict[str, Any]:
    return cpt.derive_codes(
        {"levels": [{"level": level, "technique": technique} for level, technique in levels]}
    )


@pytest.mark.parametrize(
    ("level", "technique", "code"),
    [
        ("C5", "vertebroplasty", "22510"),
        ("T1", "vertebroplasty", "22510"),
        ("T12", "vertebroplasty", "22510"),
        ("L1", "vertebroplasty", "22511"),
        ("L5", "vertebroplasty", "22511"),
        ("S1", "vertebroplasty", "22511"),
        ("T1", "kyphoplasty", "22513"),
        ("T12", "kyphoplasty", "22513"),
        ("L1", "kyphoplasty", "22514"),
        ("L5", "kyphoplasty", "22514"),
    ],
)
def test_one_level_gives_one_primary_code_by_technique_and_region(
    level: str, technique: str, code: str
) -> None:
    result = derive((level, technique))
    assert result["codes"] == [code]
    assert result["lines"] == [
        {"code": code, "units": 1, "kind": "primary", "technique": technique, "levels": [level]}
    ]
    assert result["complete"] is True


@pytest.mark.parametrize(
    ("levels", "technique", "codes"),
    [
        (("T7", "T8", "T9"), "vertebroplasty", ["22510", "22512", "22512"]),
        (("L2", "L3"), "vertebroplasty", ["22511", "22512"]),
        (("T6", "T10"), "vertebroplasty", ["22510", "22512"]),  # not contiguous: same rule
        (("T11", "T12"), "kyphoplasty", ["22513", "22515"]),
        (("L1", "L2", "L4"), "kyphoplasty", ["22514", "22515", "22515"]),
    ],
)
def test_more_levels_in_one_region_add_one_add_on_unit_each(
    levels: tuple[str, ...], technique: str, codes: list[str]
) -> None:
    result = derive(*((level, technique) for level in levels))
    assert result["codes"] == codes
    primary, add_on = result["lines"]
    assert (primary["levels"], add_on["levels"]) == ([levels[0]], list(levels[1:]))
    assert add_on["units"] == len(levels) - 1
    assert result["review"] == []


def test_the_primary_level_is_the_most_cranial_whatever_the_order_entered() -> None:
    result = derive(("L3", "vertebroplasty"), ("L1", "vertebroplasty"), ("L2", "vertebroplasty"))
    assert result["lines"][0]["levels"] == ["L1"]
    assert result["lines"][1]["levels"] == ["L2", "L3"]


@pytest.mark.parametrize(
    ("technique", "levels", "alternatives", "add_on"),
    [
        ("vertebroplasty", ("T12", "L1"), ["22510", "22511"], "22512"),
        ("kyphoplasty", ("T12", "L1", "L2"), ["22513", "22514"], "22515"),
    ],
)
def test_levels_crossing_regions_leave_the_primary_code_to_review(
    technique: str, levels: tuple[str, ...], alternatives: list[str], add_on: str
) -> None:
    result = derive(*((level, technique) for level in levels))
    primary, extra = result["lines"]
    assert primary["code"] is None
    assert primary["alternatives"] == alternatives
    assert (extra["code"], extra["units"]) == (add_on, len(levels) - 1)
    assert result["codes"] == [add_on] * (len(levels) - 1)
    assert result["complete"] is False
    assert "coding choice" in result["review"][0]["reason"]


def test_vertebroplasty_and_kyphoplasty_at_different_levels_each_have_a_primary() -> None:
    result = derive(("T8", "vertebroplasty"), ("L1", "kyphoplasty"), ("L2", "kyphoplasty"))
    assert result["codes"] == ["22510", "22514", "22515"]


@pytest.mark.parametrize("level", ["C6", "S2"])
def test_cervical_and_sacral_augmentation_have_no_code_here_and_go_to_review(level: str) -> None:
    result = derive((level, "kyphoplasty"))
    assert result["codes"] == []
    assert result["lines"] == []
    assert result["review"][0]["levels"] == [level]
    assert result["complete"] is False


def test_an_uncodable_level_does_not_change_the_codes_of_the_others() -> None:
    result = derive(("S1", "kyphoplasty"), ("L5", "kyphoplasty"))
    assert result["codes"] == ["22514"]
    assert [item["levels"] for item in result["review"]] == [["S1"]]


def test_invalid_levels_and_techniques_are_named() -> None:
    with pytest.raises(InvalidInput) as caught:
        cpt.derive_codes(
            {
                "levels": [
                    {"level": "X9", "technique": "vertebroplasty"},
                    {"level": "L2", "technique": "cementoplasty"},
                ]
            }
        )
    assert {e.field for e in caught.value.errors} == {"levels.0.level", "levels.1.technique"}


@pytest.mark.parametrize(
    "levels",
    [
        [],
        [{"level": "L1", "technique": "kyphoplasty"}, {"level": "l1", "technique": "kyphoplasty"}],
    ],
)
def test_no_levels_or_a_level_twice_is_refused(levels: list[dict[str, str]]) -> None:
    with pytest.raises(InvalidInput) as caught:
        cpt.derive_codes({"levels": levels})
    assert [e.field for e in caught.value.errors] == ["levels"]


def test_the_table_ships_codes_and_cites_registered_sources() -> None:
    assert {row.primary for row in cpt.CODE_TABLE} | {row.add_on for row in cpt.CODE_TABLE} == {
        "22510",
        "22511",
        "22512",
        "22513",
        "22514",
        "22515",
    }
    for row in cpt.CODE_TABLE:
        assert get_source(row.source_id)
    for _, source_id in cpt.NOT_CODED.values():
        assert get_source(source_id)
    result = derive(("L1", "kyphoplasty"))
    assert all(get_source(source) for source in result["sources"])


def test_every_technique_and_region_has_a_row_or_a_reason() -> None:
    for technique in ("vertebroplasty", "kyphoplasty"):
        for region in Region:
            assert (cpt.row_for(technique, region) is None) == (
                (technique, region) in cpt.NOT_CODED
            )


CODABLE = {
    "vertebroplasty": [lv for lv in LEVELS],
    "kyphoplasty": [lv for lv in LEVELS if region_of(lv) in (Region.THORACIC, Region.LUMBAR)],
}


@given(
    st.sampled_from(["vertebroplasty", "kyphoplasty"]).flatmap(
        lambda technique: st.tuples(
            st.just(technique),
            st.lists(st.sampled_from(CODABLE[technique]), min_size=1, max_size=8, unique=True),
        )
    )
)
def test_every_codable_level_is_counted_once(case: tuple[str, list[str]]) -> None:
    technique, levels = case
    result = derive(*((level, technique) for level in levels))
    units = sum(line["units"] for line in result["lines"])
    assert units == len(levels)
    assert sum(1 for line in result["lines"] if line["kind"] == "primary") == 1
    assert len(result["codes"]) == len(levels) - (0 if result["complete"] else 1)
