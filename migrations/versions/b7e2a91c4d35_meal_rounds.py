"""meal rounds: kitchens, a station's kitchen, diet notes, per-service too_short threshold

Revision ID: b7e2a91c4d35
Revises: 678c3d64b811
Create Date: 2026-12-04 05:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import carehub.db


# revision identifiers, used by Alembic.
revision = 'b7e2a91c4d35'
down_revision = '678c3d64b811'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kitchens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('ready_at', sa.Time(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kitchens'))
    )
    with op.batch_alter_table('kitchens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kitchens_code'), ['code'], unique=True)

    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kitchen_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('meals_ready', sa.Time(), nullable=True))
        batch_op.create_index(batch_op.f('ix_stations_kitchen_id'), ['kitchen_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_stations_kitchen_id_kitchens'), 'kitchens', ['kitchen_id'], ['id'], ondelete='RESTRICT')

    with op.batch_alter_table('elders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('diet_notes', sa.String(length=120), nullable=True))

    with op.batch_alter_table('service_types', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_visit_percent', sa.Integer(), nullable=True))

    op.create_table('meal_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_date', sa.Date(), nullable=False),
    sa.Column('caregiver_id', sa.Integer(), nullable=False),
    sa.Column('kitchen_id', sa.Integer(), nullable=True),
    sa.Column('canteen_station_id', sa.Integer(), nullable=True),
    sa.Column('collect_at', carehub.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('collected_at', carehub.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['canteen_station_id'], ['stations.id'], name=op.f('fk_meal_rounds_canteen_station_id_stations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['caregiver_id'], ['caregivers.id'], name=op.f('fk_meal_rounds_caregiver_id_caregivers'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['kitchen_id'], ['kitchens.id'], name=op.f('fk_meal_rounds_kitchen_id_kitchens'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meal_rounds'))
    )
    with op.batch_alter_table('meal_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meal_rounds_canteen_station_id'), ['canteen_station_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meal_rounds_caregiver_id'), ['caregiver_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meal_rounds_kitchen_id'), ['kitchen_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meal_rounds_service_date'), ['service_date'], unique=False)

    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meal_round_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_visits_meal_round_id'), ['meal_round_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_visits_meal_round_id_meal_rounds'), 'meal_rounds', ['meal_round_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_visits_meal_round_id_meal_rounds'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_visits_meal_round_id'))
        batch_op.drop_column('meal_round_id')

    with op.batch_alter_table('meal_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meal_rounds_service_date'))
        batch_op.drop_index(batch_op.f('ix_meal_rounds_kitchen_id'))
        batch_op.drop_index(batch_op.f('ix_meal_rounds_caregiver_id'))
        batch_op.drop_index(batch_op.f('ix_meal_rounds_canteen_station_id'))
    op.drop_table('meal_rounds')

    with op.batch_alter_table('service_types', schema=None) as batch_op:
        batch_op.drop_column('min_visit_percent')

    with op.batch_alter_table('elders', schema=None) as batch_op:
        batch_op.drop_column('diet_notes')

    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_stations_kitchen_id_kitchens'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_stations_kitchen_id'))
        batch_op.drop_column('meals_ready')
        batch_op.drop_column('kitchen_id')

    with op.batch_alter_table('kitchens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kitchens_code'))
    op.drop_table('kitchens')
