"""safe channels: texts, letters and call tasks in the outbox, text replies, safe times

Revision ID: 0010_channels
Revises: 0009_roles
Create Date: 2026-12-02 19:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = '0010_channels'
down_revision = '0009_roles'
branch_labels = None
depends_on = None


def upgrade():
    # channel and status are plain strings (non-native enums): the new values need no change.
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wordings', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('booking_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('provider_id', sa.String(length=100), server_default='', nullable=False)
        )
        batch_op.add_column(sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('followed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('call_outcome', sa.String(length=20), server_default='', nullable=False)
        )
        batch_op.create_index(batch_op.f('ix_notifications_booking_id'), ['booking_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_provider_id'), ['provider_id'], unique=False)
        batch_op.create_foreign_key(
            op.f('fk_notifications_booking_id_bookings'), 'bookings', ['booking_id'], ['id']
        )
        batch_op.create_foreign_key(
            op.f('fk_notifications_followed_by_id_notifications'),
            'notifications',
            ['followed_by_id'],
            ['id'],
        )

    with op.batch_alter_table('attendee_profiles', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('contact_order', sa.String(length=60), server_default='', nullable=False)
        )
        batch_op.add_column(sa.Column('safe_from_hour', sa.Integer(), server_default='9', nullable=False))
        batch_op.add_column(
            sa.Column('safe_until_hour', sa.Integer(), server_default='20', nullable=False)
        )
        batch_op.add_column(
            sa.Column('postal_address', sa.String(length=300), server_default='', nullable=False)
        )

    op.create_table('text_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.String(length=100), nullable=False),
    sa.Column('from_number', sa.String(length=30), nullable=False),
    sa.Column('content', sa.String(length=500), nullable=False),
    sa.Column('meaning', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_text_replies_booking_id_bookings')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_text_replies_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_text_replies')),
    sa.UniqueConstraint('provider_id', name=op.f('uq_text_replies_provider_id'))
    )
    with op.batch_alter_table('text_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_text_replies_booking_id'), ['booking_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_text_replies_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('text_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_text_replies_user_id'))
        batch_op.drop_index(batch_op.f('ix_text_replies_booking_id'))
    op.drop_table('text_replies')

    with op.batch_alter_table('attendee_profiles', schema=None) as batch_op:
        batch_op.drop_column('postal_address')
        batch_op.drop_column('safe_until_hour')
        batch_op.drop_column('safe_from_hour')
        batch_op.drop_column('contact_order')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f('fk_notifications_followed_by_id_notifications'), type_='foreignkey'
        )
        batch_op.drop_constraint(op.f('fk_notifications_booking_id_bookings'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notifications_provider_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_booking_id'))
        batch_op.drop_column('call_outcome')
        batch_op.drop_column('followed_by_id')
        batch_op.drop_column('delivered_at')
        batch_op.drop_column('provider_id')
        batch_op.drop_column('booking_id')
        batch_op.drop_column('wordings')
