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
