"""Drop rallies.stations_tag and its triggers: the card page reads the stations afresh

Revision ID: 3a7e5c90d1f4
Revises: 9d41c7e2b8a6
Create Date: 2026-12-01 12:00:00

The tag let each process keep a rally's station list between requests. The card page now
reads the list through the ORM on every request, like the rest of the app, so the column
and the triggers that drew it anew go. Downgrading brings them back as revision 0005 made
them.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '3a7e5c90d1f4'
down_revision = '9d41c7e2b8a6'
branch_labels = None
depends_on = None


def _revision_0005():
    """Revision 0005's module (its trigger texts and upgrade), loaded from its file."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).with_name("0005_rally_stations_tag.py")
    spec = importlib.util.spec_from_file_location("revision_0005", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade():
    dialect = op.get_bind().dialect.name
    for statement in _revision_0005().DROP.get(dialect, []):
        op.execute(statement)
    # ALTER TABLE ... DROP COLUMN in place (SQLite >= 3.35), never a batch copy of the
    # table: rallies is referenced by most tables.
    op.drop_column('rallies', 'stations_tag')


def downgrade():
    _revision_0005().upgrade()
