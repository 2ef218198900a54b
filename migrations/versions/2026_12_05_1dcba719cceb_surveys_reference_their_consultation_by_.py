"""surveys reference their consultation by a foreign key

Revision ID: 1dcba719cceb
Revises: 60f9c5d7515a
Create Date: 2026-12-05 09:05:57.723519

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "1dcba719cceb"
down_revision = "60f9c5d7515a"
branch_labels = None
depends_on = None


def upgrade():
    # The number was typed by an editor and never checked: a survey attached to a consultation that does not
    # exist (a typo, or a consultation deleted since) is detached, as the key's ON DELETE SET NULL would have done.
    op.execute(
        "UPDATE surveys SET consultation_id = NULL WHERE consultation_id IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM consultations WHERE consultations.id = surveys.consultation_id)"
    )
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_surveys_consultation_id_consultations"),
            "consultations",
            ["consultation_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_surveys_consultation_id_consultations"), type_="foreignkey")
