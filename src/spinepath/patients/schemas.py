from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from spinepath.patients.models import Patient

EARLIEST_BIRTH_DATE = date(1900, 1, 1)
PHONE_PATTERN = r"^[0-9+()\-. ]{3,40}$"
# As the document states it: the surrounding spaces are stripped before the pattern is checked.
PHONE_SCHEMA: dict[str, Any] = {"pattern": r"^[0-9+()\-.][0-9+()\-. ]{1,38}[0-9+()\-.]$"}


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


def _check_birth_date(value: date | None) -> date | None:
    if value is not None and not (EARLIEST_BIRTH_DATE <= value <= date.today()):
        raise ValueError(f"must be between {EARLIEST_BIRTH_DATE.isoformat()} and today")
    return value


class PatientIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    mrn: str = Field(min_length=1, max_length=64, description="Medical record number, unique")
    family_name: str = Field(min_length=1, max_length=100)
    given_name: str = Field(min_length=1, max_length=100)
    birth_date: date = Field(description="Between 1900-01-01 and today")
    sex: Sex
    phone: str | None = Field(
        default=None, max_length=40, pattern=PHONE_PATTERN, json_schema_extra=PHONE_SCHEMA
    )
    email: EmailStr | None = None

    _birth = field_validator("birth_date")(_check_birth_date)


class PatientUpdate(BaseModel):
    """Only the fields given change. ``version`` is the version the edit was made against."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    version: int | None = Field(default=None, ge=1)
    mrn: str | None = Field(default=None, min_length=1, max_length=64)
    family_name: str | None = Field(default=None, min_length=1, max_length=100)
    given_name: str | None = Field(default=None, min_length=1, max_length=100)
    birth_date: date | None = Field(default=None, description="Between 1900-01-01 and today")
    sex: Sex | None = None
    phone: str | None = Field(
        default=None, max_length=40, pattern=PHONE_PATTERN, json_schema_extra=PHONE_SCHEMA
    )
    email: EmailStr | None = None

    _birth = field_validator("birth_date")(_check_birth_date)


# ---- What the API answers ----------------------------------------------------------------------


class PatientOut(BaseModel):
    id: uuid.UUID
    mrn: str
    family_name: str
    given_name: str
    birth_date: date
    sex: str
    phone: str | None
    email: str | None
    version: int


class PatientList(BaseModel):
    items: list[PatientOut]
    total: int
    page: int
    per_page: int


def patient_out(patient: Patient) -> PatientOut:
    return PatientOut.model_validate(patient, from_attributes=True)
