"""sitesettingschange: every change of the site settings, kept with its effective date

Revision ID: 0007s
Revises: 0006
Create Date: 2026-12-03 13:30:00

Issue 13: the settings were called "versioned" but earlier values were not kept; a change is
now a row (who, when, the day it took effect, each field's old and new value).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007s"
down_revision = "0007c"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sitesettingschange",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("changed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sitesettingschange", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sitesettingschange_version"), ["version"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sitesettingschange", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sitesettingschange_version"))
    op.drop_table("sitesettingschange")
