"""the address a guest typed when it already belongs to an account

Revision ID: 0016_guest_address
Revises: 0015_part_of_fee
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_guest_address'
down_revision = '0015_part_of_fee'
branch_labels = None
depends_on = None


def upgrade():
    # Empty for everyone but a guest whose address another account holds: users.email stays
    # unique, and messages about the guest's bookings go here instead.
    with op.batch_alter_table('attendee_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table('attendee_profiles', schema=None) as batch_op:
        batch_op.drop_column('contact_email')
