"""Backups: a consistent online copy, and restoring it."""

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import Stamp
from app.services.stamping import stamp_card

from .conftest import IN_CI, base_config
from .helpers import FIRST_DAY, make_rally, make_station


def stamp_some(count: int) -> None:
    """A rally with ``count`` stamps on one card."""
    rally = make_rally()
    stations = [make_station(rally) for _ in range(count)]
    db.session.commit()
    secret = None
    for station in stations:
        result = stamp_card(card_secret=secret, token=station.token, now=FIRST_DAY)
        secret = secret or result.card_secret


def test_sqlite_backup_while_the_app_writes_and_restore(
    app: Flask, runner, tmp_path: Path, freeze
) -> None:
    stamp_some(5)
    database = Path(db.engine.url.database or "")
    # Another process of the app holds a write transaction open during the backup.
    writer = sqlite3.connect(database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM stamps WHERE id = (SELECT max(id) FROM stamps)")
    target = tmp_path / "copy.sqlite3"
    result = runner.invoke(args=["backup", "--out", str(target)])
    writer.execute("ROLLBACK")
    writer.close()
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*) FROM stamps").fetchone()[0] == 5  # committed state
    copy.close()

    again = runner.invoke(args=["backup", "--out", str(target)])
    assert again.exit_code != 0 and "gibt es schon" in again.output

    # Restore (README): stop the app, put the copy in place of the database, start it.
    restored_path = tmp_path / "restored.sqlite3"
    shutil.copy(target, restored_path)
    restored = create_app(base_config(tmp_path, f"sqlite:///{restored_path}"))
    with restored.app_context():
        assert db.session.scalar(select(func.count()).select_from(Stamp)) == 5
        db.session.remove()
        db.engine.dispose()


def test_default_backup_location(app: Flask, runner, tmp_path: Path, freeze) -> None:
    app.instance_path = str(tmp_path / "instance")
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    files = list((tmp_path / "instance" / "backups").glob("rallye-*.sqlite3"))
    assert len(files) == 1


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_postgres_backup_with_pg_dump_and_restore(app: Flask, runner, tmp_path: Path,
                                                  freeze) -> None:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        if IN_CI:
            pytest.fail("pg_dump/pg_restore missing in CI")
        pytest.skip("pg_dump/pg_restore not installed")
    stamp_some(3)
    target = tmp_path / "rallye.pgdump"
    result = runner.invoke(args=["backup", "--out", str(target)])
    assert result.exit_code == 0, result.output
    admin = sa.create_engine(str(db.engine.url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("DROP DATABASE IF EXISTS rallye_restore")
        conn.exec_driver_sql("CREATE DATABASE rallye_restore")
    restore_url = db.engine.url.set(database="rallye_restore")
    libpq = restore_url.set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run(["pg_restore", "--no-owner", "--dbname", libpq, str(target)], check=True)
    check = sa.create_engine(restore_url)
    with check.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM stamps").scalar() == 3
    check.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql("DROP DATABASE rallye_restore")
    admin.dispose()
