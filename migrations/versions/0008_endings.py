"""refunds as rows sent after commit: status, attempts, failure, settled_at

Revision ID: 0008_endings
Revises: 0007_rebook_after_no_show
Create Date: 2026-12-02 15:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = '0008_endings'
down_revision = '0007_rebook_after_no_show'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        # Refunds made before this change were sent at once, so they stand as succeeded.
        batch_op.add_column(
            sa.Column(
                'status',
                sa.Enum('REQUESTED', 'SUCCEEDED', 'FAILED', name='refundstatus',
                        native_enum=False, length=20),
                server_default='SUCCEEDED',
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(
            sa.Column('failure', sa.String(length=300), server_default='', nullable=False)
        )
        batch_op.add_column(sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_refunds_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refunds_status'))
        batch_op.drop_column('settled_at')
        batch_op.drop_column('failure')
        batch_op.drop_column('attempts')
        batch_op.drop_column('status')
