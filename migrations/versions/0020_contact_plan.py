"""the contact plan: each step taken to reach a referred person

Revision ID: 0020_contact_plan
Revises: 0019_forces_terms
Create Date: 2026-12-08 00:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0020_contact_plan"
down_revision = '0019_forces_terms'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "contact_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("way", sa.String(length=20), nullable=False),
        sa.Column(
            "status",
            sa.Enum("PLANNED", "DONE", "STOPPED", name="stepstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel", sa.String(length=20), server_default="", nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=200), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_contact_steps_notification_id_notifications"),
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_contact_steps_referral_id_referrals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_steps")),
        sa.UniqueConstraint("referral_id", "number", name="uq_contact_steps_referral_number"),
    )
    with op.batch_alter_table("contact_steps", schema=None) as batch_op:
        batch_op.create_index("ix_contact_steps_status_due_at", ["status", "due_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_contact_steps_referral_id"), ["referral_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contact_steps_notification_id"), ["notification_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("contact_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_steps_notification_id"))
        batch_op.drop_index(batch_op.f("ix_contact_steps_referral_id"))
        batch_op.drop_index("ix_contact_steps_status_due_at")
    op.drop_table("contact_steps")
