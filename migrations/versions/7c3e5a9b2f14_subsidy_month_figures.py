"""subsidy month figures: an open month's verdicts and entitlements stored with the
fingerprint of their inputs, shared by every web process

Revision ID: 7c3e5a9b2f14
Revises: 7d3f1a2b9c4e
Create Date: 2026-12-04 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import carehub.db


# revision identifiers, used by Alembic.
revision = '7c3e5a9b2f14'
down_revision = '7d3f1a2b9c4e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('subsidy_month_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=True),
    sa.Column('computed_at', carehub.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('visit_count', sa.Integer(), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=True),
    sa.Column('working_fingerprint', sa.String(length=64), nullable=True),
    sa.Column('working_since', carehub.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_month_figures')),
    sa.UniqueConstraint('month', name=op.f('uq_subsidy_month_figures_month'))
    )


def downgrade():
    op.drop_table('subsidy_month_figures')
