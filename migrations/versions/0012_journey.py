"""attendee journey, second pass: a held place may be given more time up to ten times

Revision ID: 0012_journey
Revises: 0011_police_api
Create Date: 2026-12-02 19:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_journey'
down_revision = '0011_police_api'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('hold_extensions', sa.Integer(), server_default='0', nullable=False)
        )
    # A hold extended before counts as one extension used.
    op.execute("UPDATE bookings SET hold_extensions = 1 WHERE hold_extended")


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('hold_extensions')
