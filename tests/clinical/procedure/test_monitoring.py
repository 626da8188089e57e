"""Observation frequency: the RCP NEWS2 minimum for the current score beside the clinic's
interval, the stricter shown; continuous monitoring at 7 or more."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.procedure import monitoring


def score(total: int, single: bool = False) -> dict[str, Any]:
    return {"total": total, "single_parameter_3": single}


@pytest.mark.parametrize(
    ("total", "single", "minutes"),
    [
        (0, False, 720),
        (1, False, 240),
        (4, False, 240),
        (3, True, 60),
        (4, True, 60),
        (5, False, 60),
        (6, False, 60),
        (7, False, None),
        (13, True, None),
    ],
)
def test_the_rcp_frequency_for_each_band_and_its_boundaries(
    total: int, single: bool, minutes: int | None
) -> None:
    row = monitoring.rcp_row(score(total, single))
    assert row.interval_minutes == minutes
    assert row.source_id == "rcp-news2-2017"


def test_the_clinics_shorter_interval_is_the_stricter_after_a_procedure() -> None:
    shown = monitoring.schedule(score(2), 15)
    assert (shown["interval_minutes"], shown["stricter"], shown["continuous"]) == (
        15,
        "clinic",
        False,
    )
    assert shown["rcp_interval_minutes"] == 240


def test_the_rcp_frequency_wins_when_it_is_shorter() -> None:
    shown = monitoring.schedule(score(5), 120)
    assert (shown["interval_minutes"], shown["stricter"]) == (60, "rcp")


def test_seven_or_more_asks_for_continuous_monitoring() -> None:
    shown = monitoring.schedule(score(7), 15)
    assert shown["continuous"] is True and shown["stricter"] == "rcp"
    assert shown["rcp"] == "NEWS2 total 7 or more: continuous monitoring of vital signs"
    assert shown["interval_minutes"] == 15  # a set is still recorded at least this often


def test_without_a_set_the_clinic_interval_applies() -> None:
    assert monitoring.schedule(None, 15)["interval_minutes"] == 15


@given(
    total=st.integers(min_value=0, max_value=19),
    single=st.booleans(),
    clinic=st.integers(min_value=1, max_value=1440),
)
def test_a_higher_score_never_lengthens_the_interval(total: int, single: bool, clinic: int) -> None:
    def minutes(result: dict[str, Any]) -> float:
        shown = monitoring.schedule(result, clinic)
        return 0 if shown["continuous"] else float(shown["interval_minutes"])

    assert minutes(score(total + 1, single)) <= minutes(score(total, single))
    assert minutes(score(total, True)) <= minutes(score(total, False))
    assert monitoring.schedule(score(total, single), clinic)["interval_minutes"] <= clinic
