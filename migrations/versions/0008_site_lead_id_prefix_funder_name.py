"""sitesettings.lead_id_prefix, sitesettings.funder_name: the site's LEAD id prefix and funder

Revision ID: 0008
Revises: 0007s
Create Date: 2026-12-03 15:00:00

Issue 13: no organization, office or place of one site is hard-coded outside the demo data and
the site settings. The LEAD id prefix ("BUR") and the funder the monthly report goes to are now
settings of the site; existing rows keep the values they had in code.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007s"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sitesettings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "lead_id_prefix",
                sqlmodel.sql.sqltypes.AutoString(length=5),
                nullable=False,
                server_default="BUR",
            )
        )
        batch_op.add_column(
            sa.Column(
                "funder_name",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="King County Behavioral Health and Recovery Division (BHRD)",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("sitesettings", schema=None) as batch_op:
        batch_op.drop_column("funder_name")
        batch_op.drop_column("lead_id_prefix")
