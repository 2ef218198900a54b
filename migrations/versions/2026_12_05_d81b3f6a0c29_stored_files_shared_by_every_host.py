"""Stored files shared by every host: attachments kept in the database when STORAGE_BACKEND is "database"

Revision ID: d81b3f6a0c29
Revises: e5a1c0f7b926
Create Date: 2026-12-05 14:00:00

"""

import sqlalchemy as sa
from alembic import op

from core.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "d81b3f6a0c29"
down_revision = "e5a1c0f7b926"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_files",
        sa.Column("area", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("area", "name", name=op.f("pk_stored_files")),
    )


def downgrade():
    op.drop_table("stored_files")
