"""decided documents reviewed before publication: what an editor prepares (the first version or a correction) waits
in consultation_prepared_documents for an approver; only an approved one becomes the published decided document.
Documents published before stay as they are (version 1 or their corrections), with no prepared row.

Revision ID: 83e5e626cf3f
Revises: 028776a5c232
Create Date: 2026-12-06 03:23:07

"""

import sqlalchemy as sa
from alembic import op

import core.db

# revision identifiers, used by Alembic.
revision = "83e5e626cf3f"
down_revision = "028776a5c232"
branch_labels = None
depends_on = None

_TABLE = "consultation_prepared_documents"
_STATUSES = ("draft", "in_review", "returned", "published", "superseded")


def _user(column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=op.f(f"fk_{_TABLE}_{column}_users"), ondelete="SET NULL"
    )


def upgrade():
    op.create_table(
        _TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("revision_note", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*_STATUSES, name="interpretationstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"], ["consultations.id"], name=op.f(f"fk_{_TABLE}_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        _user("created_by_id"),
        _user("reviewed_by_id"),
        _user("submitted_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{_TABLE}")),
        sa.UniqueConstraint("consultation_id", "version", name=op.f(f"uq_{_TABLE}_consultation_id_version")),
    )  # fmt: skip
    with op.batch_alter_table(_TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{_TABLE}_consultation_id"), ["consultation_id"], unique=False)


def downgrade():
    # A document prepared or in review is not public: it has no place in the old schema.
    with op.batch_alter_table(_TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(f"ix_{_TABLE}_consultation_id"))
    op.drop_table(_TABLE)
