"""XLSForm codes kept exactly: question and option codes up to 255 characters, every language of an imported row

Revision ID: a7d3c2e91b40
Revises: 9eba4682e392
Create Date: 2026-12-05 13:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7d3c2e91b40"
down_revision = "9eba4682e392"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("survey_questions", schema=None) as batch_op:
        batch_op.alter_column("code", existing_type=sa.String(length=40), type_=sa.String(length=255))
        batch_op.add_column(sa.Column("xlsform", sa.JSON(), nullable=True))
    with op.batch_alter_table("survey_options", schema=None) as batch_op:
        batch_op.alter_column("code", existing_type=sa.String(length=40), type_=sa.String(length=255))
        batch_op.add_column(sa.Column("xlsform", sa.JSON(), nullable=True))
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.alter_column("question_code", existing_type=sa.String(length=40), type_=sa.String(length=255))


def downgrade():
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.alter_column("question_code", existing_type=sa.String(length=255), type_=sa.String(length=40))
    with op.batch_alter_table("survey_options", schema=None) as batch_op:
        batch_op.drop_column("xlsform")
        batch_op.alter_column("code", existing_type=sa.String(length=255), type_=sa.String(length=40))
    with op.batch_alter_table("survey_questions", schema=None) as batch_op:
        batch_op.drop_column("xlsform")
        batch_op.alter_column("code", existing_type=sa.String(length=255), type_=sa.String(length=40))
