from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from spinepath.clinical.levels import LEVEL_SCHEMA, normalise_level
from spinepath.episodes.models import AppointmentKind, TaskStatus
from spinepath.episodes.pathway import Stage


class Etiology(StrEnum):
    OSTEOPOROTIC = "osteoporotic"
    NEOPLASTIC = "neoplastic"
    TRAUMATIC = "traumatic"
    UNKNOWN = "unknown"


def _level(value: str) -> str:
    return normalise_level(value)


def _not_future(value: date | None) -> date | None:
    if value is not None and value > date.today():
        raise ValueError("cannot be in the future")
    return value


class FractureIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    level: str = Field(
        description="Vertebral level, C1–C7, T1–T12, L1–L5 or S1–S5",
        json_schema_extra=LEVEL_SCHEMA,
    )
    onset_date: date | None = Field(
        default=None, description="Date the pain began; not in the future"
    )
    etiology: Etiology = Etiology.OSTEOPOROTIC
    notes: str | None = Field(default=None, max_length=2000)

    _level = field_validator("level")(_level)
    _onset = field_validator("onset_date")(_not_future)


class FractureUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    version: int | None = Field(default=None, ge=1)
    level: str | None = Field(default=None, json_schema_extra=LEVEL_SCHEMA)
    onset_date: date | None = Field(default=None, description="Not in the future")
    etiology: Etiology | None = None
    notes: str | None = Field(default=None, max_length=2000)

    @field_validator("level")
    @classmethod
    def _check_level(cls, value: str | None) -> str | None:
        return None if value is None else normalise_level(value)

    _onset = field_validator("onset_date")(_not_future)


class EpisodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    patient_id: uuid.UUID
    referral_source: str | None = Field(default=None, max_length=200)
    summary: str | None = Field(default=None, max_length=4000)
    fractures: list[FractureIn] = Field(
        default_factory=list, max_length=29, description="Each vertebral level once"
    )

    @field_validator("fractures")
    @classmethod
    def _distinct_levels(cls, value: list[FractureIn]) -> list[FractureIn]:
        levels = [fracture.level for fracture in value]
        if len(set(levels)) != len(levels):
            raise ValueError("each vertebral level can be listed once per episode")
        return value


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    to_stage: Stage
    reason: str | None = Field(default=None, max_length=2000)
    version: int | None = Field(default=None, ge=1, description="Episode version you saw")
    event_date: date | None = Field(
        default=None, description="The date the move happened, e.g. the date of death"
    )
    override_reason: str | None = Field(
        default=None,
        max_length=2000,
        description="Physicians only: move although a clinical requirement is unmet, and why",
    )


class TaskUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1)
    status: TaskStatus | None = None
    assignee_id: uuid.UUID | None = None
    unassign: bool = False


class AppointmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: AppointmentKind
    starts_at: AwareDatetime = Field(description="Date and time with its UTC offset")
    duration_minutes: int = Field(default=30, ge=5, le=600)
    place: str | None = Field(default=None, max_length=200)
    with_whom: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=2000)


class AppointmentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    version: int | None = Field(default=None, ge=1, description="Appointment version you saw")
    starts_at: AwareDatetime | None = None
    duration_minutes: int | None = Field(default=None, ge=5, le=600)
    place: str | None = Field(default=None, max_length=200)
    with_whom: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=2000)
    cancel: bool = False
