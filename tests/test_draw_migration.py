"""Migration 0008 on a live database: earlier draws keep their data and name no beacon;
the new CHECK constraints hold on both databases."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.extensions import db

from .conftest import base_config, postgres_url, reset_postgres

BEFORE = "3a7e5c90d1f4"  # 0006: rows written before the draw terms (0007) and beacon columns
BEACON_REVISION = "3f6b2d8e1a70"

DRAW_COLUMNS = (
    "INSERT INTO draws (id, rally_id, kind, title, status, pool_text, pool_hash, pool_size, "
    "seed_hex, commitment, beacon_hex, sealed_at, run_at"
)
DRAW_VALUES = (
    "'final', 'Hauptziehung', {status}, 'AAAA-BBBB\t1\n', '{h}', 1, '{h}', '{h}', {beacon}, "
    "'2026-12-24 10:00:00', {run_at}"
)


def insert_draw(conn: sa.Connection, draw_id: int, status: str = "sealed",
                beacon: str = "NULL", extra_columns: str = "", extra_values: str = "") -> None:
    """A draw row written in plain SQL, as of any revision."""
    run_at = "'2026-12-24 12:00:00'" if status == "run" else "NULL"
    values = DRAW_VALUES.format(status=f"'{status}'", h="a" * 64, beacon=beacon, run_at=run_at)
    conn.exec_driver_sql(
        f"{DRAW_COLUMNS}{extra_columns}) VALUES ({draw_id}, 1, {values}{extra_values})"
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_earlier_draws_survive_and_name_no_beacon(tmp_path: Path, backend: str) -> None:
    if backend == "postgres":
        url = postgres_url()
        reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path}/draws.sqlite3"
    app = create_app(base_config(tmp_path, url))
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO rallies (id, slug, name, starts_at, ends_at, entry_closes_at, "
                "stamp_goal, rules_text, status, repeat_winners) VALUES (1, 'r', 'R', "
                "'2026-12-01 00:00:00', '2026-12-24 17:00:00', '2026-12-24 17:00:00', 3, '', "
                "'published', false)"
            )
            insert_draw(conn, 1)
            insert_draw(conn, 2, status="run", beacon=f"'{'b' * 32}'")
        upgrade(revision=BEACON_REVISION)
        with db.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT id, status, beacon_hex, beacon_chain, beacon_round, beacon_due_at, "
                "seal_reason FROM draws ORDER BY id"
            ).all()
        assert [tuple(row) for row in rows] == [
            (1, "sealed", None, None, None, None, ""),
            (2, "run", "b" * 32, None, None, None, ""),
        ]
        named = (", beacon_chain, beacon_round, beacon_due_at, seal_reason",
                 ", {chain}, 35000000, {due}, ''")
        bad_rows = [
            {"chain": "'testnet'", "due": "'2026-12-24 10:10:00'"},  # unknown chain
            {"chain": "'quicknet'", "due": "'2026-12-24 09:59:00'"},  # due before the seal
            {"chain": "'quicknet'", "due": "NULL"},  # named only in part
        ]
        for number, bad in enumerate(bad_rows, start=10):
            with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
                insert_draw(conn, number, extra_columns=named[0],
                            extra_values=named[1].format(**bad))
        # A run of a draw that named a round must have taken its value.
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            insert_draw(conn, 20, status="run", extra_columns=named[0],
                        extra_values=named[1].format(chain="'quicknet'",
                                                     due="'2026-12-24 10:10:00'"))
        with db.engine.begin() as conn:
            insert_draw(conn, 21, status="run", beacon=f"'{'c' * 64}'", extra_columns=named[0],
                        extra_values=named[1].format(chain="'quicknet'",
                                                     due="'2026-12-24 10:10:00'"))
        db.engine.dispose()
