"""retention runs and the records each one anonymised

Revision ID: 0013_retention
Revises: 0012_journey
Create Date: 2026-12-02 19:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = '0013_retention'
down_revision = '0012_journey'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "retention_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("is_erasure", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["users.id"], name=op.f("fk_retention_runs_started_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_runs")),
    )
    with op.batch_alter_table("retention_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_retention_runs_ran_at"), ["ran_at"], unique=False)
    op.create_table(
        "anonymised_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["retention_runs.id"],
            name=op.f("fk_anonymised_records_run_id_retention_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anonymised_records")),
        sa.UniqueConstraint("kind", "entity_id", name="uq_anonymised_records_kind_entity"),
    )
    with op.batch_alter_table("anonymised_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_anonymised_records_run_id"), ["run_id"], unique=False)


def downgrade():
    with op.batch_alter_table("anonymised_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_anonymised_records_run_id"))
    op.drop_table("anonymised_records")
    with op.batch_alter_table("retention_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retention_runs_ran_at"))
    op.drop_table("retention_runs")
