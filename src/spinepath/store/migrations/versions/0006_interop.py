"""interop: imported FHIR facts and their versions, patient links, CDS Hooks cards and feedback

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-22 04:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None

# Kept as written: the database itself refuses to change or remove these rows.
APPEND_ONLY = ("fhir_fact_versions", "cds_cards", "cds_feedback")


def upgrade() -> None:
    op.create_table(
        "fhir_imports",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by_id", sa.Uuid(), nullable=True),
        sa.Column("imported_by_name", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=400), nullable=False),
        sa.Column("input_kinds", sa.JSON(), nullable=False),
        sa.Column("resource_count", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Boolean(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_fhir_imports_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["imported_by_id"], ["users.id"], name=op.f("fk_fhir_imports_imported_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fhir_imports")),
    )
    with op.batch_alter_table("fhir_imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fhir_imports_clinic_id"), ["clinic_id"], unique=False)

    op.create_table(
        "fhir_patient_links",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("system", sa.String(length=400), nullable=False),
        sa.Column("value", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_fhir_patient_links_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_fhir_patient_links_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fhir_patient_links")),
        sa.UniqueConstraint(
            "clinic_id", "kind", "system", "value", name="uq_fhir_patient_links_key"
        ),
    )
    with op.batch_alter_table("fhir_patient_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fhir_patient_links_clinic_id"), ["clinic_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fhir_patient_links_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "fhir_facts",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=400), nullable=False),
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
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_fhir_facts_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["fhir_imports.id"], name=op.f("fk_fhir_facts_import_id_fhir_imports")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_fhir_facts_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fhir_facts")),
        sa.UniqueConstraint(
            "patient_id",
            "source",
            "resource_type",
            "resource_id",
            "part",
            name="uq_fhir_facts_source_key",
        ),
    )
    with op.batch_alter_table("fhir_facts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fhir_facts_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fhir_facts_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_fhir_facts_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "fhir_fact_versions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("fact_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fact_id"], ["fhir_facts.id"], name=op.f("fk_fhir_fact_versions_fact_id_fhir_facts")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["fhir_imports.id"],
            name=op.f("fk_fhir_fact_versions_import_id_fhir_imports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fhir_fact_versions")),
        sa.UniqueConstraint("fact_id", "version", name="uq_fhir_fact_versions_key"),
    )
    with op.batch_alter_table("fhir_fact_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fhir_fact_versions_fact_id"), ["fact_id"], unique=False
        )

    op.create_table(
        "cds_cards",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=True),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("hook_instance", sa.String(length=200), nullable=False),
        sa.Column("client_iss", sa.String(length=400), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column("ehr_patient_id", sa.String(length=200), nullable=True),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("card", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_cds_cards_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_cds_cards_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cds_cards")),
    )
    with op.batch_alter_table("cds_cards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cds_cards_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cds_cards_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "cds_feedback",
        sa.Column("clinic_id", sa.Uuid(), nullable=True),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("card_uuid", sa.String(length=200), nullable=False),
        sa.Column("card_known", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("accepted_suggestions", sa.JSON(), nullable=True),
        sa.Column("override_reason", sa.JSON(), nullable=True),
        sa.Column("user_comment", sa.Text(), nullable=True),
        sa.Column("outcome_timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_iss", sa.String(length=400), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_cds_feedback_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cds_feedback")),
    )
    with op.batch_alter_table("cds_feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cds_feedback_card_uuid"), ["card_uuid"], unique=False)
        batch_op.create_index(batch_op.f("ix_cds_feedback_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cds_feedback_service_id"), ["service_id"], unique=False
        )

    op.create_table(
        "cds_token_uses",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("issuer", sa.String(length=400), nullable=False),
        sa.Column("jti", sa.String(length=255), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cds_token_uses")),
        sa.UniqueConstraint("issuer", "jti", name="uq_cds_token_uses_issuer_jti"),
    )
    with op.batch_alter_table("cds_token_uses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cds_token_uses_expires_at"), ["expires_at"], unique=False
        )

    for table in APPEND_ONLY:
        _install_append_only_guard(table)


def _install_append_only_guard(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{table} is append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def _remove_append_only_guard(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event}")


def downgrade() -> None:
    for table in APPEND_ONLY:
        _remove_append_only_guard(table)
    for table, indexes in (
        ("cds_token_uses", ("ix_cds_token_uses_expires_at",)),
        (
            "cds_feedback",
            (
                "ix_cds_feedback_service_id",
                "ix_cds_feedback_clinic_id",
                "ix_cds_feedback_card_uuid",
            ),
        ),
        ("cds_cards", ("ix_cds_cards_patient_id", "ix_cds_cards_clinic_id")),
        ("fhir_fact_versions", ("ix_fhir_fact_versions_fact_id",)),
        (
            "fhir_facts",
            ("ix_fhir_facts_patient_id", "ix_fhir_facts_kind", "ix_fhir_facts_clinic_id"),
        ),
        (
            "fhir_patient_links",
            ("ix_fhir_patient_links_patient_id", "ix_fhir_patient_links_clinic_id"),
        ),
        ("fhir_imports", ("ix_fhir_imports_clinic_id",)),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for index in indexes:
                batch_op.drop_index(index)
        op.drop_table(table)
