"""Imported FHIR facts, kept per patient and per source resource, with every version.

- ``FhirImport``: one import (who, when, from which source, what it reported). Never edited.
- ``FhirPatientLink``: the identifiers (system|value) and source resource ids (source +
  Patient id) that point at a spinepath patient, so a re-import finds the same patient.
- ``FhirFact``: one fact spinepath uses (a condition, medicine, observation value, procedure or
  allergy), keyed by patient, source, resource type, resource id and part (an observation
  component). ``content_hash`` detects a change; an unchanged fact is left alone, so importing
  the same data again changes nothing.
- ``FhirFactVersion``: every version of every fact, with the import that wrote it. Never edited.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from spinepath.store.base import Base, IdMixin, VersionedMixin, utc_now


class FhirImport(IdMixin, Base):
    __tablename__ = "fhir_imports"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    imported_at: Mapped[datetime] = mapped_column(default=utc_now)
    imported_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    imported_by_name: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(400), default="")
    input_kinds: Mapped[list[str]] = mapped_column(JSON)
    resource_count: Mapped[int] = mapped_column(Integer)
    changed: Mapped[bool] = mapped_column(Boolean)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)


class FhirPatientLink(IdMixin, Base):
    __tablename__ = "fhir_patient_links"
    __table_args__ = (
        UniqueConstraint("clinic_id", "kind", "system", "value", name="uq_fhir_patient_links_key"),
    )

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    # "identifier": system = identifier system, value = identifier value.
    # "resource": system = the import's source, value = the Patient resource id there.
    kind: Mapped[str] = mapped_column(String(16))
    system: Mapped[str] = mapped_column(String(400))
    value: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class FhirFact(IdMixin, VersionedMixin, Base):
    __tablename__ = "fhir_facts"
    __table_args__ = (
        UniqueConstraint(
            "patient_id",
            "source",
            "resource_type",
            "resource_id",
            "part",
            name="uq_fhir_facts_source_key",
        ),
    )

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    source: Mapped[str] = mapped_column(String(400), default="")
    resource_type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[str] = mapped_column(String(200))
    part: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[str] = mapped_column(String(16), index=True)
    category: Mapped[str] = mapped_column(String(40))
    code_system: Mapped[str | None] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(64))
    display: Mapped[str] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(32))
    effective: Mapped[str | None] = mapped_column(String(40))
    effective_at: Mapped[datetime | None]
    value_num: Mapped[float | None] = mapped_column(Float)
    value_unit: Mapped[str | None] = mapped_column(String(64))
    value_text: Mapped[str | None] = mapped_column(Text)
    review: Mapped[bool] = mapped_column(Boolean, default=False)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    import_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("fhir_imports.id"))


class FhirFactVersion(Base):
    """One version of a fact as written by an import. Never edited."""

    __tablename__ = "fhir_fact_versions"
    __table_args__ = (UniqueConstraint("fact_id", "version", name="uq_fhir_fact_versions_key"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    fact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("fhir_facts.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    import_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("fhir_imports.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)


class FhirImportJob(IdMixin, Base):
    """One import from the moment it is received: its state and progress. The id is the
    import's id; the import's record (``FhirImport``) exists only once it is saved."""

    __tablename__ = "fhir_import_jobs"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utc_now)
    submitted_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    submitted_by_name: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(400), default="")
    files: Mapped[list[str]] = mapped_column(JSON)
    background: Mapped[bool] = mapped_column(Boolean, default=False)
    # queued, reading, saving, done, failed
    status: Mapped[str] = mapped_column(String(16), default="queued")
    bytes_read: Mapped[int] = mapped_column(BigInteger, default=0)
    resources_read: Mapped[int] = mapped_column(Integer, default=0)
    facts_staged: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
    finished_at: Mapped[datetime | None]
    # Why it failed: [{"field": ..., "message": ...}]; nothing of it was saved.
    errors: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)


class FhirStagedFact(Base):
    """A fact read by an import that is still running. Staged facts are never read as a
    patient's facts: the import's final transaction moves them into ``fhir_facts`` all at once
    (or, should it fail, they are deleted), so an import is saved whole or not at all."""

    __tablename__ = "fhir_staged_facts"
    __table_args__ = (
        Index("ix_fhir_staged_facts_job_patient_key", "job_id", "patient_key"),
        Index(
            "ix_fhir_staged_facts_job_fact_key",
            "job_id",
            "patient_id",
            "resource_type",
            "resource_id",
            "part",
        ),
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("fhir_import_jobs.id"))
    # Which patient the fact is about, as the import names it (resolved when it is saved).
    patient_key: Mapped[str] = mapped_column(String(600))
    patient_id: Mapped[uuid.UUID | None]
    fact_id: Mapped[uuid.UUID]
    outcome: Mapped[str] = mapped_column(String(16), default="created")
    old_version: Mapped[int | None] = mapped_column(Integer)
    resource_type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[str] = mapped_column(String(200))
    part: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(40))
    code_system: Mapped[str | None] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(64))
    display: Mapped[str] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(32))
    effective: Mapped[str | None] = mapped_column(String(40))
    effective_at: Mapped[datetime | None]
    value_num: Mapped[float | None] = mapped_column(Float)
    value_unit: Mapped[str | None] = mapped_column(String(64))
    value_text: Mapped[str | None] = mapped_column(Text)
    review: Mapped[bool] = mapped_column(Boolean, default=False)
    review_reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
