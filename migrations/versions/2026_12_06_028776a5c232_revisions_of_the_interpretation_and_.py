"""revisions of the 解读 and corrections of the decided document: a 解读 has one row per version (the published one,
the revision being reviewed, the earlier ones it replaced); a corrected document keeps the versions it replaced.
Existing rows become version 1, never revised.

Revision ID: 028776a5c232
Revises: 5f315678df91
Create Date: 2026-12-06 02:48:35

"""

import sqlalchemy as sa
from alembic import op

import core.db

# revision identifiers, used by Alembic.
revision = "028776a5c232"
down_revision = "5f315678df91"
branch_labels = None
depends_on = None


def _revision_columns(batch_op, *, superseded: bool) -> None:
    batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1")))
    batch_op.add_column(sa.Column("revised_at", core.db.UTCDateTime(timezone=True), nullable=True))
    batch_op.add_column(sa.Column("revision_note", sa.Text(), nullable=False, server_default=""))
    if superseded:
        batch_op.add_column(sa.Column("superseded_at", core.db.UTCDateTime(timezone=True), nullable=True))


def upgrade():
    op.create_table(
        "consultation_decided_document_versions",
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
        sa.Column("published_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revision_note", sa.Text(), nullable=False),
        sa.Column("superseded_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultation_id"], ["consultations.id"],
            name=op.f("fk_consultation_decided_document_versions_consultation_id_consultations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"], ["users.id"],
            name=op.f("fk_consultation_decided_document_versions_superseded_by_id_users"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_decided_document_versions")),
        sa.UniqueConstraint(
            "consultation_id", "version", name=op.f("uq_consultation_decided_document_versions_consultation_id_version")
        ),
    )  # fmt: skip
    with op.batch_alter_table("consultation_decided_document_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_decided_document_versions_consultation_id"), ["consultation_id"], unique=False
        )
    with op.batch_alter_table("consultation_decided_documents", schema=None) as batch_op:
        _revision_columns(batch_op, superseded=False)
    with op.batch_alter_table("policy_interpretations", schema=None) as batch_op:
        _revision_columns(batch_op, superseded=True)
        # One row per version now: the consultation alone no longer names a row, its version does.
        batch_op.drop_index(batch_op.f("ix_policy_interpretations_consultation_id"))
        batch_op.create_index(
            batch_op.f("ix_policy_interpretations_consultation_id"), ["consultation_id"], unique=False
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_policy_interpretations_consultation_id_version"), ["consultation_id", "version"]
        )


def downgrade():
    # Earlier versions and revisions in progress have no place in the old schema: the published row is kept.
    op.execute(
        "DELETE FROM policy_interpretations WHERE status = 'superseded' OR (version > 1 AND status <> 'published')"
    )
    with op.batch_alter_table("policy_interpretations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_policy_interpretations_consultation_id_version"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_policy_interpretations_consultation_id"))
        batch_op.create_index(batch_op.f("ix_policy_interpretations_consultation_id"), ["consultation_id"], unique=True)
        for column in ("superseded_at", "revision_note", "revised_at", "version"):
            batch_op.drop_column(column)
    with op.batch_alter_table("consultation_decided_documents", schema=None) as batch_op:
        for column in ("revision_note", "revised_at", "version"):
            batch_op.drop_column(column)
    with op.batch_alter_table("consultation_decided_document_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_decided_document_versions_consultation_id"))
    op.drop_table("consultation_decided_document_versions")
