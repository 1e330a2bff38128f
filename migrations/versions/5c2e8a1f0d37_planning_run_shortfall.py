"""planning run shortfall advice

Revision ID: 5c2e8a1f0d37
Revises: b7e2a91c4d35
Create Date: 2026-12-04 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '5c2e8a1f0d37'
down_revision = 'b7e2a91c4d35'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('planning_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shortfall', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('planning_runs', schema=None) as batch_op:
        batch_op.drop_column('shortfall')
