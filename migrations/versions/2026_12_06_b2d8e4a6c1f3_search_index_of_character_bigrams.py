"""search index of character bigrams: a tsvector with a GIN index on PostgreSQL, an FTS5 table on SQLite

On a database that already holds consultations or surveys, the index is marked stale: searches do without it
until `flask search reindex` (or the nightly duty) has filled it.

Revision ID: b2d8e4a6c1f3
Revises: f3a9c1d5e8b2
Create Date: 2026-12-06 19:30:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

from core.search_index import STALE, create_extras, drop_extras

# revision identifiers, used by Alembic.
revision = "b2d8e4a6c1f3"
down_revision = "f3a9c1d5e8b2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "search_index",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("grams", sa.Text().with_variant(TSVECTOR(), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_index")),
        sa.UniqueConstraint("kind", "item_id", name=op.f("uq_search_index_kind_item_id")),
    )
    bind = op.get_bind()
    create_extras(bind)
    empty = "''::tsvector" if bind.dialect.name == "postgresql" else "''"
    op.execute(
        sa.text(
            f"INSERT INTO search_index (kind, item_id, grams) SELECT :stale, 0, {empty} "  # noqa: S608 - a literal
            "WHERE EXISTS (SELECT 1 FROM consultations) OR EXISTS (SELECT 1 FROM surveys)"
        ).bindparams(stale=STALE)
    )


def downgrade():
    drop_extras(op.get_bind())
    op.drop_table("search_index")
