"""NEWS2 alert thresholds for the recovery board.

RCP NEWS2 (2017) Chart 2 and Chart 4 trigger a clinical response at three thresholds: a score of
3 in any single parameter (urgent ward-based response), an aggregate of 5 or more (urgent
response) and an aggregate of 7 or more (emergency response). The thresholds are the NEWS2
module's own constants, so the alert and the score cannot disagree.

An alert stays open until a clinician acknowledges it or a later set scores below its threshold
(it is then resolved, and kept in the history). While one is open, a later observation set at
the same or a lower level does not raise another; a higher level does (the response escalates).
After acknowledgement, the next set that crosses a threshold raises a new alert. Those repeat
rules and the board's colours are spinepath's own (display, not clinical evidence); the colours
follow the yellow-orange-red ramp of the NEWS2 charts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from spinepath.clinical.errors import FieldError
from spinepath.clinical.instruments import news2
from spinepath.clinical.sources.procedure import SPINEPATH_PROCEDURE_DAY
from spinepath.clinical.sources.recovery_scores import RCP_NEWS2_2017


@dataclass(frozen=True)
class AlertRule:
    level: str
    rank: int  # higher is more urgent
    label: str
    minimum_total: int | None  # aggregate at or above which the rule fires
    single_parameter_3: bool  # fires on a 3 in any single parameter
    source_id: str

    def fires(self, total: int, single_parameter_3: bool) -> bool:
        if self.minimum_total is not None and total >= self.minimum_total:
            return True
        return self.single_parameter_3 and single_parameter_3


# Most urgent first: the first rule that fires is the alert's level.
ALERT_RULES: tuple[AlertRule, ...] = (
    AlertRule(
        "emergency",
        3,
        f"NEWS2 {news2.HIGH_FROM_TOTAL} or more: emergency response",
        news2.HIGH_FROM_TOTAL,
        False,
        RCP_NEWS2_2017,
    ),
    AlertRule(
        "urgent",
        2,
        f"NEWS2 {news2.MEDIUM_FROM_TOTAL} or more: urgent response",
        news2.MEDIUM_FROM_TOTAL,
        False,
        RCP_NEWS2_2017,
    ),
    AlertRule(
        "single_parameter",
        1,
        f"A score of {news2.RED_SCORE} in a single parameter: urgent ward-based response",
        None,
        True,
        RCP_NEWS2_2017,
    ),
)
RULES_BY_LEVEL: dict[str, AlertRule] = {rule.level: rule for rule in ALERT_RULES}

# Board colour per NEWS2 risk (display only).
RISK_COLOURS: dict[str, str] = {
    "low": "green",
    "low-medium": "yellow",
    "medium": "orange",
    "high": "red",
}
COLOUR_SOURCE = SPINEPATH_PROCEDURE_DAY
REPEAT_RULE_SOURCE = SPINEPATH_PROCEDURE_DAY


def alert_for(news2_result: Mapping[str, Any]) -> dict[str, Any] | None:
    """The alert a NEWS2 result raises, or None below every threshold."""
    total = int(news2_result["total"])
    single = bool(news2_result["single_parameter_3"])
    for rule in ALERT_RULES:
        if rule.fires(total, single):
            return {
                "level": rule.level,
                "rank": rule.rank,
                "label": rule.label,
                "total": total,
                "risk": news2_result["risk"],
                "colour": RISK_COLOURS[str(news2_result["risk"])],
                "response": dict(news2_result["response"]),
                "sources": [rule.source_id, REPEAT_RULE_SOURCE],
            }
    return None


def should_raise(new_level: str, open_levels: Iterable[str]) -> bool:
    """Raise a new alert unless one at the same or a higher level is still unacknowledged."""
    rank = RULES_BY_LEVEL[new_level].rank
    return all(RULES_BY_LEVEL[level].rank < rank for level in open_levels)


def colour_of(risk: str) -> str:
    return RISK_COLOURS[risk]


# ---- What an acknowledgement must say, and when an alert ends by itself ----------------------
#
# RCP NEWS2 Chart 4: an urgent response means the nurse informs the medical team at once and asks
# for an urgent assessment; an emergency response means informing the team at once and an
# emergency assessment by a team with critical-care skills. So an urgent or emergency alert is
# acknowledged only with the action written down (who was called, what was done), and an
# emergency also with the time the responder arrived. Requiring the record is spinepath's rule.


@dataclass(frozen=True)
class AcknowledgementRule:
    level: str
    action_required: bool
    arrival_required: bool
    source_ids: tuple[str, ...]


ACKNOWLEDGEMENT_RULES: dict[str, AcknowledgementRule] = {
    rule.level: rule
    for rule in (
        AcknowledgementRule("emergency", True, True, (RCP_NEWS2_2017, SPINEPATH_PROCEDURE_DAY)),
        AcknowledgementRule("urgent", True, False, (RCP_NEWS2_2017, SPINEPATH_PROCEDURE_DAY)),
        AcknowledgementRule(
            "single_parameter", False, False, (RCP_NEWS2_2017, SPINEPATH_PROCEDURE_DAY)
        ),
    )
}


def acknowledgement_errors(
    level: str,
    action_taken: str | None,
    responder_arrived_at: datetime | None,
    raised_at: datetime,
    now: datetime,
) -> list[FieldError]:
    """Every field an acknowledgement of an alert at ``level`` is missing or has wrong."""
    rule = ACKNOWLEDGEMENT_RULES[level]
    errors: list[FieldError] = []
    if rule.action_required and not (action_taken or "").strip():
        errors.append(
            FieldError(
                "action_taken",
                f"an {level} alert needs the action taken: who was called and what was done",
            )
        )
    if responder_arrived_at is None:
        if rule.arrival_required:
            errors.append(
                FieldError(
                    "responder_arrived_at",
                    "an emergency alert needs the time the responder arrived",
                )
            )
    elif responder_arrived_at < raised_at:
        errors.append(
            FieldError("responder_arrived_at", "is before the alert was raised: check the time")
        )
    elif responder_arrived_at > now:
        errors.append(FieldError("responder_arrived_at", "cannot be in the future"))
    return errors


def resolved_by(level: str, news2_result: Mapping[str, Any]) -> bool:
    """A later set ends an open alert when its score is below that alert's threshold."""
    rule = RULES_BY_LEVEL[level]
    return not rule.fires(int(news2_result["total"]), bool(news2_result["single_parameter_3"]))


def severity_key(news2_total: int | None, open_levels: Iterable[str]) -> tuple[int, int]:
    """Sort key for the board, most severe first: the highest open alert, then the NEWS2."""
    rank = max((RULES_BY_LEVEL[level].rank for level in open_levels), default=0)
    return (-rank, -(news2_total if news2_total is not None else -1))
