"""Responder status by minimal important change, on each side of each threshold."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.follow_up.responder import (
    MCIDS,
    Scores,
    compare,
    odi_comparison,
    odi_tenths_from_percent,
    rmdq_comparison,
)


def test_mcids_are_the_instruments_own_with_their_sources() -> None:
    assert (MCIDS["nrs"].points, MCIDS["nrs"].percent) == (2, 30)
    assert MCIDS["odi"].points == 10 and MCIDS["rmdq"].points == 5
    assert "ostelo-2008" in MCIDS["odi"].source_ids
    assert "farrar-2001" in MCIDS["nrs"].source_ids


@pytest.mark.parametrize(
    ("baseline", "follow_up", "responder"),
    [(8, 6, True), (8, 7, False), (3, 2, True), (7, 6, False), (0, 0, False), (4, 6, False)],
)
def test_pain_responder_by_two_points_or_thirty_percent(
    baseline: int, follow_up: int, responder: bool
) -> None:
    change = compare(Scores(nrs=baseline), Scores(nrs=follow_up))["nrs"]
    assert change.change == baseline - follow_up
    assert change.responder is responder


@pytest.mark.parametrize(
    ("baseline", "follow_up", "responder"),
    [(520, 420, True), (520, 421, False), (356, 256, True), (100, 200, False)],
)
def test_odi_responder_at_ten_index_points(baseline: int, follow_up: int, responder: bool) -> None:
    assert odi_comparison(baseline, follow_up).responder is responder


@pytest.mark.parametrize(("baseline", "follow_up", "responder"), [(18, 13, True), (18, 14, False)])
def test_rmdq_responder_at_five_points(baseline: int, follow_up: int, responder: bool) -> None:
    assert rmdq_comparison(baseline, follow_up).responder is responder


def test_only_measures_answered_at_both_times_are_compared() -> None:
    found = compare(Scores(nrs=8, odi_tenths=500), Scores(nrs=3, rmdq=10))
    assert set(found) == {"nrs"}


def test_odi_percent_to_tenths_is_exact() -> None:
    assert odi_tenths_from_percent(35.6) == 356
    assert odi_tenths_from_percent(0.0) == 0
    assert odi_tenths_from_percent(100.0) == 1000


@given(st.integers(0, 24), st.integers(0, 24), st.integers(0, 24))
def test_rmdq_responder_is_monotonic_in_the_follow_up_score(base: int, a: int, b: int) -> None:
    better, worse = min(a, b), max(a, b)
    if rmdq_comparison(base, worse).responder:
        assert rmdq_comparison(base, better).responder
