"""captcha uses: solved captcha nonces, so a solution cannot be replayed

Revision ID: a1c4e2f7b9d0
Revises: 9ebdae10f5c8
Create Date: 2026-11-26 04:50:00

"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "a1c4e2f7b9d0"
down_revision = "9ebdae10f5c8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "captcha_uses",
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("used_at", core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_captcha_uses")),
    )


def downgrade():
    op.drop_table("captcha_uses")
