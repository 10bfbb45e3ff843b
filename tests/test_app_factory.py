"""The application object: its hooks, the limiter switch, the connection pool."""

from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.extensions import db, limiter

from .conftest import base_config
from .helpers import csrf_token, make_rally, make_station


@pytest.fixture
def station(app: Flask, freeze):
    """One station of a running rally, with the clock on 1 December."""
    created = make_station(make_rally())
    db.session.commit()
    return created


def test_requests_still_run_every_hook(app: Flask, client, station) -> None:
    page = client.get(f"/s/{station.token}")
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"]  # after_request hook
    assert client.get_cookie("sitzung") is not None  # session saved


def test_app_runs_with_rate_limiting_switched_off(tmp_path: Path, freeze) -> None:
    config = base_config(tmp_path, f"sqlite:///{tmp_path / 'off.sqlite3'}")
    config.update(RATELIMIT_ENABLED=False, RATELIMIT_STAMP="1 per minute")
    try:
        app = create_app(config)
        assert not limiter.enabled
        with app.app_context():
            db.create_all()
            station = make_station(make_rally())
            db.session.commit()
            client = app.test_client()
            token = csrf_token(client.get(f"/s/{station.token}").text)
            statuses = [
                client.post(f"/s/{station.token}", data={"csrf_token": token}).status_code
                for _ in range(3)
            ]
            assert statuses == [303, 303, 303]  # over "1 per minute", yet not limited
            db.session.remove()
            db.engine.dispose()
    finally:
        # The limiter is one object for every app in the process: the next app turns it
        # back on through its own RATELIMIT_ENABLED default.
        later = create_app(base_config(tmp_path, f"sqlite:///{tmp_path / 'on.sqlite3'}"))
        assert later.config["RATELIMIT_ENABLED"] and limiter.enabled


@pytest.mark.parametrize(("url", "ping"), [
    ("sqlite:///{tmp}/ping.sqlite3", False),
    ("postgresql://postgres@127.0.0.1:5432/test", True),
])
def test_pooled_connections_are_pinged_only_on_a_server(
    tmp_path: Path, url: str, ping: bool
) -> None:
    """A server's pooled connection may have broken; an SQLite file's cannot."""
    app = create_app(base_config(tmp_path, url.format(tmp=tmp_path)))
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is ping
    with app.app_context():
        assert db.engine.pool._pre_ping is ping  # type: ignore[attr-defined]
        db.engine.dispose()
    config = base_config(tmp_path, url.format(tmp=tmp_path))
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": not ping, "echo": False}
    stated = create_app(config)
    assert stated.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": not ping,
                                                          "echo": False}
