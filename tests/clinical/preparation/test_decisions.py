"""A physician's decision on a flagged medicine: checked field by field, kept beside the rule."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.preparation import plan_result
from spinepath.clinical.preparation.decisions import (
    apply_decisions,
    still_applies,
    validate_decision,
)
from spinepath.clinical.preparation.results import DecisionResult, PlanResult

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
START = "2026-12-15T09:00:00-06:00"


def _plan(start: str = START) -> PlanResult:
    return plan_result(
        {
            "procedure_start": start,
            "procedure_end": start.replace("09:00", "10:00"),
            "time_zone": "America/Chicago",
            "medications": [
                {
                    "name": "ibuprofen 400 mg",
                    "frequency": "twice daily",
                    "dose_times": ["08:00", "20:00"],
                },
                {"name": "Zyxoral 5 mg", "frequency": "daily", "dose_times": ["08:00"]},
                {"name": "lisinopril 10 mg", "frequency": "daily", "dose_times": ["08:00"]},
            ],
        },
        now=NOW,
    )


def _fields(raw: dict[str, Any], index: int = 1) -> set[str]:
    with pytest.raises(InvalidInput) as caught:
        validate_decision(raw, _plan(), index)
    return {error.field for error in caught.value.errors}


def test_a_hold_keeps_its_times_in_the_plan_zone_and_the_rule_it_was_made_on() -> None:
    decision = validate_decision(
        {
            "action": "hold",
            "last_dose_at": "2026-12-14T14:00:00Z",
            "restart_at": "2026-12-16T08:00:00-06:00",
            "instructions": "Take your last pill on Monday at 8 AM.",
        },
        _plan(),
        1,
    )
    dumped = decision.as_json()
    assert dumped["last_dose_at"] == "2026-12-14T08:00:00-06:00"
    assert dumped["restart_at"] == "2026-12-16T08:00:00-06:00"
    assert decision.based_on.action == "review"
    assert decision.instructions == "Take your last pill on Monday at 8 AM."


def test_a_hold_needs_a_last_dose_before_the_start_and_a_restart_after_the_end() -> None:
    assert _fields({"action": "hold"}) == {"last_dose_at"}
    assert _fields(
        {
            "action": "hold",
            "last_dose_at": "2026-12-15T09:00:00-06:00",  # the start itself: too late
            "restart_at": "2026-12-15T10:00:00-06:00",  # the end itself: too early
        }
    ) == {"last_dose_at", "restart_at"}
    decision = validate_decision(
        {
            "action": "hold",
            "last_dose_at": "2026-12-15T08:59:00-06:00",
            "restart_at": "2026-12-15T10:01:00-06:00",
        },
        _plan(),
        1,
    )
    assert decision.as_json()["restart_at"] == "2026-12-15T10:01:00-06:00"


def test_every_bad_field_is_named_at_once() -> None:
    assert _fields(
        {
            "action": "continue",
            "last_dose_at": "2026-12-14T08:00:00-06:00",
            "skip_dose_at": "2026-12-15T08:00:00-06:00",
        }
    ) == {"last_dose_at", "skip_dose_at"}
    assert _fields({"action": "stop", "instructions": 5, "colour": "red"}) == {
        "action",
        "instructions",
        "colour",
    }
    assert _fields({"action": "continue"}, index=9) == {"medicine"}


def test_a_skipped_dose_must_be_near_the_procedure() -> None:
    assert _fields({"action": "skip_dose"}) == {"skip_dose_at"}
    assert _fields({"action": "skip_dose", "skip_dose_at": "2026-12-07T08:59:00-06:00"}) == {
        "skip_dose_at"
    }
    assert _fields({"action": "skip_dose", "skip_dose_at": "2026-12-16T09:01:00-06:00"}) == {
        "skip_dose_at"
    }
    for moment in ("2026-12-08T09:00:00-06:00", "2026-12-16T09:00:00-06:00"):
        kept = validate_decision({"action": "skip_dose", "skip_dose_at": moment}, _plan(), 2)
        assert kept.as_json()["skip_dose_at"] == moment


def test_following_the_suggestion_takes_the_other_editions_times() -> None:
    plan = _plan()
    decision = validate_decision({"action": "follow_suggestion"}, plan, 0)
    suggestion = plan.medications[0].suggestion
    assert suggestion is not None
    assert decision.action == "hold"
    assert decision.last_dose_at == suggestion.last_dose_at
    assert decision.as_json()["last_dose_at"] == "2026-12-14T08:00:00-06:00"
    assert decision.restart_at == suggestion.first_usual_dose_after_restart
    assert decision.followed is not None and decision.followed.edition == "asra-2018"
    assert _fields({"action": "follow_suggestion"}) == {"action"}


def test_the_plan_keeps_the_rule_and_lists_what_still_needs_a_decision() -> None:
    plan = _plan()
    undecided = apply_decisions(plan, [])
    assert [a.input for a in undecided.awaiting_decision] == ["ibuprofen 400 mg", "Zyxoral 5 mg"]
    assert undecided == plan  # nothing decided: the plan as computed
    decision = validate_decision({"action": "call_patient"}, plan, 1).model_copy(
        update={"decided_by": "Dr A"}
    )
    decided = apply_decisions(plan, [decision])
    assert [a.input for a in decided.awaiting_decision] == ["ibuprofen 400 mg"]
    entry = decided.medications[1]
    assert entry.action == "review"  # the rule's output is unchanged
    assert entry.decision is not None and entry.decision.action == "call_patient"
    assert entry.decision.decided_by == "Dr A"
    again = PlanResult.model_validate(decided.as_json())  # stored and read back
    assert again == decided
    assert DecisionResult.model_validate(decision.as_json()) == decision


def test_a_decision_stops_applying_when_its_medicine_or_times_no_longer_fit() -> None:
    plan = _plan()
    decision = validate_decision(
        {"action": "hold", "last_dose_at": "2026-12-14T08:00:00-06:00"}, plan, 1
    )
    assert still_applies(decision, plan)
    assert still_applies(decision, _plan())  # computed again: the same
    earlier = _plan("2026-12-13T09:00:00-06:00")  # the procedure moved before the last dose
    assert not still_applies(decision, earlier)
    assert not still_applies(decision.model_copy(update={"input": "something else"}), plan)
    assert not still_applies(decision.model_copy(update={"medicine": 7}), plan)
