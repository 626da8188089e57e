"""Staged facts: what a running import has read, saved into ``fhir_facts`` in one go.

The reading pass commits staged rows in batches (short transactions, so other users are not
kept waiting); nothing reads them as a patient's facts. The saving transaction resolves each
row's patient, keeps the later of two entries for the same fact, compares each with the fact
already stored (same patient, source, resource and part) and then, set-based: updates the
changed, inserts the new, writes a version of each, and deletes the staged rows. A failed
import deletes its staged rows instead, so an import is saved whole or not at all.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from spinepath.fhir.mapping import Fact, content_digest
from spinepath.fhir.models import FhirFact, FhirFactVersion, FhirStagedFact
from spinepath.store.base import utc_now

STAGED: Table = FhirStagedFact.__table__  # type: ignore[assignment]
FACTS: Table = FhirFact.__table__  # type: ignore[assignment]
VERSIONS: Table = FhirFactVersion.__table__  # type: ignore[assignment]
REVIEW_LIMIT = 500
NOTE_LIMIT = 50


def staged_row(job_id: uuid.UUID, patient_key: str, fact: Fact) -> dict[str, Any]:
    encoded = fact.encoded_content()  # once: for the hash and, on PostgreSQL, the COPY
    return {
        "job_id": job_id,
        "patient_key": patient_key,
        "fact_id": uuid.uuid4(),
        "outcome": "created",
        "resource_type": fact.resource_type,
        "resource_id": fact.resource_id,
        "part": fact.part,
        "kind": fact.kind,
        "category": fact.category,
        "code_system": fact.code_system,
        "code": (fact.code or "")[:64] or None,
        "display": fact.display,
        "status": fact.status,
        "effective": fact.effective,
        "effective_at": fact.effective_at,
        "value_num": fact.value_num,
        "value_unit": fact.value_unit,
        "value_text": fact.value_text,
        "review": fact.review,
        "review_reason": fact.details.get("review_reason"),
        "details": fact.details,
        "content": fact.content(),
        "content_hash": content_digest(encoded),
        "_content_text": encoded,
    }


_COPY_COLUMNS = [c.name for c in FhirStagedFact.__table__.columns if c.name != "seq"]


def stage(session: Session, rows: list[dict[str, Any]]) -> None:
    """Write staged rows: PostgreSQL's COPY where it is there (several times faster than
    INSERT for many rows), a many-row INSERT elsewhere."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection, rows)
        return
    for row in rows:
        row.pop("_content_text", None)
    session.execute(insert(STAGED), rows)


def _copy(connection: Any, rows: list[dict[str, Any]]) -> None:
    from psycopg.types.json import Json

    names = ", ".join(_COPY_COLUMNS)
    raw = connection.connection.driver_connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY fhir_staged_facts ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            values = dict(row)
            values["details"] = Json(values["details"])
            values["content"] = values.pop("_content_text")
            copy.write_row([values.get(name) for name in _COPY_COLUMNS])


def discard(session: Session, job_id: uuid.UUID) -> None:
    session.execute(delete(STAGED).where(STAGED.c.job_id == job_id))


def resources_of(session: Session, job_id: uuid.UUID, patient_key: str) -> tuple[int, list[str]]:
    """How many resources the import named this patient in, and the first few of them."""
    distinct = (
        select(STAGED.c.resource_type, STAGED.c.resource_id)
        .where(STAGED.c.job_id == job_id, STAGED.c.patient_key == patient_key)
        .distinct()
        .subquery()
    )
    count = session.scalar(select(func.count()).select_from(distinct)) or 0
    examples = session.execute(select(distinct).limit(5)).all()
    return count, [f"{kind}/{rid}" for kind, rid in examples]


@dataclass
class Saved:
    """What saving the staged facts did."""

    by_patient: dict[uuid.UUID, dict[str, int]] = field(default_factory=dict)
    outcome: Counter[str] = field(default_factory=Counter)
    by_category: dict[str, int] = field(default_factory=dict)
    review: list[dict[str, Any]] = field(default_factory=list)
    review_total: int = 0
    repeated: list[str] = field(default_factory=list)


def save(
    session: Session,
    job_id: uuid.UUID,
    *,
    clinic_id: uuid.UUID,
    source: str,
    patients: dict[str, uuid.UUID],
) -> Saved:
    """Move the job's staged facts of the resolved ``patients`` (patient key → patient id)
    into ``fhir_facts``; the others are dropped (their patient was not imported)."""
    if patients:
        session.execute(
            update(STAGED)
            .where(STAGED.c.job_id == job_id, STAGED.c.patient_key == bindparam("key"))
            .values(patient_id=bindparam("pid")),
            [{"key": key, "pid": pid} for key, pid in patients.items()],
        )
    session.execute(delete(STAGED).where(STAGED.c.job_id == job_id, STAGED.c.patient_id.is_(None)))
    saved = Saved(repeated=_drop_earlier_repeats(session, job_id))
    _compare_with_stored(session, job_id, source)
    now = utc_now()
    _update_changed(session, job_id, now)
    _insert_new(session, job_id, clinic_id, source, now)
    _write_versions(session, job_id, now)
    _summarise(session, job_id, saved)
    discard(session, job_id)
    return saved


def _drop_earlier_repeats(session: Session, job_id: uuid.UUID) -> list[str]:
    """Two entries for the same fact of the same patient: the later one is kept."""
    later = STAGED.alias("later")
    repeated = and_(
        STAGED.c.job_id == job_id,
        exists().where(
            later.c.job_id == job_id,
            later.c.patient_id == STAGED.c.patient_id,
            later.c.resource_type == STAGED.c.resource_type,
            later.c.resource_id == STAGED.c.resource_id,
            later.c.part == STAGED.c.part,
            later.c.seq > STAGED.c.seq,
        ),
    )
    refs = session.execute(
        select(STAGED.c.resource_type, STAGED.c.resource_id)
        .where(repeated)
        .distinct()
        .limit(NOTE_LIMIT)
    ).all()
    if refs:
        session.execute(delete(STAGED).where(repeated))
    return [f"{kind}/{rid}" for kind, rid in refs]


def _compare_with_stored(session: Session, job_id: uuid.UUID, source: str) -> None:
    """Mark each staged fact already stored as unchanged or updated (created otherwise)."""
    session.execute(
        update(STAGED)
        .where(
            STAGED.c.job_id == job_id,
            FACTS.c.patient_id == STAGED.c.patient_id,
            FACTS.c.source == source,
            FACTS.c.resource_type == STAGED.c.resource_type,
            FACTS.c.resource_id == STAGED.c.resource_id,
            FACTS.c.part == STAGED.c.part,
        )
        .values(
            fact_id=FACTS.c.id,
            old_version=FACTS.c.version,
            outcome=case(
                (FACTS.c.content_hash == STAGED.c.content_hash, "unchanged"), else_="updated"
            ),
        )
    )


_COPIED = (
    "kind",
    "category",
    "code_system",
    "code",
    "display",
    "status",
    "effective",
    "effective_at",
    "value_num",
    "value_unit",
    "value_text",
    "review",
    "details",
    "content_hash",
)


def _update_changed(session: Session, job_id: uuid.UUID, now: datetime) -> None:
    values: dict[str, Any] = {name: STAGED.c[name] for name in _COPIED}
    session.execute(
        update(FACTS)
        .where(
            FACTS.c.id == STAGED.c.fact_id,
            STAGED.c.job_id == job_id,
            STAGED.c.outcome == "updated",
        )
        .values(**values, version=FACTS.c.version + 1, updated_at=now, import_id=job_id)
    )


def _insert_new(
    session: Session, job_id: uuid.UUID, clinic_id: uuid.UUID, source: str, now: datetime
) -> None:
    columns = ["id", "clinic_id", "patient_id", "source", "resource_type", "resource_id", "part"]
    columns += [*_COPIED, "version", "created_at", "updated_at", "import_id"]
    rows = select(
        STAGED.c.fact_id,
        literal(clinic_id, FACTS.c.clinic_id.type),
        STAGED.c.patient_id,
        literal(source, FACTS.c.source.type),
        STAGED.c.resource_type,
        STAGED.c.resource_id,
        STAGED.c.part,
        *(STAGED.c[name] for name in _COPIED),
        literal(1),
        literal(now, FACTS.c.created_at.type),
        literal(now, FACTS.c.updated_at.type),
        literal(job_id, FACTS.c.import_id.type),
    ).where(STAGED.c.job_id == job_id, STAGED.c.outcome == "created")
    session.execute(insert(FACTS).from_select(columns, rows))


def _write_versions(session: Session, job_id: uuid.UUID, now: datetime) -> None:
    rows = select(
        STAGED.c.fact_id,
        case((STAGED.c.outcome == "created", 1), else_=STAGED.c.old_version + 1),
        literal(job_id, VERSIONS.c.import_id.type),
        literal(now, VERSIONS.c.recorded_at.type),
        STAGED.c.content,
    ).where(STAGED.c.job_id == job_id, STAGED.c.outcome.in_(("created", "updated")))
    session.execute(
        insert(VERSIONS).from_select(
            ["fact_id", "version", "import_id", "recorded_at", "content"], rows
        )
    )


def _summarise(session: Session, job_id: uuid.UUID, saved: Saved) -> None:
    mine = STAGED.c.job_id == job_id
    by_patient: dict[uuid.UUID, Counter[str]] = defaultdict(Counter)
    for patient_id, outcome, count in session.execute(
        select(STAGED.c.patient_id, STAGED.c.outcome, func.count())
        .where(mine)
        .group_by(STAGED.c.patient_id, STAGED.c.outcome)
    ):
        by_patient[patient_id][outcome] += count
        saved.outcome[outcome] += count
    saved.by_patient = {
        pid: {name: counts[name] for name in ("created", "updated", "unchanged")}
        for pid, counts in by_patient.items()
    }
    saved.by_category = {
        f"{kind}:{category}": count
        for kind, category, count in session.execute(
            select(STAGED.c.kind, STAGED.c.category, func.count())
            .where(mine)
            .group_by(STAGED.c.kind, STAGED.c.category)
            .order_by(STAGED.c.kind, STAGED.c.category)
        )
    }
    flagged = and_(mine, STAGED.c.review.is_(True))
    saved.review_total = session.scalar(select(func.count()).where(flagged)) or 0
    saved.review = [
        {
            "patient_id": str(row.patient_id),
            "resource": f"{row.resource_type}/{row.resource_id}",
            "display": row.display,
            "status": row.status,
            "reason": row.review_reason,
        }
        for row in session.execute(
            select(
                STAGED.c.patient_id,
                STAGED.c.resource_type,
                STAGED.c.resource_id,
                STAGED.c.display,
                STAGED.c.status,
                STAGED.c.review_reason,
            )
            .where(flagged)
            .order_by(STAGED.c.seq)
            .limit(REVIEW_LIMIT)
        )
    ]
