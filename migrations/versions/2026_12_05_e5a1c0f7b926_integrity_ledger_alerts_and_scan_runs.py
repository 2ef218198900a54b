"""Tamper evidence: the hash-chained seal ledger, integrity alerts and the runs of the content scan

Revision ID: e5a1c0f7b926
Revises: c4f1a8e2d7b3
Create Date: 2026-12-05 13:20:00

"""

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "e5a1c0f7b926"
down_revision = "c4f1a8e2d7b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "integrity_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("subject_id", sa.String(length=80), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("approver_id", sa.Integer(), nullable=True),
        sa.Column("approver_label", sa.String(length=254), nullable=False),
        sa.Column("sealed_at", UTCDateTime(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["approver_id"], ["users.id"], name=op.f("fk_integrity_ledger_approver_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_ledger")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_integrity_ledger_prev_hash")),
    )
    with op.batch_alter_table("integrity_ledger", schema=None) as batch_op:
        batch_op.create_index("ix_integrity_ledger_subject", ["kind", "subject_id", "id"], unique=False)

    op.create_table(
        "integrity_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("subject_id", sa.String(length=300), nullable=False),
        sa.Column("problem", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_alerts")),
    )
    with op.batch_alter_table("integrity_alerts", schema=None) as batch_op:
        batch_op.create_index("ix_integrity_alerts_open", ["resolved_at", "kind", "subject_id"], unique=False)

    op.create_table(
        "integrity_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_runs")),
    )
    with op.batch_alter_table("integrity_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_integrity_runs_kind"), ["kind"], unique=False)


def downgrade():
    with op.batch_alter_table("integrity_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_integrity_runs_kind"))
    op.drop_table("integrity_runs")
    with op.batch_alter_table("integrity_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_integrity_alerts_open")
    op.drop_table("integrity_alerts")
    with op.batch_alter_table("integrity_ledger", schema=None) as batch_op:
        batch_op.drop_index("ix_integrity_ledger_subject")
    op.drop_table("integrity_ledger")
