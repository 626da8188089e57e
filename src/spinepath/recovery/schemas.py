"""Input shapes for recovery. Vital signs themselves are checked by the clinical core
(``spinepath.clinical.procedure.vitals``), which names every invalid field at once."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StrictInt

from spinepath.clinical.procedure.discharge import (
    DISCHARGE_NEWS2_BELOW,
    OBSERVATION_INTERVAL,
    OBSERVATION_MINIMUM,
)


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    observation_minimum_minutes: StrictInt = Field(
        ge=OBSERVATION_MINIMUM.minimum,
        le=OBSERVATION_MINIMUM.maximum,
        description="Minimum observation after the procedure before discharge, minutes",
    )
    observation_interval_minutes: StrictInt = Field(
        ge=OBSERVATION_INTERVAL.minimum,
        le=OBSERVATION_INTERVAL.maximum,
        description="How often vital signs are due in recovery, minutes",
    )
    discharge_news2_below: StrictInt = Field(
        default=DISCHARGE_NEWS2_BELOW.default,
        ge=DISCHARGE_NEWS2_BELOW.minimum,
        le=DISCHARGE_NEWS2_BELOW.maximum,
        description="The latest NEWS2 must be below this before discharge (default 5)",
    )
    version: int | None = Field(default=None, ge=1)


class ObservationMeta(BaseModel):
    """The envelope of a set of observations; the vital signs are the other fields."""

    model_config = ConfigDict(extra="ignore")

    kind: Literal["baseline", "recovery"] = Field(
        default="recovery", description="baseline: before the procedure; recovery: after it"
    )
    observed_at: AwareDatetime | None = Field(
        default=None, description="When the signs were measured (default: now)"
    )


OBSERVATION_META_FIELDS = ("kind", "observed_at")


class ChecklistIn(BaseModel):
    """Discharge checklist and schedule; only the fields sent change."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    version: int | None = Field(default=None, ge=1, description="Stay version you saw")
    escort_confirmed: StrictBool | None = None
    escort_name: str | None = Field(default=None, max_length=200)
    pain_relief_given: StrictBool | None = None
    antibiotics_prescribed: StrictBool | None = None
    antibiotics_given: StrictBool | None = None
    instructions_given: StrictBool | None = None
    follow_up_booked: StrictBool | None = None
    follow_up_note: str | None = Field(default=None, max_length=200)
    observation_interval_minutes: StrictInt | None = Field(
        default=None,
        ge=OBSERVATION_INTERVAL.minimum,
        le=OBSERVATION_INTERVAL.maximum,
        description="This patient's schedule; null returns to the clinic's",
    )


class AldreteIn(BaseModel):
    """Circulation is derived from baseline and latest vitals; send it only when it cannot be."""

    model_config = ConfigDict(extra="forbid")

    activity: StrictInt = Field(ge=0, le=2)
    respiration: StrictInt = Field(ge=0, le=2)
    consciousness: StrictInt = Field(ge=0, le=2)
    oxygen_saturation: StrictInt = Field(ge=0, le=2)
    circulation: StrictInt | None = Field(default=None, ge=0, le=2)


class PadssIn(BaseModel):
    """Vital signs are derived from baseline and latest vitals; send them only when they cannot
    be."""

    model_config = ConfigDict(extra="forbid")

    ambulation: StrictInt = Field(ge=0, le=2)
    nausea_vomiting: StrictInt = Field(ge=0, le=2)
    pain: StrictInt = Field(ge=0, le=2)
    surgical_bleeding: StrictInt = Field(ge=0, le=2)
    vital_signs: StrictInt | None = Field(default=None, ge=0, le=2)


class AcknowledgeIn(BaseModel):
    """The response to an alert. Urgent and emergency alerts need ``action_taken``; an emergency
    also ``responder_arrived_at`` (422 naming each one missing)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    action_taken: str | None = Field(
        default=None, max_length=2000, description="Who was called and what was done"
    )
    responder_arrived_at: AwareDatetime | None = Field(
        default=None, description="When the responder arrived (emergency alerts)"
    )
    note: str | None = Field(default=None, max_length=2000, description="Any other remark")
    version: int | None = Field(default=None, ge=1, description="Alert version you saw")


class AdmissionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=2000, description="Why the patient stays")
    version: int | None = Field(default=None, ge=1, description="Stay version you saw")


class DischargeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1, description="Stay version you saw")
