"""referral.victim_objection_answered_on, referral.victim_objected: the V1 answer, recordable

Revision ID: 0007c
Revises: 0006
Create Date: 2026-12-03 13:40:00

Issue 13: the V1 alert's closing action ("ask the prosecutor whether the victim objected") had
nowhere to be recorded. The prosecutor's answer and its date now live on the referral.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007c"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("victim_objection_answered_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("victim_objected", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_column("victim_objected")
        batch_op.drop_column("victim_objection_answered_on")
