"""The shapes of an episode's preparation plan on the way in and out.

On the way in, an episode's plan takes the clinical core's input (see
``spinepath.clinical.preparation.inputs.PlanIn``) plus three fields of its own:

- ``arrival_at``: when the patient should arrive (before the procedure start, at most 24 hours
  before it);
- ``follow_up_at``: the follow-up visit, when it is booked (after the procedure start);
- ``version``: the version of the stored plan the change was made against (or If-Match).

``time_zone`` is the clinic's: it may be left out, and any other zone is refused.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from spinepath.clinical.preparation.inputs import AwareDatetime

EPISODE_FIELDS = ("arrival_at", "follow_up_at", "version")
ARRIVAL_AT_MOST_HOURS_BEFORE = 24


class EpisodeFieldsIn(BaseModel):
    """The fields an episode's plan adds to the core's input."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)

    arrival_at: AwareDatetime | None = None
    follow_up_at: AwareDatetime | None = None
    version: StrictInt | None = Field(default=None, ge=1)


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    version: StrictInt | None = Field(
        default=None, ge=1, description="The version of the plan you reviewed (or If-Match)"
    )
    note: StrictStr | None = Field(default=None, max_length=2000)


class SignatureOut(BaseModel):
    number: int
    plan_version: int = Field(description="The version of the plan that was signed")
    signed_at: datetime
    signed_by: str
    note: str | None


class SignatureDetailOut(SignatureOut):
    inputs: dict[str, Any]
    plan: dict[str, Any]


class OutputLinks(BaseModel):
    patient_page: str
    pdf: str
    ics: str


class PreparationOut(BaseModel):
    episode_id: uuid.UUID
    patient_id: uuid.UUID
    status: str = Field(description="draft | signed | needs_review")
    review_reason: str | None = Field(
        description="What changed since the last signature (needs_review only)"
    )
    inputs: dict[str, Any]
    plan: dict[str, Any] = Field(description="The planner's output (the same as prep / plan)")
    computed_at: datetime
    signed_at: datetime | None
    signed_by: str | None
    signatures: list[SignatureOut]
    outputs: OutputLinks | None = Field(
        description="The patient's copies; only once the current plan is signed"
    )
    updated_at: datetime
    updated_by: str | None
    version: int
