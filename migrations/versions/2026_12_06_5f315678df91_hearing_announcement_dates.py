"""hearing announcement dates: the day a hearing (the statutory procedure, or a 听证会 among the meetings) was
announced to the public, checked against CONSULTATION_HEARING_NOTICE_DAYS; rows recorded earlier have none and are
flagged on the legality gate

Revision ID: 5f315678df91
Revises: b2d8e4a6c1f3
Create Date: 2026-12-06 02:36:04

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5f315678df91"
down_revision = "b2d8e4a6c1f3"
branch_labels = None
depends_on = None

TABLES = ("consultation_procedures", "consultation_participations")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("announced_on", sa.Date(), nullable=True))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("announced_on")
