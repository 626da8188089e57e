"""medicine decisions on preparation plans; the clinic's phone, address, locale and quiet hours

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("preparation_plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decisions", sa.JSON(), server_default="[]", nullable=False))
    with op.batch_alter_table("clinics", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("address", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("locale", sa.String(length=35), nullable=True))
        batch_op.add_column(
            sa.Column(
                "quiet_hours_start", sa.String(length=5), server_default="21:00", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "quiet_hours_end", sa.String(length=5), server_default="07:00", nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("clinics", schema=None) as batch_op:
        batch_op.drop_column("quiet_hours_end")
        batch_op.drop_column("quiet_hours_start")
        batch_op.drop_column("locale")
        batch_op.drop_column("address")
        batch_op.drop_column("phone")
    with op.batch_alter_table("preparation_plans", schema=None) as batch_op:
        batch_op.drop_column("decisions")
