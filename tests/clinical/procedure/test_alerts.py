"""NEWS2 alert thresholds (any single 3, 5 or more, 7 or more) and when an alert repeats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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


# ---- Acknowledgement rules and resolution ---------------------------------------------------
RAISED = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
NOW = RAISED + timedelta(minutes=20)


def _fields(level: str, action: str | None, arrived: datetime | None) -> list[str]:
    found = alerts.acknowledgement_errors(level, action, arrived, RAISED, NOW)
    return [error.field for error in found]


def test_an_urgent_acknowledgement_needs_the_action_taken() -> None:
    assert _fields("urgent", None, None) == ["action_taken"]
    assert _fields("urgent", "   ", None) == ["action_taken"]
    assert _fields("urgent", "Called Dr Osler, fluids started", None) == []


def test_an_emergency_needs_the_action_and_the_responders_arrival() -> None:
    assert _fields("emergency", None, None) == ["action_taken", "responder_arrived_at"]
    assert _fields("emergency", "Crash call; outreach team", RAISED + timedelta(minutes=4)) == []
    assert _fields("emergency", "Crash call", RAISED - timedelta(minutes=1)) == [
        "responder_arrived_at"
    ]
    assert _fields("emergency", "Crash call", NOW + timedelta(minutes=1)) == [
        "responder_arrived_at"
    ]


def test_a_single_parameter_alert_may_be_acknowledged_without_a_note() -> None:
    assert _fields("single_parameter", None, None) == []


@pytest.mark.parametrize(
    ("level", "total", "single", "resolved"),
    [
        ("emergency", 7, False, False),
        ("emergency", 6, False, True),
        ("urgent", 5, False, False),
        ("urgent", 4, True, True),
        ("single_parameter", 2, True, False),
        ("single_parameter", 4, False, True),
    ],
)
def test_an_alert_is_resolved_by_a_score_below_its_threshold(
    level: str, total: int, single: bool, resolved: bool
) -> None:
    assert alerts.resolved_by(level, {"total": total, "single_parameter_3": single}) is resolved


def test_the_board_order_puts_the_most_severe_first() -> None:
    rows = [
        ("calm", 0, []),
        ("single", 3, ["single_parameter"]),
        ("urgent", 5, ["urgent"]),
        ("high_no_alert", 6, []),
        ("emergency", 8, ["emergency", "urgent"]),
        ("none_yet", None, []),
    ]
    ordered = sorted(rows, key=lambda row: alerts.severity_key(row[1], row[2]))
    assert [name for name, _, _ in ordered] == [
        "emergency",
        "urgent",
        "single",
        "high_no_alert",
        "calm",
        "none_yet",
    ]
