"""The preparation planner's input: pydantic models that name every bad field.

Strict types, unknown fields rejected. ``procedure_start`` must carry a UTC offset and (when
``now`` is passed as validation context) lie in the future; dose times are "HH:MM" on the
24-hour clock; a clinic's fasting policy may only be stricter than ASA.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from spinepath.clinical.errors import FieldError, InvalidInput, errors_from_validation
from spinepath.clinical.preparation import dose_schedule as ds
from spinepath.clinical.preparation.fasting import DEFAULT_GLP1_GUIDANCE, Glp1Guidance
from spinepath.clinical.preparation.holds import DEFAULT_EDITION, Edition
from spinepath.clinical.preparation.labs import DEFAULT_INR_THRESHOLD, INR_THRESHOLDS


def _clock_time(text: str) -> str:
    ds.parse_clock_time(text)
    return text.strip()


def _weekday(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


def _rxnorm(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        value = value.strip()
        if not re.fullmatch(r"\d{1,10}", value):
            raise ValueError("an RxNorm code is digits only (an RxCUI such as 855332)")
        return value
    return value


def _aware_datetime(value: object) -> object:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                "must be an ISO 8601 date and time with a UTC offset, "
                "e.g. 2026-12-01T09:00:00-06:00"
            ) from None
    else:
        raise ValueError("must be an ISO 8601 date and time string with a UTC offset")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(
            "has no UTC offset: give one, e.g. 2026-12-01T09:00:00-06:00 (or Z for UTC)"
        )
    return parsed


# The patterns state in the JSON Schema what the validators read (spaces around are also read).
ClockTime = Annotated[
    StrictStr,
    AfterValidator(_clock_time),
    Field(json_schema_extra={"pattern": "^([01]?[0-9]|2[0-3]):[0-5][0-9]$"}),
]
Weekday = Annotated[
    Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
    BeforeValidator(_weekday),
]
AwareDatetime = Annotated[datetime, BeforeValidator(_aware_datetime)]
RxNorm = Annotated[
    str | None,
    BeforeValidator(_rxnorm),
    Field(json_schema_extra={"pattern": "^[0-9]{1,10}$"}),
]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class MedicationIn(_Strict):
    name: Annotated[StrictStr, Field(min_length=1)]
    frequency: StrictStr | None = None
    rxnorm: RxNorm = None
    dose_times: list[ClockTime] = Field(
        default_factory=list, json_schema_extra={"uniqueItems": True}
    )
    dose_weekday: Weekday | None = None
    indication: Literal["primary_prevention", "secondary_prevention"] | None = None
    dose_intent: Literal["prophylactic", "therapeutic"] | None = None
    route: Literal["oral", "subcutaneous", "iv"] | None = None
    dose_escalation: StrictBool | None = None
    gi_symptoms: StrictBool | None = None

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must name the medicine")
        return value

    @field_validator("dose_times")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        clocks = [ds.parse_clock_time(text) for text in value]
        if len(set(clocks)) != len(clocks):
            raise ValueError("the same dose time is listed twice")
        return value


class LabsIn(_Strict):
    inr: Annotated[float, Field(gt=0, le=20, allow_inf_nan=False)] | None = None
    platelets_10e9_per_l: Annotated[float, Field(ge=0, le=5000, allow_inf_nan=False)] | None = None
    fibrinogen_mg_dl: Annotated[float, Field(ge=0, le=2000, allow_inf_nan=False)] | None = None
    hemoglobin_g_dl: Annotated[float, Field(ge=0, le=30, allow_inf_nan=False)] | None = None


_ASA_MINIMUM = {
    "solid_food_hours": 8,
    "light_meal_hours": 6,
    "non_human_milk_hours": 6,
    "clear_liquids_hours": 2,
}


class FastingPolicyIn(_Strict):
    """A clinic's fasting policy: may only be stricter than ASA."""

    nothing_by_mouth_after_midnight: StrictBool = False
    solid_food_hours: (
        Annotated[float, Field(le=72, allow_inf_nan=False, json_schema_extra={"minimum": 8})] | None
    ) = None
    light_meal_hours: (
        Annotated[float, Field(le=72, allow_inf_nan=False, json_schema_extra={"minimum": 6})] | None
    ) = None
    non_human_milk_hours: (
        Annotated[float, Field(le=72, allow_inf_nan=False, json_schema_extra={"minimum": 6})] | None
    ) = None
    clear_liquids_hours: (
        Annotated[float, Field(le=72, allow_inf_nan=False, json_schema_extra={"minimum": 2})] | None
    ) = None

    @field_validator(
        "solid_food_hours", "light_meal_hours", "non_human_milk_hours", "clear_liquids_hours"
    )
    @classmethod
    def _not_less_strict(cls, value: float | None, info: ValidationInfo) -> float | None:
        minimum = _ASA_MINIMUM[str(info.field_name)]
        if value is not None and value < minimum:
            raise ValueError(
                f"must be at least {minimum} hours (ASA): a clinic policy may only be stricter"
            )
        return value


class ClinicPolicyIn(_Strict):
    inr_threshold: float = Field(
        default=DEFAULT_INR_THRESHOLD, json_schema_extra={"enum": list(INR_THRESHOLDS)}
    )
    fasting: FastingPolicyIn = Field(default_factory=FastingPolicyIn)
    glp1_guidance: Glp1Guidance = DEFAULT_GLP1_GUIDANCE

    @field_validator("inr_threshold")
    @classmethod
    def _known_threshold(cls, value: float) -> float:
        if value not in INR_THRESHOLDS:
            raise ValueError("must be 1.8 (the default) or 1.5 (SIR 2019: INR 1.5-1.8)")
        return value


class PlanIn(_Strict):
    time_zone: StrictStr | None = None
    procedure_start: AwareDatetime
    procedure_end: AwareDatetime | None = None
    edition: Edition = DEFAULT_EDITION
    creatinine_clearance_ml_min: NonNegative | None = None
    chronic_liver_disease: StrictBool = False
    medications: list[MedicationIn] = Field(default_factory=list)
    labs: LabsIn = Field(default_factory=LabsIn)
    clinic_policy: ClinicPolicyIn = Field(default_factory=ClinicPolicyIn)

    @field_validator("medications", "labs", "clinic_policy", mode="before")
    @classmethod
    def _null_is_empty(cls, value: object, info: ValidationInfo) -> object:
        if value is None:  # JSON null for an optional section means "none given"
            return [] if info.field_name == "medications" else {}
        return value

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            zone_named(value)
        return value

    @field_validator("procedure_start")
    @classmethod
    def _in_future(cls, value: datetime, info: ValidationInfo) -> datetime:
        now = (info.context or {}).get("now")
        if isinstance(now, datetime) and value.astimezone(UTC) <= now.astimezone(UTC):
            raise ValueError(f"is in the past (now is {now.astimezone(UTC).isoformat()})")
        return value

    @field_validator("procedure_end")
    @classmethod
    def _after_start(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        start = info.data.get("procedure_start")
        if value is not None and isinstance(start, datetime):
            if value.astimezone(UTC) <= start.astimezone(UTC):
                raise ValueError("must be after procedure_start")
            if value.astimezone(UTC) - start.astimezone(UTC) > timedelta(hours=24):
                raise ValueError("is more than 24 hours after procedure_start")
        return value


def zone_named(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"{name!r} is not a known IANA time zone (e.g. America/Chicago)") from None


def parse_plan_input(raw: Mapping[str, Any] | Any, *, now: datetime | None = None) -> PlanIn:
    """Validate ``raw``; raise InvalidInput naming every bad field."""
    if not isinstance(raw, Mapping):
        raise InvalidInput([FieldError("(input)", "must be a JSON object")])
    if now is not None and (now.tzinfo is None or now.utcoffset() is None):
        raise InvalidInput([FieldError("now", "must be timezone-aware")])
    try:
        return PlanIn.model_validate(dict(raw), context={"now": now})
    except ValidationError as error:
        raise InvalidInput(errors_from_validation(error)) from None
