"""Migration 0014 on a live database: each shop whose opening-hours text parses gets
its intervals; a text that does not parse stays text only; and back again."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db

from .conftest import base_config, postgres_url, reset_postgres

BEFORE_HOURS = "7a4e1c0b9d13"  # 0013


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_intervals_are_backfilled_from_the_texts(tmp_path: Path, backend: str) -> None:
    if backend == "postgres":
        url = postgres_url()
        reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path}/hours.sqlite3"
    app = create_app(base_config(tmp_path, url))
    with app.app_context():
        upgrade(revision=BEFORE_HOURS)
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO shops (id, slug, name, category, street, postcode, city, "
                "opening_hours, description, website) VALUES "
                "(1, 'a', 'A', 'c', 's', '1', 'c', 'Mo–Fr 9–13 und 14–18, Sa 10–14 Uhr', '', ''), "
                "(2, 'b', 'B', 'c', 's', '1', 'c', 'Termine nach Vereinbarung', '', ''), "
                "(3, 'c', 'C', 'c', 's', '1', 'c', '', '', ''), "
                "(4, 'd', 'D', 'c', 's', '1', 'c', 'Di–So 11–19 Uhr, nach Vereinbarung', '', '')"
            ))
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT shop_id, weekday, opens, closes FROM opening_hours "
                "ORDER BY shop_id, weekday, opens")).all()
            texts = conn.execute(sa.text("SELECT opening_hours FROM shops ORDER BY id")
                                 ).scalars().all()
        by_shop: dict[int, list[tuple[int, int, int]]] = {}
        for shop_id, weekday, opens, closes in rows:
            by_shop.setdefault(shop_id, []).append((weekday, opens, closes))
        assert by_shop[1] == sorted([(day, 540, 780) for day in range(5)]
                                    + [(day, 840, 1080) for day in range(5)]) + [(5, 600, 840)]
        assert by_shop[4] == [(day, 660, 1140) for day in range(1, 7)]
        assert 2 not in by_shop and 3 not in by_shop  # unreadable or empty: text only
        # The texts are left as they were.
        assert texts == ["Mo–Fr 9–13 und 14–18, Sa 10–14 Uhr", "Termine nach Vereinbarung", "",
                         "Di–So 11–19 Uhr, nach Vereinbarung"]
        downgrade(revision=BEFORE_HOURS)
        with db.engine.connect() as conn:
            assert "opening_hours" not in sa.inspect(conn).get_table_names()
            assert conn.execute(sa.text("SELECT count(*) FROM shops")).scalar() == 4
        db.engine.dispose()
