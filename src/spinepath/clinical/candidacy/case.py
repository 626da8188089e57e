"""The case: the recorded facts of one consultation, in spinepath's case JSON shape.

Every field may be absent or ``null``, which means *unknown*, never "no". Unknown fields are not
allowed (a misspelt ``mri_oedema`` would otherwise silently become unknown). Types are strict: a
boolean is ``true``/``false``, a count is a whole number, a date is ``YYYY-MM-DD``.

``assessment_date`` is not required and never defaults to today: without it the fracture ages are
unknown and say so, and the same input always gives the same result. The one field beyond
the payer criteria is ``pain.severe``, the clinician's judgement that the pain is severe, because
NICE TA279 asks for severe pain and sets no number for it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, field_validator

from spinepath.clinical.levels import LEVEL_SCHEMA, normalise_level

Setting = Literal["outpatient", "inpatient"]
Sex = Literal["female", "male", "other"]
Etiology = Literal["osteoporotic", "neoplastic", "traumatic", "unknown"]
Trend = Literal["worsening", "stable", "improving"]
Modality = Literal["analgesics", "bracing", "physical_therapy", "rest", "other"]


def _iso_date(value: Any) -> Any:
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError("must be a date written YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Bool = StrictBool | None


def _int(low: int, high: int, description: str) -> Any:
    return Field(default=None, ge=low, le=high, strict=True, description=description)


def _number(low: float, high: float, description: str) -> Any:
    return Field(default=None, ge=low, le=high, strict=True, description=description)


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Patient(_Part):
    birth_date: IsoDate | None = None
    sex: Sex | None = None
    pregnant: Bool = None


class Fracture(_Part):
    level: str | None = Field(
        default=None,
        description="Vertebral level, C1 to S5 (e.g. L1).",
        json_schema_extra=LEVEL_SCHEMA,
    )
    etiology: Etiology | None = None
    symptom_onset: IsoDate | None = Field(
        default=None, description="Date the fracture's pain began."
    )
    mri_edema: Bool = Field(default=None, description="Marrow oedema on MRI (STIR / T2 fat-sat).")
    bone_scan_uptake: Bool = Field(default=None, description="Uptake on bone scan or SPECT-CT.")
    height_loss_percent: float | None = _number(0, 100, "Vertebral body height loss, %.")
    kyphotic_deformity: Bool = None
    height_loss_progression: Bool = Field(
        default=None, description="Further height loss on follow-up imaging."
    )
    pain_confirmed_at_level: Bool = Field(
        default=None, description="Pain confirmed at this level by examination and imaging."
    )
    osteolytic_lesion: Bool = Field(
        default=None, description="Osteolytic metastasis or myeloma at this level."
    )
    of_type: int | None = _int(1, 5, "AO Spine-DGOU OF type, 1 to 5.")
    sins: dict[str, Any] | None = Field(
        default=None, description="The SINS instrument's input for this lesion."
    )

    @field_validator("level")
    @classmethod
    def _known_level(cls, value: str | None) -> str | None:
        return None if value is None else normalise_level(value)


class Pain(_Part):
    nrs: int | None = _int(0, 10, "Pain now, numeric rating scale 0-10.")
    trend: Trend | None = None
    severe: Bool = Field(
        default=None,
        description="The clinician judges the pain severe (NICE TA279 sets no number).",
    )


class Function(_Part):
    rdq: int | None = _int(0, 24, "Roland-Morris Disability Questionnaire, 0-24.")
    odi_percent: float | None = _number(0, 100, "Oswestry Disability Index, %.")


class ConservativeCare(_Part):
    optimal_management_tried: Bool = None
    started: IsoDate | None = None
    modalities: list[Modality] | None = None
    intolerable_side_effects: Bool = None


class Screening(_Part):
    active_infection: Bool = None
    uncorrectable_coagulopathy: Bool = None
    cement_or_contrast_allergy: Bool = None
    neurological_deficit: Bool = None
    myelopathy: Bool = None
    radicular_pain: Bool = None
    spinal_instability: Bool = None
    retropulsion: Bool = None
    pain_from_other_cause: Bool = None


class OsteoporosisCare(_Part):
    bmd_referral: Bool = None
    education: Bool = None
    program_instruction: Bool = None


class Case(_Part):
    assessment_date: IsoDate | None = None
    setting: Setting | None = None
    patient: Patient = Field(default_factory=Patient)
    fractures: list[Fracture] | None = None
    pain: Pain = Field(default_factory=Pain)
    function: Function = Field(default_factory=Function)
    conservative_care: ConservativeCare = Field(default_factory=ConservativeCare)
    screening: Screening = Field(default_factory=Screening)
    osteoporosis_care: OsteoporosisCare = Field(default_factory=OsteoporosisCare)

    @field_validator(
        "patient",
        "pain",
        "function",
        "conservative_care",
        "screening",
        "osteoporosis_care",
        mode="before",
    )
    @classmethod
    def _null_section_is_empty(cls, value: Any) -> Any:
        # A section given as null is a section of unknowns.
        return {} if value is None else value
