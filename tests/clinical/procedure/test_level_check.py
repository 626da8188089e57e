"""The time-out level check: any difference from the plan is a mismatch."""

from __future__ import annotations

import pytest

from spinepath.clinical.procedure.level_check import check_levels


def test_the_planned_levels_match_whatever_the_order_or_case() -> None:
    check = check_levels(["L1", "T12"], [" t12", "l1"])
    assert check.matches
    assert check.to_treat == ("T12", "L1")
    assert "are the planned levels" in check.describe()


def test_a_level_next_to_the_planned_one_is_a_mismatch() -> None:
    check = check_levels(["L1"], ["L2"])
    assert not check.matches
    assert (check.not_planned, check.not_treated) == (("L2",), ("L1",))
    assert check.describe() == (
        "the levels to treat (L2) differ from the planned levels (L1): L2 not planned; "
        "planned L1 not included"
    )


@pytest.mark.parametrize(
    ("to_treat", "not_planned", "not_treated"),
    [(["T12", "L1", "L2"], ("L2",), ()), (["T12"], (), ("L1",))],
)
def test_an_extra_level_or_a_planned_level_left_out_is_a_mismatch(
    to_treat: list[str], not_planned: tuple[str, ...], not_treated: tuple[str, ...]
) -> None:
    check = check_levels(["T12", "L1"], to_treat)
    assert not check.matches
    assert (check.not_planned, check.not_treated) == (not_planned, not_treated)
    assert check.as_dict()["matches"] is False


def test_a_level_that_is_not_a_vertebra_is_refused() -> None:
    with pytest.raises(ValueError, match="not a vertebral level"):
        check_levels(["L1"], ["L9"])
