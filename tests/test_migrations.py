"""Migrations: from an empty database to head, matching the models exactly."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db

from .conftest import base_config, postgres_url, reset_postgres


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_upgrade_from_empty_matches_models(tmp_path: Path, backend: str) -> None:
    if backend == "postgres":
        url = postgres_url()
        reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path}/migrated.sqlite3"
    app = create_app(base_config(tmp_path, url))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
            tables = sa.inspect(conn).get_table_names()
        assert "stamps" in tables
        assert diff == [], diff
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert sa.inspect(conn).get_table_names() == ["alembic_version"]
        db.engine.dispose()


def test_init_db_command(tmp_path: Path) -> None:
    app = create_app(base_config(tmp_path, f"sqlite:///{tmp_path}/cli.sqlite3"))
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()


def test_upgrade_keeps_the_data_of_a_running_rally(tmp_path: Path) -> None:
    """A live database of an earlier revision migrates with its cards and stamps intact."""
    app = create_app(base_config(tmp_path, f"sqlite:///{tmp_path}/live.sqlite3"))
    with app.app_context():
        upgrade(revision=_second_revision())
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO rallies (id, slug, name, starts_at, ends_at, entry_closes_at, "
                "stamp_goal, rules_text, status) VALUES (1, 'r', 'R', '2026-12-01 00:00:00', "
                "'2026-12-24 00:00:00', '2026-12-24 00:00:00', 3, '', 'published')"
            )
            conn.exec_driver_sql(
                "INSERT INTO shops (id, slug, name, category, street, postcode, city, "
                "opening_hours, description, website) VALUES "
                "(1, 's', 'S', 'c', 'str', '1', 'c', '', '', '')"
            )
            conn.exec_driver_sql(
                "INSERT INTO stations (id, rally_id, shop_id, token, short_code, mode, active) "
                "VALUES (1, 1, 1, 'AAAAAAAAAAAAAAAAAAAAAA', 'ABCDEF', 'printed', 1)"
            )
            conn.exec_driver_sql(
                "INSERT INTO cards (id, rally_id, code, created_at, flag) "
                "VALUES (1, 1, 'AAAA-BBBB', '2026-12-01 10:00:00', 'none')"
            )
            conn.exec_driver_sql(
                "INSERT INTO stamps (id, rally_id, card_id, station_id, created_at, source) "
                "VALUES (1, 1, 1, 1, '2026-12-01 10:00:00', 'qr')"
            )
        upgrade()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM stamps").scalar() == 1
            assert conn.exec_driver_sql("SELECT repeat_winners FROM rallies").scalar() == 0
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            # Existing cards are counted once; from then on the triggers count.
            assert conn.exec_driver_sql("SELECT stamp_count FROM cards").scalar() == 1
            # The stations tag of revisions 0005 is gone again (with its triggers).
            columns = {c["name"] for c in sa.inspect(conn).get_columns("rallies")}
            assert "stations_tag" not in columns
            # 0012: the station got a live secret of its own, the card its first station.
            secret = conn.exec_driver_sql("SELECT live_secret FROM stations").scalar()
            assert isinstance(secret, str) and len(secret) == 64
            int(secret, 16)
            assert conn.exec_driver_sql("SELECT first_station_id FROM cards").scalar() == 1
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO shops (id, slug, name, category, street, postcode, city, "
                "opening_hours, description, website) VALUES "
                "(2, 't', 'T', 'c', 'str', '1', 'c', '', '', '')"
            )
            conn.exec_driver_sql(
                "INSERT INTO stations (id, rally_id, shop_id, token, short_code, mode, active, "
                "live_secret) VALUES (2, 1, 2, 'BBBBBBBBBBBBBBBBBBBBBB', 'BCDEFG', 'printed', 1, "
                "'" + "ab" * 32 + "')"
            )
            conn.exec_driver_sql(
                "INSERT INTO stamps (id, rally_id, card_id, station_id, created_at, source) "
                "VALUES (2, 1, 1, 2, '2026-12-01 11:00:00', 'qr')"
            )
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT stamp_count FROM cards").scalar() == 2
        db.engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_migrated_triggers_are_those_of_the_models(tmp_path: Path, backend: str) -> None:
    """The migrations' frozen copies of the stamp-count triggers match app.models."""
    if backend == "postgres":
        url = postgres_url()
        reset_postgres(url)
        query = (
            "SELECT tgname || ':' || pg_get_triggerdef(t.oid) || ':' || "
            "coalesce(pg_get_functiondef(tgfoid), '') FROM pg_trigger t "
            "WHERE NOT tgisinternal ORDER BY tgname"
        )
    else:
        url = f"sqlite:///{tmp_path}/triggers.sqlite3"
        query = "SELECT name || ':' || sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    app = create_app(base_config(tmp_path, url))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            migrated = list(conn.exec_driver_sql(query).scalars())
        downgrade(revision="base")
        db.metadata.create_all(db.engine)
        with db.engine.connect() as conn:
            created = list(conn.exec_driver_sql(query).scalars())
        db.metadata.drop_all(db.engine)
        db.engine.dispose()
    assert len(migrated) == (1 if backend == "postgres" else 3)
    assert migrated == created


def _second_revision() -> str:
    """The revision id of the second migration (retired tokens)."""
    from alembic.script import ScriptDirectory
    from flask import current_app

    config = current_app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    revisions = list(script.walk_revisions())[::-1]
    return revisions[1].revision


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_rally_before_the_draw_terms_gets_the_usual_ones(tmp_path: Path, backend: str) -> None:
    """Migration 0007 on a live database: every rally gets a draw three days after entries
    close at noon (Herten), four weeks to claim a prize and the usual notice; prizes get
    no donor and an empty description; triggers and data survive."""
    if backend == "postgres":
        url = postgres_url()
        reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path}/terms.sqlite3"
    app = create_app(base_config(tmp_path, url))
    with app.app_context():
        upgrade(revision=_revision_before(TERMS_REVISION))
        with db.engine.begin() as conn:
            # Entries close 24 Dec 18:00 in Herten (17:00 UTC, winter) and 30 Jun 23:30
            # (21:30 UTC, summer: the local date, not the UTC one, counts).
            conn.execute(sa.text(
                "INSERT INTO rallies (id, slug, name, starts_at, ends_at, entry_closes_at, "
                "stamp_goal, rules_text, status, repeat_winners) VALUES "
                "(1, 'advent', 'Advent', '2026-11-30 23:00:00', '2026-12-24 17:00:00', "
                "'2026-12-24 17:00:00', 3, '', 'published', false), "
                "(2, 'sommer', 'Sommer', '2027-06-01 08:00:00', '2027-06-30 21:30:00', "
                "'2027-06-30 21:30:00', 3, '', 'published', false)"
            ))
            conn.execute(sa.text(
                "INSERT INTO prizes (id, rally_id, position, name) VALUES (1, 1, 1, 'Korb')"
            ))
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT id, draw_at, claim_until, winners_notice FROM rallies ORDER BY id"
            )).all()
            prize = conn.execute(sa.text("SELECT donor_shop_id, description FROM prizes")).one()
        db.engine.dispose()
        upgraded = [(row[0], _utc(row[1]), _utc(row[2])) for row in rows]
    assert upgraded == [
        # 27 Dec 12:00 in Herten is 11:00 UTC; 24 Jan 12:00 too.
        (1, datetime(2026, 12, 27, 11, 0, tzinfo=UTC), datetime(2027, 1, 24, 11, 0, tzinfo=UTC)),
        # 30 Jun 23:30 local → 3 Jul 12:00 local (10:00 UTC); four weeks on, still summer.
        (2, datetime(2027, 7, 3, 10, 0, tzinfo=UTC), datetime(2027, 7, 31, 10, 0, tzinfo=UTC)),
    ]
    assert all(row[3].startswith("Wer gewinnt, bekommt innerhalb einer Woche") for row in rows)
    assert tuple(prize) == (None, "")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_database_refuses_a_draw_before_entries_close(tmp_path: Path, backend: str) -> None:
    """The migrated schema holds the date order itself (CHECK constraints)."""
    if backend == "postgres":
        url = postgres_url()
        reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path}/check.sqlite3"
    app = create_app(base_config(tmp_path, url))
    insert = (
        "INSERT INTO rallies (slug, name, starts_at, ends_at, entry_closes_at, stamp_goal, "
        "rules_text, status, repeat_winners, draw_at, claim_until, winners_notice) VALUES "
        "(:slug, 'R', '2026-12-01 00:00:00', '2026-12-24 00:00:00', '2026-12-24 00:00:00', 3, "
        "'', 'published', false, :draw, :claim, 'x')"
    )
    with app.app_context():
        upgrade()
        try:
            for slug, draw, claim in (("early", "2026-12-23 00:00:00", "2027-01-30 00:00:00"),
                                      ("late", "2026-12-27 00:00:00", "2026-12-27 00:00:00")):
                with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
                    conn.execute(sa.text(insert), {"slug": slug, "draw": draw, "claim": claim})
            with db.engine.begin() as conn:
                conn.execute(sa.text(insert), {"slug": "ok", "draw": "2026-12-24 00:00:00",
                                               "claim": "2027-01-21 00:00:00"})
        finally:
            db.engine.dispose()


TERMS_REVISION = "5b8e3f1c7a20"  # 0007: the rally's draw terms, the prizes' donors


def _revision_before(revision: str) -> str:
    """The revision that ``revision`` follows (whatever it is re-chained onto)."""
    from alembic.script import ScriptDirectory
    from flask import current_app

    config = current_app.extensions["migrate"].migrate.get_config()
    down = ScriptDirectory.from_config(config).get_revision(revision).down_revision
    assert isinstance(down, str)
    return down


def _utc(value: object) -> datetime:
    """A naive UTC timestamp as the drivers return it (SQLite: text), made aware."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC)
