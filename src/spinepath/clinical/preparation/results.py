"""The preparation plan's result as frozen, typed models; dumped to JSON only at the edges.

``PlanResult.as_json()`` gives the JSON object the command line prints, the API answers and the
store keeps; ``PlanResult.model_validate(stored)`` reads a stored one back. Moments keep the
offset of the plan's time zone exactly as computed (``datetime.isoformat``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, PlainSerializer

Moment = Annotated[datetime, PlainSerializer(lambda value: value.isoformat(), return_type=str)]
Hours = tuple[float, float]
PlanAction = Literal["hold", "continue", "review"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class SuggestionResult(_Frozen):
    """The other edition's rule for a medicine the chosen edition gives none for."""

    action: PlanAction
    stop_before_hours: Hours | None
    last_dose_at: Moment | None
    last_dose_basis: Literal["usual_dose_time", "latest_allowed_moment"] | None
    latest_allowed_last_dose_at: Moment | None
    restart_after_hours: float | None
    restart_window_hours: Hours | None
    restart_at: Moment | None
    restart_on: date | None
    restart_rule: str | None
    first_usual_dose_after_restart: Moment | None
    reason: str
    source: str | None
    rule: str | None
    rule_id: str | None
    confidence: str | None
    edition: str | None
    warnings: tuple[str, ...]


class BasedOn(_Frozen):
    """The rule's output a decision was made on."""

    action: PlanAction
    rule_id: str | None
    reason: str
    last_dose_at: Moment | None
    restart_at: Moment | None
    suggestion: SuggestionResult | None


class Followed(_Frozen):
    edition: str | None
    rule_id: str | None
    source: str | None


class DecisionResult(_Frozen):
    """A physician's decision on one medicine of the plan."""

    medicine: int
    input: str
    action: Literal["hold", "continue", "skip_dose", "call_patient"]
    last_dose_at: Moment | None = None
    restart_at: Moment | None = None
    skip_dose_at: Moment | None = None
    instructions: str | None = None
    note: str | None = None
    based_on: BasedOn
    followed: Followed | None = None
    decided_by: str | None = None
    decided_by_id: str | None = None
    decided_at: Moment | None = None


class MedicationResult(_Frozen):
    input: str
    recognised_as: str | None
    display_name: str | None
    medicine_class: str | None
    matched_by: Literal["name", "brand", "rxnorm"] | None
    components: tuple[str, ...]
    action: PlanAction
    stop_before_hours: Hours | None
    last_dose_at: Moment | None
    last_dose_basis: Literal["usual_dose_time", "latest_allowed_moment"] | None
    last_dose_weekday: str | None
    latest_allowed_last_dose_at: Moment | None
    restart_after_hours: float | None
    restart_window_hours: Hours | None
    restart_at: Moment | None
    restart_on: date | None
    restart_rule: str | None
    first_usual_dose_after_restart: Moment | None
    frequency: str | None
    reason: str
    source: str | None
    rule: str | None
    rule_id: str | None
    confidence: str | None
    edition: str | None
    review_flags: tuple[str, ...]
    suggestion: SuggestionResult | None
    warnings: tuple[str, ...]
    decision: DecisionResult | None = None


class LabResult(_Frozen):
    test: str
    value: float | None
    threshold: str  # the rule as written, e.g. "<= 1.8"
    unit: str
    status: Literal["ok", "out_of_range", "missing"]
    flagged: bool
    rule: str
    source: str


class OtherLabResult(_Frozen):
    test: str
    value: float | None
    unit: str
    threshold: float | None
    source: str


class Glp1Result(_Frozen):
    guidance: str
    source: str
    medicines: tuple[str, ...]
    liquid_diet_from: Moment | None


class FastingResult(_Frozen):
    solid_food_until: Moment
    light_meal_until: Moment
    non_human_milk_until: Moment
    clear_liquids_until: Moment
    hours_before: dict[str, float]
    policy: str
    stricter_than_asa: tuple[str, ...]
    asa: dict[str, Moment]
    items: dict[str, str]
    sources: tuple[str, ...]
    glp1: Glp1Result | None


class AwaitingDecision(_Frozen):
    medicine: int
    input: str


class PlanResult(_Frozen):
    medications: tuple[MedicationResult, ...]
    labs: tuple[LabResult, ...]
    fasting: FastingResult
    edition: str
    edition_source: str
    procedure_start: Moment
    procedure_end: Moment | None
    time_zone: str
    time_zone_source: str
    creatinine_clearance_ml_min: float | None
    chronic_liver_disease: bool
    inr_threshold: float
    glp1_guidance: str
    fasting_policy: str
    other_labs: tuple[OtherLabResult, ...]
    needs_review: bool
    sources: tuple[str, ...]
    warnings: tuple[str, ...]
    awaiting_decision: tuple[AwaitingDecision, ...]
