"""submission.agenda_item_id: the agenda item a name was placed in

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:30:00

Issue 11: a person who is not a participant can be placed as a referral candidate item (no
participant id to link the names by), and likely duplicates are placed together.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agenda_item_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_submission_agenda_item_id_agendaitem", "agendaitem", ["agenda_item_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_constraint("fk_submission_agenda_item_id_agendaitem", type_="foreignkey")
        batch_op.drop_column("agenda_item_id")
