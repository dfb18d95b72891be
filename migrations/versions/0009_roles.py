"""staff roles split for least privilege; force contacts tied to one force

Revision ID: 0009_roles
Revises: 0008_endings
Create Date: 2026-12-02 19:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = '0009_roles'
down_revision = '0008_endings'
branch_labels = None
depends_on = None


def upgrade():
    # The role column is a plain string (non-native enum), so the new roles need no change to it.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('force_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_force_id'), ['force_id'], unique=False)
        batch_op.create_foreign_key(
            op.f('fk_users_force_id_police_forces'), 'police_forces', ['force_id'], ['id']
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_users_force_id_police_forces'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_force_id'))
        batch_op.drop_column('force_id')
