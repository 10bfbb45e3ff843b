"""opening hours as data: opening_hours

Revision ID: 8b5f2d1c0e14
Revises: 7a4e1c0b9d13
Create Date: 2026-12-01 18:05:00

A row per shop, weekday and interval, in minutes since local midnight; "jetzt geöffnet"
is computed from them. The free-text column shops.opening_hours stays as it is.
"""
from alembic import op
import sqlalchemy as sa


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


def downgrade():
    op.drop_index(op.f('ix_opening_hours_shop_id'), table_name='opening_hours')
    op.drop_table('opening_hours')
