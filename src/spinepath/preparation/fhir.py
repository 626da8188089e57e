"""The preparation plan's medicine holds in the FHIR export: one MedicationStatement per medicine.

Only a plan a physician signed is exported, as the signature keeps it (the latest signature's
snapshot of inputs and plan). A draft nobody signed exports nothing: a hold nobody approved must
not travel as if it were decided. A plan changed after its last signature still exports what was
signed, with a note on every statement that a newer version waits for review.

Each medicine line of the plan, in its order, never dropped:

- status from the plan's action: ``hold`` → ``on-hold`` with the hold window as
  ``effectivePeriod`` (last dose → restart, as the plan gives them in the clinic's zone);
  ``continue`` → ``active``; ``review`` (a medicine not recognised, or one the plan leaves to a
  clinician) → ``unknown``, with a note that it needs review;
- ``medicationCodeableConcept``: the name as entered, with its RxNorm coding only when the line
  carried a code the planner's verified list holds for the medicine it recognised;
- ``dosage[0].text``: what to do, in plain words; ``statusReason``: the plan's reason; ``note``:
  the hold table row and edition the action came from, and the plan's warnings for the line;
- ``informationSource``: the signing physician (display); ``dateAsserted``: when they signed.
- a physician's decision on the medicine wins over the rule's action (a skipped dose is
  ``active``, a call to the patient ``unknown``), with the decision, its author and time, the
  rule's suggestion and any review flag (e.g. warfarin bridging) as notes.

Ids derive from the signature and the line's position, so a new signature gives new statements
and the same signature exports the same ids every time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from spinepath.clinical.preparation.medicines import RXNORM
from spinepath.fhir import codes
from spinepath.fhir.export import ExportContext, Section, instant
from spinepath.preparation.models import NEEDS_REVIEW, PreparationPlan, PreparationSignature
from spinepath.preparation.signed_plan import plan_of_episode

STATUS_FOR_ACTION = {"hold": "on-hold", "continue": "active", "review": "unknown"}
NOT_RECOGNISED = "Not recognised by the preparation planner: a clinician must review this medicine."
LEFT_TO_REVIEW = (
    "Needs clinician review: the signed plan does not say whether to stop this medicine."
)


def _when(value: str, zone_name: str) -> str:
    """ "Saturday 28 November 2026 at 08:00 (America/Chicago time)", the plan's own wall clock."""
    moment = datetime.fromisoformat(value)
    return f"{moment:%A} {moment.day} {moment:%B %Y} at {moment:%H:%M} ({zone_name} time)"


def _day(value: str) -> str:
    moment = datetime.fromisoformat(value)
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def _restart_text(item: Mapping[str, Any], zone_name: str) -> str:
    first_dose = item.get("first_usual_dose_after_restart")
    if first_dose:
        return f"Restart with the usual dose on {_when(first_dose, zone_name)}."
    restart = item.get("restart_at")
    if restart:
        moment = datetime.fromisoformat(restart)
        if (moment.hour, moment.minute) == (0, 0):
            return f"Restart on {_day(restart)}."
        return f"Restart on {_when(restart, zone_name)} or later."
    return "No restart time is given: the clinician sets it."


def dosage_text(item: Mapping[str, Any], zone_name: str) -> str:
    """The plan's instruction for one medicine, in plain words."""
    action, last_dose = item["action"], item.get("last_dose_at")
    if action == "continue":
        return "Keep taking it as usual."
    if action != "hold" or not last_dose:
        return "No stop or restart time is decided: a clinician reviews this medicine."
    if item.get("last_dose_basis") == "usual_dose_time":
        stop = f"Take the last dose on {_when(last_dose, zone_name)}, then stop."
    else:
        stop = f"Do not take it after {_when(last_dose, zone_name)}."
    return f"{stop} {_restart_text(item, zone_name)}"


def rxnorm_coding(entered: Mapping[str, Any], item: Mapping[str, Any]) -> dict[str, Any] | None:
    """The line's RxNorm code, when verified for the medicine the plan recognised."""
    code = entered.get("rxnorm")
    verified = RXNORM.get(code) if isinstance(code, str) else None
    if verified is None or item.get("recognised_as") != verified[0]:
        return None
    return {"system": codes.RXNORM, "code": code, "display": verified[1]}


def _source_note(item: Mapping[str, Any], edition: str) -> str:
    if item.get("rule"):
        return (
            f"Hold table row: {item['rule']} (rule {item['rule_id']}, edition "
            f"{item.get('edition') or edition}, source {item['source']}, confidence "
            f"{item['confidence']})."
        )
    if item.get("source"):
        return f"Plan edition {item.get('edition') or edition} (source {item['source']})."
    return f"Plan edition {edition}."


def _notes(
    item: Mapping[str, Any],
    plan: Mapping[str, Any],
    record: PreparationPlan,
    note: str | None,
    decided: list[str],
) -> list[str]:
    notes = [_source_note(item, str(plan["edition"]))]
    if item["action"] == "review":
        notes.append(NOT_RECOGNISED if item.get("recognised_as") is None else LEFT_TO_REVIEW)
    notes += [f"Planner warning: {warning}." for warning in item.get("warnings", [])]
    notes += decided
    if note:
        notes.append(f"Signature note: {note}")
    if record.status == NEEDS_REVIEW:
        notes.append(
            f"The plan {record.review_reason or 'changed after signing'}; the new version waits "
            "for a physician's signature."
        )
    return notes


_DECIDED_ACTION = {
    "hold": "hold",
    "continue": "continue",
    "skip_dose": "continue",
    "call_patient": "review",
}


def as_decided(item: Mapping[str, Any]) -> Mapping[str, Any]:
    """The plan entry as the physician decided it (the entry itself when nobody did)."""
    decision = item.get("decision")
    if not decision:
        return item
    action = _DECIDED_ACTION.get(str(decision["action"]), "review")
    return {
        **item,
        "action": action,
        "last_dose_at": decision.get("last_dose_at"),
        "last_dose_basis": "usual_dose_time",
        "restart_at": decision.get("restart_at"),
        "first_usual_dose_after_restart": None,
        "reason": (
            f"Physician's decision ({decision['action']}) by {decision.get('decided_by')} at "
            f"{decision.get('decided_at')}; the rule said: {item.get('reason')}"
        ),
    }


def _decision_notes(item: Mapping[str, Any]) -> list[str]:
    notes = [f"Review flag: {flag}." for flag in item.get("review_flags") or []]
    decision = item.get("decision") or {}
    if decision.get("skip_dose_at"):
        notes.append(f"Decision: leave out the dose at {decision['skip_dose_at']}.")
    if decision.get("instructions"):
        notes.append(f"Instructions to the patient: {decision['instructions']}")
    return notes


def medication_statement(
    ctx: ExportContext,
    record: PreparationPlan,
    signature: PreparationSignature,
    index: int,
    entered: Mapping[str, Any],
    item: Mapping[str, Any],
) -> dict[str, Any]:
    plan = signature.plan
    coding = rxnorm_coding(entered, item)
    extra = _decision_notes(item)
    item = as_decided(item)
    held = item["action"] == "hold"
    return {
        "resourceType": "MedicationStatement",
        "id": ctx.derived_id("medication-statement", f"{signature.id}:{index}"),
        "status": STATUS_FOR_ACTION.get(item["action"], "unknown"),
        "statusReason": [{"text": item.get("reason")}],
        "medicationCodeableConcept": {
            "coding": [coding] if coding else None,
            "text": item["input"],
        },
        "subject": ctx.patient_reference,
        "effectivePeriod": (
            {"start": item.get("last_dose_at"), "end": item.get("restart_at")} if held else None
        ),
        "dateAsserted": instant(signature.signed_at),
        "informationSource": {"display": signature.signed_by_name},
        "note": [{"text": text} for text in _notes(item, plan, record, signature.note, extra)],
        "dosage": [{"text": dosage_text(item, str(plan["time_zone"]))}],
    }


def medicine_holds_section(ctx: ExportContext) -> list[dict[str, Any]]:
    record = plan_of_episode(ctx.session, ctx.episode.id)
    if record is None or not record.signatures:
        return []  # never signed: nothing decided to export
    signature = record.signatures[-1]
    items = signature.plan.get("medications", [])
    entered = signature.inputs.get("medications", [])
    if len(entered) != len(items):  # one plan entry per input line; no codes if ever not so
        entered = [{} for _ in items]
    return [
        medication_statement(ctx, record, signature, index, line, item)
        for index, (line, item) in enumerate(zip(entered, items, strict=True))
    ]


FHIR_SECTIONS: tuple[Section, ...] = (
    Section(
        "medicine_holds",
        "Medicine holds of the signed preparation plan (MedicationStatement, RxNorm)",
        medicine_holds_section,
    ),
)
