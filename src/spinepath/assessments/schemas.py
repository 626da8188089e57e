"""Input of the assessment use cases: facts updates, decisions, the clinic's criteria sets.

The facts themselves are validated by the clinical core on the case they make together with the
episode (see ``service.save_facts``): the core is the one definition of what a valid fact is.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from spinepath.clinical.candidacy import registry

# What the episode already knows, and so never comes from the stored facts.
EPISODE_FRACTURE_FIELDS = ("level", "etiology", "symptom_onset")
RECORD_PATIENT_FIELDS = ("birth_date", "sex")
# The top-level sections of the facts document (the case minus what the episode knows).
FACT_SECTIONS = ("pain", "function", "conservative_care", "screening", "osteoporosis_care")
FACT_KEYS = ("assessment_date", "setting", "patient", "fractures", *FACT_SECTIONS)

FACTS_DESCRIPTION = (
    "The consultation facts: the case without what the episode already knows. Keys: "
    "assessment_date (YYYY-MM-DD; blank = today in the clinic's time zone when evaluated), "
    "setting, patient {pregnant}, fractures {<level or fracture id>: {mri_edema, "
    "bone_scan_uptake, height_loss_percent, kyphotic_deformity, height_loss_progression, "
    "pain_confirmed_at_level, osteolytic_lesion, of_type, sins}}, pain {nrs, trend, severe}, "
    "function {rdq, odi_percent}, conservative_care {optimal_management_tried, started, "
    "modalities, intolerable_side_effects}, screening {…}, osteoporosis_care {bmd_referral, "
    "education, program_instruction}. Any fact may be absent or null: unknown, never 'no'."
)


def criteria_sets_schema(schema: dict[str, Any], at_least: int = 0) -> None:
    """A list of registered criteria sets, each once, as the OpenAPI document states it."""
    schema["items"] = {"type": "string", "enum": sorted(registry.CRITERIA_SETS)}
    schema["uniqueItems"] = True
    if at_least:
        schema["minItems"] = at_least


class FactsUpdate(BaseModel):
    """Replace the episode's facts. ``version`` is the version you saw (0 before the first)."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(
        default=None, ge=0, description="Facts version you saw (0 when none were recorded)"
    )
    facts: dict[str, Any] = Field(description=FACTS_DESCRIPTION)


class EvaluateEpisodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    facts_version: int | None = Field(
        default=None,
        ge=0,
        description="Evaluate only if the stored facts are still at this version (else 409)",
    )


class Decision(StrEnum):
    PROCEED = "proceed_to_vertebral_augmentation"
    CONSERVATIVE = "continue_conservative_care"
    MORE_INFORMATION = "obtain_more_information"
    SURGICAL = "refer_for_surgical_evaluation"
    DECLINE = "decline"


DECISION_LABELS: dict[Decision, str] = {
    Decision.PROCEED: "Proceed to vertebral augmentation",
    Decision.CONSERVATIVE: "Continue conservative care",
    Decision.MORE_INFORMATION: "Obtain more information first (imaging or missing facts)",
    Decision.SURGICAL: "Refer for surgical evaluation",
    Decision.DECLINE: "Decline vertebral augmentation (not offered, or the patient declines)",
}


class Procedure(StrEnum):
    VERTEBROPLASTY = "vertebroplasty"
    KYPHOPLASTY = "kyphoplasty"


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Decision
    procedure: Procedure | None = Field(
        default=None, description="Only with proceed_to_vertebral_augmentation; may stay open"
    )
    rationale: str = Field(min_length=1, max_length=4000, description="Why, in your words")

    @field_validator("procedure")
    @classmethod
    def _only_when_proceeding(
        cls, value: Procedure | None, info: ValidationInfo
    ) -> Procedure | None:
        if value is not None and info.data.get("decision") not in (None, Decision.PROCEED):
            raise ValueError("is chosen only when proceeding to vertebral augmentation")
        return value


class CriteriaSetChoiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    criteria_sets: list[str] = Field(
        description="Names of the criteria sets to apply, in order, each once",
        json_schema_extra=lambda schema: criteria_sets_schema(schema, at_least=1),
    )
    version: int | None = Field(
        default=None, ge=0, description="Version you saw (0 while the clinic applies the default)"
    )
