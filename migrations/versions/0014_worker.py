"""worker: job locks shared by every worker and app instance; allocation runs queued with progress

Revision ID: 0014_worker
Revises: 0013_retention
Create Date: 2026-12-02 19:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = '0014_worker'
down_revision = '0013_retention'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_locks',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('holder', sa.String(length=120), nullable=False),
    sa.Column('held_until', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_job_locks'))
    )
    # The status column is a plain string (non-native enum): queued, running and failed need no
    # change to it. Existing runs were finished in the request, so they have no progress to show.
    with op.batch_alter_table('allocation_runs', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('progress', sa.String(length=300), nullable=False, server_default='')
        )


def downgrade():
    with op.batch_alter_table('allocation_runs', schema=None) as batch_op:
        batch_op.drop_column('progress')
    op.drop_table('job_locks')
