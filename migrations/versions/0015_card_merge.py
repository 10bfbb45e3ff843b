"""cards.merged_into_id and merged_at: "Karten zusammenlegen"

Revision ID: 9c6a3e2f1d15
Revises: 8b5f2d1c0e14
Create Date: 2026-12-01 18:10:00

A card whose stamps moved to another card stays as a row that points to the survivor,
so its old recovery link still leads somewhere. Added as plain nullable columns, then
constrained in batch mode with the stamp-count triggers kept (as in 0012).
"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9c6a3e2f1d15'
down_revision = '8b5f2d1c0e14'
branch_labels = None
depends_on = None


@contextmanager
def keeping_triggers():
    """On SQLite, let batch mode rebuild ``cards`` without losing its triggers (see 0012)."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        yield
        return
    saved = bind.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY rowid"
    ).all()
    for name, _sql in saved:
        op.execute(f'DROP TRIGGER "{name}"')
    yield
    for _name, sql in saved:
        op.execute(sql)


def upgrade():
    op.add_column('cards', sa.Column('merged_into_id', sa.Integer(), nullable=True))
    op.add_column('cards', sa.Column('merged_at', sa.DateTime(), nullable=True))
    with keeping_triggers():
        with op.batch_alter_table('cards', schema=None) as batch_op:
            batch_op.create_foreign_key(
                op.f('fk_cards_merged_into_id_cards'), 'cards', ['merged_into_id'], ['id']
            )
            batch_op.create_check_constraint(
                op.f('ck_cards_not_merged_into_self'),
                'merged_into_id IS NULL OR merged_into_id <> id',
            )
            batch_op.create_check_constraint(
                op.f('ck_cards_merged_has_time'), '(merged_into_id IS NULL) = (merged_at IS NULL)'
            )
    op.create_index('ix_cards_merged_into', 'cards', ['merged_into_id'], unique=False)


def downgrade():
    op.drop_index('ix_cards_merged_into', table_name='cards')
    with keeping_triggers():
        with op.batch_alter_table('cards', schema=None) as batch_op:
            batch_op.drop_constraint(op.f('ck_cards_merged_has_time'), type_='check')
            batch_op.drop_constraint(op.f('ck_cards_not_merged_into_self'), type_='check')
            batch_op.drop_constraint(op.f('fk_cards_merged_into_id_cards'), type_='foreignkey')
            batch_op.drop_column('merged_at')
            batch_op.drop_column('merged_into_id')
