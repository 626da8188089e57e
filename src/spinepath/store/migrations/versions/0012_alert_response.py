"""alert response: the action taken and the responder's arrival on an acknowledged NEWS2 alert,
an alert resolved by a lower score, and the clinic's NEWS2 threshold for discharge

Revision ID: 0012
Revises: 0013 (the appointments migration was added on 0011 first; this one follows it, so
the history keeps a single head)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recovery_alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("action_taken", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("responder_arrived_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("resolved_news2_total", sa.Integer(), nullable=True))
    with op.batch_alter_table("recovery_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("discharge_news2_below", sa.Integer(), nullable=False, server_default="5")
        )


def downgrade() -> None:
    with op.batch_alter_table("recovery_settings", schema=None) as batch_op:
        batch_op.drop_column("discharge_news2_below")
    with op.batch_alter_table("recovery_alerts", schema=None) as batch_op:
        batch_op.drop_column("resolved_news2_total")
        batch_op.drop_column("resolved_at")
        batch_op.drop_column("responder_arrived_at")
        batch_op.drop_column("action_taken")
