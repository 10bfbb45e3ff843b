"""stations.live_secret for live codes; cards.first_station_id for "cards started here"

Revision ID: 5d2b8f0e3c21
Revises: 6e3c9a1f4d32
Create Date: 2026-12-01 15:00:00

A station in live mode accepts a stamp only with the six digits its counter display
shows, an HMAC of the station's live secret and the time (app.services.live_codes).
Every existing station gets a secret of its own here (256 random bits, per row, never
a shared default). The shop's portal counts the new cards started at a station: each
existing card's first station is the station of its earliest stamp.
"""
import secrets
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2b8f0e3c21'
down_revision = '6e3c9a1f4d32'
branch_labels = None
depends_on = None

stations = sa.table('stations', sa.column('id', sa.Integer), sa.column('live_secret', sa.String))


@contextmanager
def keeping_triggers():
    """On SQLite, let batch mode rebuild a table without losing or tripping over triggers
    (as in 0007: every trigger is dropped first and made again afterwards, as it was)."""
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
    bind = op.get_bind()
    # Plain ADD COLUMNs first (no table copy), filled below, then constrained.
    op.add_column('stations', sa.Column('live_secret', sa.String(length=64), nullable=True))
    op.add_column('cards', sa.Column('first_station_id', sa.Integer(), nullable=True))

    for (station_id,) in bind.execute(sa.select(stations.c.id)).all():
        bind.execute(
            stations.update().where(stations.c.id == station_id)
            .values(live_secret=secrets.token_hex(32))
        )
    # The station of each card's earliest stamp (ties: the stamp written first).
    op.execute(
        "UPDATE cards SET first_station_id = ("
        "SELECT stamps.station_id FROM stamps WHERE stamps.card_id = cards.id "
        "ORDER BY stamps.created_at, stamps.id LIMIT 1)"
    )

    with keeping_triggers():
        with op.batch_alter_table('stations', schema=None) as batch_op:
            batch_op.alter_column('live_secret', existing_type=sa.String(length=64),
                                  nullable=False)
            batch_op.create_check_constraint(
                op.f('ck_stations_live_secret_256_bits'), 'length(live_secret) = 64'
            )
        with op.batch_alter_table('cards', schema=None) as batch_op:
            batch_op.create_foreign_key(
                op.f('fk_cards_first_station_id_stations'), 'stations', ['first_station_id'],
                ['id']
            )
            batch_op.create_index(
                'ix_cards_first_station_created', ['first_station_id', 'created_at'],
                unique=False
            )


def downgrade():
    with keeping_triggers():
        with op.batch_alter_table('cards', schema=None) as batch_op:
            batch_op.drop_index('ix_cards_first_station_created')
            batch_op.drop_constraint(op.f('fk_cards_first_station_id_stations'),
                                     type_='foreignkey')
            batch_op.drop_column('first_station_id')
        with op.batch_alter_table('stations', schema=None) as batch_op:
            batch_op.drop_constraint(op.f('ck_stations_live_secret_256_bits'), type_='check')
            batch_op.drop_column('live_secret')
