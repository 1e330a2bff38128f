"""no two published visits of one caregiver overlap; when a visit was published

Revision ID: 4b7e2c9d1a05
Revises: c4f1a9e2b7d3
Create Date: 2026-12-04 06:00:00.000000

The guard lives in the database so that every path that writes visits (planning, moves,
the sick hand-over, emergency insertion, imports, a console) is held to it. SQLite checks
each row as it is written (triggers cannot be deferred there); PostgreSQL checks at commit
with an exclusion constraint, so a transaction may re-time visits in any order.
"""
from alembic import op
import sqlalchemy as sa

import carehub.db


# revision identifiers, used by Alembic.
revision = '4b7e2c9d1a05'
down_revision = 'c4f1a9e2b7d3'
branch_labels = None
depends_on = None

MESSAGE = "visits_caregiver_overlap"
# A published visit of the same caregiver that shares some time with NEW.
CLASH = """
    SELECT 1 FROM visits o
    WHERE o.id != NEW.id AND o.caregiver_id = NEW.caregiver_id AND o.status = 'published'
      AND o.planned_start < NEW.planned_end AND NEW.planned_start < o.planned_end
"""
GUARDED = (
    "NEW.status = 'published' AND NEW.caregiver_id IS NOT NULL"
    " AND NEW.planned_start IS NOT NULL AND NEW.planned_end IS NOT NULL"
)


def upgrade():
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_at', carehub.db.UTCDateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS btree_gist')
        op.execute(
            'ALTER TABLE visits ADD CONSTRAINT ex_visits_caregiver_overlap EXCLUDE USING gist '
            "(caregiver_id WITH =, tstzrange(planned_start, planned_end, '[)') WITH &&) "
            "WHERE (status = 'published' AND caregiver_id IS NOT NULL "
            'AND planned_start IS NOT NULL AND planned_end IS NOT NULL) '
            'DEFERRABLE INITIALLY DEFERRED'
        )
        return
    for event in ('INSERT', 'UPDATE'):
        op.execute(
            f'CREATE TRIGGER tr_visits_caregiver_overlap_{event.lower()} '
            f'BEFORE {event} ON visits FOR EACH ROW '
            f'WHEN {GUARDED} AND EXISTS ({CLASH}) '
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE visits DROP CONSTRAINT IF EXISTS ex_visits_caregiver_overlap')
    else:
        for event in ('insert', 'update'):
            op.execute(f'DROP TRIGGER IF EXISTS tr_visits_caregiver_overlap_{event}')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_column('published_at')
