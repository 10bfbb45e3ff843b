"""rallies: draw date, winners' notice, claim deadline; prizes: donor shop, description

Revision ID: 5b8e3f1c7a20
Revises: 3a7e5c90d1f4
Create Date: 2026-11-26 10:00:00

The rules page names when the draw is, how winners hear of it and when an unclaimed
prize lapses, from the rally's own data; a prize may name the shop that gave it. Rallies
of a live database get the office's usual terms: the draw three days after entries
close at noon (Herten), a notice by e-mail or phone, four weeks to claim a prize.
"""
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b8e3f1c7a20'
down_revision = '3a7e5c90d1f4'
branch_labels = None
depends_on = None

# Copies, as of this revision, of the defaults in app.models (migrations must not change
# when the app does).
BERLIN = ZoneInfo("Europe/Berlin")
DRAW_DAYS_AFTER_ENTRY_CLOSE = 3
DRAW_LOCAL_TIME = time(12, 0)
CLAIM_PERIOD = timedelta(weeks=4)
DEFAULT_WINNERS_NOTICE = (
    "Wer gewinnt, bekommt innerhalb einer Woche nach der Ziehung eine Nachricht an die "
    "E-Mail-Adresse oder Telefonnummer, die bei der Teilnahme angegeben wurde."
)

rallies = sa.table(
    'rallies',
    sa.column('id', sa.Integer()),
    sa.column('entry_closes_at', sa.DateTime()),
    sa.column('draw_at', sa.DateTime()),
    sa.column('claim_until', sa.DateTime()),
    sa.column('winners_notice', sa.Text()),
)
prizes = sa.table('prizes', sa.column('description', sa.String(200)))


def usual_terms(entry_closes_at):
    """Draw and claim deadline (naive UTC, as stored) for a rally closing at that moment."""
    closes = entry_closes_at.replace(tzinfo=UTC).astimezone(BERLIN)
    draw = datetime.combine(
        closes.date() + timedelta(days=DRAW_DAYS_AFTER_ENTRY_CLOSE), DRAW_LOCAL_TIME,
        tzinfo=BERLIN,
    )
    claim = draw + CLAIM_PERIOD  # same wall-clock time four weeks on
    return (draw.astimezone(UTC).replace(tzinfo=None),
            claim.astimezone(UTC).replace(tzinfo=None))


@contextmanager
def keeping_triggers():
    """On SQLite, let batch mode rebuild a table without losing or tripping over triggers.

    Rebuilding drops the table's own triggers, and renaming the copy into place fails
    while a trigger of another table names the dropped one. So every trigger is dropped
    first and created again afterwards, exactly as it was, whichever the database has.
    """
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
    # Plain ADD COLUMNs first (no table copy), filled below, then made NOT NULL.
    op.add_column('rallies', sa.Column('draw_at', sa.DateTime(), nullable=True))
    op.add_column('rallies', sa.Column('winners_notice', sa.Text(), nullable=True))
    op.add_column('rallies', sa.Column('claim_until', sa.DateTime(), nullable=True))
    op.add_column('prizes', sa.Column('description', sa.String(length=200), nullable=True))
    op.add_column('prizes', sa.Column('donor_shop_id', sa.Integer(), nullable=True))

    for rally_id, closes in bind.execute(sa.select(rallies.c.id, rallies.c.entry_closes_at)):
        draw, claim = usual_terms(closes)
        bind.execute(
            rallies.update().where(rallies.c.id == rally_id).values(
                draw_at=draw, claim_until=claim, winners_notice=DEFAULT_WINNERS_NOTICE
            )
        )
    bind.execute(prizes.update().values(description=''))

    with keeping_triggers():
        with op.batch_alter_table('rallies', schema=None) as batch_op:
            batch_op.alter_column('draw_at', existing_type=sa.DateTime(), nullable=False)
            batch_op.alter_column('winners_notice', existing_type=sa.Text(), nullable=False)
            batch_op.alter_column('claim_until', existing_type=sa.DateTime(), nullable=False)
            batch_op.create_check_constraint(
                op.f('ck_rallies_draw_after_entry_close'), 'draw_at >= entry_closes_at'
            )
            batch_op.create_check_constraint(
                op.f('ck_rallies_claim_after_draw'), 'claim_until > draw_at'
            )
        with op.batch_alter_table('prizes', schema=None) as batch_op:
            batch_op.alter_column(
                'description', existing_type=sa.String(length=200), nullable=False
            )
            batch_op.create_foreign_key(
                op.f('fk_prizes_donor_shop_id_shops'), 'shops', ['donor_shop_id'], ['id']
            )


def downgrade():
    with keeping_triggers():
        with op.batch_alter_table('prizes', schema=None) as batch_op:
            batch_op.drop_constraint(op.f('fk_prizes_donor_shop_id_shops'), type_='foreignkey')
            batch_op.drop_column('donor_shop_id')
            batch_op.drop_column('description')
        with op.batch_alter_table('rallies', schema=None) as batch_op:
            batch_op.drop_constraint(op.f('ck_rallies_claim_after_draw'), type_='check')
            batch_op.drop_constraint(op.f('ck_rallies_draw_after_entry_close'), type_='check')
            batch_op.drop_column('claim_until')
            batch_op.drop_column('winners_notice')
            batch_op.drop_column('draw_at')
