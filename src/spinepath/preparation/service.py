"""Use cases of the preparation planner.

- Computing a plan from JSON, stored nowhere (the command line and ``POST /preparation/plan``):
  the clinical core's ``make_plan`` with the clock's ``now``, so a procedure in the past is
  refused and stop times that have already passed go to review.
- An episode's plan: the coordinator's inputs and the computed plan, stored together (optimistic
  locking, audited). The times are read in the clinic's time zone.
- Decisions: a physician records a decision on a medicine (hold with last dose and restart,
  continue, skip a dose, call the patient, or follow the other edition's suggestion), kept
  beside the rule's output with who made it and when. A decision stays while its medicine line
  and the rule's output for it are unchanged and its times still fit; otherwise it is dropped.
- Signing: a physician signs the current plan; the signature keeps the exact inputs and plan.
  A plan is not signed while a medicine in review has no decision. Any later change to the
  inputs or the decisions, or a recomputed plan that differs, puts the plan back to review
  (``needs_review``, unsigned) with the reason.
- The patient's copies (page, PDF, calendar) are handed out only for a signed plan.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from spinepath import jsonread
from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.clinical.errors import errors_from_validation
from spinepath.clinical.preparation import parse_plan_input, plan_result
from spinepath.clinical.preparation.decisions import (
    apply_decisions,
    still_applies,
    validate_decision,
)
from spinepath.clinical.preparation.dose_schedule import parse_clock_time
from spinepath.clinical.preparation.results import DecisionResult, PlanResult
from spinepath.context import Actor
from spinepath.episodes.appointments import booked
from spinepath.episodes.models import AppointmentKind, Episode
from spinepath.episodes.pathway import TERMINAL, Stage
from spinepath.episodes.service import load_episode
from spinepath.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from spinepath.events import PreparationPlanSigned
from spinepath.preparation.models import (
    DRAFT,
    NEEDS_REVIEW,
    SIGNED,
    PreparationPlan,
    PreparationSignature,
)
from spinepath.preparation.schemas import (
    ARRIVAL_AT_MOST_HOURS_BEFORE,
    EPISODE_FIELDS,
    EpisodeFieldsIn,
)
from spinepath.preparation.signed_plan import plan_of_episode
from spinepath.store.base import utc_now
from spinepath.unit_of_work import publish
from spinepath.versioning import check_version

INPUT_FIELD = "(input)"
ENTITY = "preparation_plan"


class PlanNotSigned(Conflict):
    """The patient's copies wait for a physician's signature on the current plan."""


# --- a plan from JSON, stored nowhere -------------------------------------------------------


def compute_plan(raw: Mapping[str, Any] | Any, *, now: datetime | None = None) -> dict[str, Any]:
    """The planner's output for ``raw``; raises InvalidInput naming every bad field.

    The same shape as an episode's stored plan: no medicine decided yet, so every one in review
    is listed in ``awaiting_decision``."""
    return plan_result(raw, now=now or utc_now()).as_json()


def compute_plan_json(text: str | bytes, *, now: datetime | None = None) -> dict[str, Any]:
    """As :func:`compute_plan`, on a JSON document (malformed JSON names ``(input)``)."""
    return compute_plan(parse_json(text), now=now)


def parse_json(text: str | bytes) -> Any:
    """Decode a JSON document; malformed JSON is an ``InvalidInput`` on ``(input)``."""
    return jsonread.loads(text, field=INPUT_FIELD, max_bytes=None)


# --- an episode's inputs ----------------------------------------------------------------------


def validate_episode_input(
    raw: Mapping[str, Any] | Any, *, clinic_zone: str, now: datetime
) -> tuple[dict[str, Any], PlanResult, int | None]:
    """Check an episode's input; return (normalised inputs, computed plan, version).

    Raises InvalidInput naming every bad field, the core's and the episode's own at once.
    """
    if not isinstance(raw, Mapping):
        raise InvalidInput([FieldError(INPUT_FIELD, "must be a JSON object")])
    errors: list[FieldError] = []
    core_raw = {key: value for key, value in raw.items() if key not in EPISODE_FIELDS}
    given_zone = core_raw.get("time_zone")
    if given_zone is not None and given_zone != clinic_zone:
        errors.append(
            FieldError(
                "time_zone",
                f"plans are made in the clinic's time zone ({clinic_zone}); leave it out",
            )
        )
    core_raw["time_zone"] = clinic_zone

    inputs: dict[str, Any] | None = None
    try:
        inputs = parse_plan_input(core_raw, now=now).model_dump(mode="json")
    except InvalidInput as invalid:
        errors.extend(invalid.errors)

    # Each of the episode's own fields on its own, so one bad field does not hide another.
    valid: dict[str, Any] = {}
    for name in EPISODE_FIELDS:
        if name in raw:
            try:
                EpisodeFieldsIn.model_validate({name: raw[name]})
                valid[name] = raw[name]
            except ValidationError as error:
                errors.extend(errors_from_validation(error))
    extras = EpisodeFieldsIn.model_validate(valid)
    errors.extend(_check_episode_times(extras, core_raw.get("procedure_start"), now))

    if errors or inputs is None:
        raise InvalidInput(errors)
    # Stored in one form: moments in the clinic's zone, dose times as HH:MM. The plan is
    # computed from exactly what is stored, so computing it again gives the same plan.
    zone = ZoneInfo(clinic_zone)
    for name in ("procedure_start", "procedure_end"):
        if inputs[name] is not None:
            inputs[name] = _in_zone(datetime.fromisoformat(inputs[name]), zone)
    for medicine in inputs["medications"]:
        medicine["dose_times"] = [
            parse_clock_time(text).strftime("%H:%M") for text in medicine["dose_times"]
        ]
    inputs["arrival_at"] = _in_zone(extras.arrival_at, zone)
    inputs["follow_up_at"] = _in_zone(extras.follow_up_at, zone)
    return inputs, plan_result(core_input(inputs), now=now), extras.version


def _in_zone(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.astimezone(zone).isoformat() if moment is not None else None


def _check_episode_times(
    extras: EpisodeFieldsIn, raw_start: object, now: datetime
) -> list[FieldError]:
    errors: list[FieldError] = []
    start: datetime | None = None
    if isinstance(raw_start, str):
        try:
            start = datetime.fromisoformat(raw_start.strip())
        except ValueError:
            start = None
        if start is not None and start.utcoffset() is None:
            start = None
    arrival, follow_up = extras.arrival_at, extras.follow_up_at
    if arrival is not None:
        if arrival.astimezone(UTC) <= now.astimezone(UTC):
            errors.append(FieldError("arrival_at", "is in the past"))
        elif start is not None:
            if arrival.astimezone(UTC) > start.astimezone(UTC):
                errors.append(FieldError("arrival_at", "must not be after procedure_start"))
            elif start.astimezone(UTC) - arrival.astimezone(UTC) > timedelta(
                hours=ARRIVAL_AT_MOST_HOURS_BEFORE
            ):
                errors.append(
                    FieldError(
                        "arrival_at",
                        f"is more than {ARRIVAL_AT_MOST_HOURS_BEFORE} hours before procedure_start",
                    )
                )
    if (
        follow_up is not None
        and start is not None
        and follow_up.astimezone(UTC) <= start.astimezone(UTC)
    ):
        errors.append(FieldError("follow_up_at", "must be after procedure_start"))
    return errors


def core_input(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The stored inputs without the episode's own fields: what the clinical core reads."""
    return {key: value for key, value in inputs.items() if key not in EPISODE_FIELDS}


# --- reading and saving -----------------------------------------------------------------------


def _find(session: Session, episode: Episode) -> PreparationPlan | None:
    return plan_of_episode(session, episode.id)


def get_preparation(
    session: Session, actor: Actor, episode_id: uuid.UUID
) -> tuple[Episode, PreparationPlan]:
    """The episode's stored plan; NotFound when none has been saved yet."""
    actor.require(Permission.READ_PATIENTS, "read patient records")
    episode = load_episode(session, actor, episode_id)
    record = _find(session, episode)
    if record is None:
        raise NotFound("preparation plan for episode", episode_id)
    audit.record(session, actor, "read", ENTITY, record.id, patient_id=episode.patient_id)
    return episode, record


def find_preparation(
    session: Session, actor: Actor, episode_id: uuid.UUID
) -> tuple[Episode, PreparationPlan | None]:
    """The episode and its plan, if any (the staff page, which also shows an empty form)."""
    actor.require(Permission.READ_PATIENTS, "read patient records")
    episode = load_episode(session, actor, episode_id)
    record = _find(session, episode)
    audit.record(
        session,
        actor,
        "read",
        ENTITY if record else "episode",
        record.id if record else episode.id,
        patient_id=episode.patient_id,
    )
    return episode, record


def _refuse_if_ended(episode: Episode) -> None:
    if Stage(episode.stage) in TERMINAL:
        raise Conflict(f"the episode has ended ({episode.stage}); its plan can no longer change")


def with_booked_times(session: Session, episode_id: uuid.UUID, raw: Any) -> Any:
    """The plan input with the procedure's start (and end) and the follow-up visit taken from
    the episode's booked appointments where the input leaves them out."""
    if not isinstance(raw, Mapping):
        return raw
    filled = dict(raw)
    procedure = booked(session, episode_id, AppointmentKind.PROCEDURE)
    if procedure is not None and not filled.get("procedure_start"):
        filled["procedure_start"] = procedure.starts_at.isoformat()
        if not filled.get("procedure_end"):
            end = procedure.starts_at + timedelta(minutes=procedure.duration_minutes)
            filled["procedure_end"] = end.isoformat()
    visit = booked(session, episode_id, AppointmentKind.FOLLOW_UP)
    if visit is not None and not filled.get("follow_up_at"):
        filled["follow_up_at"] = visit.starts_at.isoformat()
    return filled


def _back_to_review(record: PreparationPlan, reason: str) -> None:
    """The signed plan no longer stands: unsigned, with why, until it is signed again."""
    record.status = NEEDS_REVIEW
    record.review_reason = reason
    record.signed_at = None
    record.signed_by_id = None
    record.signed_by_name = None


def procedure_moved(
    session: Session, actor: Actor, episode_id: uuid.UUID, starts_at: datetime
) -> PreparationPlan | None:
    """The booked procedure time changed: a plan computed for another start no longer tells the
    patient the right stop and fasting times, so it goes back to review (and is not shown to
    the patient) until it is saved again for the new time."""
    record = plan_of_episode(session, episode_id)
    if record is None:
        return None
    planned = record.inputs.get("procedure_start")
    if not planned or datetime.fromisoformat(planned) == starts_at:
        return record
    zone = ZoneInfo(actor.clinic_time_zone)
    moved_to = starts_at.astimezone(zone).strftime("%d %b %Y %H:%M")
    _back_to_review(
        record,
        f"the procedure was booked for {moved_to}, not the time this plan was made for: "
        "save the plan again for the new time and sign it",
    )
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        ENTITY,
        record.id,
        patient_id=record.patient_id,
        detail={"reason": "procedure moved", "procedure_start": starts_at.isoformat()},
    )
    return record


def save_preparation(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    raw: Mapping[str, Any] | Any,
    *,
    if_match_version: int | None = None,
    now: datetime | None = None,
) -> tuple[PreparationPlan, bool]:
    """Store the episode's inputs and the plan computed from them; (record, created).

    A plan already stored is changed only against its current version. When it was signed, any
    change puts it back to review (unsigned) with the reason.
    """
    actor.require(Permission.EDIT_PATIENTS, "enter preparation plans")
    episode = load_episode(session, actor, episode_id)
    _refuse_if_ended(episode)
    now = now or utc_now()
    inputs, plan, body_version = validate_episode_input(
        with_booked_times(session, episode.id, raw), clinic_zone=actor.clinic_time_zone, now=now
    )
    record = _find(session, episode)
    if record is None:
        record = PreparationPlan(
            clinic_id=episode.clinic_id,
            episode_id=episode.id,
            patient_id=episode.patient_id,
            inputs=inputs,
            plan=apply_decisions(plan, []).as_json(),
            decisions=[],
            computed_at=now,
            status=DRAFT,
            updated_by_id=actor.user_id,
            updated_by_name=actor.full_name,
        )
        session.add(record)
        try:
            session.flush()
        except IntegrityError:
            raise Conflict(
                "someone else saved a plan for this episode at the same moment; reload it"
            ) from None
        audit.record(
            session,
            actor,
            "create",
            ENTITY,
            record.id,
            patient_id=episode.patient_id,
            detail={"medications": len(inputs["medications"])},
        )
        return record, True

    expected = if_match_version if if_match_version is not None else body_version
    check_version(
        "preparation plan", record.version, expected, via_if_match=if_match_version is not None
    )
    changed_inputs = describe_changes(record.inputs, inputs)
    stored = _stored_decisions(record)
    kept = [d for d in stored if still_applies(d, plan)]
    dropped = [d.input for d in stored if d not in kept]
    plan_json = apply_decisions(plan, kept).as_json()
    plan_changed = record.plan != plan_json
    if not changed_inputs and not plan_changed:
        audit.record(
            session,
            actor,
            "update",
            ENTITY,
            record.id,
            patient_id=episode.patient_id,
            detail={"changed": []},
        )
        return record, False

    record.inputs = inputs
    record.plan = plan_json
    record.decisions = [d.as_json() for d in kept]
    record.computed_at = now
    record.updated_by_id = actor.user_id
    record.updated_by_name = actor.full_name
    if record.status != DRAFT:
        signed = record.signatures[-1]
        reasons = describe_changes(signed.inputs, inputs)
        if not reasons and signed.plan != plan_json:
            reasons = [
                "the plan came out differently when computed again (a stop time may have passed)"
            ]
        if dropped:
            reasons.append("decision no longer fits the plan: " + ", ".join(dropped))
        if not reasons:  # changed, then changed back to what was signed
            reasons = ["changed and then changed back to the signed inputs: sign again to confirm"]
        _back_to_review(record, "changed after signing: " + "; ".join(reasons))
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        ENTITY,
        record.id,
        patient_id=episode.patient_id,
        detail={
            "changed": changed_inputs or ["plan"],
            "status": record.status,
            "decisions_dropped": len(dropped),
        },
    )
    return record, False


_FIELD_LABELS = {
    "procedure_start": "procedure start",
    "procedure_end": "procedure end",
    "arrival_at": "arrival time",
    "follow_up_at": "follow-up visit",
    "edition": "bleeding-risk edition",
    "creatinine_clearance_ml_min": "creatinine clearance",
    "chronic_liver_disease": "chronic liver disease",
    "labs": "labs",
    "clinic_policy": "clinic policy",
    "time_zone": "time zone",
}


def describe_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """What differs between two stored inputs, in words a clinician reads at a glance."""
    changes: list[str] = []
    medicines = _medicine_changes(before.get("medications", []), after.get("medications", []))
    if medicines:
        changes.append("medicines: " + ", ".join(medicines))
    others = sorted((set(before) | set(after)) - set(_FIELD_LABELS) - {"medications"})
    for key in [*_FIELD_LABELS, *others]:
        label = _FIELD_LABELS.get(key, key)
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            parts = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
            changes.append(f"{label} ({', '.join(_flatten(old, new, parts))})")
        else:
            changes.append(f"{label} ({_shown(old)} → {_shown(new)})")
    return changes


def _flatten(old: dict[str, Any], new: dict[str, Any], keys: Sequence[str]) -> list[str]:
    shown: list[str] = []
    for key in keys:
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            inner = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            shown.extend(f"{key}.{item}" for item in _flatten(a, b, inner))
        else:
            shown.append(f"{key} {_shown(a)} → {_shown(b)}")
    return shown


def _shown(value: object) -> str:
    return "none" if value is None else str(value)


def _medicine_changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[str]:
    def key(medicine: dict[str, Any]) -> str:
        return " ".join(str(medicine.get("name", "")).lower().split())

    remaining = list(before)
    changes: list[str] = []
    for medicine in after:
        match = next((old for old in remaining if key(old) == key(medicine)), None)
        if match is None:
            changes.append(f"added {medicine.get('name')}")
            continue
        remaining.remove(match)
        fields = sorted(k for k in set(match) | set(medicine) if match.get(k) != medicine.get(k))
        if fields:
            changes.append(f"changed {medicine.get('name')} ({', '.join(fields)})")
    changes.extend(f"removed {old.get('name')}" for old in remaining)
    return changes


# --- signing ----------------------------------------------------------------------------------


def sign_preparation(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    *,
    expected_version: int | None,
    via_if_match: bool,
    note: str | None = None,
    now: datetime | None = None,
) -> PreparationPlan:
    """A physician signs the current plan (the version they reviewed)."""
    actor.require(Permission.READ_PATIENTS, "read patient records")
    if not actor.can(Permission.SIGN_CLINICAL_DECISIONS):
        raise PermissionDenied("only a physician can sign a preparation plan")
    episode = load_episode(session, actor, episode_id)
    _refuse_if_ended(episode)
    record = _find(session, episode)
    if record is None:
        raise NotFound("preparation plan for episode", episode_id)
    check_version("preparation plan", record.version, expected_version, via_if_match=via_if_match)
    if record.status == SIGNED:
        raise Conflict("this plan is already signed")
    now = now or utc_now()
    try:
        computed = plan_result(core_input(record.inputs), now=now)
    except InvalidInput as invalid:
        problems = "; ".join(f"{e.field}: {e.message}" for e in invalid.errors)
        raise Conflict(f"the plan cannot be signed as it stands ({problems}); update it") from None
    recomputed = apply_decisions(computed, _stored_decisions(record))
    if recomputed.as_json() != record.plan:
        raise Conflict(
            "the plan comes out differently when computed now (a stop time may have passed): "
            "save the inputs again and review the new plan before signing"
        )
    awaiting = recomputed.awaiting_decision
    if awaiting:
        names = ", ".join(item.input for item in awaiting)
        raise Conflict(
            f"the plan cannot be signed while a medicine in review has no decision: {names}. "
            "Record a decision for each one first (the plan's medicine decisions page: "
            f"/episodes/{episode.id}/preparation/decisions)."
        )
    number = len(record.signatures) + 1
    signature = PreparationSignature(
        clinic_id=record.clinic_id,
        episode_id=record.episode_id,
        number=number,
        plan_version=record.version,
        inputs=record.inputs,
        plan=record.plan,
        note=(note or "").strip() or None,
        signed_at=now,
        signed_by_id=actor.user_id,
        signed_by_name=actor.full_name,
    )
    record.signatures.append(signature)
    record.status = SIGNED
    record.review_reason = None
    record.signed_at = now
    record.signed_by_id = actor.user_id
    record.signed_by_name = actor.full_name
    session.flush()
    audit.record(
        session,
        actor,
        "sign",
        ENTITY,
        record.id,
        patient_id=episode.patient_id,
        detail={"signature": number, "plan_version": signature.plan_version},
    )
    publish(
        session,
        actor,
        PreparationPlanSigned(
            clinic_id=episode.clinic_id, episode_id=episode.id, occurred_at=now, plan_id=record.id
        ),
    )
    return record


def _stored_plan(record: PreparationPlan) -> PlanResult:
    try:
        return PlanResult.model_validate(record.plan)
    except ValidationError:
        raise Conflict(
            "the stored plan was computed by an earlier version of the planner: save the "
            "inputs again to compute it anew"
        ) from None


def _stored_decisions(record: PreparationPlan) -> list[DecisionResult]:
    try:
        return [DecisionResult.model_validate(d) for d in record.decisions or []]
    except ValidationError:
        raise Conflict(
            "the stored medicine decisions were made by an earlier version of the planner: "
            "save the inputs again and decide again"
        ) from None


def decide_medicine(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    medicine: int,
    raw: Mapping[str, Any] | Any,
    *,
    if_match_version: int | None = None,
    now: datetime | None = None,
) -> PreparationPlan:
    """A physician's decision on one medicine of the plan (replacing an earlier one).

    ``raw`` is the decision (see ``spinepath.clinical.preparation.decisions``) plus ``version``
    (or If-Match). ``{"action": "withdraw"}`` removes the medicine's decision.
    """
    actor.require(Permission.READ_PATIENTS, "read patient records")
    if not actor.can(Permission.SIGN_CLINICAL_DECISIONS):
        raise PermissionDenied("only a physician can decide about a medicine")
    episode = load_episode(session, actor, episode_id)
    _refuse_if_ended(episode)
    record = _find(session, episode)
    if record is None:
        raise NotFound("preparation plan for episode", episode_id)
    if not isinstance(raw, Mapping):
        raise InvalidInput([FieldError(INPUT_FIELD, "must be a JSON object")])
    body = dict(raw)
    version = body.pop("version", None)
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise InvalidInput([FieldError("version", "must be a whole number")])
    check_version(
        "preparation plan",
        record.version,
        if_match_version if if_match_version is not None else version,
        via_if_match=if_match_version is not None,
    )
    now = now or utc_now()
    plan = _stored_plan(record)
    stored = _stored_decisions(record)
    others = [d for d in stored if d.medicine != medicine]
    if body.get("action") == "withdraw" and set(body) == {"action"}:
        if len(others) == len(stored):
            raise NotFound("decision for medicine", medicine)
        decision: DecisionResult | None = None
        what = f"decision on {plan.medications[medicine].input} withdrawn"
    else:
        decision = validate_decision(body, plan, medicine).model_copy(
            update={
                "decided_by": actor.full_name,
                "decided_by_id": str(actor.user_id),
                "decided_at": now.astimezone(UTC),
            }
        )
        what = f"decision on {decision.input} ({decision.action})"
    decisions = sorted([*others, *([decision] if decision else [])], key=lambda d: d.medicine)
    record.decisions = [d.as_json() for d in decisions]
    record.plan = apply_decisions(plan, decisions).as_json()
    record.updated_by_id = actor.user_id
    record.updated_by_name = actor.full_name
    if record.status != DRAFT:
        _back_to_review(record, f"changed after signing: {what}")
    session.flush()
    audit.record(
        session,
        actor,
        "decide",
        ENTITY,
        record.id,
        patient_id=episode.patient_id,
        detail={
            "medicine": medicine,
            "action": decision.action if decision else "withdraw",
            "status": record.status,
        },
    )
    return record


def get_signature(
    session: Session, actor: Actor, episode_id: uuid.UUID, number: int
) -> PreparationSignature:
    _, record = get_preparation(session, actor, episode_id)
    for signature in record.signatures:
        if signature.number == number:
            return signature
    raise NotFound("signature", number)


# --- the patient's copies ---------------------------------------------------------------------


def signed_for_patient(
    session: Session, actor: Actor, episode_id: uuid.UUID, output: str
) -> tuple[Episode, PreparationPlan]:
    """The episode and its signed plan, for one of the patient's copies (audited)."""
    actor.require(Permission.READ_PATIENTS, "read patient records")
    episode = load_episode(session, actor, episode_id)
    record = _find(session, episode)
    if record is None:
        raise NotFound("preparation plan for episode", episode_id)
    if record.status != SIGNED:
        why = (
            f"it {record.review_reason}"
            if record.status == NEEDS_REVIEW and record.review_reason
            else "no physician has signed it yet"
        )
        raise PlanNotSigned(
            f"the patient's copy is given only for a signed plan: {why}. "
            "A physician must review and sign it first."
        )
    audit.record(
        session,
        actor,
        "read",
        ENTITY,
        record.id,
        patient_id=episode.patient_id,
        detail={"output": output, "signature": len(record.signatures)},
    )
    return episode, record
