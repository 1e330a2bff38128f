"""care-need assessments, the care-level history, policy tier mapping and per-meal policies

Revision ID: 3c1d2e4f5a6b
Revises: 5c2e8a1f0d37
Create Date: 2026-12-04 06:00:00

"""
from alembic import op
import sqlalchemy as sa

import carehub.db


# revision identifiers, used by Alembic.
revision = '3c1d2e4f5a6b'
down_revision = '5c2e8a1f0d37'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'assessment_forms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('version', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('definition', sa.JSON(), nullable=False),
        sa.Column('loaded_at', carehub.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_forms')),
        sa.UniqueConstraint('code', 'version', name=op.f('uq_assessment_forms_code')),
    )
    op.create_table(
        'assessments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('elder_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('form_id', sa.Integer(), nullable=True),
        sa.Column('assessed_on', sa.Date(), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('adjustments', sa.JSON(), nullable=False),
        sa.Column('indicator_scores', sa.JSON(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=True),
        sa.Column('ability_level', sa.String(length=20), nullable=True),
        sa.Column('care_level', sa.String(length=20), nullable=False),
        sa.Column('previous_care_level', sa.String(length=20), nullable=False),
        sa.Column('place', sa.String(length=20), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('signed_by_id', sa.Integer(), nullable=True),
        sa.Column('signed_name', sa.String(length=80), nullable=False),
        sa.Column('signed_at', carehub.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['elder_id'], ['elders.id'], name=op.f('fk_assessments_elder_id_elders'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['form_id'], ['assessment_forms.id'], name=op.f('fk_assessments_form_id_assessment_forms'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_assessments_signed_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments')),
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_elder_id'), ['elder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_effective_from'), ['effective_from'], unique=False)
    op.create_table(
        'assessment_flags',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('elder_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('noted_on', sa.Date(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('noted_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', carehub.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('settled_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['elder_id'], ['elders.id'], name=op.f('fk_assessment_flags_elder_id_elders'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['noted_by_id'], ['users.id'], name=op.f('fk_assessment_flags_noted_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['settled_by_id'], ['assessments.id'], name=op.f('fk_assessment_flags_settled_by_id_assessments'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_flags')),
    )
    with op.batch_alter_table('assessment_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_flags_elder_id'), ['elder_id'], unique=False)
    with op.batch_alter_table('subsidy_policies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level_tiers', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('meal_elder_fen', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('meal_operator_fen', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('meal_daily_cap', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('meal_min_age', sa.Integer(), server_default='60', nullable=False))
        batch_op.add_column(sa.Column('meal_max_age', sa.Integer(), server_default='200', nullable=False))


def downgrade():
    with op.batch_alter_table('subsidy_policies', schema=None) as batch_op:
        batch_op.drop_column('meal_max_age')
        batch_op.drop_column('meal_min_age')
        batch_op.drop_column('meal_daily_cap')
        batch_op.drop_column('meal_operator_fen')
        batch_op.drop_column('meal_elder_fen')
        batch_op.drop_column('level_tiers')
    with op.batch_alter_table('assessment_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_flags_elder_id'))
    op.drop_table('assessment_flags')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_effective_from'))
        batch_op.drop_index(batch_op.f('ix_assessments_elder_id'))
    op.drop_table('assessments')
    op.drop_table('assessment_forms')
