"""background tasks started from the web: progress and the file they make

Revision ID: 7d3f1a2b9c4e
Revises: 7c3e5a1f9b20
Create Date: 2026-12-04 09:40:00

"""
from alembic import op
import sqlalchemy as sa

import carehub.db


# revision identifiers, used by Alembic.
revision = '7d3f1a2b9c4e'
down_revision = '7c3e5a1f9b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('background_tasks',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=False),
    sa.Column('created_at', carehub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', carehub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', carehub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('file_name', sa.String(length=200), nullable=True),
    sa.Column('file_type', sa.String(length=100), nullable=True),
    sa.Column('file_data', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_background_tasks_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_background_tasks'))
    )
    with op.batch_alter_table('background_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_background_tasks_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_background_tasks_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('background_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_background_tasks_user_id'))
        batch_op.drop_index(batch_op.f('ix_background_tasks_status'))
    op.drop_table('background_tasks')
