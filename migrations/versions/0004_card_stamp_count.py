"""cards.stamp_count, kept by triggers on stamps

Revision ID: 7c2f9a41d5e3
Revises: e35fc8edd94a
Create Date: 2026-11-25 09:40:00

The funnel of the dashboard and the pool of a draw count stamps per card; over a million
stamps that walked every one of them. The count now lives on the card, kept by triggers
in the database, and existing cards are counted once here.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c2f9a41d5e3'
down_revision = 'e35fc8edd94a'
branch_labels = None
depends_on = None

# A copy, as of this revision, of app.models.STAMP_COUNT_TRIGGERS (migrations must not
# change when the app does).
TRIGGERS = {
    "sqlite": [
        """CREATE TRIGGER stamps_count_insert AFTER INSERT ON stamps BEGIN
            UPDATE cards SET stamp_count = stamp_count + 1 WHERE id = NEW.card_id;
        END""",
        """CREATE TRIGGER stamps_count_delete AFTER DELETE ON stamps BEGIN
            UPDATE cards SET stamp_count = stamp_count - 1 WHERE id = OLD.card_id;
        END""",
        """CREATE TRIGGER stamps_count_move AFTER UPDATE OF card_id ON stamps
        WHEN NEW.card_id <> OLD.card_id BEGIN
            UPDATE cards SET stamp_count = stamp_count - 1 WHERE id = OLD.card_id;
            UPDATE cards SET stamp_count = stamp_count + 1 WHERE id = NEW.card_id;
        END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION stamps_count_cards() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('DELETE', 'UPDATE') THEN
                UPDATE cards SET stamp_count = stamp_count - 1 WHERE id = OLD.card_id;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                UPDATE cards SET stamp_count = stamp_count + 1 WHERE id = NEW.card_id;
            END IF;
            RETURN NULL;
        END $$""",
        """CREATE TRIGGER stamps_count_cards AFTER INSERT OR DELETE OR UPDATE OF card_id
        ON stamps FOR EACH ROW EXECUTE FUNCTION stamps_count_cards()""",
    ],
}
DROP = {
    "sqlite": [
        "DROP TRIGGER stamps_count_move",
        "DROP TRIGGER stamps_count_delete",
        "DROP TRIGGER stamps_count_insert",
    ],
    "postgresql": [
        "DROP TRIGGER stamps_count_cards ON stamps",
        "DROP FUNCTION stamps_count_cards()",
    ],
}


def upgrade():
    dialect = op.get_bind().dialect.name
    # A plain ADD COLUMN (no table copy): cards is referenced by stamps, entries, keys.
    op.add_column(
        'cards', sa.Column('stamp_count', sa.Integer(), server_default=sa.text('0'), nullable=False)
    )
    op.execute(
        "UPDATE cards SET stamp_count = "
        "(SELECT count(*) FROM stamps WHERE stamps.card_id = cards.id)"
    )
    op.create_index('ix_cards_rally_stamp_count', 'cards', ['rally_id', 'stamp_count'])
    for statement in TRIGGERS.get(dialect, []):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in DROP.get(dialect, []):
        op.execute(statement)
    op.drop_index('ix_cards_rally_stamp_count', table_name='cards')
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_column('stamp_count')
