"""Median and quartiles from frequency tables, worked by hand and checked against Python."""

from __future__ import annotations

import statistics
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.follow_up.statistics import percent, scaled, summarise, summarise_counts


def test_hand_worked_even_sample() -> None:
    # 1 2 3 4 5 6 7 8: h = 7p → q1 at 1.75 → 2 + .75 = 2.75; median at 3.5 → 4.5; q3 at 5.25 → 6.25
    found = summarise([8, 1, 7, 2, 6, 3, 5, 4])
    assert (found.n, found.q1, found.median, found.q3) == (
        8,
        Fraction(11, 4),
        Fraction(9, 2),
        Fraction(25, 4),
    )
    assert found.iqr == Fraction(7, 2)


def test_hand_worked_frequency_table() -> None:
    # {0: 1, 2: 3, 5: 1} is 0 2 2 2 5: q1 at h=1 → 2, median at h=2 → 2, q3 at h=3 → 2
    found = summarise_counts({5: 1, 0: 1, 2: 3})
    assert (found.q1, found.median, found.q3, found.minimum, found.maximum) == (2, 2, 2, 0, 5)


def test_one_value_and_none() -> None:
    one = summarise([7])
    assert (one.n, one.median, one.q1, one.q3) == (1, 7, 7, 7)
    empty = summarise([])
    assert (empty.n, empty.median) == (0, None)


@given(st.lists(st.integers(-100, 100), min_size=2, max_size=60))
def test_agrees_with_the_standard_library_inclusive_method(values: list[int]) -> None:
    found = summarise(values)
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    assert float(found.q1) == q1 or abs(float(found.q1) - q1) < 1e-9  # type: ignore[arg-type]
    assert abs(float(found.median) - q2) < 1e-9  # type: ignore[arg-type]
    assert abs(float(found.q3) - q3) < 1e-9  # type: ignore[arg-type]
    assert found.median == statistics.median(values)


def test_display_rounding_is_half_away_from_zero() -> None:
    assert scaled(Fraction(5, 2), places=0) == 3.0
    assert scaled(Fraction(-5, 2), places=0) == -3.0
    assert scaled(Fraction(1005, 10), divisor=10) == 10.1  # 100.5 tenths → 10.05 % → 10.1
    assert percent(2, 3) == 66.7
    assert percent(1, 0) is None
