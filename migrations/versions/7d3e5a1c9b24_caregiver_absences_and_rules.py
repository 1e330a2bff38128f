"""caregiver absences (sick, leave) and elders' preferred and "do not send" caregivers

Revision ID: 7d3e5a1c9b24
Revises: e5a7c3b9d214
Create Date: 2026-12-04 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import carehub.db


# revision identifiers, used by Alembic.
revision = '7d3e5a1c9b24'
down_revision = 'e5a7c3b9d214'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('caregiver_absences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('caregiver_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('starts_at', carehub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', carehub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', carehub.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['caregiver_id'], ['caregivers.id'], name=op.f('fk_caregiver_absences_caregiver_id_caregivers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_caregiver_absences_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_caregiver_absences_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_caregiver_absences'))
    )
    with op.batch_alter_table('caregiver_absences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_caregiver_absences_caregiver_id'), ['caregiver_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_caregiver_absences_ends_at'), ['ends_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_caregiver_absences_starts_at'), ['starts_at'], unique=False)

    op.create_table('elder_caregiver_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('elder_id', sa.Integer(), nullable=False),
    sa.Column('caregiver_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['caregiver_id'], ['caregivers.id'], name=op.f('fk_elder_caregiver_rules_caregiver_id_caregivers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['elder_id'], ['elders.id'], name=op.f('fk_elder_caregiver_rules_elder_id_elders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_elder_caregiver_rules')),
    sa.UniqueConstraint('elder_id', 'caregiver_id', name=op.f('uq_elder_caregiver_rules_elder_id'))
    )
    with op.batch_alter_table('elder_caregiver_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_elder_caregiver_rules_caregiver_id'), ['caregiver_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_elder_caregiver_rules_elder_id'), ['elder_id'], unique=False)


def downgrade():
    with op.batch_alter_table('elder_caregiver_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_elder_caregiver_rules_elder_id'))
        batch_op.drop_index(batch_op.f('ix_elder_caregiver_rules_caregiver_id'))
    op.drop_table('elder_caregiver_rules')
    with op.batch_alter_table('caregiver_absences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_caregiver_absences_starts_at'))
        batch_op.drop_index(batch_op.f('ix_caregiver_absences_ends_at'))
        batch_op.drop_index(batch_op.f('ix_caregiver_absences_caregiver_id'))
    op.drop_table('caregiver_absences')
