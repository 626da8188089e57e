"""NEWS2: the Royal College of Physicians' National Early Warning Score 2 (2017).

Seven parameters each score 0-3 (air or oxygen 0 or 2) from Chart 1; the total (0-20) and any
single parameter scoring 3 give the clinical risk (Chart 2) and the minimum monitoring frequency
and clinical response (Chart 4). SpO2 is scored on scale 1, or on scale 2 for patients with
hypercapnic respiratory failure and a prescribed target of 88-92 %; on scale 2, saturations of
93 % or more score 0 on air and 1-3 on oxygen.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from spinepath.clinical.instruments import Instrument
from spinepath.clinical.sources.recovery_scores import NICE_MIB205_NEWS_SCOPE, RCP_NEWS2_2017

Consciousness = Literal["A", "C", "V", "P", "U"]
Risk = Literal["low", "low-medium", "medium", "high"]


@dataclass(frozen=True)
class BandTable:
    """One Chart 1 row: ascending (inclusive upper bound, points); ``None`` = no upper bound."""

    parameter: str
    bands: tuple[tuple[Decimal | None, int], ...]
    source_id: str

    def points(self, value: Decimal) -> int:
        for upper, points in self.bands:
            if upper is None or value <= upper:
                return points
        raise AssertionError(f"{self.parameter}: bands must end with an open band")


def _bands(*rows: tuple[str | None, int]) -> tuple[tuple[Decimal | None, int], ...]:
    return tuple((None if upper is None else Decimal(upper), points) for upper, points in rows)


# ---- Chart 1: the NEWS scoring system (RCP 2017) ---------------------------------------------
RESPIRATION_RATE = BandTable(
    "respiration_rate",
    _bands(("8", 3), ("11", 1), ("20", 0), ("24", 2), (None, 3)),
    RCP_NEWS2_2017,
)
SPO2_SCALE_1 = BandTable(
    "spo2 (scale 1)",
    _bands(("91", 3), ("93", 2), ("95", 1), (None, 0)),
    RCP_NEWS2_2017,
)
SPO2_SCALE_2_ON_AIR = BandTable(
    "spo2 (scale 2, on air)",
    _bands(("83", 3), ("85", 2), ("87", 1), (None, 0)),
    RCP_NEWS2_2017,
)
SPO2_SCALE_2_ON_OXYGEN = BandTable(
    "spo2 (scale 2, on oxygen)",
    _bands(("83", 3), ("85", 2), ("87", 1), ("92", 0), ("94", 1), ("96", 2), (None, 3)),
    RCP_NEWS2_2017,
)
SYSTOLIC_BP = BandTable(
    "systolic_bp",
    _bands(("90", 3), ("100", 2), ("110", 1), ("219", 0), (None, 3)),
    RCP_NEWS2_2017,
)
PULSE = BandTable(
    "pulse",
    _bands(("40", 3), ("50", 1), ("90", 0), ("110", 1), ("130", 2), (None, 3)),
    RCP_NEWS2_2017,
)
# Chart 1 bands are in 0.1 °C steps: scored after rounding half-up to one decimal.
TEMPERATURE = BandTable(
    "temperature",
    _bands(("35.0", 3), ("36.0", 1), ("38.0", 0), ("39.0", 1), (None, 2)),
    RCP_NEWS2_2017,
)
AIR_OR_OXYGEN_POINTS: dict[bool, int] = {False: 0, True: 2}  # on_oxygen -> points (Chart 1)
CONSCIOUSNESS_POINTS: dict[str, int] = {"A": 0, "C": 3, "V": 3, "P": 3, "U": 3}  # (Chart 1)
TEMPERATURE_STEP = Decimal("0.1")

# ---- Chart 2 (risk) and Chart 4 (monitoring and response) -----------------------------------
MEDIUM_FROM_TOTAL = 5  # aggregate 5-6: medium, key threshold for urgent response
HIGH_FROM_TOTAL = 7  # aggregate 7 or more: high, emergency response threshold
RED_SCORE = 3  # 3 in any single parameter: low-medium unless the total is already 5 or more
THRESHOLDS_SOURCE = RCP_NEWS2_2017


@dataclass(frozen=True)
class Response:
    trigger: str
    risk: Risk
    response_level: str
    monitoring_frequency: str
    clinical_response: tuple[str, ...]
    source_id: str = RCP_NEWS2_2017

    def as_dict(self) -> dict[str, Any]:
        return {
            "trigger": self.trigger,
            "response_level": self.response_level,
            "monitoring_frequency": self.monitoring_frequency,
            "clinical_response": list(self.clinical_response),
        }


RESPONSE_TOTAL_0 = Response(
    trigger="total 0",
    risk="low",
    response_level="ward-based response",
    monitoring_frequency="minimum 12-hourly",
    clinical_response=("Continue routine NEWS monitoring.",),
)
RESPONSE_TOTAL_1_TO_4 = Response(
    trigger="total 1-4",
    risk="low",
    response_level="ward-based response",
    monitoring_frequency="minimum 4-6-hourly",
    clinical_response=(
        "Inform the registered nurse, who must assess the patient.",
        "The registered nurse decides whether monitoring should be more frequent and/or care "
        "escalated.",
    ),
)
RESPONSE_SINGLE_3 = Response(
    trigger="3 in a single parameter (total 4 or less)",
    risk="low-medium",
    response_level="urgent ward-based response",
    monitoring_frequency="minimum 1-hourly",
    clinical_response=(
        "The registered nurse informs the medical team caring for the patient, who review "
        "the patient and decide whether care needs escalating.",
    ),
)
RESPONSE_TOTAL_5_OR_MORE = Response(
    trigger="total 5 or more (urgent response threshold)",
    risk="medium",
    response_level="urgent response",
    monitoring_frequency="minimum 1-hourly",
    clinical_response=(
        "The registered nurse immediately informs the medical team caring for the patient.",
        "The registered nurse requests urgent assessment by a clinician or team with core "
        "competencies in the care of acutely ill patients.",
        "Provide clinical care in an environment with monitoring facilities.",
    ),
)
RESPONSE_TOTAL_7_OR_MORE = Response(
    trigger="total 7 or more (emergency response threshold)",
    risk="high",
    response_level="emergency response",
    monitoring_frequency="continuous monitoring of vital signs",
    clinical_response=(
        "The registered nurse immediately informs the medical team caring for the patient, "
        "at least at specialist registrar level.",
        "Emergency assessment by a team with critical care competencies, including a "
        "practitioner with advanced airway management skills.",
        "Consider transfer of care to a level 2 or 3 clinical care facility (higher-dependency "
        "unit or ICU).",
        "Provide clinical care in an environment with monitoring facilities.",
    ),
)


# ---- Input plausibility: not clinical thresholds, only to refuse impossible values ----------
# Abnormal but possible values are scored (a pulse or blood pressure of 0 in cardiac arrest,
# apnoea, 11.8 °C accidental hypothermia, 46.5 °C heat stroke). Values outside these ranges are
# typing errors or wrong units (e.g. 98.6, a Fahrenheit temperature) and give a field error.
PLAUSIBLE = {
    "respiratory_rate": (0, 100),
    "spo2_percent": (0, 100),
    "systolic_bp_mmhg": (0, 400),
    "pulse_per_min": (0, 350),
    "temperature_c": (10, 47),
}


class News2Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    respiratory_rate: int = Field(
        ge=PLAUSIBLE["respiratory_rate"][0],
        le=PLAUSIBLE["respiratory_rate"][1],
        description="Respiration rate, breaths per minute (whole number).",
    )
    spo2_percent: int = Field(
        ge=PLAUSIBLE["spo2_percent"][0],
        le=PLAUSIBLE["spo2_percent"][1],
        description="Oxygen saturation by pulse oximetry, % (whole number).",
    )
    spo2_scale: Literal[1, 2] = Field(
        default=1,
        description=(
            "SpO2 scale: 1 for most patients; 2 only for hypercapnic respiratory failure with "
            "a prescribed target of 88-92 %, as decided by a qualified clinician."
        ),
    )
    on_oxygen: StrictBool = Field(
        description="True if the patient is receiving supplemental oxygen, false on room air.",
    )
    systolic_bp_mmhg: int = Field(
        ge=PLAUSIBLE["systolic_bp_mmhg"][0],
        le=PLAUSIBLE["systolic_bp_mmhg"][1],
        description="Systolic blood pressure, mmHg (whole number).",
    )
    pulse_per_min: int = Field(
        ge=PLAUSIBLE["pulse_per_min"][0],
        le=PLAUSIBLE["pulse_per_min"][1],
        description="Pulse, beats per minute (whole number).",
    )
    consciousness: Consciousness = Field(
        description=(
            "ACVPU: A alert; C new confusion (or other new alteration in mental state); "
            "V responds to voice; P responds to pain; U unresponsive."
        ),
    )
    temperature_c: float = Field(
        ge=PLAUSIBLE["temperature_c"][0],
        le=PLAUSIBLE["temperature_c"][1],
        description="Temperature, °C; scored after rounding half-up to one decimal.",
    )

    @field_validator("spo2_scale", mode="before")
    @classmethod
    def _scale_is_not_a_boolean(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("Input should be 1 or 2")
        return value


def score_temperature(temperature_c: float) -> tuple[Decimal, int]:
    """The temperature as scored (rounded half-up to 0.1 °C) and its points.

    The value is taken as written (``str`` of the float), so 35.05 rounds to 35.1 (1 point) and
    35.04 to 35.0 (3 points): every reading falls in exactly one 0.1 °C Chart 1 band.
    """
    scored = Decimal(str(temperature_c)).quantize(TEMPERATURE_STEP, rounding=ROUND_HALF_UP)
    return scored, TEMPERATURE.points(scored)


def spo2_table(scale: int, on_oxygen: bool) -> BandTable:
    if scale == 1:
        return SPO2_SCALE_1
    return SPO2_SCALE_2_ON_OXYGEN if on_oxygen else SPO2_SCALE_2_ON_AIR


def response_for(total: int, single_parameter_3: bool) -> Response:
    if total >= HIGH_FROM_TOTAL:
        return RESPONSE_TOTAL_7_OR_MORE
    if total >= MEDIUM_FROM_TOTAL:
        return RESPONSE_TOTAL_5_OR_MORE
    if single_parameter_3:
        return RESPONSE_SINGLE_3
    if total == 0:
        return RESPONSE_TOTAL_0
    return RESPONSE_TOTAL_1_TO_4


def compute(data: News2Input) -> dict[str, Any]:
    temperature_scored, temperature_points = score_temperature(data.temperature_c)
    components = {
        "respiration_rate": RESPIRATION_RATE.points(Decimal(data.respiratory_rate)),
        "spo2": spo2_table(data.spo2_scale, data.on_oxygen).points(Decimal(data.spo2_percent)),
        "air_or_oxygen": AIR_OR_OXYGEN_POINTS[data.on_oxygen],
        "systolic_bp": SYSTOLIC_BP.points(Decimal(data.systolic_bp_mmhg)),
        "pulse": PULSE.points(Decimal(data.pulse_per_min)),
        "consciousness": CONSCIOUSNESS_POINTS[data.consciousness],
        "temperature": temperature_points,
    }
    total = sum(components.values())
    single_parameter_3 = any(points == RED_SCORE for points in components.values())
    response = response_for(total, single_parameter_3)
    notes: list[str] = []
    if data.spo2_scale == 2:
        notes.append(
            "SpO2 scored on scale 2: only for confirmed hypercapnic respiratory failure with a "
            "prescribed target of 88-92 %."
        )
    if Decimal(str(data.temperature_c)) != temperature_scored:
        notes.append(f"Temperature {data.temperature_c} °C scored as {temperature_scored} °C.")
    return {
        "total": total,
        "components": components,
        "single_parameter_3": single_parameter_3,
        "risk": response.risk,
        "response": response.as_dict(),
        "spo2_scale": data.spo2_scale,
        "temperature_c_scored": float(temperature_scored),
        "notes": notes,
    }


FORMULA = """\
NEWS2 = sum of seven parameter scores (0-20). Chart 1 (RCP 2017):
  Respiration rate /min:   ≤8 → 3 · 9-11 → 1 · 12-20 → 0 · 21-24 → 2 · ≥25 → 3
  SpO2 scale 1 %:          ≤91 → 3 · 92-93 → 2 · 94-95 → 1 · ≥96 → 0
  SpO2 scale 2 %:          ≤83 → 3 · 84-85 → 2 · 86-87 → 1 · 88-92 → 0 · ≥93 on air → 0
                           93-94 on oxygen → 1 · 95-96 on oxygen → 2 · ≥97 on oxygen → 3
  Air or oxygen:           air → 0 · oxygen → 2
  Systolic BP mmHg:        ≤90 → 3 · 91-100 → 2 · 101-110 → 1 · 111-219 → 0 · ≥220 → 3
  Pulse /min:              ≤40 → 3 · 41-50 → 1 · 51-90 → 0 · 91-110 → 1 · 111-130 → 2 · ≥131 → 3
  Consciousness (ACVPU):   alert → 0 · new confusion, voice, pain or unresponsive → 3
  Temperature °C:          ≤35.0 → 3 · 35.1-36.0 → 1 · 36.1-38.0 → 0 · 38.1-39.0 → 1 · ≥39.1 → 2
  (temperature is rounded half-up to one decimal before scoring: 35.05 → 35.1)
Clinical risk (Chart 2) and response (Chart 4):
  total 0:                      low · minimum 12-hourly · continue routine NEWS monitoring
  total 1-4:                    low · minimum 4-6-hourly · registered nurse assesses
  3 in one parameter (total ≤4): low-medium · minimum 1-hourly · urgent ward-based response
  total 5-6:                    medium · minimum 1-hourly · urgent response
  total ≥7:                     high · continuous monitoring · emergency response
Scale 2 only for hypercapnic respiratory failure with a prescribed 88-92 % target.
Not for children under 16 or pregnant women."""

INSTRUMENT = Instrument(
    name="news2",
    title="NEWS2: National Early Warning Score 2",
    edition="RCP NEWS2 (December 2017)",
    source_ids=(RCP_NEWS2_2017, NICE_MIB205_NEWS_SCOPE),
    formula=FORMULA,
    input_model=News2Input,
    compute=compute,
    note=(
        "For adults: NEWS2 does not apply to children under 16 or to pregnant women. It "
        "supports, and never replaces, clinical judgement: escalate whenever you are worried."
    ),
)
