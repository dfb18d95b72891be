"""indexes for the staff pages: bookings by when they were made, and (PostgreSQL) trigram
indexes for finding a person by part of a name or address

Revision ID: 0017_speed_indexes
Revises: 0016_guest_address
Create Date: 2026-12-08 00:15:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017_speed_indexes'
down_revision = '0016_guest_address'
branch_labels = None
depends_on = None

# Staff search matches ``lower(column) LIKE '%text%'``: on PostgreSQL a trigram index on the
# same expression answers that without reading every row. SQLite has no trigram indexes; its
# databases are small, and the search there reads the table.
TRIGRAM_INDEXES = {
    'ix_users_first_name_trgm': ('users', 'lower(first_name)'),
    'ix_users_last_name_trgm': ('users', 'lower(last_name)'),
    'ix_users_email_trgm': ('users', 'lower(email)'),
    'ix_attendee_profiles_preferred_name_trgm': ('attendee_profiles', 'lower(preferred_name)'),
    'ix_attendee_profiles_contact_email_trgm': ('attendee_profiles', 'lower(contact_email)'),
    # Phone numbers compared by their digits only (services/people/directory.py, _digits_only).
    'ix_attendee_profiles_phone_digits_trgm': (
        'attendee_profiles',
        "replace(replace(replace(replace(replace(replace(phone_number, ' ', ''), '-', ''),"
        " '(', ''), ')', ''), '+', ''), '.', '')",
    ),
}


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index('ix_bookings_created_at', ['created_at'], unique=False)
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for name, (table, expression) in TRIGRAM_INDEXES.items():
        op.execute(f'CREATE INDEX {name} ON {table} USING gin ({expression} gin_trgm_ops)')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for name in TRIGRAM_INDEXES:
            op.execute(f'DROP INDEX IF EXISTS {name}')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_bookings_created_at')
