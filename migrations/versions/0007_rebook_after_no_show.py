"""a missed session no longer blocks another booking for the same referral

Revision ID: 0007_rebook_after_no_show
Revises: 0006_accounts
Create Date: 2026-12-02 15:55:00

A referral may have one live booking. A booking whose person did not attend is over: the
referral reopens and the person may choose another date, so NO_SHOW leaves the unique index.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_rebook_after_no_show'
down_revision = '0006_accounts'
branch_labels = None
depends_on = None

NAME = 'uq_bookings_one_active_per_referral'
BEFORE = (
    "status IN ('HELD', 'AWAITING_PAYMENT', 'AWAITING_WAIVER', 'CONFIRMED', 'ATTENDED', "
    "'NO_SHOW') AND referral_id IS NOT NULL"
)
AFTER = (
    "status IN ('HELD', 'AWAITING_PAYMENT', 'AWAITING_WAIVER', 'CONFIRMED', 'ATTENDED') "
    "AND referral_id IS NOT NULL"
)


def _replace(old: str, new: str) -> None:
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index(NAME, sqlite_where=sa.text(old), postgresql_where=sa.text(old))
        batch_op.create_index(
            NAME,
            ['referral_id'],
            unique=True,
            sqlite_where=sa.text(new),
            postgresql_where=sa.text(new),
        )


def upgrade():
    _replace(BEFORE, AFTER)


def downgrade():
    _replace(AFTER, BEFORE)
