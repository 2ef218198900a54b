"""search synonym groups an administrator edits (empty: the shipped list applies)

Revision ID: 5e4a1c9d2b7f
Revises: 1dcba719cceb
Create Date: 2026-12-05 12:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

import core.db

# revision identifiers, used by Alembic.
revision = "5e4a1c9d2b7f"
down_revision = "1dcba719cceb"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "search_synonym_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("words", sa.String(length=500), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name=op.f("fk_search_synonym_groups_added_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_synonym_groups")),
    )


def downgrade():
    op.drop_table("search_synonym_groups")
