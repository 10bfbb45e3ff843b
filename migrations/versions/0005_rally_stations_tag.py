"""rallies.stations_tag, drawn anew by triggers when stations or their shops change

Revision ID: 9d41c7e2b8a6
Revises: 7c2f9a41d5e3
Create Date: 2026-11-25 13:30:00

Every card page listed the rally's forty stations with their shops from the database. The
list changes a few times per rally; the card page now keeps it per (rally, tag) and reads
only the tag, which triggers in the database draw anew on every change of a station or of
a station's shop, whichever code path makes it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d41c7e2b8a6'
down_revision = '7c2f9a41d5e3'
branch_labels = None
depends_on = None

# A copy, as of this revision, of app.models.STATIONS_TAG_TRIGGERS (migrations must not
# change when the app does).
TRIGGERS = {
    "sqlite": [
        """CREATE TRIGGER rallies_tag_insert AFTER INSERT ON rallies BEGIN
            UPDATE rallies SET stations_tag = (random() & 4611686018427387903)
            WHERE id = NEW.id;
        END""",
        """CREATE TRIGGER stations_tag_insert AFTER INSERT ON stations BEGIN
            UPDATE rallies SET stations_tag = (random() & 4611686018427387903)
            WHERE id = NEW.rally_id;
        END""",
        """CREATE TRIGGER stations_tag_update AFTER UPDATE ON stations BEGIN
            UPDATE rallies SET stations_tag = (random() & 4611686018427387903)
            WHERE id IN (OLD.rally_id, NEW.rally_id);
        END""",
        """CREATE TRIGGER stations_tag_delete AFTER DELETE ON stations BEGIN
            UPDATE rallies SET stations_tag = (random() & 4611686018427387903)
            WHERE id = OLD.rally_id;
        END""",
        """CREATE TRIGGER shops_tag_update AFTER UPDATE ON shops BEGIN
            UPDATE rallies SET stations_tag = (random() & 4611686018427387903)
            WHERE id IN (SELECT rally_id FROM stations WHERE shop_id = NEW.id);
        END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION stations_tag_rallies() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_TABLE_NAME = 'rallies' THEN
                UPDATE rallies SET stations_tag = floor(random() * 4611686018427387904)::bigint
                WHERE id = NEW.id;
            ELSIF TG_TABLE_NAME = 'shops' THEN
                UPDATE rallies SET stations_tag = floor(random() * 4611686018427387904)::bigint
                WHERE id IN (SELECT rally_id FROM stations WHERE shop_id = NEW.id);
            ELSE
                IF TG_OP IN ('DELETE', 'UPDATE') THEN
                    UPDATE rallies SET stations_tag = floor(random() * 4611686018427387904)::bigint
                    WHERE id = OLD.rally_id;
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    UPDATE rallies SET stations_tag = floor(random() * 4611686018427387904)::bigint
                    WHERE id = NEW.rally_id;
                END IF;
            END IF;
            RETURN NULL;
        END $$""",
        """CREATE TRIGGER rallies_tag_insert AFTER INSERT ON rallies
        FOR EACH ROW EXECUTE FUNCTION stations_tag_rallies()""",
        """CREATE TRIGGER stations_tag_change AFTER INSERT OR UPDATE OR DELETE ON stations
        FOR EACH ROW EXECUTE FUNCTION stations_tag_rallies()""",
        """CREATE TRIGGER shops_tag_update AFTER UPDATE ON shops
        FOR EACH ROW EXECUTE FUNCTION stations_tag_rallies()""",
    ],
}
NEW_TAG = {
    "sqlite": "(random() & 4611686018427387903)",
    "postgresql": "floor(random() * 4611686018427387904)::bigint",
}
DROP = {
    "sqlite": [
        "DROP TRIGGER shops_tag_update",
        "DROP TRIGGER stations_tag_delete",
        "DROP TRIGGER stations_tag_update",
        "DROP TRIGGER stations_tag_insert",
        "DROP TRIGGER rallies_tag_insert",
    ],
    "postgresql": [
        "DROP TRIGGER shops_tag_update ON shops",
        "DROP TRIGGER stations_tag_change ON stations",
        "DROP TRIGGER rallies_tag_insert ON rallies",
        "DROP FUNCTION stations_tag_rallies()",
    ],
}


def upgrade():
    dialect = op.get_bind().dialect.name
    # A plain ADD COLUMN (no table copy): rallies is referenced by most tables.
    op.add_column(
        'rallies',
        sa.Column('stations_tag', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    )
    if dialect in NEW_TAG:
        op.execute(f"UPDATE rallies SET stations_tag = {NEW_TAG[dialect]}")
    for statement in TRIGGERS.get(dialect, []):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in DROP.get(dialect, []):
        op.execute(statement)
    with op.batch_alter_table('rallies', schema=None) as batch_op:
        batch_op.drop_column('stations_tag')
