"""fhir import jobs: an import's state and progress from the moment it is received, and the
facts it has read but not yet saved (staged, moved into fhir_facts all at once)

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-02 18:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fhir_import_jobs",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_by_name", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=400), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("background", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("bytes_read", sa.BigInteger(), nullable=False),
        sa.Column("resources_read", sa.Integer(), nullable=False),
        sa.Column("facts_staged", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("errors", sa.JSON(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_fhir_import_jobs_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
            name=op.f("fk_fhir_import_jobs_submitted_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fhir_import_jobs")),
    )
    with op.batch_alter_table("fhir_import_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fhir_import_jobs_clinic_id"), ["clinic_id"], unique=False
        )

    op.create_table(
        "fhir_staged_facts",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("patient_key", sa.String(length=600), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("fact_id", sa.Uuid(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("old_version", sa.Integer(), nullable=True),
        sa.Column("resource_type", sa.String(length=40), nullable=False),
        sa.Column("resource_id", sa.String(length=200), nullable=False),
        sa.Column("part", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("code_system", sa.String(length=200), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("display", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("effective", sa.String(length=40), nullable=True),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("value_num", sa.Float(), nullable=True),
        sa.Column("value_unit", sa.String(length=64), nullable=True),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("review", sa.Boolean(), nullable=False),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["fhir_import_jobs.id"],
            name=op.f("fk_fhir_staged_facts_job_id_fhir_import_jobs"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_fhir_staged_facts")),
    )
    with op.batch_alter_table("fhir_staged_facts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_fhir_staged_facts_job_fact_key",
            ["job_id", "patient_id", "resource_type", "resource_id", "part"],
            unique=False,
        )
        batch_op.create_index(
            "ix_fhir_staged_facts_job_patient_key", ["job_id", "patient_key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("fhir_staged_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_fhir_staged_facts_job_patient_key")
        batch_op.drop_index("ix_fhir_staged_facts_job_fact_key")

    op.drop_table("fhir_staged_facts")
    with op.batch_alter_table("fhir_import_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fhir_import_jobs_clinic_id"))

    op.drop_table("fhir_import_jobs")
