"""elder status proposals: "taken to hospital" or "deceased" reported at a visit, for a
dispatcher to confirm

Revision ID: e5a7c3b9d214
Revises: 8d3f6b2a9c41
Create Date: 2026-12-04 09:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import carehub.db


# revision identifiers, used by Alembic.
revision = 'e5a7c3b9d214'
down_revision = '8d3f6b2a9c41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('elder_status_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('elder_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('proposed_at', carehub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', carehub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_elder_status_proposals_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['elder_id'], ['elders.id'], name=op.f('fk_elder_status_proposals_elder_id_elders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_elder_status_proposals_visit_id_visits'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_elder_status_proposals'))
    )
    with op.batch_alter_table('elder_status_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_elder_status_proposals_elder_id'), ['elder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_elder_status_proposals_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_elder_status_proposals_visit_id'), ['visit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('elder_status_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_elder_status_proposals_visit_id'))
        batch_op.drop_index(batch_op.f('ix_elder_status_proposals_state'))
        batch_op.drop_index(batch_op.f('ix_elder_status_proposals_elder_id'))

    op.drop_table('elder_status_proposals')
