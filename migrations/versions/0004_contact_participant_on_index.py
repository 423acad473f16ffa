"""contact (participant_id, on) index: a participant's latest contact is one seek

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 10:00:00

Issue 7: the no-contact alerts on Today look up each active participant's latest contact; with
only single-column indexes SQLite walked every contact of the participant (0.82 s at 1,000,000
contacts; 0.09 s with this index).
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_contact_participant_on", "contact", ["participant_id", "on"])


def downgrade() -> None:
    op.drop_index("ix_contact_participant_on", table_name="contact")
