"""NEWS2 alert thresholds (any single 3, 5 or more, 7 or more) and when an alert repeats."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.instruments.news2 import INSTRUMENT as NEWS2
from spinepath.clinical.procedure import alerts
from spinepath.clinical.sources import get_source

NORMAL: dict[str, Any] = {
    "respiratory_rate": 16,
    "spo2_percent": 97,
    "on_oxygen": False,
    "systolic_bp_mmhg": 130,
    "pulse_per_min": 72,
    "consciousness": "A",
    "temperature_c": 36.8,
}


def alert(**changes: Any) -> dict[str, Any] | None:
    return alerts.alert_for(NEWS2.run({**NORMAL, **changes}))


@pytest.mark.parametrize(
    ("changes", "total", "level"),
    [
        ({}, 0, None),
        ({"pulse_per_min": 115, "respiratory_rate": 22}, 4, None),  # 2 + 2, no single 3
        ({"respiratory_rate": 26}, 3, "single_parameter"),  # a 3 in one parameter
        ({"respiratory_rate": 26, "pulse_per_min": 95}, 4, "single_parameter"),
        ({"pulse_per_min": 115, "respiratory_rate": 22, "temperature_c": 38.5}, 5, "urgent"),
        ({"respiratory_rate": 26, "pulse_per_min": 115, "temperature_c": 38.5}, 6, "urgent"),
        ({"respiratory_rate": 26, "pulse_per_min": 115, "temperature_c": 39.5}, 7, "emergency"),
        ({"consciousness": "V", "respiratory_rate": 26, "spo2_percent": 90}, 9, "emergency"),
    ],
)
def test_alerts_fire_at_each_threshold_and_not_below(
    changes: dict[str, Any], total: int, level: str | None
) -> None:
    assert NEWS2.run({**NORMAL, **changes})["total"] == total
    found = alert(**changes)
    assert (found["level"] if found else None) == level
    if found:
        assert found["total"] == total
        assert found["response"]["response_level"]


def test_the_alert_carries_the_news2_colour_and_response() -> None:
    found = alert(respiratory_rate=26, pulse_per_min=115, temperature_c=39.5)
    assert found is not None
    assert (found["risk"], found["colour"]) == ("high", "red")
    assert found["response"]["response_level"] == "emergency response"
    assert all(get_source(source) for source in found["sources"])


@pytest.mark.parametrize(
    ("new", "open_levels", "raise_it"),
    [
        ("single_parameter", [], True),
        ("single_parameter", ["single_parameter"], False),
        ("urgent", ["single_parameter"], True),
        ("urgent", ["urgent"], False),
        ("single_parameter", ["urgent"], False),
        ("emergency", ["urgent", "single_parameter"], True),
        ("emergency", ["emergency"], False),
    ],
)
def test_an_open_alert_at_the_same_or_a_higher_level_is_not_raised_again(
    new: str, open_levels: list[str], raise_it: bool
) -> None:
    assert alerts.should_raise(new, open_levels) is raise_it


def test_each_risk_has_a_colour() -> None:
    assert alerts.RISK_COLOURS == {
        "low": "green",
        "low-medium": "yellow",
        "medium": "orange",
        "high": "red",
    }


@given(st.integers(0, 20), st.booleans())
def test_the_alert_level_never_falls_as_the_total_rises(total: int, single: bool) -> None:
    def rank(value: int) -> int:
        for rule in alerts.ALERT_RULES:
            if rule.fires(value, single):
                return rule.rank
        return 0

    assert rank(total) <= rank(min(total + 1, 20))
