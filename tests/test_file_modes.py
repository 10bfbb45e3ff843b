"""The database, its backups and the secret key are for the app's user only (0600, 0700).

Every test runs with the permissive umask 022 that most servers have, under which
SQLite and ``open()`` create files readable by every account of the machine.
"""

import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.extensions import db

from .conftest import IN_CI, base_config
from .helpers import csrf_token, make_rally, make_station


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """Run the test under umask 022."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    """The permission bits of ``path``."""
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh instance folder that does not exist yet (as on a new server)."""
    folder = tmp_path / "instance"
    monkeypatch.setenv("INSTANCE_PATH", str(folder))
    return folder


def fresh_app(tmp_path: Path) -> Flask:
    """An app with the built-in defaults: database and secret key in the instance folder."""
    settings = base_config(tmp_path, "unused")
    del settings["SECRET_KEY"], settings["SQLALCHEMY_DATABASE_URI"]
    return create_app(settings)


def assert_private(instance: Path) -> None:
    """The folder is 0700 and every file in it 0600."""
    assert mode(instance) == 0o700
    files = [path for path in instance.rglob("*") if path.is_file()]
    assert files
    assert {path.name: oct(mode(path)) for path in files} == {
        path.name: oct(0o600) for path in files
    }


def test_init_db_creates_database_and_secret_key_private(
    tmp_path: Path, instance: Path
) -> None:
    app = fresh_app(tmp_path)
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with app.app_context(), db.engine.connect():  # an open connection keeps -wal and -shm
        names = {path.name for path in instance.iterdir()}
        assert {"rallye.sqlite3", "rallye.sqlite3-wal", "rallye.sqlite3-shm",
                "secret_key"} <= names
        assert_private(instance)
        db.engine.dispose()


def test_first_request_on_a_fresh_instance_creates_private_files(
    tmp_path: Path, instance: Path
) -> None:
    app = fresh_app(tmp_path)
    with app.app_context():
        db.create_all()
        rally = make_rally()
        station = make_station(rally)
        db.session.commit()
        client = app.test_client()
        page = client.get(f"/s/{station.token}")
        assert page.status_code == 200
        stamped = client.post(f"/s/{station.token}", data={"csrf_token": csrf_token(page.text)})
        assert stamped.status_code == 303
        with db.engine.connect():
            assert (instance / "rallye.sqlite3-wal").exists()
            assert_private(instance)
        db.session.remove()
        db.engine.dispose()


def test_secret_key_is_private(tmp_path: Path, instance: Path) -> None:
    fresh_app(tmp_path)
    assert mode(instance) == 0o700
    assert mode(instance / "secret_key") == 0o600


def test_an_existing_instance_folder_keeps_its_mode(tmp_path: Path, instance: Path) -> None:
    instance.mkdir(mode=0o750)
    fresh_app(tmp_path)
    assert mode(instance) == 0o750  # the operator's choice
    assert mode(instance / "rallye.sqlite3") == 0o600


def test_backup_files_are_private(app: Flask, runner, tmp_path: Path, freeze) -> None:
    app.instance_path = str(tmp_path / "elsewhere")
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    backups = tmp_path / "elsewhere" / "backups"
    assert mode(backups) == 0o700
    (copy,) = backups.iterdir()
    assert mode(copy) == 0o600

    chosen = tmp_path / "chosen.sqlite3"
    assert runner.invoke(args=["backup", "--out", str(chosen)]).exit_code == 0
    assert mode(chosen) == 0o600


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_postgres_backup_file_is_private(app: Flask, runner, tmp_path: Path, freeze) -> None:
    if shutil.which("pg_dump") is None:
        if IN_CI:
            pytest.fail("pg_dump missing in CI")
        pytest.skip("pg_dump not installed")
    target = tmp_path / "rallye.pgdump"
    result = runner.invoke(args=["backup", "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert mode(target) == 0o600
