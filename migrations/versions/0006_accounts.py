"""accounts: session version, single-use sign-in links, whether a password was chosen

Revision ID: 0006_accounts
Revises: 0005_trainers
Create Date: 2026-12-02 15:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_accounts'
down_revision = '0005_trainers'
branch_labels = None
depends_on = None


def upgrade():
    # Existing accounts count as having a chosen password: a referral look-up then never signs
    # in to them directly, which is the safe side.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('access_link_generation', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('password_chosen', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('password_chosen')
        batch_op.drop_column('access_link_generation')
        batch_op.drop_column('session_version')
