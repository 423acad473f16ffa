"""free text partners read: clinical-word confirmations and the agenda item's curtain text

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 10:00:00

Issue 12 (SECURITY 29): flagged partner-visible text is saved only with a confirmation that it
is not clinical, stored with who and when. Issue 11: under the privacy curtain an item shows the
project manager's curtain text, never the free text itself.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clinicalconfirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("phrases", sa.JSON(), nullable=False),
        sa.Column("confirmed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["staffingsession.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("clinicalconfirmation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_clinicalconfirmation_record_id"), ["record_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_clinicalconfirmation_session_id"), ["session_id"], unique=False
        )
    with op.batch_alter_table("agendaitem", schema=None) as batch_op:
        batch_op.add_column(sa.Column("curtain_text", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("agendaitem", schema=None) as batch_op:
        batch_op.drop_column("curtain_text")
    with op.batch_alter_table("clinicalconfirmation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clinicalconfirmation_session_id"))
        batch_op.drop_index(batch_op.f("ix_clinicalconfirmation_record_id"))
    op.drop_table("clinicalconfirmation")
