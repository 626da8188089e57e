"""Use cases for patients."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.context import Actor
from spinepath.errors import FieldError, InvalidInput
from spinepath.paging import LIKE_ESCAPE, contains_pattern
from spinepath.patients.models import Patient
from spinepath.patients.schemas import PatientIn, PatientUpdate
from spinepath.store.lookups import in_clinic
from spinepath.versioning import check_version


def load_patient(session: Session, actor: Actor, patient_id: uuid.UUID) -> Patient:
    """A patient of the actor's clinic. Another clinic's patient is reported as not found."""
    return in_clinic(session, actor, Patient, patient_id, "patient")


def _mrn_taken(session: Session, clinic_id: uuid.UUID, mrn: str, *, other_than: object) -> bool:
    found = session.scalar(
        select(Patient.id).where(Patient.clinic_id == clinic_id, Patient.mrn == mrn)
    )
    return found is not None and found != other_than


def create_patient(session: Session, actor: Actor, data: PatientIn) -> Patient:
    actor.require(Permission.EDIT_PATIENTS, "register patients")
    assert actor.clinic_id is not None
    if _mrn_taken(session, actor.clinic_id, data.mrn, other_than=None):
        raise InvalidInput([FieldError("mrn", "another patient of this clinic has this MRN")])
    patient = Patient(clinic_id=actor.clinic_id, **data.model_dump())
    session.add(patient)
    session.flush()
    audit.record(session, actor, "create", "patient", patient.id, patient_id=patient.id)
    return patient


def get_patient(session: Session, actor: Actor, patient_id: uuid.UUID) -> Patient:
    actor.require(Permission.READ_PATIENTS, "read patient records")
    patient = load_patient(session, actor, patient_id)
    audit.record(session, actor, "read", "patient", patient.id, patient_id=patient.id)
    return patient


def update_patient(
    session: Session,
    actor: Actor,
    patient_id: uuid.UUID,
    data: PatientUpdate,
    *,
    if_match_version: int | None = None,
) -> Patient:
    actor.require(Permission.EDIT_PATIENTS, "edit patients")
    patient = load_patient(session, actor, patient_id)
    expected = if_match_version if if_match_version is not None else data.version
    check_version("patient", patient.version, expected, via_if_match=if_match_version is not None)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if "mrn" in changes and _mrn_taken(
        session, patient.clinic_id, changes["mrn"], other_than=patient.id
    ):
        raise InvalidInput([FieldError("mrn", "another patient of this clinic has this MRN")])
    required = {"mrn", "family_name", "given_name", "birth_date", "sex"}
    nulled = sorted(name for name in required & changes.keys() if changes[name] is None)
    if nulled:
        raise InvalidInput([FieldError(name, "cannot be empty") for name in nulled])
    for name, value in changes.items():
        setattr(patient, name, value)
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        "patient",
        patient.id,
        patient_id=patient.id,
        detail={"fields": sorted(changes)},
    )
    return patient


@dataclass(frozen=True)
class PatientPage:
    items: list[Patient]
    total: int


def search_patients(
    session: Session, actor: Actor, *, text: str | None = None, page: int = 1, per_page: int = 25
) -> PatientPage:
    actor.require(Permission.READ_PATIENTS, "read patient records")
    query = select(Patient).where(Patient.clinic_id == actor.clinic_id)
    if text:
        like = contains_pattern(text.strip().lower())
        query = query.where(
            or_(
                func.lower(Patient.family_name).like(like, escape=LIKE_ESCAPE),
                func.lower(Patient.given_name).like(like, escape=LIKE_ESCAPE),
                func.lower(Patient.mrn).like(like, escape=LIKE_ESCAPE),
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = list(
        session.scalars(
            query.order_by(Patient.family_name, Patient.given_name, Patient.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    audit.record(
        session,
        actor,
        "read",
        "patient_list",
        detail={"patient_ids": [str(p.id) for p in items], "query": bool(text)},
    )
    return PatientPage(items, total)
