from __future__ import annotations

import re
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from spinepath.accounts.password_policy import MIN_PASSWORD_LENGTH, password_problem
from spinepath.accounts.roles import Role

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")


class ClinicIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,79}$", description="Short unique name")
    time_zone: str = Field(default="UTC", description="IANA time zone, e.g. America/Chicago")

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError(f"{value!r} is not an IANA time zone name")
        return value


CLOCK_PATTERN = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ().-]{2,38}$")
LOCALE_PATTERN = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def _shaped(value: str | None, pattern: re.Pattern[str], message: str) -> str | None:
    if value is not None and not pattern.match(value):
        raise ValueError(message)
    return value


class ClinicSettingsIn(BaseModel):
    """What an administrator may change about the clinic: how patients reach it, the paper
    its printed copies use, and when calendar alarms must not ring. A field left out is kept;
    phone, address or locale sent as null is cleared."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # The patterns are stated in the schema and checked by the validators, which say in words
    # what is wrong.
    version: int | None = Field(default=None, ge=1, description="Clinic version you saw")
    phone: str | None = Field(
        default=None,
        description="Shown on the patient's copies, e.g. +1 312 555 0100",
        json_schema_extra={"pattern": PHONE_PATTERN.pattern},
    )
    address: str | None = Field(default=None, min_length=1, max_length=500)
    locale: str | None = Field(
        default=None,
        description="BCP 47, e.g. en-US: the paper size of printed copies follows its region",
        json_schema_extra={"pattern": LOCALE_PATTERN.pattern},
    )
    # Never cleared: left out, they are kept (the default is never stored).
    quiet_hours_start: str = Field(
        default="",
        description="Alarms never ring from this local time (HH:MM)",
        json_schema_extra={"pattern": CLOCK_PATTERN.pattern},
    )
    quiet_hours_end: str = Field(
        default="",
        description="... until this local time (HH:MM)",
        json_schema_extra={"pattern": CLOCK_PATTERN.pattern},
    )

    @field_validator("phone")
    @classmethod
    def _phone_shape(cls, value: str | None) -> str | None:
        return _shaped(
            value, PHONE_PATTERN, "use 3-40 digits, spaces and + ( ) . -, like +1 312 555 0100"
        )

    @field_validator("locale")
    @classmethod
    def _locale_shape(cls, value: str | None) -> str | None:
        return _shaped(value, LOCALE_PATTERN, "use a language tag like en-US or en-GB")

    @field_validator("quiet_hours_start", "quiet_hours_end")
    @classmethod
    def _clock_shape(cls, value: str) -> str:
        _shaped(value, CLOCK_PATTERN, "use a time of day as HH:MM, like 21:00")
        return value


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(
        description="Lower-case letters, digits, dot, dash or underscore",
        json_schema_extra={"pattern": USERNAME_PATTERN.pattern},
    )
    full_name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=256)
    roles: list[Role] = Field(min_length=1)

    @field_validator("username")
    @classmethod
    def _username_shape(cls, value: str) -> str:
        if not USERNAME_PATTERN.match(value):
            raise ValueError("use 2–80 lower-case letters, digits, dots, dashes or underscores")
        return value

    @field_validator("password")
    @classmethod
    def _not_guessable(cls, value: str, info: ValidationInfo) -> str:
        problem = password_problem(value, info.data.get("username"))
        if problem is not None:
            raise ValueError(problem)
        return value


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=256)
