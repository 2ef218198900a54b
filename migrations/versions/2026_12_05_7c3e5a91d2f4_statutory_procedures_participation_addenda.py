"""statutory procedures, targeted participation, feedback addenda, answer-template reason categories

Revision ID: 7c3e5a91d2f4
Revises: 5e4a1c9d2b7f
Create Date: 2026-12-05 12:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7c3e5a91d2f4"
down_revision = "5e4a1c9d2b7f"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "consultation_procedures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.Enum("public_participation", "expert_review", "risk_assessment", "hearing",
                                  "fair_competition", "legality_review", "collective_decision",
                                  name="procedure", native_enum=False, length=30), nullable=False),
        sa.Column("state", sa.Enum("done", "not_required", name="procedurestate", native_enum=False, length=20),
                  nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(length=500), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultations.id"],
                                name=op.f("fk_consultation_procedures_consultation_id_consultations"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"],
                                name=op.f("fk_consultation_procedures_recorded_by_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_procedures")),
        sa.UniqueConstraint("consultation_id", "code", name=op.f("uq_consultation_procedures_consultation_id_code")),
    )  # fmt: skip
    with op.batch_alter_table("consultation_procedures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_procedures_consultation_id"), ["consultation_id"])
    op.create_table(
        "consultation_participations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("form", sa.Enum("written", "forum", "hearing", "expert_meeting", "visit",
                                  name="participationform", native_enum=False, length=20), nullable=False),
        sa.Column("party_kind", sa.Enum("department", "enterprise", "association", "npc_deputy", "cppcc_member",
                                        "expert", "resident", "other", name="partykind", native_enum=False,
                                        length=20), nullable=False),
        sa.Column("parties", sa.Text(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("people", sa.Integer(), nullable=True),
        sa.Column("opinions", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultations.id"],
                                name=op.f("fk_consultation_participations_consultation_id_consultations"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"],
                                name=op.f("fk_consultation_participations_recorded_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_participations")),
    )  # fmt: skip
    with op.batch_alter_table("consultation_participations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_participations_consultation_id"), ["consultation_id"])
    op.create_table(
        "consultation_feedback_addenda",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("comment_ids", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultations.id"],
                                name=op.f("fk_consultation_feedback_addenda_consultation_id_consultations"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["published_by_id"], ["users.id"],
                                name=op.f("fk_consultation_feedback_addenda_published_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_feedback_addenda")),
    )  # fmt: skip
    with op.batch_alter_table("consultation_feedback_addenda", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_feedback_addenda_consultation_id"), ["consultation_id"])
    with op.batch_alter_table("consultation_answer_templates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("category", sa.Enum("legal_basis", "out_of_scope", "already_covered", "implementation",
                                          "conditions", "other", name="reasoncategory", native_enum=False,
                                          length=30), server_default="other", nullable=False)
        )  # fmt: skip


def downgrade():
    with op.batch_alter_table("consultation_answer_templates", schema=None) as batch_op:
        batch_op.drop_column("category")
    for table in ("consultation_feedback_addenda", "consultation_participations", "consultation_procedures"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_consultation_id"))
        op.drop_table(table)
