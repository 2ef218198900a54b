"""decided documents and policy interpretations (政策解读) with their figures and pictures

Revision ID: 9eba4682e392
Revises: 7c3e5a91d2f4
Create Date: 2026-12-05 12:20:45.644032

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '9eba4682e392'
down_revision = '7c3e5a91d2f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('consultation_decided_documents',
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('published_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_decided_documents_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_consultation_decided_documents_published_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('consultation_id', name=op.f('pk_consultation_decided_documents')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_consultation_decided_documents_stored_name'))
    )
    op.create_table('policy_interpretations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('background', sa.Text(), nullable=False),
    sa.Column('goals', sa.Text(), nullable=False),
    sa.Column('key_measures', sa.Text(), nullable=False),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'in_review', 'returned', 'published', name='interpretationstatus', native_enum=False, length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=False),
    sa.Column('published_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_policy_interpretations_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_policy_interpretations_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_policy_interpretations_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_policy_interpretations_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_interpretations'))
    )
    with op.batch_alter_table('policy_interpretations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_interpretations_consultation_id'), ['consultation_id'], unique=True)

    op.create_table('policy_interpretation_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interpretation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.Enum('bars', 'shares', name='chartkind', native_enum=False, length=20), nullable=False),
    sa.Column('series', sa.JSON(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['interpretation_id'], ['policy_interpretations.id'], name=op.f('fk_policy_interpretation_figures_interpretation_id_policy_interpretations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_interpretation_figures'))
    )
    with op.batch_alter_table('policy_interpretation_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_interpretation_figures_interpretation_id'), ['interpretation_id'], unique=False)

    op.create_table('policy_interpretation_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interpretation_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('alt', sa.String(length=300), nullable=False),
    sa.Column('caption', sa.String(length=300), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['interpretation_id'], ['policy_interpretations.id'], name=op.f('fk_policy_interpretation_images_interpretation_id_policy_interpretations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_policy_interpretation_images_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_interpretation_images')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_policy_interpretation_images_stored_name'))
    )
    with op.batch_alter_table('policy_interpretation_images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_interpretation_images_interpretation_id'), ['interpretation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('policy_interpretation_images', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_interpretation_images_interpretation_id'))

    op.drop_table('policy_interpretation_images')
    with op.batch_alter_table('policy_interpretation_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_interpretation_figures_interpretation_id'))

    op.drop_table('policy_interpretation_figures')
    with op.batch_alter_table('policy_interpretations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_interpretations_consultation_id'))

    op.drop_table('policy_interpretations')
    op.drop_table('consultation_decided_documents')
