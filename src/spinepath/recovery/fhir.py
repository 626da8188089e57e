"""Recovery observations as FHIR R4 vital-signs Observations.

Each stored set becomes a vital-signs panel (LOINC 85353-1) with one member Observation per
coded parameter: respiratory rate, oxygen saturation, heart rate, body temperature, and a blood
pressure panel (85354-9) carrying systolic and diastolic as components; plus the NEWS2 total
(SNOMED CT UK 1104051000000101) derived from them. Parameters with no code in the vital-signs
value set (ACVPU consciousness, air or oxygen, SpO2 scale) stay in the NEWS2 components.

One builder serves two exports that differ only in the subject reference: the observations
endpoint (a ``collection`` Bundle referring to ``Patient/{id}``) and the episode export
(sections ``vital_signs`` and ``recovery_scores``, ``urn:uuid`` references inside the bundle).
The modified Aldrete and PADSS scores have no LOINC or SNOMED CT code checked in spinepath, so
they are exported by name only (``code.text``), as survey Observations with their items.
Every NEWS2 alert is a DetectedIssue (section ``recovery_alerts``): evidence the NEWS2 total it
was raised from, the acknowledgement as its mitigation, a resolution by a lower score in detail.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from spinepath.clinical.instruments import aldrete, padss
from spinepath.clinical.instruments.item_points import Item
from spinepath.clinical.instruments.registry import get_instrument
from spinepath.clinical.procedure.vitals import (
    BLOOD_PRESSURE_PANEL,
    BY_FIELD,
    NEWS2_TOTAL,
    UCUM,
    VITALS_PANEL,
)
from spinepath.fhir import codes
from spinepath.fhir.export import ExportContext, Section, instant
from spinepath.recovery import service
from spinepath.recovery.models import Observation, ObservationSet, RecoveryAlert, RecoveryScore

BLOOD_PRESSURE_PARTS = ("systolic_bp_mmhg", "diastolic_bp_mmhg")
SCORE_ITEMS: dict[str, tuple[Item, ...]] = {"aldrete": aldrete.ITEMS, "padss": padss.ITEMS}


def _quantity(row: Observation) -> dict[str, Any]:
    sign = BY_FIELD[row.parameter]
    return {"value": row.value, "unit": sign.unit_label, "system": UCUM, "code": row.unit}


def _base(
    observation_set: ObservationSet, subject: dict[str, str], resource_id: object
) -> dict[str, Any]:
    base: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(resource_id),
        "status": "final",
        "category": [codes.VITAL_SIGNS_CATEGORY],
        "subject": subject,
        "effectiveDateTime": instant(observation_set.observed_at),
    }
    if observation_set.recorded_by_name:
        base["performer"] = [{"display": observation_set.recorded_by_name}]
    return base


def set_resources(observation_set: ObservationSet, subject: dict[str, str]) -> list[dict[str, Any]]:
    """The panel, its members and the NEWS2 total of one set; members by ``urn:uuid``."""
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
                **_base(observation_set, subject, row.id),
                "code": {"coding": row.codings, "text": BY_FIELD[row.parameter].label},
                "valueQuantity": _quantity(row),
            }
        )
    if pressure:
        members.append(
            {
                **_base(observation_set, subject, pressure[0].id),
                "code": {"coding": [BLOOD_PRESSURE_PANEL.as_dict()], "text": "Blood pressure"},
                "component": [
                    {"code": {"coding": row.codings}, "valueQuantity": _quantity(row)}
                    for row in pressure
                ],
            }
        )
    member_references = [{"reference": ExportContext.full_url(member["id"])} for member in members]
    panel = {
        **_base(observation_set, subject, observation_set.id),
        "code": {"coding": [VITALS_PANEL.as_dict()], "text": "Vital signs"},
        "hasMember": member_references,
    }
    news2_id = uuid.uuid5(observation_set.id, "news2-total")
    news2 = {
        **_base(observation_set, subject, news2_id),
        "category": [codes.SURVEY_CATEGORY],
        "code": {"coding": [NEWS2_TOTAL.as_dict()], "text": "NEWS2 total score"},
        "valueQuantity": {"value": observation_set.news2_total, "system": UCUM, "code": "{score}"},
        "derivedFrom": member_references,
    }
    return [panel, *members, news2]


def bundle(sets: Iterable[ObservationSet]) -> dict[str, Any]:
    """The observations endpoint: a collection Bundle referring to ``Patient/{id}``."""
    entries = [
        {"fullUrl": ExportContext.full_url(resource["id"]), "resource": resource}
        for observation_set in sorted(sets, key=lambda s: s.observed_at)
        for resource in set_resources(
            observation_set, {"reference": f"Patient/{observation_set.patient_id}"}
        )
    ]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def score_resource(score: RecoveryScore, subject: dict[str, str]) -> dict[str, Any]:
    """A modified Aldrete or PADSS total with its items; named only, as no code was checked."""
    components = score.result.get("components", {})
    derived = score.result.get("derived") or {}
    items = SCORE_ITEMS[score.instrument]
    derived_label = next((i.label for i in items if i.field == derived.get("item")), None)
    return {
        "resourceType": "Observation",
        "id": str(score.id),
        "status": "final",
        "category": [codes.SURVEY_CATEGORY],
        "code": {"text": get_instrument(score.instrument).title},
        "subject": subject,
        "effectiveDateTime": instant(score.scored_at),
        "performer": [{"display": score.recorded_by_name}] if score.recorded_by_name else None,
        "valueInteger": score.total,
        "method": {"text": score.result.get("edition")},
        "component": [
            {"code": {"text": item.label}, "valueInteger": components[item.field]}
            for item in items
            if item.field in components
        ],
        # The derived item compared the baseline set with the latest recovery set.
        "derivedFrom": [
            {"reference": ExportContext.full_url(str(derived[key]))}
            for key in ("baseline_set_id", "current_set_id")
            if derived.get(key)
        ],
        "note": (
            [{"text": f"{derived_label} derived from the baseline and recovery vital signs."}]
            if derived_label
            else None
        ),
    }


# ---- Episode export sections -----------------------------------------------------------------
def vital_signs_section(ctx: ExportContext) -> list[dict[str, Any]]:
    sets = sorted(
        service.observation_sets(ctx.session, ctx.episode.id),
        key=lambda s: (s.observed_at, s.recorded_at),
    )
    return [
        resource
        for observation_set in sets
        for resource in set_resources(observation_set, ctx.patient_reference)
    ]


def recovery_scores_section(ctx: ExportContext) -> list[dict[str, Any]]:
    scores = sorted(service.scores_of(ctx.session, ctx.episode.id), key=lambda s: s.scored_at)
    return [score_resource(score, ctx.patient_reference) for score in scores]


# DetectedIssue.severity by alert level (FHIR R4 detectedissue-severity: high | moderate | low).
ALERT_SEVERITY = {"emergency": "high", "urgent": "moderate", "single_parameter": "low"}


def alert_resource(alert: RecoveryAlert, subject: dict[str, str]) -> dict[str, Any]:
    """One NEWS2 alert as a DetectedIssue: raised from the set's NEWS2 total (evidence), with its
    acknowledgement as the mitigation (the action taken, who and when) and its resolution by a
    lower score in the detail."""
    detail = f"NEWS2 {alert.news2_total} ({alert.risk} risk): {alert.response['response_level']}."
    if alert.resolved_at is not None:
        detail += (
            f" Resolved {instant(alert.resolved_at)}: a later set scored NEWS2 "
            f"{alert.resolved_news2_total}, below the alert's threshold."
        )
    if alert.responder_arrived_at is not None:
        detail += f" Responder arrived {instant(alert.responder_arrived_at)}."
    if alert.acknowledgement_note:
        detail += f" Note: {alert.acknowledgement_note}"
    news2_id = uuid.uuid5(alert.observation_set_id, "news2-total")
    mitigation = None
    if alert.acknowledged_at is not None:
        mitigation = [
            {
                "action": {"text": alert.action_taken or "Acknowledged by a clinician"},
                "date": instant(alert.acknowledged_at),
                "author": (
                    {"display": alert.acknowledged_by_name} if alert.acknowledged_by_name else None
                ),
            }
        ]
    return {
        "resourceType": "DetectedIssue",
        "id": str(alert.id),
        "status": "final",
        "code": {"text": f"NEWS2 alert: {alert.label}"},
        "severity": ALERT_SEVERITY.get(alert.level, "moderate"),
        "patient": subject,
        "identifiedDateTime": instant(alert.raised_at),
        "evidence": [{"detail": [{"reference": ExportContext.full_url(str(news2_id))}]}],
        "detail": detail,
        "mitigation": mitigation,
    }


def recovery_alerts_section(ctx: ExportContext) -> list[dict[str, Any]]:
    history = sorted(service.alerts_of(ctx.session, ctx.episode.id), key=lambda a: a.raised_at)
    return [alert_resource(alert, ctx.patient_reference) for alert in history]


FHIR_SECTIONS: tuple[Section, ...] = (
    Section(
        "vital_signs",
        "Baseline and recovery vital signs with NEWS2 (Observation, LOINC, SNOMED CT)",
        vital_signs_section,
    ),
    Section(
        "recovery_scores",
        "Modified Aldrete and PADSS scores (Observation, named only)",
        recovery_scores_section,
    ),
    Section(
        "recovery_alerts",
        "Every NEWS2 alert with its acknowledgement or resolution (DetectedIssue)",
        recovery_alerts_section,
    ),
)
