"""live board indexes: a day's requests and their visits read from covering indexes

Revision ID: 31793c122cd7
Revises: f68a2dc18ab7
Create Date: 2026-11-22 14:05:58.791758

"""
from alembic import op
import sqlalchemy as sa

import carehub.db


# revision identifiers, used by Alembic.
revision = '31793c122cd7'
down_revision = 'f68a2dc18ab7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.create_index('ix_service_requests_day_board', ['service_date', 'elder_id', 'status', 'window_start', 'window_end'], unique=False)

    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index('ix_visits_request_board', ['request_id', 'status', 'check_in_at'], unique=False)


def downgrade():
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index('ix_visits_request_board')

    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_service_requests_day_board')
