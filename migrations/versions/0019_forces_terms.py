"""forces' data-sharing agreements, versioned, with the outcome codes each force records;
test webhook deliveries (no referral)

Revision ID: 0019_forces_terms
Revises: 0018_leases
Create Date: 2026-12-08 00:50:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0019_forces_terms'
down_revision = '0018_leases'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'force_agreements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('force_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('fields', sa.String(length=1000), nullable=False),
        sa.Column('lawful_basis', sa.String(length=300), nullable=False),
        sa.Column('retention', sa.String(length=300), nullable=False),
        sa.Column('governance_contact', sa.String(length=200), nullable=False),
        sa.Column('completed_code', sa.String(length=40), nullable=False),
        sa.Column('completed_wording', sa.String(length=120), nullable=False),
        sa.Column('not_completed_code', sa.String(length=40), nullable=False),
        sa.Column('not_completed_wording', sa.String(length=120), nullable=False),
        sa.Column('withdrawn_code', sa.String(length=40), nullable=False),
        sa.Column('withdrawn_wording', sa.String(length=120), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['created_by_id'], ['users.id'], name=op.f('fk_force_agreements_created_by_id_users')
        ),
        sa.ForeignKeyConstraint(
            ['force_id'], ['police_forces.id'], name=op.f('fk_force_agreements_force_id_police_forces')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_force_agreements')),
        sa.UniqueConstraint('force_id', 'version', name=op.f('uq_force_agreements_force_id')),
    )
    with op.batch_alter_table('force_agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_force_agreements_force_id'), ['force_id'], unique=False)
    # A test delivery (sent by a force contact to check their receiver) names no referral.
    with op.batch_alter_table('force_webhook_deliveries', schema=None) as batch_op:
        batch_op.alter_column('referral_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM force_webhook_deliveries WHERE referral_id IS NULL")
    with op.batch_alter_table('force_webhook_deliveries', schema=None) as batch_op:
        batch_op.alter_column('referral_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('force_agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_force_agreements_force_id'))
    op.drop_table('force_agreements')
