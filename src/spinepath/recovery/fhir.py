"""Recovery observations as FHIR R4 vital-signs Observations (a ``collection`` Bundle).

Each stored set becomes a vital-signs panel (LOINC 85353-1) with one member Observation per
coded parameter: respiratory rate, oxygen saturation, heart rate, body temperature, and a blood
pressure panel (85354-9) carrying systolic and diastolic as components; plus the NEWS2 total
(SNOMED CT UK 1104051000000101) derived from them. Parameters with no code in the vital-signs
value set (ACVPU consciousness, air or oxygen, SpO2 scale) stay in the NEWS2 components.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from spinepath.clinical.procedure.vitals import (
    BLOOD_PRESSURE_PANEL,
    BY_FIELD,
    NEWS2_TOTAL,
    UCUM,
    VITALS_PANEL,
)
from spinepath.recovery.models import Observation, ObservationSet

VITAL_SIGNS_CATEGORY = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "vital-signs",
            "display": "Vital Signs",
        }
    ]
}
SURVEY_CATEGORY = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }
    ]
}
BLOOD_PRESSURE_PARTS = ("systolic_bp_mmhg", "diastolic_bp_mmhg")


def _urn(value: uuid.UUID) -> str:
    return f"urn:uuid:{value}"


def _quantity(row: Observation) -> dict[str, Any]:
    sign = BY_FIELD[row.parameter]
    return {"value": row.value, "unit": sign.unit_label, "system": UCUM, "code": row.unit}


def _base(observation_set: ObservationSet, patient_id: uuid.UUID) -> dict[str, Any]:
    base: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [VITAL_SIGNS_CATEGORY],
        "subject": {"reference": f"Patient/{patient_id}"},
        "effectiveDateTime": observation_set.observed_at.isoformat(),
    }
    if observation_set.recorded_by_name:
        base["performer"] = [{"display": observation_set.recorded_by_name}]
    return base


def set_resources(observation_set: ObservationSet) -> list[dict[str, Any]]:
    patient_id = observation_set.patient_id
    members: list[dict[str, Any]] = []
    pressure: list[Observation] = []
    for row in observation_set.observations:
        if row.parameter in BLOOD_PRESSURE_PARTS:
            pressure.append(row)
            continue
        if not row.codings or row.value_number is None:
            continue
        members.append(
            {
                **_base(observation_set, patient_id),
                "id": str(row.id),
                "code": {"coding": row.codings, "text": BY_FIELD[row.parameter].label},
                "valueQuantity": _quantity(row),
            }
        )
    if pressure:
        members.append(
            {
                **_base(observation_set, patient_id),
                "id": str(pressure[0].id),
                "code": {"coding": [BLOOD_PRESSURE_PANEL.as_dict()], "text": "Blood pressure"},
                "component": [
                    {"code": {"coding": row.codings}, "valueQuantity": _quantity(row)}
                    for row in pressure
                ],
            }
        )
    panel = {
        **_base(observation_set, patient_id),
        "id": str(observation_set.id),
        "code": {"coding": [VITALS_PANEL.as_dict()], "text": "Vital signs"},
        "hasMember": [{"reference": _urn(uuid.UUID(member["id"]))} for member in members],
    }
    news2_id = uuid.uuid5(observation_set.id, "news2-total")
    news2 = {
        **_base(observation_set, patient_id),
        "id": str(news2_id),
        "category": [SURVEY_CATEGORY],
        "code": {"coding": [NEWS2_TOTAL.as_dict()], "text": "NEWS2 total score"},
        "valueQuantity": {"value": observation_set.news2_total, "system": UCUM, "code": "{score}"},
        "derivedFrom": [{"reference": _urn(uuid.UUID(member["id"]))} for member in members],
    }
    return [panel, *members, news2]


def bundle(sets: Iterable[ObservationSet]) -> dict[str, Any]:
    entries = [
        {"fullUrl": _urn(uuid.UUID(resource["id"])), "resource": resource}
        for observation_set in sorted(sets, key=lambda s: s.observed_at)
        for resource in set_resources(observation_set)
    ]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}
