"""Migration 0012 on a live database: a live secret per station, each card's first
station from its earliest stamp, and back again."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db

from .conftest import base_config, postgres_url, reset_postgres
from .test_migrations import _revision_before

LIVE_REVISION = "5d2b8f0e3c21"  # 0012


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_live_secrets_and_first_stations_are_backfilled(tmp_path: Path, backend: str) -> None:
    if backend == "postgres":
        url = postgres_url()
        reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path}/live.sqlite3"
    app = create_app(base_config(tmp_path, url))
    with app.app_context():
        before = _revision_before(LIVE_REVISION)
        upgrade(revision=before)
        statements = [
            "INSERT INTO rallies (id, slug, name, starts_at, ends_at, entry_closes_at, "
            "stamp_goal, rules_text, status, repeat_winners, draw_at, claim_until, "
            "winners_notice) VALUES (1, 'r', 'R', '2026-12-01 00:00:00', "
            "'2026-12-24 00:00:00', '2026-12-24 00:00:00', 3, '', 'published', false, "
            "'2026-12-27 11:00:00', '2027-01-24 11:00:00', 'x')",
            "INSERT INTO shops (id, slug, name, category, street, postcode, city, "
            "opening_hours, description, website) VALUES "
            "(1, 'a', 'A', 'c', 's', '1', 'c', '', '', ''), "
            "(2, 'b', 'B', 'c', 's', '1', 'c', '', '', ''), "
            "(3, 'c', 'C', 'c', 's', '1', 'c', '', '', '')",
            "INSERT INTO stations (id, rally_id, shop_id, token, short_code, mode, active) "
            "VALUES (1, 1, 1, 'AAAAAAAAAAAAAAAAAAAAAA', 'AAAAAA', 'printed', true), "
            "(2, 1, 2, 'BBBBBBBBBBBBBBBBBBBBBB', 'BBBBBB', 'printed', true), "
            "(3, 1, 3, 'CCCCCCCCCCCCCCCCCCCCCC', 'CCCCCC', 'live', true)",
            "INSERT INTO cards (id, rally_id, code, created_at, flag) VALUES "
            "(1, 1, 'AAAA-AAAA', '2026-12-01 10:00:00', 'none'), "
            "(2, 1, 'BBBB-BBBB', '2026-12-01 10:00:00', 'none'), "
            "(3, 1, 'CCCC-CCCC', '2026-12-01 10:00:00', 'none')",
            # Card 1 started at station 2 (its stamp at 1 has a lower id but came later);
            # card 2's two stamps share a moment: the one written first counts; card 3
            # has no stamp.
            "INSERT INTO stamps (id, rally_id, card_id, station_id, created_at, source) "
            "VALUES (1, 1, 1, 1, '2026-12-01 11:00:00', 'qr'), "
            "(2, 1, 1, 2, '2026-12-01 10:00:00', 'qr'), "
            "(3, 1, 2, 3, '2026-12-02 09:00:00', 'qr'), "
            "(4, 1, 2, 1, '2026-12-02 09:00:00', 'qr')",
        ]
        with db.engine.begin() as conn:
            for statement in statements:
                conn.execute(sa.text(statement))
        upgrade()
        with db.engine.connect() as conn:
            secrets = conn.execute(sa.text("SELECT live_secret FROM stations")).scalars().all()
            firsts = conn.execute(sa.text(
                "SELECT id, first_station_id FROM cards ORDER BY id")).all()
            counts = conn.execute(sa.text("SELECT stamp_count FROM cards ORDER BY id")
                                  ).scalars().all()
            indexes = {index["name"] for index in sa.inspect(conn).get_indexes("cards")}
            keys = sa.inspect(conn).get_foreign_keys("cards")
        assert len(set(secrets)) == 3
        assert all(len(secret) == 64 and int(secret, 16) >= 0 for secret in secrets)
        assert [tuple(row) for row in firsts] == [(1, 2), (2, 3), (3, None)]
        assert counts == [2, 2, 0]  # the stamp-count triggers survived the rebuild
        assert "ix_cards_first_station_created" in indexes
        assert any(key["constrained_columns"] == ["first_station_id"]
                   and key["referred_table"] == "stations" for key in keys)
        # The database holds the secret's length itself.
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE stations SET live_secret = 'kurz' WHERE id = 1"))

        downgrade(revision=before)
        with db.engine.connect() as conn:
            station_columns = {c["name"] for c in sa.inspect(conn).get_columns("stations")}
            card_columns = {c["name"] for c in sa.inspect(conn).get_columns("cards")}
            stamps = conn.execute(sa.text("SELECT count(*) FROM stamps")).scalar()
        assert "live_secret" not in station_columns and "first_station_id" not in card_columns
        assert stamps == 4
        db.engine.dispose()
