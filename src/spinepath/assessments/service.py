"""Use cases for candidacy decision support.

- The consultation facts of an episode: read them, replace them (optimistic locking, audited).
  They are validated by the clinical core on the whole case they make with the episode, and
  every invalid fact is named by its place in the facts (``fractures.L1.mri_edema``).
- Assessments: evaluate the stored facts with the clinic's criteria sets and keep the exact case,
  the result, the sets and their editions, who and when. Re-evaluating the stored case with the
  stored sets gives the stored result.
- Decisions: the physician's, beside the assessment it was made on.
- Evaluating a case given as JSON, stored nowhere (the CLI and ``POST /assessments/evaluate``).

The case is assembled here, never in the adapters: the patient record gives birth date and sex,
the episode's fractures give level, etiology and symptom onset, the facts give the rest. Without
an assessment date in the facts, today in the clinic's time zone is used and the assessment says
so (``assessment_date_source`` and ``provenance``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from spinepath.accounts.roles import Permission
from spinepath.assessments.models import (
    Assessment,
    AssessmentDecision,
    CaseFacts,
    CriteriaSetChoice,
)
from spinepath.assessments.schemas import (
    EPISODE_FRACTURE_FIELDS,
    FACT_KEYS,
    FACT_SECTIONS,
    RECORD_PATIENT_FIELDS,
    CriteriaSetChoiceIn,
    DecisionIn,
)
from spinepath.audit import service as audit
from spinepath.calculators.service import parse_json
from spinepath.clinical.candidacy import CRITERIA_SETS, evaluate_case
from spinepath.clinical.candidacy.case import Case, Fracture
from spinepath.clinical.candidacy.registry import resolve
from spinepath.clinical.levels import normalise_level
from spinepath.context import Actor
from spinepath.episodes.models import Episode
from spinepath.episodes.models import Fracture as EpisodeFracture
from spinepath.episodes.service import load_episode
from spinepath.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    PermissionDenied,
    VersionConflict,
)
from spinepath.events import AssessmentStored, ConsultationFactsRecorded, DecisionRecorded
from spinepath.store.base import utc_now
from spinepath.store.lookups import in_clinic
from spinepath.unit_of_work import publish
from spinepath.versioning import check_version

FROM_FACTS = "facts"
CLINIC_TODAY = "clinic_today"
INPUT_FIELD = "(input)"

FRACTURE_FACT_FIELDS: tuple[str, ...] = tuple(
    name for name in Fracture.model_fields if name not in EPISODE_FRACTURE_FIELDS
)
_EMPTY_CASE: dict[str, Any] = Case().model_dump(mode="json")


def empty_facts() -> dict[str, Any]:
    """A facts document of unknowns (what an episode has before anything is recorded)."""
    doc: dict[str, Any] = {"assessment_date": None, "setting": None, "patient": {"pregnant": None}}
    doc["fractures"] = {}
    for section in FACT_SECTIONS:
        doc[section] = dict(_EMPTY_CASE[section])
    return doc


def empty_fracture_facts() -> dict[str, Any]:
    return {name: None for name in FRACTURE_FACT_FIELDS}


def clinic_today(time_zone: str, now: datetime | None = None) -> date:
    """Today's date where the clinic is (not where the server is)."""
    return (now or utc_now()).astimezone(ZoneInfo(time_zone)).date()


# --- The case ------------------------------------------------------------------------------


def build_case(episode: Episode, facts: Mapping[str, Any], assessment_date: date) -> dict[str, Any]:
    """The case (the clinical core's input) from the episode and its facts (fractures by id).

    The record gives the patient's birth date and sex and each fracture's level, etiology and
    symptom onset; the facts cannot override them.
    """
    patient = episode.patient
    by_fracture = facts.get("fractures") or {}
    fractures = []
    for fracture in episode.fractures:
        entry: dict[str, Any] = {
            "level": fracture.level,
            "etiology": fracture.etiology,
            "symptom_onset": fracture.onset_date.isoformat() if fracture.onset_date else None,
        }
        given = {**empty_fracture_facts(), **(by_fracture.get(str(fracture.id)) or {})}
        entry.update({k: v for k, v in given.items() if k not in EPISODE_FRACTURE_FIELDS})
        fractures.append(entry)
    case: dict[str, Any] = {
        "assessment_date": assessment_date.isoformat(),
        "setting": facts.get("setting"),
        "patient": {
            "birth_date": patient.birth_date.isoformat(),
            "sex": patient.sex if patient.sex in ("female", "male", "other") else None,
            "pregnant": (facts.get("patient") or {}).get("pregnant"),
        },
        "fractures": fractures or None,
    }
    for section in FACT_SECTIONS:
        case[section] = {**_EMPTY_CASE[section], **(facts.get(section) or {})}
    return case


def _provenance(
    episode: Episode, facts_version: int, date_source: str, time_zone: str
) -> dict[str, Any]:
    if date_source == FROM_FACTS:
        dated = {"source": FROM_FACTS, "note": "the assessment date recorded in the facts"}
    else:
        dated = {
            "source": CLINIC_TODAY,
            "time_zone": time_zone,
            "note": f"no assessment date in the facts: today in {time_zone} when evaluated",
        }
    return {
        "assessment_date": dated,
        "patient": {"birth_date": "patient record", "sex": "patient record", "pregnant": "facts"},
        "fractures": [
            {
                "path": f"fractures[{index}]",
                "fracture_id": str(fracture.id),
                "level": fracture.level,
                "from_episode": list(EPISODE_FRACTURE_FIELDS),
                "from_facts": list(FRACTURE_FACT_FIELDS),
            }
            for index, fracture in enumerate(episode.fractures)
        ],
        "facts_version": facts_version,
        "episode_id": str(episode.id),
    }


# --- Consultation facts --------------------------------------------------------------------


@dataclass(frozen=True)
class FactsView:
    """The episode's facts for people and the API: fractures keyed by level, unknowns as null."""

    episode: Episode
    version: int
    facts: dict[str, Any]
    updated_at: datetime | None
    updated_by_name: str | None


def _facts_row(session: Session, episode_id: uuid.UUID) -> CaseFacts | None:
    return session.scalar(select(CaseFacts).where(CaseFacts.episode_id == episode_id))


def _stored(row: CaseFacts | None) -> dict[str, Any]:
    return dict(row.facts) if row is not None else empty_facts()


def _by_level(episode: Episode, stored: Mapping[str, Any]) -> dict[str, Any]:
    doc = {key: stored.get(key) for key in FACT_KEYS}
    by_id = stored.get("fractures") or {}
    doc["fractures"] = {
        f.level: {**empty_fracture_facts(), **(by_id.get(str(f.id)) or {})}
        for f in episode.fractures
    }
    return doc


def _view(episode: Episode, row: CaseFacts | None) -> FactsView:
    return FactsView(
        episode=episode,
        version=row.version if row is not None else 0,
        facts=_by_level(episode, _stored(row)),
        updated_at=row.updated_at if row is not None else None,
        updated_by_name=row.updated_by_name if row is not None else None,
    )


def get_facts(session: Session, actor: Actor, episode_id: uuid.UUID) -> FactsView:
    actor.require(Permission.READ_PATIENTS, "read patient records")
    episode = load_episode(session, actor, episode_id)
    row = _facts_row(session, episode.id)
    audit.record(session, actor, "read", "case_facts", episode.id, patient_id=episode.patient_id)
    return _view(episode, row)


def _fracture_for(episode: Episode, key: str) -> tuple[EpisodeFracture | None, str | None]:
    """The episode's fracture a facts key names (a level or a fracture id), or why none."""
    try:
        fracture_id = uuid.UUID(key)
    except ValueError:
        fracture_id = None
    if fracture_id is not None:
        for fracture in episode.fractures:
            if fracture.id == fracture_id:
                return fracture, None
        return None, "no fracture with this id in this episode"
    try:
        level = normalise_level(key)
    except ValueError as error:
        return None, str(error)
    for fracture in episode.fractures:
        if fracture.level == level:
            return fracture, None
    return None, f"no fracture at {level} in this episode; add it on the episode first"


def _structure_errors(
    episode: Episode, raw: Mapping[str, Any]
) -> tuple[list[FieldError], dict[uuid.UUID, tuple[str, Mapping[str, Any]]]]:
    """Errors in the shape of a facts document, and its per-fracture facts by fracture id."""
    errors: list[FieldError] = []
    for key in raw:
        if key not in FACT_KEYS:
            errors.append(
                FieldError(str(key), f"is not a consultation fact; known: {', '.join(FACT_KEYS)}")
            )
    patient = raw.get("patient")
    if isinstance(patient, Mapping):
        for name in RECORD_PATIENT_FIELDS:
            if name in patient:
                errors.append(
                    FieldError(f"patient.{name}", "comes from the patient record; change it there")
                )
    given: dict[uuid.UUID, tuple[str, Mapping[str, Any]]] = {}
    fractures = raw.get("fractures")
    if fractures is not None and not isinstance(fractures, Mapping):
        errors.append(
            FieldError(
                "fractures",
                "give the facts of each fracture in an object "
                'keyed by its level ("L1") or its fracture id',
            )
        )
        fractures = None
    for key, value in (fractures or {}).items():
        fracture, problem = _fracture_for(episode, str(key))
        if fracture is None:
            errors.append(FieldError(f"fractures.{key}", problem or "unknown fracture"))
            continue
        if fracture.id in given:
            errors.append(
                FieldError(
                    f"fractures.{key}",
                    f"{fracture.level} is given twice (also as fractures.{given[fracture.id][0]})",
                )
            )
            continue
        if value is not None and not isinstance(value, Mapping):
            errors.append(FieldError(f"fractures.{key}", "must be an object of facts"))
            continue
        for name in EPISODE_FRACTURE_FIELDS:
            if value is not None and name in value:
                errors.append(
                    FieldError(
                        f"fractures.{key}.{name}",
                        "comes from the episode's fracture; change it on the episode",
                    )
                )
        given[fracture.id] = (str(key), value or {})
    return errors, given


def _fracture_keys(episode: Episode, keys: Mapping[uuid.UUID, str]) -> list[str]:
    """How to name each of the case's fractures in errors: the caller's key, else its level."""
    return [keys.get(fracture.id, fracture.level) for fracture in episode.fractures]


def facts_errors(errors: Iterable[FieldError], fracture_keys: Sequence[str]) -> list[FieldError]:
    """The core's field errors on the case (``fractures.0.mri_edema``) named in the facts
    (``fractures.L1.mri_edema``)."""
    named = []
    for error in errors:
        parts = error.field.split(".")
        if len(parts) >= 2 and parts[0] == "fractures" and parts[1].isdigit():
            index = int(parts[1])
            if index < len(fracture_keys):
                parts[1] = fracture_keys[index]
        named.append(FieldError(".".join(parts), error.message))
    return named


def _validated(episode: Episode, raw: Any, today: date) -> dict[str, Any]:
    """The canonical facts document (fractures keyed by id), or InvalidInput naming every field.

    The core validates the whole case the facts make with the episode, so errors between facts
    and the record (an onset after the assessment date) are found here too.
    """
    if not isinstance(raw, Mapping):
        raise InvalidInput([FieldError(INPUT_FIELD, "the facts must be a JSON object")])
    errors, given = _structure_errors(episode, raw)
    per_fracture = {
        str(fracture_id): {k: v for k, v in value.items() if k not in EPISODE_FRACTURE_FIELDS}
        for fracture_id, (_, value) in given.items()
    }
    # The record's part of the case, then the facts as given: the core names every bad one.
    case = build_case(episode, {"fractures": per_fracture}, today)
    stated_date = raw.get("assessment_date")
    if stated_date is not None:
        case["assessment_date"] = stated_date
        if isinstance(stated_date, str) and _after(stated_date, today):
            errors.append(
                FieldError(
                    "assessment_date",
                    f"is after today ({today.isoformat()} in the clinic's time zone)",
                )
            )
    case["setting"] = raw.get("setting")
    patient = raw.get("patient")
    if isinstance(patient, Mapping):
        case["patient"].update({k: v for k, v in patient.items() if k not in RECORD_PATIENT_FIELDS})
    elif patient is not None:
        case["patient"] = patient
    for section in FACT_SECTIONS:
        value = raw.get(section)
        if isinstance(value, Mapping):
            case[section] = {**_EMPTY_CASE[section], **value}
        elif value is not None:
            case[section] = value
    keys = {fracture_id: key for fracture_id, (key, _) in given.items()}
    try:
        result = evaluate_case(case)
    except InvalidInput as invalid:
        seen = {e.field for e in errors}
        errors += [
            e
            for e in facts_errors(invalid.errors, _fracture_keys(episode, keys))
            if e.field not in seen and not _is_covered(e.field, seen)
        ]
        raise InvalidInput(errors) from None
    if errors:
        raise InvalidInput(errors)
    normal = result["case"]
    doc: dict[str, Any] = {
        "assessment_date": normal["assessment_date"] if stated_date is not None else None,
        "setting": normal["setting"],
        "patient": {"pregnant": normal["patient"]["pregnant"]},
        "fractures": {
            str(fracture.id): {
                name: normal["fractures"][index][name] for name in FRACTURE_FACT_FIELDS
            }
            for index, fracture in enumerate(episode.fractures)
        },
    }
    for section in FACT_SECTIONS:
        doc[section] = normal[section]
    return doc


def _after(text: str, today: date) -> bool:
    try:
        return date.fromisoformat(text.strip()) > today
    except ValueError:
        return False  # the core names a malformed date


def _is_covered(field: str, seen: set[str]) -> bool:
    """An error inside a field already named (``fractures.L1.level`` under ``fractures.L1``)."""
    return any(field.startswith(f"{name}.") for name in seen)


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping) and value:
        flat: dict[str, Any] = {}
        for key, inner in value.items():
            flat.update(_flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}


def _changed_fields(episode: Episode, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Which facts changed, named by level (no values: the audit trail holds no clinical data)."""
    before, after = _flatten(_by_level(episode, old)), _flatten(_by_level(episode, new))
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def save_facts(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    raw: Any,
    *,
    expected_version: int | None,
    via_if_match: bool = False,
    now: datetime | None = None,
) -> FactsView:
    """Replace the episode's consultation facts; ``expected_version`` is 0 before the first."""
    actor.require(Permission.EDIT_PATIENTS, "record consultation facts")
    episode = load_episode(session, actor, episode_id)
    row = _facts_row(session, episode.id)
    current = row.version if row is not None else 0
    check_version("consultation facts", current, expected_version, via_if_match=via_if_match)
    doc = _validated(episode, raw, clinic_today(actor.clinic_time_zone, now))
    changed = _changed_fields(episode, _stored(row), doc)
    if row is not None and not changed:
        return _view(episode, row)
    if row is None:
        row = CaseFacts(clinic_id=episode.clinic_id, episode_id=episode.id, facts=doc)
        session.add(row)
    else:
        row.facts = doc
    row.updated_by_id = actor.user_id
    row.updated_by_name = actor.full_name
    if now is not None:
        row.updated_at = now
    _flush_or_conflict(session, "someone else recorded these facts at the same moment; reload")
    audit.record(
        session,
        actor,
        "create" if current == 0 else "update",
        "case_facts",
        episode.id,
        patient_id=episode.patient_id,
        detail={"version": row.version, "fields": changed},
    )
    publish(
        session,
        actor,
        ConsultationFactsRecorded(
            clinic_id=episode.clinic_id,
            episode_id=episode.id,
            occurred_at=now or utc_now(),
            recorded=recorded_sections(doc),
        ),
    )
    return _view(episode, row)


def recorded_sections(doc: Mapping[str, Any]) -> frozenset[str]:
    """The fact sections with at least one answer (not every field left unknown)."""
    return frozenset(
        section
        for section in FACT_SECTIONS
        if any(value is not None for value in _flatten(doc.get(section) or {}).values())
    )


def _flush_or_conflict(session: Session, detail: str) -> None:
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(detail) from None


# --- Criteria sets a clinic applies --------------------------------------------------------


@dataclass(frozen=True)
class CriteriaSetChoiceView:
    criteria_sets: tuple[str, ...]
    version: int
    is_default: bool


def _choice_row(session: Session, clinic_id: uuid.UUID | None) -> CriteriaSetChoice | None:
    return session.scalar(select(CriteriaSetChoice).where(CriteriaSetChoice.clinic_id == clinic_id))


def _choice_view(row: CriteriaSetChoice | None) -> CriteriaSetChoiceView:
    if row is None:
        return CriteriaSetChoiceView(tuple(CRITERIA_SETS), 0, True)
    return CriteriaSetChoiceView(tuple(row.criteria_sets), row.version, False)


def criteria_set_choice(session: Session, actor: Actor) -> CriteriaSetChoiceView:
    """The sets this clinic applies (every registered set until it chooses)."""
    return _choice_view(_choice_row(session, actor.clinic_id))


def choose_criteria_sets(
    session: Session,
    actor: Actor,
    data: CriteriaSetChoiceIn,
    *,
    via_if_match: bool = False,
    if_match_version: int | None = None,
) -> CriteriaSetChoiceView:
    if not (actor.can(Permission.SIGN_CLINICAL_DECISIONS) or actor.can(Permission.MANAGE_USERS)):
        raise PermissionDenied("only a physician or an administrator chooses the criteria sets")
    row = _choice_row(session, actor.clinic_id)
    expected = if_match_version if if_match_version is not None else data.version
    check_version(
        "criteria set choice", row.version if row else 0, expected, via_if_match=via_if_match
    )
    names = [cs.name for cs in resolve(data.criteria_sets)]
    if row is None:
        row = CriteriaSetChoice(clinic_id=actor.clinic_id, criteria_sets=names)
        session.add(row)
    else:
        row.criteria_sets = names
    row.updated_by_id = actor.user_id
    row.updated_by_name = actor.full_name
    _flush_or_conflict(session, "someone else chose the criteria sets at the same moment; reload")
    audit.record(
        session, actor, "update", "criteria_set_choice", row.id, detail={"criteria_sets": names}
    )
    return _choice_view(row)


# --- Assessments ---------------------------------------------------------------------------


def evaluate_episode(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    *,
    facts_version: int | None = None,
    now: datetime | None = None,
) -> Assessment:
    """Evaluate the episode's stored facts and keep the assessment."""
    actor.require(Permission.EDIT_PATIENTS, "evaluate candidacy")
    episode = load_episode(session, actor, episode_id)
    row = _facts_row(session, episode.id)
    version = row.version if row is not None else 0
    if facts_version is not None and facts_version != version:
        raise VersionConflict("consultation facts", facts_version, version, via_if_match=False)
    facts = _stored(row)
    if facts.get("assessment_date"):
        assessment_date, source = date.fromisoformat(facts["assessment_date"]), FROM_FACTS
    else:
        assessment_date = clinic_today(actor.clinic_time_zone, now)
        source = CLINIC_TODAY
    case = build_case(episode, facts, assessment_date)
    chosen = criteria_set_choice(session, actor).criteria_sets
    try:
        result = evaluate_case(case, chosen)
    except InvalidInput as invalid:
        keys = _fracture_keys(episode, {})
        raise InvalidInput(facts_errors(invalid.errors, keys)) from None
    number = (
        session.scalar(
            select(func.max(Assessment.number)).where(Assessment.episode_id == episode.id)
        )
        or 0
    ) + 1
    assessment = Assessment(
        clinic_id=episode.clinic_id,
        episode_id=episode.id,
        patient_id=episode.patient_id,
        number=number,
        facts_version=version,
        assessment_date=assessment_date,
        assessment_date_source=source,
        engine=result["engine"],
        engine_edition=result["edition"],
        criteria_sets=[
            {"name": name, "title": block["title"], "edition": block["edition"]}
            for name, block in result["criteria_sets"].items()
        ],
        evaluated_case=case,
        provenance=_provenance(episode, version, source, actor.clinic_time_zone),
        result=result,
        action=result["recommendation"]["action"],
        created_at=now or utc_now(),
        created_by_id=actor.user_id,
        created_by_name=actor.full_name,
    )
    session.add(assessment)
    _flush_or_conflict(session, "another assessment was stored at the same moment; try again")
    audit.record(
        session,
        actor,
        "create",
        "assessment",
        assessment.id,
        patient_id=episode.patient_id,
        detail={
            "episode_id": str(episode.id),
            "number": number,
            "facts_version": version,
            "criteria_sets": list(chosen),
            "action": assessment.action,
        },
    )
    publish(
        session,
        actor,
        AssessmentStored(
            clinic_id=episode.clinic_id,
            episode_id=episode.id,
            occurred_at=assessment.created_at,
            assessment_id=assessment.id,
        ),
    )
    return assessment


def _assessments_of(session: Session, episode_id: uuid.UUID) -> list[Assessment]:
    return list(
        session.scalars(
            select(Assessment)
            .where(Assessment.episode_id == episode_id)
            .order_by(Assessment.number.desc())
        )
    )


def list_assessments(session: Session, actor: Actor, episode_id: uuid.UUID) -> list[Assessment]:
    """The episode's assessments, newest first, each with its decision if one was recorded."""
    actor.require(Permission.READ_PATIENTS, "read patient records")
    episode = load_episode(session, actor, episode_id)
    audit.record(session, actor, "read", "assessments", episode.id, patient_id=episode.patient_id)
    return _assessments_of(session, episode.id)


def _load_assessment(session: Session, actor: Actor, assessment_id: uuid.UUID) -> Assessment:
    return in_clinic(session, actor, Assessment, assessment_id, "assessment")


def get_assessment(session: Session, actor: Actor, assessment_id: uuid.UUID) -> Assessment:
    actor.require(Permission.READ_PATIENTS, "read patient records")
    assessment = _load_assessment(session, actor, assessment_id)
    audit.record(
        session, actor, "read", "assessment", assessment.id, patient_id=assessment.patient_id
    )
    return assessment


def latest_number(session: Session, episode_id: uuid.UUID) -> int:
    found = session.scalar(
        select(func.max(Assessment.number)).where(Assessment.episode_id == episode_id)
    )
    return int(found or 0)


def facts_changed_since(session: Session, assessment: Assessment) -> bool:
    """Whether the episode's facts or record now make a different case than the one assessed."""
    episode = session.get(Episode, assessment.episode_id)
    assert episode is not None
    row = _facts_row(session, episode.id)
    if (row.version if row is not None else 0) != assessment.facts_version:
        return True
    current: dict[str, Any] = json.loads(
        json.dumps(build_case(episode, _stored(row), assessment.assessment_date))
    )
    return current != assessment.evaluated_case


def record_decision(
    session: Session,
    actor: Actor,
    assessment_id: uuid.UUID,
    data: DecisionIn,
    *,
    now: datetime | None = None,
) -> AssessmentDecision:
    """The physician's decision, beside the latest assessment (one decision per assessment)."""
    if not actor.can(Permission.SIGN_CLINICAL_DECISIONS):
        raise PermissionDenied("only a physician can record the decision")
    assessment = _load_assessment(session, actor, assessment_id)
    if assessment.decision is not None:
        raise Conflict(
            f"a decision is already recorded on assessment {assessment.number}; evaluate the "
            "facts again to record a new one"
        )
    latest = latest_number(session, assessment.episode_id)
    if assessment.number != latest:
        raise Conflict(
            f"assessment {assessment.number} is not the latest (assessment {latest} is); "
            "record the decision on the latest assessment"
        )
    decision = AssessmentDecision(
        clinic_id=assessment.clinic_id,
        assessment_id=assessment.id,
        episode_id=assessment.episode_id,
        decision=data.decision.value,
        procedure=data.procedure.value if data.procedure else None,
        rationale=data.rationale,
        suggested_action=assessment.action,
        decided_at=now or utc_now(),
        decided_by_id=actor.user_id,
        decided_by_name=actor.full_name,
    )
    session.add(decision)
    _flush_or_conflict(session, "a decision was recorded on this assessment at the same moment")
    audit.record(
        session,
        actor,
        "create",
        "assessment_decision",
        decision.id,
        patient_id=assessment.patient_id,
        detail={
            "assessment_id": str(assessment.id),
            "episode_id": str(assessment.episode_id),
            "decision": decision.decision,
            "procedure": decision.procedure,
            "suggested_action": decision.suggested_action,
        },
    )
    publish(
        session,
        actor,
        DecisionRecorded(
            clinic_id=assessment.clinic_id,
            episode_id=assessment.episode_id,
            occurred_at=decision.decided_at,
            decision_id=decision.id,
            decision=decision.decision,
        ),
    )
    session.refresh(assessment)
    return decision


# --- Evaluating a case given as JSON (nothing stored) ---------------------------------------


def evaluate(raw: Any, criteria_sets: Sequence[str] | None = None) -> dict[str, Any]:
    """The core's result for a case; InvalidInput names every bad field (and unknown set)."""
    return evaluate_case(raw, criteria_sets or None)


def evaluate_json(text: str | bytes, criteria_sets: Sequence[str] | None = None) -> dict[str, Any]:
    """As :func:`evaluate` on a JSON document; bad sets and bad JSON are reported together."""
    errors: list[FieldError] = []
    try:
        resolve(criteria_sets or None)
    except InvalidInput as unknown:
        errors += unknown.errors
    try:
        raw = parse_json(text)
    except InvalidInput as invalid:
        errors += invalid.errors
    if errors:
        raise InvalidInput(errors)
    return evaluate(raw, criteria_sets)
