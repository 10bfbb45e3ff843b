"""opening hours as data: opening_hours

Revision ID: 8b5f2d1c0e14
Revises: 7a4e1c0b9d13
Create Date: 2026-12-01 18:05:00

A row per shop, weekday and interval, in minutes since local midnight; "jetzt geöffnet"
is computed from them. The free-text column shops.opening_hours stays as it is: from
now on it is the intervals written out plus a free note ("nach Vereinbarung"), and the
shops whose text parses get their intervals here (a text that does not parse stays
text only; the shop then has no intervals until someone fills in its week).

The backfill uses the app's parser (app.services.opening_hours.parse_hours), the one
the import and the demo use, rather than a frozen copy of it: it is a pure function
of the text, and what it reads only ever grows.
"""
import sqlalchemy as sa
from alembic import op

from app.services.opening_hours import HoursError, parse_hours

# revision identifiers, used by Alembic.
revision = '8b5f2d1c0e14'
down_revision = '7a4e1c0b9d13'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'opening_hours',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=False),
        sa.Column('opens', sa.Integer(), nullable=False),
        sa.Column('closes', sa.Integer(), nullable=False),
        sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_opening_hours_weekday_known')),
        sa.CheckConstraint('opens >= 0 AND closes > opens AND closes <= 1440',
                           name=op.f('ck_opening_hours_within_day')),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'],
                                name=op.f('fk_opening_hours_shop_id_shops'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_opening_hours')),
        sa.UniqueConstraint('shop_id', 'weekday', 'opens',
                            name=op.f('uq_opening_hours_shop_id_weekday_opens')),
    )
    op.create_index(op.f('ix_opening_hours_shop_id'), 'opening_hours', ['shop_id'], unique=False)
    backfill()


def backfill():
    """Intervals for every shop whose opening_hours text parses."""
    shops = sa.table('shops', sa.column('id', sa.Integer), sa.column('opening_hours', sa.String))
    hours = sa.table('opening_hours', sa.column('shop_id', sa.Integer),
                     sa.column('weekday', sa.Integer), sa.column('opens', sa.Integer),
                     sa.column('closes', sa.Integer))
    connection = op.get_bind()
    rows = []
    for shop_id, text in connection.execute(sa.select(shops.c.id, shops.c.opening_hours)):
        try:
            parsed = parse_hours(text or '')
        except HoursError:
            continue
        rows.extend({'shop_id': shop_id, 'weekday': weekday, 'opens': opens, 'closes': closes}
                    for weekday, opens, closes in parsed.intervals)
    if rows:
        op.bulk_insert(hours, rows)


def downgrade():
    op.drop_index(op.f('ix_opening_hours_shop_id'), table_name='opening_hours')
    op.drop_table('opening_hours')
