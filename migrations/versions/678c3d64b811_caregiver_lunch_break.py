"""caregiver lunch break

Revision ID: 678c3d64b811
Revises: 9df856223cb3
Create Date: 2026-11-22 14:14:23.350694

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '678c3d64b811'
down_revision = '9df856223cb3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('caregivers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lunch_start', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('lunch_end', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('lunch_minutes', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('caregivers', schema=None) as batch_op:
        batch_op.drop_column('lunch_minutes')
        batch_op.drop_column('lunch_end')
        batch_op.drop_column('lunch_start')

