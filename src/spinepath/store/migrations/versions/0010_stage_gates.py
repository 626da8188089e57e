"""stage gates: a move's overridden requirements with the override reason, and its event date

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-02 15:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stage_transitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("overridden", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("override_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("event_date", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stage_transitions", schema=None) as batch_op:
        batch_op.drop_column("event_date")
        batch_op.drop_column("override_reason")
        batch_op.drop_column("overridden")
