"""Vital signs for recovery observation: entry checks, units and codes, and the NEWS2 they give.

One table holds, per parameter: the unit (UCUM, as FHIR vital-signs Observations carry it), the
LOINC codes, and the plausible range for entry. The ranges are typing-error guards, not clinical
thresholds: they are the NEWS2 input limits (abnormal but possible values are accepted and
scored), so a reading outside them is a slip of the finger or the wrong unit. Diastolic pressure
has no NEWS2 limit of its own; it must be below the systolic pressure of the same reading (a
cross-field check, ``CROSS_FIELD_CHECKS``). Consciousness (ACVPU) and air or oxygen have no
default: an untouched field would otherwise score as normal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

from spinepath.clinical.errors import FieldError, InvalidInput, errors_from_validation
from spinepath.clinical.instruments import news2
from spinepath.clinical.sources.procedure import (
    HL7_FHIR_R4_VITAL_SIGNS,
    HL7_UK_CORE_NEWS2,
    SPINEPATH_PROCEDURE_DAY,
)

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"


@dataclass(frozen=True)
class Coding:
    system: str
    code: str
    display: str
    source_id: str

    def as_dict(self) -> dict[str, str]:
        return {"system": self.system, "code": self.code, "display": self.display}


@dataclass(frozen=True)
class VitalSign:
    field: str
    label: str
    unit: str | None  # UCUM code
    unit_label: str
    minimum: Decimal | None
    maximum: Decimal | None
    range_source_id: str
    codings: tuple[Coding, ...]


def _limit(name: str, index: int) -> Decimal:
    return Decimal(str(news2.PLAUSIBLE[name][index]))


def _loinc(code: str, display: str) -> Coding:
    return Coding(LOINC, code, display, HL7_FHIR_R4_VITAL_SIGNS)


VITAL_SIGNS: tuple[VitalSign, ...] = (
    VitalSign(
        "respiratory_rate",
        "Respiration rate",
        "/min",
        "breaths/min",
        _limit("respiratory_rate", 0),
        _limit("respiratory_rate", 1),
        SPINEPATH_PROCEDURE_DAY,
        (_loinc("9279-1", "Respiratory rate"),),
    ),
    VitalSign(
        "spo2_percent",
        "SpO₂",
        "%",
        "%",
        _limit("spo2_percent", 0),
        _limit("spo2_percent", 1),
        SPINEPATH_PROCEDURE_DAY,
        (
            _loinc("2708-6", "Oxygen saturation in Arterial blood"),
            _loinc("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
        ),
    ),
    VitalSign(
        "systolic_bp_mmhg",
        "Systolic blood pressure",
        "mm[Hg]",
        "mmHg",
        _limit("systolic_bp_mmhg", 0),
        _limit("systolic_bp_mmhg", 1),
        SPINEPATH_PROCEDURE_DAY,
        (_loinc("8480-6", "Systolic blood pressure"),),
    ),
    VitalSign(
        "diastolic_bp_mmhg",
        "Diastolic blood pressure",
        "mm[Hg]",
        "mmHg",
        Decimal(0),
        _limit("systolic_bp_mmhg", 1) - 1,  # below the highest systolic pressure
        SPINEPATH_PROCEDURE_DAY,
        (_loinc("8462-4", "Diastolic blood pressure"),),
    ),
    VitalSign(
        "pulse_per_min",
        "Pulse",
        "/min",
        "beats/min",
        _limit("pulse_per_min", 0),
        _limit("pulse_per_min", 1),
        SPINEPATH_PROCEDURE_DAY,
        (_loinc("8867-4", "Heart rate"),),
    ),
    VitalSign(
        "temperature_c",
        "Temperature",
        "Cel",
        "°C",
        _limit("temperature_c", 0),
        _limit("temperature_c", 1),
        SPINEPATH_PROCEDURE_DAY,
        (_loinc("8310-5", "Body temperature"),),
    ),
    # Scored by NEWS2 but with no code in the vital-signs value set: stored uncoded.
    VitalSign("on_oxygen", "On supplemental oxygen", None, "", None, None, "", ()),
    VitalSign("consciousness", "Consciousness (ACVPU)", None, "", None, None, "", ()),
    VitalSign("spo2_scale", "SpO₂ scale", None, "", None, None, "", ()),
)
BY_FIELD: dict[str, VitalSign] = {sign.field: sign for sign in VITAL_SIGNS}

VITALS_PANEL = _loinc(
    "85353-1", "Vital signs, weight, height, head circumference, oxygen saturation and BMI panel"
)
BLOOD_PRESSURE_PANEL = _loinc("85354-9", "Blood pressure panel with all children optional")
NEWS2_TOTAL = Coding(
    SNOMED,
    "1104051000000101",
    "Royal College of Physicians NEWS2 (National Early Warning Score 2) total score",
    HL7_UK_CORE_NEWS2,
)


class VitalSetInput(BaseModel):
    """One set of observations. Ranges are checked by :func:`parse_vitals` from the table."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    respiratory_rate: int = Field(description="Respiration rate, breaths per minute")
    spo2_percent: int = Field(description="Oxygen saturation by pulse oximetry, %")
    spo2_scale: Literal[1, 2] = Field(
        default=1, description="NEWS2 SpO2 scale; 2 only for a prescribed 88-92 % target"
    )
    on_oxygen: StrictBool = Field(description="On supplemental oxygen (false: room air)")
    systolic_bp_mmhg: int = Field(description="Systolic blood pressure, mmHg")
    diastolic_bp_mmhg: int | None = Field(default=None, description="Diastolic pressure, mmHg")
    pulse_per_min: int = Field(description="Pulse, beats per minute")
    consciousness: news2.Consciousness = Field(description="ACVPU: A, C, V, P or U")
    temperature_c: float = Field(description="Temperature, °C")


def _out_of_range(sign: VitalSign, value: Any) -> str | None:
    if sign.minimum is None or sign.maximum is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = Decimal(str(value))
    if sign.minimum <= number <= sign.maximum:
        return None
    unit = f" {sign.unit_label}" if sign.unit_label and sign.unit_label != "%" else sign.unit_label
    return (
        f"{value}{unit} is outside the plausible range {sign.minimum:f}–{sign.maximum:f}"
        f"{unit}: check the reading and its unit"
    )


@dataclass(frozen=True)
class CrossFieldCheck:
    """Readings that cannot all be true at once: a typing slip, named on the first field."""

    fields: tuple[str, ...]
    test: Callable[[VitalSetInput], str | None]
    source_id: str


def _diastolic_below_systolic(v: VitalSetInput) -> str | None:
    if v.diastolic_bp_mmhg is None or v.diastolic_bp_mmhg < v.systolic_bp_mmhg:
        return None
    return (
        f"diastolic {v.diastolic_bp_mmhg} mmHg is not below systolic {v.systolic_bp_mmhg} mmHg: "
        "the diastolic pressure must be the lower number; check the two readings"
    )


# spinepath's entry guards (not clinical thresholds), each on the fields it compares.
CROSS_FIELD_CHECKS: tuple[CrossFieldCheck, ...] = (
    CrossFieldCheck(
        ("diastolic_bp_mmhg", "systolic_bp_mmhg"),
        _diastolic_below_systolic,
        SPINEPATH_PROCEDURE_DAY,
    ),
)


def parse_vitals(raw: Mapping[str, Any] | Any) -> VitalSetInput:
    """Validate a set of observations, naming every invalid field at once."""
    if not isinstance(raw, Mapping):
        raise InvalidInput([FieldError("(input)", "must be a JSON object")])
    errors: list[FieldError] = []
    parsed: VitalSetInput | None = None
    try:
        parsed = VitalSetInput.model_validate(dict(raw))
    except ValidationError as error:
        errors.extend(errors_from_validation(error))
    bad = {error.field for error in errors}
    for sign in VITAL_SIGNS:
        if sign.field in bad or sign.field not in raw:
            continue
        message = _out_of_range(sign, raw[sign.field])
        if message:
            errors.append(FieldError(sign.field, message))
            bad.add(sign.field)
    if parsed is not None:
        for check in CROSS_FIELD_CHECKS:
            if any(name in bad for name in check.fields):
                continue
            message = check.test(parsed)
            if message:
                errors.append(FieldError(check.fields[0], message))
                bad.add(check.fields[0])
    if errors or parsed is None:
        raise InvalidInput(errors)
    return parsed


def news2_of(vitals: VitalSetInput) -> dict[str, Any]:
    """The NEWS2 result (total, components, single_parameter_3, risk, response) for a set."""
    raw = vitals.model_dump(exclude={"diastolic_bp_mmhg"})
    return news2.INSTRUMENT.run(raw)


def observation_rows(vitals: VitalSetInput) -> list[dict[str, Any]]:
    """One storable row per parameter: value, UCUM unit and codes, ready for FHIR export."""
    rows: list[dict[str, Any]] = []
    for sign in VITAL_SIGNS:
        value = getattr(vitals, sign.field)
        if value is None:
            continue
        rows.append(
            {
                "parameter": sign.field,
                "value": value,
                "unit": sign.unit,
                "codings": [coding.as_dict() for coding in sign.codings],
            }
        )
    return rows


SOURCE_IDS = (HL7_FHIR_R4_VITAL_SIGNS, HL7_UK_CORE_NEWS2, SPINEPATH_PROCEDURE_DAY)
