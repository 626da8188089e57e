"""Input for follow-up use cases. Answers to the instruments are checked by the instruments
themselves (so their errors name the exact item); these models only shape the request."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from spinepath.clinical.follow_up.schedule import PlanKind
from spinepath.clinical.levels import LEVEL_SCHEMA

TIME_POINT_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: PlanKind = Field(description="post_procedure or conservative")
    anchor_date: date | None = Field(
        default=None, description="The clinic's date the plan starts from (default: today there)"
    )
    physician_id: uuid.UUID | None = None


class PlanUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1)
    anchor_date: date | None = Field(
        default=None, description="Move the start: every contact still planned moves with it"
    )
    physician_id: uuid.UUID | None = None
    clear_physician: bool = False


class RescheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    version: int | None = Field(default=None, ge=1)
    due_date: date
    reason: str = Field(min_length=1, max_length=2000)


class ContactUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1)
    status: Literal["planned", "done", "missed", "cancelled"]


class OutcomeIn(BaseModel):
    """Answers taken by staff (by phone or at a visit). At least one instrument."""

    model_config = ConfigDict(extra="forbid")

    time_point: str = Field(
        pattern=TIME_POINT_PATTERN, description="'baseline' or a contact code such as month_3"
    )
    collected_on: date | None = Field(default=None, description="Default: today at the clinic")
    method: Literal["phone", "visit"] = "phone"
    nrs: Any = Field(default=None, description="Pain now, a whole number 0 to 10")
    odi_sections: list[Any] | None = Field(
        default=None, description="The ten ODI v2.1a section points, 0-5 or null (unanswered)"
    )
    rmdq_items: list[Any] | None = Field(
        default=None, description="The 24 RMDQ statements: true if ticked"
    )


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    time_point: str = Field(pattern=TIME_POINT_PATTERN)


class PatientAnswersIn(BaseModel):
    """What the patient sends through a personal link."""

    model_config = ConfigDict(extra="forbid")

    nrs: Any = Field(default=None, description="Pain now, a whole number 0 to 10")
    odi_sections: list[Any] | None = None
    rmdq_items: list[Any] | None = None


class EventKind(StrEnum):
    NEW_VERTEBRAL_FRACTURE = "new_vertebral_fracture"
    COMPLICATION = "complication"
    READMISSION = "readmission"
    DEATH = "death"


class Complication(StrEnum):
    """The risks patients are told about (procedure consent), as recorded at follow-up."""

    BLEEDING = "bleeding"
    RIB_OR_OTHER_FRACTURE = "rib_or_other_fracture"
    FEVER = "fever"
    NERVE_ROOT_IRRITATION = "nerve_root_irritation"
    INFECTION = "infection"
    CEMENT_LEAKAGE = "cement_leakage"
    OTHER = "other"


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: EventKind
    occurred_on: date = Field(description="Not in the future")
    level: str | None = Field(
        default=None,
        description="New fracture: vertebral level, e.g. T12 (required for a new fracture)",
        json_schema_extra=LEVEL_SCHEMA,
    )
    complication: Complication | None = None
    description: str | None = Field(default=None, max_length=2000)


class LiaisonUpdate(BaseModel):
    """Secondary fracture prevention facts; only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    version: int | None = Field(default=None, ge=1)
    fracture_date: date | None = None
    dxa_date: date | None = None
    treatment_start_date: date | None = None
    medicine: str | None = Field(default=None, max_length=64)
    adherence_checked_on: date | None = None
    still_on_treatment: bool | None = None
    falls_assessed_on: date | None = None
    usual_doctor_name: str | None = Field(default=None, max_length=200)
    usual_doctor_address: str | None = Field(default=None, max_length=1000)


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1)
    schedules: dict[str, Any] = Field(
        default_factory=dict,
        description="{'post_procedure': [...], 'conservative': [...]}; a kind left out keeps "
        "its default",
    )
    link_valid_days: int = Field(default=14, ge=1, le=90)
    reminder_hour: int = Field(default=9, ge=0, le=23, description="Local hour reminders go out")
