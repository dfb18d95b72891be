"""help with part of the fee: how much a person asked the hardship fund for

Revision ID: 0015_part_of_fee
Revises: 0014_worker
Create Date: 2026-12-03 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_part_of_fee'
down_revision = '0014_worker'
branch_labels = None
depends_on = None


def upgrade():
    # Empty means the whole fee, as every request before this one asked.
    with op.batch_alter_table('waiver_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('asked_pence', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_waiver_requests_asked_within_fee'),
            'asked_pence IS NULL OR (asked_pence > 0 AND asked_pence <= fee_pence)',
        )


def downgrade():
    with op.batch_alter_table('waiver_requests', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_waiver_requests_asked_within_fee'), type_='check')
        batch_op.drop_column('asked_pence')
