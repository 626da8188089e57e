"""Use cases in recovery: observe, alert, score, check readiness, admit or discharge. The alert
use cases live in ``recovery.alerts`` and are named here too."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.clinical.errors import errors_from_validation
from spinepath.clinical.instruments.registry import get_instrument
from spinepath.clinical.procedure import discharge as rules
from spinepath.clinical.procedure.record import sedation_given
from spinepath.clinical.procedure.vitals import news2_of, observation_rows, parse_vitals
from spinepath.context import Actor
from spinepath.episodes import pathway
from spinepath.episodes import service as episodes
from spinepath.episodes.models import Episode
from spinepath.episodes.pathway import Stage
from spinepath.episodes.schemas import TransitionIn
from spinepath.errors import Conflict, FieldError, InvalidInput
from spinepath.events import DischargeAssessed, ObservationRecorded
from spinepath.procedures.models import ProcedureRecord
from spinepath.procedures.service import NotNow, record_of
from spinepath.recovery.alerts import (
    ALERT_TASK_CODE as ALERT_TASK_CODE,
)
from spinepath.recovery.alerts import (
    acknowledge_alert as acknowledge_alert,
)
from spinepath.recovery.alerts import (
    alerts_of as alerts_of,
)
from spinepath.recovery.alerts import (
    episode_of_alert as episode_of_alert,
)
from spinepath.recovery.alerts import (
    open_alert_count,
    raise_alert,
    resolve_alerts,
)
from spinepath.recovery.models import (
    Observation,
    ObservationSet,
    RecoveryAlert,
    RecoveryScore,
    RecoverySettings,
    RecoveryStay,
)
from spinepath.recovery.schemas import (
    OBSERVATION_META_FIELDS,
    AdmissionIn,
    AldreteIn,
    ChecklistIn,
    DischargeIn,
    ObservationMeta,
    PadssIn,
    SettingsIn,
)
from spinepath.store.base import utc_now
from spinepath.unit_of_work import publish
from spinepath.versioning import check_version

OPEN_STATUSES = ("in_recovery", "admitted")
# Stages after which baseline (pre-procedure) vitals can no longer be taken.
BASELINE_STAGES = frozenset(pathway.MAIN_LINE[: pathway.MAIN_LINE.index(Stage.PROCEDURE) + 1])


class DischargeRefused(Conflict):
    """Discharge readiness is not met; nothing was changed."""


# ---- Settings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClinicRecoverySettings:
    observation_minimum_minutes: int
    observation_interval_minutes: int
    version: int | None  # None: the defaults, nothing stored yet
    discharge_news2_below: int = rules.DISCHARGE_NEWS2_BELOW.default


def settings_for(session: Session, clinic_id: uuid.UUID | None) -> ClinicRecoverySettings:
    stored = session.scalar(select(RecoverySettings).where(RecoverySettings.clinic_id == clinic_id))
    if stored is None:
        return ClinicRecoverySettings(
            rules.OBSERVATION_MINIMUM.default, rules.OBSERVATION_INTERVAL.default, None
        )
    return ClinicRecoverySettings(
        stored.observation_minimum_minutes,
        stored.observation_interval_minutes,
        stored.version,
        stored.discharge_news2_below,
    )


def get_settings(session: Session, actor: Actor) -> ClinicRecoverySettings:
    actor.require(Permission.READ_PATIENTS, "read the recovery settings")
    return settings_for(session, actor.clinic_id)


def save_settings(
    session: Session, actor: Actor, data: SettingsIn, *, if_match_version: int | None = None
) -> ClinicRecoverySettings:
    """Clinic administrators set the observation minimum and schedule."""
    actor.require(Permission.MANAGE_USERS, "change the clinic's recovery settings")
    stored = session.scalar(
        select(RecoverySettings).where(RecoverySettings.clinic_id == actor.clinic_id)
    )
    if stored is None:
        assert actor.clinic_id is not None
        stored = RecoverySettings(clinic_id=actor.clinic_id)
        session.add(stored)
    else:
        expected = if_match_version if if_match_version is not None else data.version
        check_version(
            "recovery settings", stored.version, expected, via_if_match=if_match_version is not None
        )
    stored.observation_minimum_minutes = data.observation_minimum_minutes
    stored.observation_interval_minutes = data.observation_interval_minutes
    stored.discharge_news2_below = data.discharge_news2_below
    stored.updated_by_name = actor.full_name
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        "recovery_settings",
        stored.id,
        detail=data.model_dump(exclude={"version"}),
    )
    return settings_for(session, actor.clinic_id)


# ---- Loading -------------------------------------------------------------------------------------


def stay_of(session: Session, episode_id: uuid.UUID) -> RecoveryStay | None:
    return session.scalar(select(RecoveryStay).where(RecoveryStay.episode_id == episode_id))


def _open_stay(session: Session, episode: Episode) -> RecoveryStay:
    stay = stay_of(session, episode.id)
    if stay is None:
        raise NotNow("this patient has not been received in recovery")
    if stay.status not in OPEN_STATUSES:
        raise NotNow("this patient has been discharged from recovery")
    return stay


def observation_sets(session: Session, episode_id: uuid.UUID) -> list[ObservationSet]:
    return list(
        session.scalars(
            select(ObservationSet)
            .where(ObservationSet.episode_id == episode_id)
            .order_by(ObservationSet.observed_at.desc(), ObservationSet.recorded_at.desc())
        )
    )


def latest_set(sets: list[ObservationSet], kind: str) -> ObservationSet | None:
    return next((s for s in sets if s.kind == kind), None)


def scores_of(session: Session, episode_id: uuid.UUID) -> list[RecoveryScore]:
    return list(
        session.scalars(
            select(RecoveryScore)
            .where(RecoveryScore.episode_id == episode_id)
            .order_by(RecoveryScore.scored_at.desc())
        )
    )


def latest_score(scores: list[RecoveryScore], instrument: str) -> RecoveryScore | None:
    return next((s for s in scores if s.instrument == instrument), None)


# ---- Arrival in recovery -------------------------------------------------------------------------


def start_recovery(
    session: Session, actor: Actor, episode_id: uuid.UUID, *, now: datetime | None = None
) -> RecoveryStay:
    """Receive the patient in recovery: the episode moves from Procedure to Recovery."""
    actor.require(Permission.ADVANCE_EPISODES, "receive patients in recovery")
    episode = episodes.load_episode(session, actor, episode_id)
    if Stage(episode.stage) is not Stage.PROCEDURE:
        raise NotNow(
            "a patient is received in recovery from the Procedure stage; this episode is at "
            f"{pathway.STAGE_LABELS[Stage(episode.stage)]}"
        )
    record: ProcedureRecord | None = record_of(session, episode.id)
    if record is None:
        raise NotNow("record the procedure before receiving the patient in recovery")
    now = now or utc_now()
    stay = RecoveryStay(
        clinic_id=episode.clinic_id,
        episode_id=episode.id,
        patient_id=episode.patient_id,
        procedure_record_id=record.id,
        status="in_recovery",
        started_at=now,
        procedure_ended_at=record.ended_at,
        sedation_given=sedation_given(record.sedation),
        responsible_clinician_id=episode.responsible_physician_id or record.recorded_by_id,
        escort_confirmed=False,
        pain_relief_given=False,
        antibiotics_prescribed=False,
        antibiotics_given=False,
        instructions_given=False,
        follow_up_booked=False,
        updated_by_name=actor.full_name,
    )
    session.add(stay)
    session.flush()
    audit.record(session, actor, "create", "recovery_stay", stay.id, patient_id=episode.patient_id)
    episodes.transition_episode(
        session,
        actor,
        episode.id,
        TransitionIn(
            to_stage=Stage.RECOVERY, reason="received in recovery", version=episode.version
        ),
        now=now,
    )
    return stay


# ---- Observations and alerts ---------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    observation_set: ObservationSet
    alert: RecoveryAlert | None


def _parse_observation(raw: Mapping[str, Any]) -> tuple[ObservationMeta, Any]:
    errors: list[FieldError] = []
    meta: ObservationMeta | None = None
    try:
        meta = ObservationMeta.model_validate(
            {k: raw[k] for k in OBSERVATION_META_FIELDS if k in raw}
        )
    except ValidationError as error:
        errors.extend(errors_from_validation(error))
    vitals = None
    try:
        vitals = parse_vitals({k: v for k, v in raw.items() if k not in OBSERVATION_META_FIELDS})
    except InvalidInput as invalid:
        errors.extend(invalid.errors)
    if errors or meta is None or vitals is None:
        raise InvalidInput(errors)
    return meta, vitals


def record_observations(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    raw: Mapping[str, Any] | Any,
    *,
    now: datetime | None = None,
) -> Recorded:
    """Store a time-stamped set of vital signs with its NEWS2; raise an alert when it crosses a
    threshold (recovery sets only)."""
    actor.require(Permission.RECORD_OBSERVATIONS, "record vital signs")
    episode = episodes.load_episode(session, actor, episode_id)
    if not isinstance(raw, Mapping):
        raise InvalidInput([FieldError("(input)", "must be a JSON object")])
    meta, vitals = _parse_observation(raw)
    now = now or utc_now()
    observed_at = meta.observed_at or now
    if observed_at > now:
        raise InvalidInput([FieldError("observed_at", "cannot be in the future")])
    stay: RecoveryStay | None = None
    if meta.kind == "recovery":
        stay = _open_stay(session, episode)
        if observed_at < stay.procedure_ended_at:
            raise InvalidInput(
                [FieldError("observed_at", "recovery observations start when the procedure ends")]
            )
    elif Stage(episode.stage) not in BASELINE_STAGES:
        raise NotNow("baseline vital signs are taken before the procedure")
    score = news2_of(vitals)
    observation_set = ObservationSet(
        clinic_id=episode.clinic_id,
        episode_id=episode.id,
        patient_id=episode.patient_id,
        kind=meta.kind,
        observed_at=observed_at,
        recorded_at=now,
        recorded_by_id=actor.user_id,
        recorded_by_name=actor.full_name,
        news2_total=score["total"],
        news2_risk=score["risk"],
        news2=score,
        observations=[_row(position, row) for position, row in enumerate(observation_rows(vitals))],
    )
    session.add(observation_set)
    session.flush()
    alert = None
    if stay is not None:
        resolve_alerts(session, episode.id, score, now)
        alert = raise_alert(session, episode, stay, observation_set, score, now)
    audit.record(
        session,
        actor,
        "create",
        "observation_set",
        observation_set.id,
        patient_id=episode.patient_id,
        detail={
            "kind": meta.kind,
            "news2_total": score["total"],
            **({"alert": alert.level} if alert else {}),
        },
    )
    publish(
        session,
        actor,
        ObservationRecorded(
            clinic_id=episode.clinic_id,
            episode_id=episode.id,
            occurred_at=observed_at,
            observation_id=observation_set.id,
            news2_total=score["total"],
        ),
    )
    return Recorded(observation_set, alert)


def _row(position: int, row: Mapping[str, Any]) -> Observation:
    value = row["value"]
    return Observation(
        position=position,
        parameter=row["parameter"],
        value_boolean=value if isinstance(value, bool) else None,
        value_text=value if isinstance(value, str) else None,
        value_number=float(value)
        if isinstance(value, int | float) and not isinstance(value, bool)
        else None,
        unit=row["unit"],
        codings=row["codings"],
    )


def list_observations(
    session: Session, actor: Actor, episode_id: uuid.UUID
) -> tuple[Episode, list[ObservationSet]]:
    actor.require(Permission.READ_PATIENTS, "read patient records")
    episode = episodes.load_episode(session, actor, episode_id)
    sets = observation_sets(session, episode.id)
    audit.record(
        session, actor, "read", "observation_set", episode.id, patient_id=episode.patient_id
    )
    return episode, sets


# ---- Aldrete and PADSS ---------------------------------------------------------------------------


def derived_item(item: rules.DerivedItem, sets: list[ObservationSet]) -> dict[str, Any] | None:
    baseline = latest_set(sets, "baseline")
    current = latest_set(sets, "recovery")
    if baseline is None or current is None:
        return None
    derived = rules.derive_item(item, baseline.values(), current.values())
    if derived is not None:
        derived["baseline_set_id"] = str(baseline.id)
        derived["current_set_id"] = str(current.id)
    return derived


def _score(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    instrument_name: str,
    item: rules.DerivedItem,
    entered: dict[str, Any],
    entered_item: int | None,
    now: datetime | None,
) -> RecoveryScore:
    actor.require(Permission.EDIT_PATIENTS, "score recovery")
    episode = episodes.load_episode(session, actor, episode_id)
    stay = _open_stay(session, episode)
    derived = derived_item(item, observation_sets(session, episode.id))
    if derived is not None and entered_item is not None:
        raise InvalidInput(
            [
                FieldError(
                    item.item,
                    "is derived from the baseline and latest recovery vital signs; leave it out",
                )
            ]
        )
    if derived is None and entered_item is None:
        raise InvalidInput(
            [
                FieldError(
                    item.item,
                    "cannot be derived without baseline and recovery vital signs; enter the points",
                )
            ]
        )
    points = derived["points"] if derived is not None else entered_item
    result = get_instrument(instrument_name).run({**entered, item.item: points})
    result["derived"] = derived
    now = now or utc_now()
    score = RecoveryScore(
        clinic_id=episode.clinic_id,
        episode_id=episode.id,
        stay_id=stay.id,
        instrument=instrument_name,
        total=result["total"],
        result=result,
        scored_at=now,
        recorded_by_id=actor.user_id,
        recorded_by_name=actor.full_name,
    )
    session.add(score)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "recovery_score",
        score.id,
        patient_id=episode.patient_id,
        detail={"instrument": instrument_name, "total": score.total},
    )
    return score


def score_aldrete(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    data: AldreteIn,
    *,
    now: datetime | None = None,
) -> RecoveryScore:
    entered = data.model_dump(exclude={"circulation"})
    return _score(
        session,
        actor,
        episode_id,
        "aldrete",
        rules.ALDRETE_CIRCULATION,
        entered,
        data.circulation,
        now,
    )


def score_padss(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    data: PadssIn,
    *,
    now: datetime | None = None,
) -> RecoveryScore:
    entered = data.model_dump(exclude={"vital_signs"})
    return _score(
        session, actor, episode_id, "padss", rules.PADSS_VITAL_SIGNS, entered, data.vital_signs, now
    )


# ---- Checklist, readiness, admission, discharge --------------------------------------------------


def update_checklist(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    data: ChecklistIn,
    *,
    if_match_version: int | None = None,
    now: datetime | None = None,
) -> RecoveryStay:
    actor.require(Permission.EDIT_PATIENTS, "update the discharge checklist")
    episode = episodes.load_episode(session, actor, episode_id)
    stay = _open_stay(session, episode)
    expected = if_match_version if if_match_version is not None else data.version
    check_version(
        "recovery record", stay.version, expected, via_if_match=if_match_version is not None
    )
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    for name, value in changes.items():
        if (
            value is None
            and name != "observation_interval_minutes"
            and not name.endswith(("_name", "_note"))
        ):
            raise InvalidInput([FieldError(name, "cannot be empty")])
    prescribed = changes.get("antibiotics_prescribed", stay.antibiotics_prescribed)
    if changes.get("antibiotics_given") and not prescribed:
        raise InvalidInput(
            [FieldError("antibiotics_given", "no antibiotics are prescribed for this patient")]
        )
    for name, value in changes.items():
        setattr(stay, name, value)
    if not stay.antibiotics_prescribed:
        stay.antibiotics_given = False
    stay.updated_by_name = actor.full_name
    stay.updated_at = now or utc_now()
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        "recovery_stay",
        stay.id,
        patient_id=episode.patient_id,
        detail={"fields": sorted(changes)},
    )
    return stay


def readiness_of(
    stay: RecoveryStay,
    scores: list[RecoveryScore],
    open_alerts: int,
    settings: ClinicRecoverySettings,
    now: datetime,
    *,
    latest_news2: int | None,
) -> dict[str, Any]:
    aldrete = latest_score(scores, "aldrete")
    padss = latest_score(scores, "padss")
    return rules.assess(
        {
            "now": max(now, stay.procedure_ended_at),
            "procedure_ended_at": stay.procedure_ended_at,
            "observation_minimum_minutes": settings.observation_minimum_minutes,
            "sedation_given": stay.sedation_given,
            "aldrete_total": aldrete.total if aldrete else None,
            "padss_total": padss.total if padss else None,
            "escort_confirmed": stay.escort_confirmed,
            "pain_relief_given": stay.pain_relief_given,
            "antibiotics_prescribed": stay.antibiotics_prescribed,
            "antibiotics_given": stay.antibiotics_given,
            "instructions_given": stay.instructions_given,
            "follow_up_booked": stay.follow_up_booked,
            "open_alerts": open_alerts,
            "latest_news2_total": latest_news2,
            "discharge_news2_below": settings.discharge_news2_below,
        }
    )


def admit_overnight(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    data: AdmissionIn,
    *,
    if_match_version: int | None = None,
    now: datetime | None = None,
) -> RecoveryStay:
    """The patient stays overnight; the reason is recorded. Discharge follows later."""
    actor.require(Permission.EDIT_PATIENTS, "admit patients overnight")
    episode = episodes.load_episode(session, actor, episode_id)
    stay = _open_stay(session, episode)
    if stay.status == "admitted":
        raise Conflict("this patient is already admitted overnight")
    expected = if_match_version if if_match_version is not None else data.version
    check_version(
        "recovery record", stay.version, expected, via_if_match=if_match_version is not None
    )
    now = now or utc_now()
    stay.status = "admitted"
    stay.admission_reason = data.reason
    stay.admitted_at = now
    stay.updated_by_name = actor.full_name
    session.flush()
    audit.record(
        session,
        actor,
        "admit",
        "recovery_stay",
        stay.id,
        patient_id=episode.patient_id,
        detail={"reason": data.reason},
    )
    return stay


def discharge(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    data: DischargeIn,
    *,
    if_match_version: int | None = None,
    now: datetime | None = None,
) -> RecoveryStay:
    """Discharge when every readiness criterion is met; the episode moves to Discharged."""
    actor.require(Permission.ADVANCE_EPISODES, "discharge patients")
    episode = episodes.load_episode(session, actor, episode_id)
    stay = _open_stay(session, episode)
    expected = if_match_version if if_match_version is not None else data.version
    check_version(
        "recovery record", stay.version, expected, via_if_match=if_match_version is not None
    )
    now = now or utc_now()
    open_alerts = open_alert_count(session, episode.id)
    latest = latest_set(observation_sets(session, episode.id), "recovery")
    ready = readiness_of(
        stay,
        scores_of(session, episode.id),
        open_alerts,
        settings_for(session, episode.clinic_id),
        now,
        latest_news2=latest.news2_total if latest is not None else None,
    )
    if not ready["ready"]:
        missing = [item["label"] for item in ready["items"] if item["status"] == "unmet"]
        raise DischargeRefused("not ready for discharge; still needed: " + "; ".join(missing))
    mark_discharged(stay, actor, now)
    session.flush()
    publish(
        session,
        actor,
        DischargeAssessed(
            clinic_id=episode.clinic_id,
            episode_id=episode.id,
            occurred_at=now,
            assessment_id=stay.id,
            ready=True,
            escort_confirmed=bool(stay.escort_confirmed),
        ),
    )
    audit.record(
        session, actor, "discharge", "recovery_stay", stay.id, patient_id=episode.patient_id
    )
    episodes.transition_episode(
        session,
        actor,
        episode.id,
        TransitionIn(
            to_stage=Stage.DISCHARGED,
            reason="discharged from recovery: readiness met",
            version=episode.version,
        ),
        now=now,
    )
    return stay


def mark_discharged(stay: RecoveryStay, actor: Actor, at: datetime) -> None:
    """The stay ends: by the recovery discharge, or when the episode leaves by another move."""
    stay.status = "discharged"
    stay.discharged_at = at
    stay.discharged_by_name = actor.full_name
    stay.updated_by_name = actor.full_name
