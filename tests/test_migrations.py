"""Migrations: from an empty database to head, matching the models exactly."""

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
