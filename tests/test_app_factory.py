"""The application object: Flask's per-request machinery as this app tunes it."""

import zlib
from pathlib import Path

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner
from itsdangerous.encoding import base64_decode, want_bytes

from app import SYNC_MEMO_SIZE, create_app
from app.extensions import db, limiter
from app.sessions import COMPRESS_FROM_BYTES, CookieSerializer, KeyKeepingSigner

from .conftest import base_config
from .helpers import csrf_token, make_rally, make_station


@pytest.fixture
def station(app: Flask, freeze):
    """One station of a running rally, with the clock on 1 December."""
    created = make_station(make_rally())
    db.session.commit()
    return created


def test_ensure_sync_is_asked_once_per_function(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[object] = []
    original = Flask.ensure_sync

    def counting(self: Flask, func: object) -> object:
        asked.append(func)
        return original(self, func)

    monkeypatch.setattr(Flask, "ensure_sync", counting)
    app._sync_memo.clear()  # type: ignore[attr-defined]

    def view() -> str:
        return "ok"

    assert app.ensure_sync(view) is view
    assert app.ensure_sync(view) is view
    assert asked == [view]

    async def coroutine_view() -> str:
        return "ok"

    wrapped = object()
    monkeypatch.setattr(app, "async_to_sync", lambda func: wrapped)
    assert app.ensure_sync(coroutine_view) is wrapped  # async views are still converted
    assert app.ensure_sync(coroutine_view) is wrapped
    assert asked == [view, coroutine_view]


def test_ensure_sync_memo_stays_bounded(app: Flask) -> None:
    app._sync_memo.clear()  # type: ignore[attr-defined]
    functions = [lambda: None for _ in range(SYNC_MEMO_SIZE + 10)]
    for func in functions:
        assert app.ensure_sync(func) is func
    assert len(app._sync_memo) == SYNC_MEMO_SIZE  # type: ignore[attr-defined]


def test_requests_still_run_every_hook(app: Flask, client, station) -> None:
    page = client.get(f"/s/{station.token}")
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"]  # after_request hook
    assert client.get_cookie("sitzung") is not None  # session saved


def limiter_response_hooks(app: Flask) -> list[object]:
    """Flask-Limiter's after-request and teardown hooks registered on ``app``."""
    hooks = app.after_request_funcs.get(None, []) + app.teardown_request_funcs.get(None, [])
    return [hook for hook in hooks
            if getattr(hook, "args", None) == (limiter,) or getattr(hook, "__self__", None)
            is limiter]


def test_limiter_response_hooks_are_dropped_while_headers_are_off(tmp_path: Path) -> None:
    app = create_app(base_config(tmp_path, f"sqlite:///{tmp_path / 'a.sqlite3'}"))
    assert not app.config["RATELIMIT_HEADERS_ENABLED"]
    assert limiter_response_hooks(app) == []
    config = base_config(tmp_path, f"sqlite:///{tmp_path / 'b.sqlite3'}")
    config["RATELIMIT_HEADERS_ENABLED"] = True
    assert len(limiter_response_hooks(create_app(config))) == 2


def test_no_limit_deducts_after_the_response() -> None:
    """``deduct_when`` needs the after-request hook that the app drops."""
    sources = Path(__file__).resolve().parent.parent / "app"
    for path in sources.rglob("*.py"):
        assert "deduct_when" not in path.read_text(encoding="utf-8"), path


def test_app_runs_with_rate_limiting_switched_off(tmp_path: Path, freeze) -> None:
    config = base_config(tmp_path, f"sqlite:///{tmp_path / 'off.sqlite3'}")
    config.update(RATELIMIT_ENABLED=False, RATELIMIT_STAMP="1 per minute")
    try:
        app = create_app(config)  # Flask-Limiter then registers no hooks: nothing to trim
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


def test_small_sessions_are_signed_without_compression(app: Flask, client, station) -> None:
    client.get(f"/s/{station.token}")
    cookie = client.get_cookie("sitzung")
    assert cookie is not None
    payload = cookie.value.split(".")[0]
    assert cookie.value[0] != "."  # no zlib marker
    assert b"csrf_token" in base64_decode(payload)
    # Flask's own interface opens it: the format is itsdangerous' unchanged.
    stock = SecureCookieSessionInterface().get_signing_serializer(app)
    assert stock is not None and "csrf_token" in stock.loads(cookie.value)


def test_large_sessions_are_still_compressed(app: Flask) -> None:
    ours = app.session_interface.get_signing_serializer(app)
    stock = SecureCookieSessionInterface().get_signing_serializer(app)
    assert isinstance(ours, CookieSerializer) and stock is not None
    big = {"note": "Weihnachtsmarkt " * 40}
    signed = ours.dumps(big)
    assert signed.startswith(".")  # compressed, as itsdangerous would
    assert len(signed) < len(stock.dumps({"note": "x"})) + 200
    assert stock.loads(signed) == big
    # Cookies Flask made (compressed or not) open with ours.
    assert ours.loads(stock.dumps(big)) == big
    small = {"csrf_token": "0" * 40}
    assert ours.loads(stock.dumps(small)) == small
    # Below the threshold even compressible data stays plain: zlib's attempt costs more
    # than the few bytes it could save.
    just_below = {"n": "a" * (COMPRESS_FROM_BYTES - 20)}
    plain = ours.dumps(just_below)
    assert not plain.startswith(".")
    assert len(zlib.compress(("a" * 200).encode())) < 200  # it would have shrunk


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


def test_session_signatures_derive_each_key_once(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Signing and checking reuse one signer and its derived keys, with stock results."""
    derived: list[bytes] = []
    stock_derive = TimestampSigner.derive_key

    def counting(self: TimestampSigner, secret_key: str | bytes | None = None) -> bytes:
        derived.append(want_bytes(secret_key or b""))
        return stock_derive(self, secret_key)

    monkeypatch.setattr(TimestampSigner, "derive_key", counting)
    ours = app.session_interface.get_signing_serializer(app)
    stock = SecureCookieSessionInterface().get_signing_serializer(app)
    assert isinstance(ours, CookieSerializer) and stock is not None
    for n in range(5):
        assert stock.loads(ours.dumps({"n": n})) == {"n": n}
        assert ours.loads(stock.dumps({"n": n})) == {"n": n}
    derived.clear()
    for n in range(5):
        assert ours.loads(ours.dumps({"n": n})) == {"n": n}
    assert derived == []  # every key derived already
    assert isinstance(ours.make_signer(), KeyKeepingSigner)
    assert ours.make_signer() is ours.make_signer()
