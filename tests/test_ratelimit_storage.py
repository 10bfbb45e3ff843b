"""Rate-limit storage: Redis when configured, and stamping that survives its outage."""

import logging
import secrets
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.extensions import db

from .conftest import IN_CI, base_config
from .helpers import csrf_token, make_rally, make_station

REDIS_URL = "redis://127.0.0.1:6379"


def redis_available() -> None:
    """Skip (fail in CI) unless the local Redis answers."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as error:
        if IN_CI:
            pytest.fail(f"Redis unreachable in CI: {error}")
        pytest.skip(f"Redis unreachable: {error}")


def app_with_storage(tmp_path: Path, uri: str) -> Flask:
    """A test app whose limiter uses ``uri`` with a stamp limit of 2 per minute."""
    config = base_config(tmp_path, f"sqlite:///{tmp_path}/limits.sqlite3")
    config.update(
        RATELIMIT_STORAGE_URI=uri,
        RATELIMIT_STAMP="2 per minute",
        RATELIMIT_KEY_PREFIX="test-" + secrets.token_hex(6),
    )
    return create_app(config)


def stamp_three_times(app: Flask) -> list[int]:
    """One browser posts the same stamp three times after its first tap."""
    with app.app_context():
        db.create_all()
        station = make_station(make_rally())
        db.session.commit()
        token = station.token
        db.session.remove()
    client = app.test_client()
    form = {"csrf_token": csrf_token(client.get("/stempel").text)}
    client.post(f"/s/{token}", data=form)
    return [client.post(f"/s/{token}", data=form).status_code for _ in range(3)]


def test_limits_are_kept_in_redis(tmp_path: Path, freeze) -> None:
    redis_available()
    app = app_with_storage(tmp_path, REDIS_URL)
    assert stamp_three_times(app) == [303, 303, 429]


def test_stamping_survives_a_dead_limit_storage(
    tmp_path: Path, freeze, caplog: pytest.LogCaptureFixture
) -> None:
    app = app_with_storage(tmp_path, "redis://127.0.0.1:1")  # nothing listens there
    with caplog.at_level(logging.WARNING):
        statuses = stamp_three_times(app)
    # The in-memory fallback takes over: stamping works and limits still apply.
    assert statuses[0] == 303
    assert 500 not in statuses
    assert any("rate limit" in r.getMessage().lower() or "storage" in r.getMessage().lower()
               for r in caplog.records)
