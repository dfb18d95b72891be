"""police forces: API tokens, outcome webhooks (force settings and an outbox), referral changes,
idempotent creates, deadline extensions and reminders

Revision ID: 0011_police_api
Revises: 0010_channels
Create Date: 2026-12-02 19:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = '0011_police_api'
down_revision = '0010_channels'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('police_forces', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('webhook_url', sa.String(length=500), server_default='', nullable=False)
        )
        batch_op.add_column(
            sa.Column('webhook_secret', sa.String(length=100), server_default='', nullable=False)
        )

    with op.batch_alter_table('referrals', schema=None) as batch_op:
        # Existing referrals count as changed when this runs, so a force's first "changed since"
        # call sees them all.
        batch_op.add_column(
            sa.Column(
                'updated_at',
                sa.DateTime(timezone=True),
                server_default=sa.func.current_timestamp(),
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('original_deadline', sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column('extension_agreed_by', sa.String(length=120), server_default='',
                      nullable=False)
        )
        batch_op.add_column(sa.Column('extension_agreed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('deadline_reminder_days', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            'uq_referrals_force_idempotency', ['force_id', 'idempotency_key']
        )
        batch_op.create_index(
            'ix_referrals_force_updated', ['force_id', 'updated_at', 'id'], unique=False
        )

    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('force_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=12), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_api_tokens_created_by_id_users')),
        sa.ForeignKeyConstraint(['force_id'], ['police_forces.id'],
                                name=op.f('fk_api_tokens_force_id_police_forces')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash')),
    )
    op.create_index(op.f('ix_api_tokens_force_id'), 'api_tokens', ['force_id'], unique=False)

    op.create_table(
        'force_webhook_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('force_id', sa.Integer(), nullable=False),
        sa.Column('referral_id', sa.Integer(), nullable=False),
        sa.Column('event', sa.String(length=40), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('status', sa.Enum('PENDING', 'DELIVERED', 'FAILED', name='deliverystatus',
                                    native_enum=False, length=20), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('response_status', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(['force_id'], ['police_forces.id'],
                                name=op.f('fk_force_webhook_deliveries_force_id_police_forces')),
        sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'],
                                name=op.f('fk_force_webhook_deliveries_referral_id_referrals')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_force_webhook_deliveries')),
    )
    op.create_index(op.f('ix_force_webhook_deliveries_force_id'), 'force_webhook_deliveries',
                    ['force_id'], unique=False)
    op.create_index(op.f('ix_force_webhook_deliveries_referral_id'), 'force_webhook_deliveries',
                    ['referral_id'], unique=False)
    op.create_index('ix_force_webhook_deliveries_status_next', 'force_webhook_deliveries',
                    ['status', 'next_attempt_at'], unique=False)


def downgrade():
    op.drop_table('force_webhook_deliveries')
    op.drop_table('api_tokens')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_force_updated')
        batch_op.drop_constraint('uq_referrals_force_idempotency', type_='unique')
        for column in ('deadline_reminder_days', 'extension_agreed_on', 'extension_agreed_by',
                       'original_deadline', 'idempotency_key', 'updated_at'):
            batch_op.drop_column(column)
    with op.batch_alter_table('police_forces', schema=None) as batch_op:
        batch_op.drop_column('webhook_secret')
        batch_op.drop_column('webhook_url')
