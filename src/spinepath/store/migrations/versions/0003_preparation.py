"""preparation plans and their signatures

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-22 04:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "preparation_plans",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by_id", sa.Uuid(), nullable=True),
        sa.Column("signed_by_name", sa.String(length=200), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_name", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_preparation_plans_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_preparation_plans_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_preparation_plans_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"], ["users.id"], name=op.f("fk_preparation_plans_signed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_preparation_plans_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preparation_plans")),
        sa.UniqueConstraint("episode_id", name=op.f("uq_preparation_plans_episode_id")),
    )
    with op.batch_alter_table("preparation_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_preparation_plans_clinic_id"), ["clinic_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_preparation_plans_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "preparation_signatures",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_by_id", sa.Uuid(), nullable=True),
        sa.Column("signed_by_name", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"],
            ["clinics.id"],
            name=op.f("fk_preparation_signatures_clinic_id_clinics"),
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_preparation_signatures_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["preparation_plans.id"],
            name=op.f("fk_preparation_signatures_plan_id_preparation_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"],
            ["users.id"],
            name=op.f("fk_preparation_signatures_signed_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preparation_signatures")),
        sa.UniqueConstraint("plan_id", "number", name="uq_preparation_signatures_plan_number"),
    )
    with op.batch_alter_table("preparation_signatures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_preparation_signatures_clinic_id"), ["clinic_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_preparation_signatures_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_preparation_signatures_plan_id"), ["plan_id"], unique=False
        )

    _install_signature_guard()


# A signature records what was signed: the database refuses to change one.
def _install_signature_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION preparation_signatures_unchanged() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'preparation_signatures cannot be changed';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER preparation_signatures_no_update BEFORE UPDATE "
            "ON preparation_signatures FOR EACH ROW "
            "EXECUTE FUNCTION preparation_signatures_unchanged()"
        )
    else:
        op.execute(
            "CREATE TRIGGER preparation_signatures_no_update BEFORE UPDATE "
            "ON preparation_signatures "
            "BEGIN SELECT RAISE(ABORT, 'preparation_signatures cannot be changed'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DROP TRIGGER IF EXISTS preparation_signatures_no_update ON preparation_signatures"
        )
        op.execute("DROP FUNCTION IF EXISTS preparation_signatures_unchanged()")
    else:
        op.execute("DROP TRIGGER IF EXISTS preparation_signatures_no_update")

    with op.batch_alter_table("preparation_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_preparation_signatures_plan_id"))
        batch_op.drop_index(batch_op.f("ix_preparation_signatures_episode_id"))
        batch_op.drop_index(batch_op.f("ix_preparation_signatures_clinic_id"))

    op.drop_table("preparation_signatures")
    with op.batch_alter_table("preparation_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_preparation_plans_patient_id"))
        batch_op.drop_index(batch_op.f("ix_preparation_plans_clinic_id"))

    op.drop_table("preparation_plans")
