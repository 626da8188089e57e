"""follow-up: plans, contacts, outcomes, personal links, reminder jobs, events, fracture liaison

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-22 03:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "follow_up_settings",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("schedules", sa.JSON(), nullable=False),
        sa.Column("link_valid_days", sa.Integer(), nullable=False),
        sa.Column("reminder_hour", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_follow_up_settings_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_settings")),
        sa.UniqueConstraint("clinic_id", name=op.f("uq_follow_up_settings_clinic_id")),
    )
    op.create_table(
        "follow_up_events",
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("level", sa.String(length=4), nullable=True),
        sa.Column("adjacent", sa.Boolean(), nullable=True),
        sa.Column("complication", sa.String(length=32), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by_name", sa.String(length=200), nullable=True),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("anchor_date", sa.Date(), nullable=False),
        sa.Column("anchor_month", sa.String(length=7), nullable=False),
        sa.Column("plan_kind", sa.String(length=16), nullable=False),
        sa.Column("physician_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_follow_up_events_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_follow_up_events_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_follow_up_events_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["physician_id"], ["users.id"], name=op.f("fk_follow_up_events_physician_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_follow_up_events_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_events")),
    )
    with op.batch_alter_table("follow_up_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_up_events_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            "ix_follow_up_events_report",
            ["clinic_id", "kind", "anchor_month", "anchor_date", "physician_id", "plan_kind"],
            unique=False,
        )

    op.create_table(
        "follow_up_plans",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("anchor_date", sa.Date(), nullable=False),
        sa.Column("anchor_month", sa.String(length=7), nullable=False),
        sa.Column("physician_id", sa.Uuid(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_follow_up_plans_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_follow_up_plans_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_follow_up_plans_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["physician_id"], ["users.id"], name=op.f("fk_follow_up_plans_physician_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_plans")),
        sa.UniqueConstraint("episode_id", name=op.f("uq_follow_up_plans_episode_id")),
    )
    with op.batch_alter_table("follow_up_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_up_plans_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            "ix_follow_up_plans_report",
            ["clinic_id", "anchor_month", "kind", "anchor_date", "physician_id"],
            unique=False,
        )

    op.create_table(
        "fracture_liaison",
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("fracture_date", sa.Date(), nullable=False),
        sa.Column("dxa_date", sa.Date(), nullable=True),
        sa.Column("treatment_start_date", sa.Date(), nullable=True),
        sa.Column("medicine", sa.String(length=64), nullable=True),
        sa.Column("adherence_checked_on", sa.Date(), nullable=True),
        sa.Column("still_on_treatment", sa.Boolean(), nullable=True),
        sa.Column("falls_assessed_on", sa.Date(), nullable=True),
        sa.Column("usual_doctor_name", sa.String(length=200), nullable=True),
        sa.Column("usual_doctor_address", sa.Text(), nullable=True),
        sa.Column("letter_printed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dxa_deadline", sa.Date(), nullable=False),
        sa.Column("treatment_deadline", sa.Date(), nullable=False),
        sa.Column("adherence_due", sa.Date(), nullable=False),
        sa.Column("dxa_met", sa.Boolean(), nullable=False),
        sa.Column("treatment_met", sa.Boolean(), nullable=False),
        sa.Column("adherence_met", sa.Boolean(), nullable=False),
        sa.Column("adherence_checked", sa.Boolean(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("anchor_date", sa.Date(), nullable=False),
        sa.Column("anchor_month", sa.String(length=7), nullable=False),
        sa.Column("plan_kind", sa.String(length=16), nullable=False),
        sa.Column("physician_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_fracture_liaison_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_fracture_liaison_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_fracture_liaison_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["physician_id"], ["users.id"], name=op.f("fk_fracture_liaison_physician_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fracture_liaison")),
        sa.UniqueConstraint("episode_id", name=op.f("uq_fracture_liaison_episode_id")),
    )
    with op.batch_alter_table("fracture_liaison", schema=None) as batch_op:
        batch_op.create_index(
            "ix_fracture_liaison_report",
            [
                "clinic_id",
                "anchor_month",
                "anchor_date",
                "physician_id",
                "plan_kind",
                "dxa_met",
                "dxa_deadline",
                "treatment_met",
                "treatment_deadline",
                "adherence_met",
                "adherence_checked",
                "adherence_due",
            ],
            unique=False,
        )

    op.create_table(
        "follow_up_contacts",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=False),
        sa.Column("planned_due_date", sa.Date(), nullable=False),
        sa.Column("offset_days", sa.Integer(), nullable=False),
        sa.Column("offset_months", sa.Integer(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("reminder_email", sa.Boolean(), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by_id", sa.Uuid(), nullable=True),
        sa.Column("reschedule_reason", sa.Text(), nullable=True),
        sa.Column("task_id", sa.Uuid(), nullable=True),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("anchor_date", sa.Date(), nullable=False),
        sa.Column("anchor_month", sa.String(length=7), nullable=False),
        sa.Column("plan_kind", sa.String(length=16), nullable=False),
        sa.Column("physician_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_follow_up_contacts_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["completed_by_id"],
            ["users.id"],
            name=op.f("fk_follow_up_contacts_completed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_follow_up_contacts_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["physician_id"], ["users.id"], name=op.f("fk_follow_up_contacts_physician_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["follow_up_plans.id"],
            name=op.f("fk_follow_up_contacts_plan_id_follow_up_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["tasks.id"],
            name=op.f("fk_follow_up_contacts_task_id_tasks"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_contacts")),
        sa.UniqueConstraint("plan_id", "code", name="uq_follow_up_contacts_plan_code"),
    )
    with op.batch_alter_table("follow_up_contacts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_follow_up_contacts_due", ["clinic_id", "status", "due_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_follow_up_contacts_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            "ix_follow_up_contacts_report",
            [
                "clinic_id",
                "code",
                "status",
                "anchor_month",
                "window_end",
                "anchor_date",
                "physician_id",
                "plan_kind",
            ],
            unique=False,
        )

    op.create_table(
        "follow_up_levels",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column("level_order", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("anchor_date", sa.Date(), nullable=False),
        sa.Column("anchor_month", sa.String(length=7), nullable=False),
        sa.Column("plan_kind", sa.String(length=16), nullable=False),
        sa.Column("physician_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_follow_up_levels_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_follow_up_levels_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["physician_id"], ["users.id"], name=op.f("fk_follow_up_levels_physician_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["follow_up_plans.id"],
            name=op.f("fk_follow_up_levels_plan_id_follow_up_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_levels")),
    )
    with op.batch_alter_table("follow_up_levels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_levels_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(
            "ix_follow_up_levels_report",
            ["clinic_id", "plan_kind", "level", "anchor_date", "physician_id"],
            unique=False,
        )

    op.create_table(
        "outcome_records",
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("time_point", sa.String(length=32), nullable=False),
        sa.Column("collected_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by_name", sa.String(length=200), nullable=True),
        sa.Column("nrs", sa.Integer(), nullable=True),
        sa.Column("odi_sections", sa.JSON(), nullable=True),
        sa.Column("odi_tenths", sa.Integer(), nullable=True),
        sa.Column("odi_band", sa.String(length=16), nullable=True),
        sa.Column("rmdq_items", sa.JSON(), nullable=True),
        sa.Column("rmdq_score", sa.Integer(), nullable=True),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("nrs_change", sa.Integer(), nullable=True),
        sa.Column("nrs_responder", sa.Boolean(), nullable=True),
        sa.Column("odi_change_tenths", sa.Integer(), nullable=True),
        sa.Column("odi_responder", sa.Boolean(), nullable=True),
        sa.Column("rmdq_change", sa.Integer(), nullable=True),
        sa.Column("rmdq_responder", sa.Boolean(), nullable=True),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("anchor_date", sa.Date(), nullable=False),
        sa.Column("anchor_month", sa.String(length=7), nullable=False),
        sa.Column("plan_kind", sa.String(length=16), nullable=False),
        sa.Column("physician_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_outcome_records_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["follow_up_contacts.id"],
            name=op.f("fk_outcome_records_contact_id_follow_up_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_outcome_records_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_outcome_records_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["physician_id"], ["users.id"], name=op.f("fk_outcome_records_physician_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_outcome_records_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_records")),
        sa.UniqueConstraint(
            "episode_id", "time_point", name="uq_outcome_records_episode_time_point"
        ),
    )
    with op.batch_alter_table("outcome_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outcome_records_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            "ix_outcome_records_report_nrs",
            [
                "clinic_id",
                "time_point",
                "nrs",
                "nrs_change",
                "nrs_responder",
                "anchor_date",
                "physician_id",
                "plan_kind",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_outcome_records_report_odi",
            [
                "clinic_id",
                "time_point",
                "odi_tenths",
                "odi_change_tenths",
                "odi_responder",
                "anchor_date",
                "physician_id",
                "plan_kind",
            ],
            unique=False,
        )

    op.create_table(
        "reminder_jobs",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("time_point", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_by", sa.String(length=64), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_reminder_jobs_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["follow_up_contacts.id"],
            name=op.f("fk_reminder_jobs_contact_id_follow_up_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_reminder_jobs_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_reminder_jobs_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_jobs")),
    )
    with op.batch_alter_table("reminder_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_jobs_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_reminder_jobs_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index("ix_reminder_jobs_queue", ["status", "run_at"], unique=False)

    op.create_table(
        "patient_links",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("time_point", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_patient_links_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["follow_up_contacts.id"],
            name=op.f("fk_patient_links_contact_id_follow_up_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_patient_links_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_patient_links_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["reminder_jobs.id"],
            name=op.f("fk_patient_links_job_id_reminder_jobs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_patient_links_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_patient_links_token_hash")),
    )
    with op.batch_alter_table("patient_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patient_links_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_patient_links_episode_id"), ["episode_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("patient_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_links_episode_id"))
        batch_op.drop_index(batch_op.f("ix_patient_links_clinic_id"))

    op.drop_table("patient_links")
    with op.batch_alter_table("reminder_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_reminder_jobs_queue")
        batch_op.drop_index(batch_op.f("ix_reminder_jobs_episode_id"))
        batch_op.drop_index(batch_op.f("ix_reminder_jobs_clinic_id"))

    op.drop_table("reminder_jobs")
    with op.batch_alter_table("outcome_records", schema=None) as batch_op:
        batch_op.drop_index("ix_outcome_records_report_odi")
        batch_op.drop_index("ix_outcome_records_report_nrs")
        batch_op.drop_index(batch_op.f("ix_outcome_records_patient_id"))

    op.drop_table("outcome_records")
    with op.batch_alter_table("follow_up_levels", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_levels_report")
        batch_op.drop_index(batch_op.f("ix_follow_up_levels_plan_id"))

    op.drop_table("follow_up_levels")
    with op.batch_alter_table("follow_up_contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_contacts_report")
        batch_op.drop_index(batch_op.f("ix_follow_up_contacts_episode_id"))
        batch_op.drop_index("ix_follow_up_contacts_due")

    op.drop_table("follow_up_contacts")
    with op.batch_alter_table("fracture_liaison", schema=None) as batch_op:
        batch_op.drop_index("ix_fracture_liaison_report")

    op.drop_table("fracture_liaison")
    with op.batch_alter_table("follow_up_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_plans_report")
        batch_op.drop_index(batch_op.f("ix_follow_up_plans_patient_id"))

    op.drop_table("follow_up_plans")
    with op.batch_alter_table("follow_up_events", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_events_report")
        batch_op.drop_index(batch_op.f("ix_follow_up_events_episode_id"))

    op.drop_table("follow_up_events")
    op.drop_table("follow_up_settings")
