"""E-mail outbox and scheduled runs: every e-mail is a row sent by the worker; each duty's last run is kept

Revision ID: c4f1a8e2d7b3
Revises: a7d3c2e91b40
Create Date: 2026-12-05 13:30:00

"""

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "c4f1a8e2d7b3"
down_revision = "a7d3c2e91b40"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=80), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("queued", "sending", "sent", "failed", name="outboxstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_outbox_messages_actor_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_messages_status_next_attempt_at", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_messages_topic"), ["topic"], unique=False)
    op.create_table(
        "scheduled_runs",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("last_slot", sa.String(length=20), nullable=False),
        sa.Column("last_started_at", UTCDateTime(), nullable=True),
        sa.Column("last_finished_at", UTCDateTime(), nullable=True),
        sa.Column("last_outcome", sa.String(length=20), nullable=False),
        sa.Column("last_summary", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduled_runs")),
    )


def downgrade():
    op.drop_table("scheduled_runs")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_messages_topic"))
        batch_op.drop_index("ix_outbox_messages_status_next_attempt_at")
    op.drop_table("outbox_messages")
