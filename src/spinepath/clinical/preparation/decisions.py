"""A physician's decision on a flagged medicine, and the plan with its decisions.

The rule's output stays as it was computed (its ``action``, ``reason``, times and any
``suggestion`` from the other edition); a decision is kept beside it in ``decision``, with who
made it and when. What the patient is told follows the decision when there is one.

Decisions (``action``):

- ``hold``: ``last_dose_at`` (required, before the procedure starts) and ``restart_at``
  (optional, after the procedure starts; without it the care team tells the patient);
- ``follow_suggestion``: accept the rule offered from the other edition (a hold or continue,
  with its times) as the decision;
- ``continue``: keep taking it as usual;
- ``skip_dose``: leave out the one dose at ``skip_dose_at`` (within 7 days before to 1 day
  after the procedure start; a plausibility check on the input, not a clinical rule);
- ``call_patient``: the care team calls the patient about it.

``instructions`` is free text for the patient, shown word for word; ``note`` is for staff only.
The core reads no clock: the time of the decision and its author are arguments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from spinepath.clinical.errors import FieldError, InvalidInput, errors_from_validation
from spinepath.clinical.preparation.inputs import AwareDatetime
from spinepath.clinical.preparation.results import (
    AwaitingDecision,
    BasedOn,
    DecisionResult,
    Followed,
    MedicationResult,
    PlanResult,
)

DecisionAction = Literal["hold", "follow_suggestion", "continue", "skip_dose", "call_patient"]
DECISION_ACTIONS: tuple[DecisionAction, ...] = (
    "hold",
    "follow_suggestion",
    "continue",
    "skip_dose",
    "call_patient",
)
SKIP_DOSE_WINDOW = (timedelta(days=7), timedelta(days=1))  # before, after the procedure start


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    action: DecisionAction
    last_dose_at: AwareDatetime | None = None
    restart_at: AwareDatetime | None = None
    skip_dose_at: AwareDatetime | None = None
    instructions: Annotated[StrictStr, Field(max_length=500)] | None = None
    note: Annotated[StrictStr, Field(max_length=2000)] | None = None


_TIMES_FOR: dict[str, tuple[str, ...]] = {
    "hold": ("last_dose_at", "restart_at"),
    "skip_dose": ("skip_dose_at",),
}


def based_on(entry: MedicationResult) -> BasedOn:
    """The rule's output for a medicine, as a decision on it records it."""
    return BasedOn(
        action=entry.action,
        rule_id=entry.rule_id,
        reason=entry.reason,
        last_dose_at=entry.last_dose_at,
        restart_at=entry.restart_at,
        suggestion=entry.suggestion,
    )


def validate_decision(raw: Mapping[str, Any] | Any, plan: PlanResult, index: int) -> DecisionResult:
    """Check a decision on the plan's medicine ``index``; the normalised decision (no author).

    Raises InvalidInput naming every bad field at once.
    """
    medications = plan.medications
    if not isinstance(raw, Mapping):
        raise InvalidInput([FieldError("(input)", "must be a JSON object")])
    errors: list[FieldError] = []
    if not 0 <= index < len(medications):
        errors.append(
            FieldError(
                "medicine", f"there is no medicine {index} (the plan has {len(medications)})"
            )
        )
    bad: set[str] = set()
    try:
        decision = DecisionIn.model_validate(dict(raw))
    except ValidationError as error:
        errors += errors_from_validation(error)
        bad = {str(e["loc"][0]) for e in error.errors() if e["loc"]}
        if "action" in bad:
            raise InvalidInput(errors) from None
        try:  # the other fields are still checked, so every bad field is named at once
            decision = DecisionIn.model_validate({k: v for k, v in raw.items() if k not in bad})
        except ValidationError:
            raise InvalidInput(errors) from None
    if any(e.field == "medicine" for e in errors):
        raise InvalidInput(errors)
    entry = medications[index]
    start = plan.procedure_start.astimezone(UTC)
    end = (plan.procedure_end or plan.procedure_start).astimezone(UTC)
    allowed = _TIMES_FOR.get(decision.action, ())
    for name in ("last_dose_at", "restart_at", "skip_dose_at"):
        if getattr(decision, name) is not None and name not in allowed:
            errors.append(FieldError(name, f"is not used with the decision {decision.action!r}"))
    suggestion = entry.suggestion
    if decision.action == "follow_suggestion" and suggestion is None:
        errors.append(
            FieldError("action", "this medicine has no suggestion from another edition to follow")
        )
    if decision.action == "hold":
        if decision.last_dose_at is None:
            errors.append(FieldError("last_dose_at", "give the last dose before the procedure"))
        elif decision.last_dose_at.astimezone(UTC) >= start:
            errors.append(FieldError("last_dose_at", "must be before the procedure starts"))
        if decision.restart_at is not None and decision.restart_at.astimezone(UTC) <= end:
            errors.append(FieldError("restart_at", "must be after the procedure"))
    if decision.action == "skip_dose":
        if decision.skip_dose_at is None:
            errors.append(FieldError("skip_dose_at", "give the dose to leave out"))
        else:
            moment = decision.skip_dose_at.astimezone(UTC)
            if not start - SKIP_DOSE_WINDOW[0] <= moment <= start + SKIP_DOSE_WINDOW[1]:
                errors.append(
                    FieldError(
                        "skip_dose_at",
                        "must be within 7 days before and 1 day after the procedure start",
                    )
                )
    if errors:  # one message a field: the type error before any check that followed from it
        first: dict[str, FieldError] = {}
        for problem in errors:
            first.setdefault(problem.field, problem)
        raise InvalidInput(list(first.values()))

    zone = plan.procedure_start.tzinfo
    instructions = (decision.instructions or "").strip() or None
    note = (decision.note or "").strip() or None
    if decision.action == "follow_suggestion" and suggestion is not None:
        held = suggestion.action == "hold"
        return DecisionResult(
            medicine=index,
            input=entry.input,
            action="hold" if held else "continue",
            last_dose_at=suggestion.last_dose_at if held else None,
            restart_at=(suggestion.first_usual_dose_after_restart or suggestion.restart_at)
            if held
            else None,
            instructions=instructions,
            note=note,
            based_on=based_on(entry),
            followed=Followed(
                edition=suggestion.edition, rule_id=suggestion.rule_id, source=suggestion.source
            ),
        )
    assert decision.action != "follow_suggestion"
    return DecisionResult(
        medicine=index,
        input=entry.input,
        action=decision.action,
        last_dose_at=decision.last_dose_at.astimezone(zone) if decision.last_dose_at else None,
        restart_at=decision.restart_at.astimezone(zone) if decision.restart_at else None,
        skip_dose_at=decision.skip_dose_at.astimezone(zone) if decision.skip_dose_at else None,
        instructions=instructions,
        note=note,
        based_on=based_on(entry),
    )


def still_applies(decision: DecisionResult, plan: PlanResult) -> bool:
    """Whether a decision made on an earlier computation still fits this plan: the same medicine
    line at the same place, the same rule output, and its times still valid."""
    index = decision.medicine
    if not 0 <= index < len(plan.medications):
        return False
    entry = plan.medications[index]
    if entry.input != decision.input or based_on(entry) != decision.based_on:
        return False
    raw: dict[str, Any] = {"action": decision.action}
    for name in _TIMES_FOR.get(decision.action, ()):
        value = getattr(decision, name)
        if value is not None:
            raw[name] = value.isoformat()
    try:
        validate_decision(raw, plan, index)
    except InvalidInput:
        return False
    return True


def apply_decisions(plan: PlanResult, decisions: Sequence[DecisionResult]) -> PlanResult:
    """The plan with each medicine's decision beside the rule's output; which still need one.

    ``awaiting_decision`` lists the medicines with a review action and no decision (a plan is
    not signed while it is not empty).
    """
    by_index = {decision.medicine: decision for decision in decisions}
    medications = tuple(
        entry.model_copy(update={"decision": by_index.get(index)})
        for index, entry in enumerate(plan.medications)
    )
    awaiting = tuple(
        AwaitingDecision(medicine=index, input=entry.input)
        for index, entry in enumerate(medications)
        if entry.action == "review" and entry.decision is None
    )
    return plan.model_copy(update={"medications": medications, "awaiting_decision": awaiting})
