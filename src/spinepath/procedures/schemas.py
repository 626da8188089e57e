"""Input shapes for the procedure plan, the time-out and the procedure record."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, field_validator

from spinepath.clinical.errors import FieldError
from spinepath.clinical.levels import LEVEL_SCHEMA, LEVELS_SCHEMA, level_index, normalise_level
from spinepath.clinical.procedure.record import (
    Approach,
    CementType,
    Complication,
    LeakageSite,
    Sedation,
    Technique,
)

# A confirmation the time-out requires: the schema states that only true is accepted.
CONFIRMED: dict[str, Any] = {"const": True}


def _levels(value: list[str]) -> list[str]:
    levels = [normalise_level(level) for level in value]
    if len(set(levels)) != len(levels):
        raise ValueError("each vertebral level can be listed once")
    return sorted(levels, key=level_index)


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    technique: Technique
    levels: list[str] = Field(
        min_length=1,
        max_length=29,
        description="Planned levels, C1-S5, each once",
        json_schema_extra=LEVELS_SCHEMA,
    )
    notes: str | None = Field(default=None, max_length=2000)
    version: int | None = Field(default=None, ge=1, description="Plan version you saw (updates)")

    _levels = field_validator("levels")(_levels)


class TimeOutIn(BaseModel):
    """The team's confirmations before the first needle. Every confirmation must be given."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    levels_to_treat: list[str] = Field(
        min_length=1,
        max_length=29,
        description="The levels about to be treated, as confirmed, each once",
        json_schema_extra=LEVELS_SCHEMA,
    )
    identity_confirmed: StrictBool = Field(
        description="Patient identity checked; must be true", json_schema_extra=CONFIRMED
    )
    procedure_confirmed: StrictBool = Field(
        description="Planned procedure confirmed; must be true", json_schema_extra=CONFIRMED
    )
    consent_confirmed: StrictBool = Field(
        description="Signed consent seen; must be true", json_schema_extra=CONFIRMED
    )
    labs_reviewed: StrictBool = Field(
        description="Pre-procedure labs reviewed; must be true", json_schema_extra=CONFIRMED
    )
    labs_note: str | None = Field(default=None, max_length=1000)
    allergies: str = Field(
        min_length=1, max_length=1000, description="Allergies as confirmed, or 'none known'"
    )
    team: str = Field(min_length=1, max_length=1000, description="Who took part")
    level_mismatch_reason: str | None = Field(
        default=None,
        max_length=2000,
        description="Required when the levels to treat differ from the planned levels",
    )
    performed_at: AwareDatetime | None = None

    _levels = field_validator("levels_to_treat")(_levels)

    @field_validator("identity_confirmed", "procedure_confirmed", "consent_confirmed")
    @classmethod
    def _confirmed(cls, value: bool) -> bool:
        if not value:
            raise ValueError("must be confirmed before the procedure")
        return value

    @field_validator("labs_reviewed")
    @classmethod
    def _labs(cls, value: bool) -> bool:
        if not value:
            raise ValueError("review the labs before the procedure")
        return value


class LevelIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    level: str = Field(json_schema_extra=LEVEL_SCHEMA)
    technique: Technique
    approach: Approach
    needle: str | None = Field(default=None, max_length=200, description="Needle, e.g. gauge")
    balloon: str | None = Field(
        default=None,
        max_length=200,
        description="Balloon or cavity device: required in kyphoplasty, refused in vertebroplasty",
    )
    cement_type: CementType
    cement_volume_ml: float = Field(gt=0, allow_inf_nan=False, description="Cement volume, mL")
    leakage: list[LeakageSite] = Field(
        description="Where cement leaked, each site once; an empty list records 'no leakage'",
        json_schema_extra={"uniqueItems": True},
    )

    @field_validator("level")
    @classmethod
    def _level(cls, value: str) -> str:
        return normalise_level(value)

    @field_validator("leakage")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("list each leakage site once")
        return value

    def cross_field_errors(self, prefix: str) -> list[FieldError]:
        if self.technique == "vertebroplasty" and self.balloon:
            return [FieldError(f"{prefix}balloon", "a balloon is used in kyphoplasty only")]
        if self.technique == "kyphoplasty" and not self.balloon:
            return [FieldError(f"{prefix}balloon", "describe the balloon or cavity device used")]
        return []


class RecordIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    levels: list[LevelIn] = Field(min_length=1, max_length=29, description="Each level once")
    started_at: AwareDatetime
    ended_at: AwareDatetime = Field(description="Not before started_at, not in the future")
    sedation: Sedation
    fluoroscopy_time_min: float = Field(ge=0, allow_inf_nan=False, description="minutes")
    air_kerma_mgy: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    dose_area_product_gy_cm2: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    complications: list[Complication] = Field(
        description="Complications; an empty list records 'none'"
    )
    complication_details: str | None = Field(default=None, max_length=2000)
    notes: str | None = Field(default=None, max_length=4000)
    version: int | None = Field(default=None, ge=1, description="Record version you saw")

    @field_validator("levels")
    @classmethod
    def _distinct_levels(cls, value: list[LevelIn]) -> list[LevelIn]:
        names = [item.level for item in value]
        if len(set(names)) != len(names):
            raise ValueError("each vertebral level can be recorded once")
        return value

    def cross_field_errors(self) -> list[FieldError]:
        """Rules between fields, each naming its field (pydantic would name the model)."""
        errors: list[FieldError] = []
        if self.ended_at < self.started_at:
            errors.append(FieldError("ended_at", "the procedure cannot end before it started"))
        if "other" in self.complications and not self.complication_details:
            errors.append(FieldError("complication_details", "describe the other complication"))
        for index, level in enumerate(self.levels):
            errors.extend(level.cross_field_errors(f"levels.{index}."))
        return errors
