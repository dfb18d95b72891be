"""leases and faults: sessions ended on the server, sign-in pauses per account, worker heartbeats

Revision ID: 0018_leases
Revises: 0017_speed_indexes
Create Date: 2026-12-08 00:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_leases'
down_revision = '0017_speed_indexes'
branch_labels = None
depends_on = None


def upgrade():
    # A browser session ended by "Exit this page": a copy of its cookie no longer signs in.
    op.create_table(
        'ended_sessions',
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('token', name=op.f('pk_ended_sessions')),
    )
    with op.batch_alter_table('ended_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ended_sessions_ended_at'), ['ended_at'], unique=False)
    # Wrong passwords slow sign-in to one account down rather than lock it.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('failed_sign_ins', sa.Integer(), server_default='0', nullable=False)
        )
        batch_op.add_column(sa.Column('sign_in_paused_until', sa.DateTime(timezone=True), nullable=True))
    # Each worker process says it is alive; /healthz/worker reads the newest.
    op.create_table(
        'worker_heartbeats',
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_worker_heartbeats')),
    )


def downgrade():
    op.drop_table('worker_heartbeats')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('sign_in_paused_until')
        batch_op.drop_column('failed_sign_ins')
    with op.batch_alter_table('ended_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ended_sessions_ended_at'))
    op.drop_table('ended_sessions')
