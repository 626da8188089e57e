"""procedure day: plan, time-out, procedure record, recovery observations, alerts, discharge

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-22 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recovery_settings",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("observation_minimum_minutes", sa.Integer(), nullable=False),
        sa.Column("observation_interval_minutes", sa.Integer(), nullable=False),
        sa.Column("updated_by_name", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_recovery_settings_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_settings")),
        sa.UniqueConstraint("clinic_id", name=op.f("uq_recovery_settings_clinic_id")),
    )
    op.create_table(
        "observation_sets",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by_name", sa.String(length=200), nullable=True),
        sa.Column("news2_total", sa.Integer(), nullable=False),
        sa.Column("news2_risk", sa.String(length=16), nullable=False),
        sa.Column("news2", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_observation_sets_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_observation_sets_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_observation_sets_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_observation_sets_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation_sets")),
    )
    with op.batch_alter_table("observation_sets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_observation_sets_clinic_id"), ["clinic_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_observation_sets_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_observation_sets_observed_at"), ["observed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_observation_sets_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "procedure_plans",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("technique", sa.String(length=16), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("planned_by_id", sa.Uuid(), nullable=True),
        sa.Column("planned_by_name", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_procedure_plans_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_procedure_plans_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["planned_by_id"], ["users.id"], name=op.f("fk_procedure_plans_planned_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_plans")),
        sa.UniqueConstraint("episode_id", name=op.f("uq_procedure_plans_episode_id")),
    )
    with op.batch_alter_table("procedure_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procedure_plans_clinic_id"), ["clinic_id"], unique=False
        )

    op.create_table(
        "time_outs",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("performed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by_name", sa.String(length=200), nullable=True),
        sa.Column("team", sa.Text(), nullable=False),
        sa.Column("identity_confirmed", sa.Boolean(), nullable=False),
        sa.Column("procedure_confirmed", sa.Boolean(), nullable=False),
        sa.Column("consent_confirmed", sa.Boolean(), nullable=False),
        sa.Column("labs_reviewed", sa.Boolean(), nullable=False),
        sa.Column("labs_note", sa.Text(), nullable=True),
        sa.Column("allergies", sa.Text(), nullable=False),
        sa.Column("preparation_status", sa.String(length=300), nullable=False),
        sa.Column("planned_technique", sa.String(length=16), nullable=False),
        sa.Column("planned_levels", sa.JSON(), nullable=False),
        sa.Column("levels_to_treat", sa.JSON(), nullable=False),
        sa.Column("level_mismatch", sa.Boolean(), nullable=False),
        sa.Column("mismatch_reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_time_outs_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_time_outs_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_time_outs_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_time_outs_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_outs")),
    )
    with op.batch_alter_table("time_outs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_time_outs_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_time_outs_episode_id"), ["episode_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_time_outs_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "observations",
        sa.Column("set_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("parameter", sa.String(length=32), nullable=False),
        sa.Column("value_number", sa.Float(), nullable=True),
        sa.Column("value_text", sa.String(length=16), nullable=True),
        sa.Column("value_boolean", sa.Boolean(), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=True),
        sa.Column("codings", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["observation_sets.id"],
            name=op.f("fk_observations_set_id_observation_sets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observations")),
    )
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_observations_set_id"), ["set_id"], unique=False)

    op.create_table(
        "procedure_records",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("time_out_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sedation", sa.String(length=16), nullable=False),
        sa.Column("fluoroscopy_time_min", sa.Float(), nullable=False),
        sa.Column("air_kerma_mgy", sa.Float(), nullable=True),
        sa.Column("dose_area_product_gy_cm2", sa.Float(), nullable=True),
        sa.Column("complications", sa.JSON(), nullable=False),
        sa.Column("complication_details", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("cpt", sa.JSON(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by_name", sa.String(length=200), nullable=True),
        sa.Column("updated_by_name", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_procedure_records_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_procedure_records_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_procedure_records_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_procedure_records_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["time_out_id"],
            ["time_outs.id"],
            name=op.f("fk_procedure_records_time_out_id_time_outs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_records")),
        sa.UniqueConstraint("episode_id", name=op.f("uq_procedure_records_episode_id")),
    )
    with op.batch_alter_table("procedure_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procedure_records_clinic_id"), ["clinic_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_procedure_records_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "recovery_alerts",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("observation_set_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.String(length=24), nullable=False),
        sa.Column("news2_total", sa.Integer(), nullable=False),
        sa.Column("risk", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Uuid(), nullable=True),
        sa.Column("acknowledged_by_name", sa.String(length=200), nullable=True),
        sa.Column("acknowledgement_note", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["users.id"],
            name=op.f("fk_recovery_alerts_acknowledged_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_recovery_alerts_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_recovery_alerts_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["observation_set_id"],
            ["observation_sets.id"],
            name=op.f("fk_recovery_alerts_observation_set_id_observation_sets"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_recovery_alerts_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["tasks.id"],
            name=op.f("fk_recovery_alerts_task_id_tasks"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_alerts")),
    )
    with op.batch_alter_table("recovery_alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recovery_alerts_clinic_id"), ["clinic_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recovery_alerts_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recovery_alerts_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recovery_alerts_status"), ["status"], unique=False)

    op.create_table(
        "procedure_levels",
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column("level_order", sa.Integer(), nullable=False),
        sa.Column("technique", sa.String(length=16), nullable=False),
        sa.Column("approach", sa.String(length=16), nullable=False),
        sa.Column("needle", sa.String(length=200), nullable=True),
        sa.Column("balloon", sa.String(length=200), nullable=True),
        sa.Column("cement_type", sa.String(length=24), nullable=False),
        sa.Column("cement_volume_ml", sa.Float(), nullable=False),
        sa.Column("leakage", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["procedure_records.id"],
            name=op.f("fk_procedure_levels_record_id_procedure_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_levels")),
        sa.UniqueConstraint("record_id", "level", name="uq_procedure_levels_record_level"),
    )
    with op.batch_alter_table("procedure_levels", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procedure_levels_record_id"), ["record_id"], unique=False
        )

    op.create_table(
        "recovery_stays",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("procedure_record_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("procedure_ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sedation_given", sa.Boolean(), nullable=False),
        sa.Column("responsible_clinician_id", sa.Uuid(), nullable=True),
        sa.Column("observation_interval_minutes", sa.Integer(), nullable=True),
        sa.Column("escort_confirmed", sa.Boolean(), nullable=False),
        sa.Column("escort_name", sa.String(length=200), nullable=True),
        sa.Column("pain_relief_given", sa.Boolean(), nullable=False),
        sa.Column("antibiotics_prescribed", sa.Boolean(), nullable=False),
        sa.Column("antibiotics_given", sa.Boolean(), nullable=False),
        sa.Column("instructions_given", sa.Boolean(), nullable=False),
        sa.Column("follow_up_booked", sa.Boolean(), nullable=False),
        sa.Column("follow_up_note", sa.String(length=200), nullable=True),
        sa.Column("admission_reason", sa.Text(), nullable=True),
        sa.Column("admitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("discharged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("discharged_by_name", sa.String(length=200), nullable=True),
        sa.Column("updated_by_name", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_recovery_stays_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_recovery_stays_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_recovery_stays_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["procedure_record_id"],
            ["procedure_records.id"],
            name=op.f("fk_recovery_stays_procedure_record_id_procedure_records"),
        ),
        sa.ForeignKeyConstraint(
            ["responsible_clinician_id"],
            ["users.id"],
            name=op.f("fk_recovery_stays_responsible_clinician_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_stays")),
        sa.UniqueConstraint("episode_id", name=op.f("uq_recovery_stays_episode_id")),
    )
    with op.batch_alter_table("recovery_stays", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recovery_stays_clinic_id"), ["clinic_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recovery_stays_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recovery_stays_status"), ["status"], unique=False)

    op.create_table(
        "recovery_scores",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("stay_id", sa.Uuid(), nullable=False),
        sa.Column("instrument", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by_name", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_recovery_scores_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_recovery_scores_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_recovery_scores_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["stay_id"],
            ["recovery_stays.id"],
            name=op.f("fk_recovery_scores_stay_id_recovery_stays"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_scores")),
    )
    with op.batch_alter_table("recovery_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recovery_scores_clinic_id"), ["clinic_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recovery_scores_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recovery_scores_stay_id"), ["stay_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("recovery_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_scores_stay_id"))
        batch_op.drop_index(batch_op.f("ix_recovery_scores_episode_id"))
        batch_op.drop_index(batch_op.f("ix_recovery_scores_clinic_id"))

    op.drop_table("recovery_scores")
    with op.batch_alter_table("recovery_stays", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_stays_status"))
        batch_op.drop_index(batch_op.f("ix_recovery_stays_patient_id"))
        batch_op.drop_index(batch_op.f("ix_recovery_stays_clinic_id"))

    op.drop_table("recovery_stays")
    with op.batch_alter_table("procedure_levels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procedure_levels_record_id"))

    op.drop_table("procedure_levels")
    with op.batch_alter_table("recovery_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_alerts_status"))
        batch_op.drop_index(batch_op.f("ix_recovery_alerts_patient_id"))
        batch_op.drop_index(batch_op.f("ix_recovery_alerts_episode_id"))
        batch_op.drop_index(batch_op.f("ix_recovery_alerts_clinic_id"))

    op.drop_table("recovery_alerts")
    with op.batch_alter_table("procedure_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procedure_records_patient_id"))
        batch_op.drop_index(batch_op.f("ix_procedure_records_clinic_id"))

    op.drop_table("procedure_records")
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observations_set_id"))

    op.drop_table("observations")
    with op.batch_alter_table("time_outs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_outs_patient_id"))
        batch_op.drop_index(batch_op.f("ix_time_outs_episode_id"))
        batch_op.drop_index(batch_op.f("ix_time_outs_clinic_id"))

    op.drop_table("time_outs")
    with op.batch_alter_table("procedure_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procedure_plans_clinic_id"))

    op.drop_table("procedure_plans")
    with op.batch_alter_table("observation_sets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observation_sets_patient_id"))
        batch_op.drop_index(batch_op.f("ix_observation_sets_observed_at"))
        batch_op.drop_index(batch_op.f("ix_observation_sets_episode_id"))
        batch_op.drop_index(batch_op.f("ix_observation_sets_clinic_id"))

    op.drop_table("observation_sets")
    op.drop_table("recovery_settings")
