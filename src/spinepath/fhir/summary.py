"""What a set of facts says, for the pathway: the derived view of imported or prefetched facts.

``summarise(facts)`` answers the questions the pathway asks of a record, always with the facts
it used and never with an invented value: is osteoporosis recorded; which vertebral and fragility
fractures; which infections are active; which medicines are current (recognised or flagged for
review) and which of them treat osteoporosis; the latest DXA T-score, INR, platelets, creatinine
clearance, eGFR and pain score; cement or contrast allergies; and the latest NEWS2, computed by
the clinical core only when one set of observations gives all seven parameters.

Grouping rule for NEWS2 (a data rule, not a clinical threshold): the latest reading of each
parameter is used, and all seven must lie within ``NEWS2_SET_WINDOW`` of each other, so that a
score is never assembled from readings taken at different times.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.instruments.registry import get_instrument
from spinepath.fhir.mapping import CURRENT_MEDICATION_STATUSES, INACTIVE_CONDITION_STATUSES, Fact

NEWS2_SET_WINDOW = timedelta(hours=1)
# The oxygen fraction of room air (physics, not a clinical threshold).
ROOM_AIR_OXYGEN_PERCENT = 21

LATEST_VALUES = (
    "dxa_t_score",
    "inr",
    "platelets_10e9_per_l",
    "creatinine_clearance_ml_min",
    "egfr_ml_min_1_73m2",
    "creatinine_mg_dl",
    "pain_nrs",
    "body_weight_kg",
)

NEWS2_PARAMETERS = (
    ("respiratory_rate", "respiratory rate (LOINC 9279-1)"),
    ("spo2_percent", "oxygen saturation (LOINC 2708-6 or 59408-5)"),
    ("on_oxygen", "air or oxygen (LOINC 3151-8 inhaled oxygen flow or 3150-0 concentration)"),
    ("systolic_bp_mmhg", "systolic blood pressure (LOINC 8480-6)"),
    ("pulse_per_min", "heart rate (LOINC 8867-4)"),
    ("consciousness", "level of consciousness, ACVPU (LOINC 67775-7)"),
    ("temperature_c", "temperature (LOINC 8310-5 or 8331-1)"),
)


def _fact_ref(fact: Fact) -> dict[str, Any]:
    ref: dict[str, Any] = {
        "resource": fact.reference,
        "display": fact.display,
        "status": fact.status,
        "effective": fact.effective,
    }
    if fact.part:
        ref["part"] = fact.part
    return ref


def _usable_observations(facts: Iterable[Fact]) -> dict[str, list[Fact]]:
    by_concept: dict[str, list[Fact]] = {}
    for fact in facts:
        if fact.kind != "observation" or "unusable" in fact.details:
            continue
        by_concept.setdefault(str(fact.details.get("concept")), []).append(fact)
    for items in by_concept.values():
        items.sort(key=lambda f: (f.effective_at is not None, f.effective_at), reverse=True)
    return by_concept


def _latest(observations: dict[str, list[Fact]], concept: str) -> dict[str, Any] | None:
    items = [f for f in observations.get(concept, []) if f.effective_at is not None]
    if not items:
        return None
    fact = items[0]
    return {
        "value": fact.details.get("canonical_value"),
        "unit": fact.details.get("canonical_unit"),
        "as_recorded": {"value": fact.value_num, "unit": fact.value_unit},
        "at": fact.effective,
        "resource": fact.reference,
    }


def _condition_active(fact: Fact) -> bool:
    return fact.status is None or fact.status not in INACTIVE_CONDITION_STATUSES


def summarise(facts: list[Fact]) -> dict[str, Any]:
    conditions = [f for f in facts if f.kind == "condition"]
    medicines = [f for f in facts if f.kind == "medication"]
    allergies = [f for f in facts if f.kind == "allergy"]
    observations = _usable_observations(facts)

    current = [f for f in medicines if f.status in CURRENT_MEDICATION_STATUSES]
    treatment = [f for f in current if f.category == "osteoporosis_treatment"]
    vertebral = [f for f in conditions if f.category == "vertebral_fracture"]

    def allergy(category: str) -> dict[str, Any]:
        found = [f for f in allergies if f.category == category and _condition_active(f)]
        return {"present": bool(found), "facts": [_fact_ref(f) for f in found]}

    return {
        "osteoporosis": {
            "present": any(f.category == "osteoporosis" for f in conditions),
            "facts": [_fact_ref(f) for f in conditions if f.category == "osteoporosis"],
        },
        "vertebral_fractures": [
            {
                **_fact_ref(f),
                "etiology": f.details.get("etiology"),
                "level": f.details.get("level"),
                "region": f.details.get("region"),
            }
            for f in vertebral
        ],
        "fragility_fractures": [
            {**_fact_ref(f), "site": "not coded"}
            for f in conditions
            if f.category == "osteoporotic_fracture"
        ],
        "neoplastic_fractures": [
            _fact_ref(f) for f in conditions if f.category == "neoplastic_fracture"
        ],
        "active_infections": [
            _fact_ref(f) for f in conditions if f.category == "infection" and _condition_active(f)
        ],
        "malignancies": [_fact_ref(f) for f in conditions if f.category == "malignancy"],
        "current_medications": [
            {
                **_fact_ref(f),
                "name": f.details.get("name"),
                "rxnorm": f.details.get("rxnorm"),
                "recognised_as": f.details.get("recognised_as"),
                "medicine_class": f.details.get("medicine_class"),
                "review": f.review,
            }
            for f in current
        ],
        "osteoporosis_treatment": [
            {**_fact_ref(f), "recognised_as": f.details.get("recognised_as")} for f in treatment
        ],
        "medications_for_review": [
            {**_fact_ref(f), "reason": f.details.get("review_reason")} for f in current if f.review
        ],
        "allergies": {"cement": allergy("cement"), "contrast": allergy("contrast")},
        "latest": {name: _latest(observations, name) for name in LATEST_VALUES},
        "latest_news2": latest_news2(facts),
    }


def planner_medications(facts: Iterable[Fact]) -> list[dict[str, Any]]:
    """Current medicines as the preparation planner's medication lines (name and RxNorm)."""
    lines: list[dict[str, Any]] = []
    for fact in facts:
        if fact.kind != "medication" or fact.status not in CURRENT_MEDICATION_STATUSES:
            continue
        line: dict[str, Any] = {"name": fact.details.get("name") or fact.display}
        if fact.details.get("rxnorm"):
            line["rxnorm"] = fact.details["rxnorm"]
        lines.append(line)
    return lines


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


def _whole(value: float) -> tuple[int, str | None]:
    rounded = int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    note = None if rounded == value else f"{value:g} scored as {rounded} (whole number)"
    return rounded, note


def latest_news2(facts: Iterable[Fact]) -> dict[str, Any]:
    """NEWS2 from the latest complete set of observations, or why there is none."""
    observations = _usable_observations(facts)
    readings: dict[str, Fact] = {}
    for name in ("respiratory_rate", "spo2_percent", "systolic_bp_mmhg", "pulse_per_min"):
        dated = [f for f in observations.get(name, []) if f.effective_at is not None]
        if dated:
            readings[name] = dated[0]
    temps = [f for f in observations.get("temperature_c", []) if f.effective_at is not None]
    if temps:
        readings["temperature_c"] = temps[0]
    acvpu = [f for f in observations.get("consciousness_acvpu", []) if f.effective_at is not None]
    if acvpu:
        readings["consciousness"] = acvpu[0]
    oxygen = [
        f
        for name in ("inhaled_oxygen_flow_l_min", "inhaled_oxygen_percent")
        for f in observations.get(name, [])
        if f.effective_at is not None
    ]
    oxygen.sort(key=lambda f: f.effective_at, reverse=True)  # type: ignore[arg-type,return-value]
    if oxygen:
        readings["on_oxygen"] = oxygen[0]

    missing = [label for name, label in NEWS2_PARAMETERS if name not in readings]
    used = {name: _fact_ref(fact) for name, fact in readings.items()}
    if missing:
        return {
            "status": "insufficient_data",
            "detail": "NEWS2 needs all seven parameters from one set of observations; "
            "none is assumed or filled in.",
            "missing": missing,
            "found": used,
        }
    times = [fact.effective_at for fact in readings.values() if fact.effective_at is not None]
    if max(times) - min(times) > NEWS2_SET_WINDOW:
        return {
            "status": "insufficient_data",
            "detail": (
                "the latest readings are not one set of observations: they span "
                f"{_minutes(max(times) - min(times))} minutes (more than "
                f"{_minutes(NEWS2_SET_WINDOW)})"
            ),
            "missing": [],
            "found": used,
        }
    notes: list[str] = []
    raw: dict[str, Any] = {}
    for name in ("respiratory_rate", "spo2_percent", "systolic_bp_mmhg", "pulse_per_min"):
        value, note = _whole(float(readings[name].details["canonical_value"]))
        raw[name] = value
        if note:
            notes.append(f"{name}: {note}")
    raw["temperature_c"] = round(float(readings["temperature_c"].details["canonical_value"]), 2)
    raw["consciousness"] = readings["consciousness"].details["acvpu"]
    oxygen_fact = readings["on_oxygen"]
    oxygen_value = float(oxygen_fact.details["canonical_value"])
    # Room air is 21 % oxygen and no flow; anything more is supplemental oxygen.
    is_flow = str(oxygen_fact.details["concept"]).startswith("inhaled_oxygen_flow")
    raw["on_oxygen"] = oxygen_value > 0 if is_flow else oxygen_value > ROOM_AIR_OXYGEN_PERCENT
    try:
        result = get_instrument("news2").run(raw)
    except InvalidInput as invalid:
        return {
            "status": "insufficient_data",
            "detail": "the readings are outside what NEWS2 accepts",
            "errors": [e.as_dict() for e in invalid.errors],
            "missing": [],
            "found": used,
        }
    return {
        "status": "computed",
        "observed_from": min(times).isoformat(),
        "observed_to": max(times).isoformat(),
        "input": raw,
        "notes": notes,
        "result": result,
        "found": used,
    }
