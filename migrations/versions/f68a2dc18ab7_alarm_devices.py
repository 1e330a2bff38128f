"""alarm devices: tokens for alarm buttons and call centres

Revision ID: f68a2dc18ab7
Revises: da400db2ad0f
Create Date: 2026-11-22 12:29:26

"""
from alembic import op
import sqlalchemy as sa

import carehub.db


# revision identifiers, used by Alembic.
revision = 'f68a2dc18ab7'
down_revision = 'da400db2ad0f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alarm_devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', carehub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', carehub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', carehub.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alarm_devices')),
    sa.UniqueConstraint('name', name=op.f('uq_alarm_devices_name')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_alarm_devices_token_hash'))
    )


def downgrade():
    op.drop_table('alarm_devices')
