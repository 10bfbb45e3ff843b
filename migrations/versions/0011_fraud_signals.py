"""fraud signals: card_signals, cards.network_hash, stations.shared_suspected_at

Revision ID: 6e3c9a1f4d32
Revises: 4c1a7e9d2b10
Create Date: 2026-12-01 12:00:00

The signals of app/services/fraud.py: a row per card and kind of signal, the keyed hash
of the network a card was started from (counted for "many new cards from one network",
dropped by the purge), and the moment a printed station looked shared. The stamps'
index on station_id grows a second column, created_at, for "this station's stamps of the
last minute"; it still serves the counts per station.

No backfill: existing cards were started before any network was recorded (NULL says
so), and no station has been suspected yet. Plain add_column and create_index instead
of batch mode: on SQLite a batch would rebuild ``stamps`` and drop its stamp-count
triggers.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6e3c9a1f4d32'
down_revision = '4c1a7e9d2b10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'card_signals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('station_id', sa.Integer(), nullable=True),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('speed', 'burst', 'shared_code', 'network')",
                           name=op.f('ck_card_signals_kind_known')),
        sa.ForeignKeyConstraint(['card_id'], ['cards.id'],
                                name=op.f('fk_card_signals_card_id_cards'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['station_id'], ['stations.id'],
                                name=op.f('fk_card_signals_station_id_stations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_card_signals')),
        sa.UniqueConstraint('card_id', 'kind', name=op.f('uq_card_signals_card_id_kind')),
    )
    op.create_index('ix_card_signals_station', 'card_signals', ['station_id'], unique=False)
    op.add_column('cards', sa.Column('network_hash', sa.String(length=64), nullable=True))
    op.create_index('ix_cards_network_hash_created', 'cards', ['network_hash', 'created_at'],
                    unique=False)
    op.add_column('stations', sa.Column('shared_suspected_at', sa.DateTime(), nullable=True))
    op.create_index('ix_stamps_station_created', 'stamps', ['station_id', 'created_at'],
                    unique=False)
    op.drop_index('ix_stamps_station', table_name='stamps')


def downgrade():
    op.create_index('ix_stamps_station', 'stamps', ['station_id'], unique=False)
    op.drop_index('ix_stamps_station_created', table_name='stamps')
    # Plain DROP COLUMN (SQLite 3.35+): a batch would copy tables that triggers name.
    op.drop_column('stations', 'shared_suspected_at')
    op.drop_index('ix_cards_network_hash_created', table_name='cards')
    op.drop_column('cards', 'network_hash')
    op.drop_index('ix_card_signals_station', table_name='card_signals')
    op.drop_table('card_signals')
