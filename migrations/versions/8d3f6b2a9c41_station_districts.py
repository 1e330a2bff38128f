"""stations belong to a district

Revision ID: 8d3f6b2a9c41
Revises: 4b7e2c9d1a05
Create Date: 2026-12-04 09:30:00.000000

The bureau reports its figures per district as well as per station. Existing stations
get an empty district ("not given") until an administrator or an import names it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8d3f6b2a9c41'
down_revision = '4b7e2c9d1a05'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('district', sa.String(length=60), server_default='', nullable=False)
        )
        batch_op.create_index(batch_op.f('ix_stations_district'), ['district'], unique=False)


def downgrade():
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stations_district'))
        batch_op.drop_column('district')
