"""Headers, error pages and configuration safety."""

import re
from pathlib import Path

import pytest
from flask import Flask, abort

from app import create_app
from app.config import instance_secret_key

from .helpers import make_rally, make_station


@pytest.fixture
def failing_app(app: Flask) -> Flask:
    """The test app with routes that fail in various ways."""

    @app.get("/_boom")
    def boom() -> str:
        raise RuntimeError("secret internals /etc/passwd")

    @app.get("/_gone")
    def gone() -> str:
        abort(410)

    return app


@pytest.mark.parametrize("path", ["/", "/s/nope", "/_boom", "/_gone", "/api/v1/card"])
def test_security_headers_on_every_response(failing_app: Flask, path: str) -> None:
    response = failing_app.test_client().get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # only in production


def test_500_page_is_german_and_hides_internals(failing_app: Flask) -> None:
    response = failing_app.test_client().get("/_boom")
    assert response.status_code == 500
    assert "Da ist bei uns etwas schiefgegangen" in response.text
    assert "internals" not in response.text and "Traceback" not in response.text


def test_410_page_is_german(failing_app: Flask) -> None:
    response = failing_app.test_client().get("/_gone")
    assert response.status_code == 410
    assert "Nicht mehr gültig" in response.text


def test_405_and_413_are_german(app: Flask, client) -> None:
    assert "Das geht so nicht" in client.delete("/").text
    response = client.post("/stempel", data={"code": "x" * 3_000_000})
    assert response.status_code == 413
    assert "Zu viele Daten" in response.text


def test_pages_have_no_inline_script_or_style(app: Flask, client, freeze) -> None:
    make_station(make_rally())
    from app.extensions import db

    db.session.commit()
    for path in ["/", "/geschaefte", "/karte", "/stempel", "/datenschutz"]:
        html = client.get(path).text
        # Scripts only as the site's own static files, never inline.
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
        assert html.count("<script") == len(scripts)
        assert all(re.search(r'\bsrc="/static/js/[\w-]+\.js"', attributes) and not body.strip()
                   for attributes, body in scripts), scripts
        assert "style=" not in html and "<style" not in html


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = instance_secret_key(tmp_path)
    assert len(first) == 64
    assert instance_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_app_without_configured_key_uses_instance_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    a = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/a.db"})
    b = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/a.db"})
    assert a.config["SECRET_KEY"] == b.config["SECRET_KEY"]
    assert len(a.config["SECRET_KEY"]) >= 32


def test_database_url_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://user@db.example/rallye")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    app = Flask("probe", instance_path=str(tmp_path))
    from app.config import load

    load(app, None)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://user@db.example/rallye"
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379"


def test_sessions_follow_a_key_rotation(app: Flask, client) -> None:
    interface = app.session_interface
    client.get("/stempel")  # a page with a form: the visitor gets a session with a CSRF token
    old_cookie = client.get_cookie("sitzung")
    assert old_cookie is not None
    old_key = app.secret_key
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    app.secret_key = "a-rotated-secret-key-with-enough-length-0123"
    try:
        rotated = interface.get_signing_serializer(app)
        # The old cookie still opens (fallback key), and what is signed now uses the new key.
        with app.test_request_context(headers={"Cookie": f"sitzung={old_cookie.value}"}):
            from flask import request

            opened = interface.open_session(app, request)
            assert opened is not None and "csrf_token" in opened
        signed = rotated.dumps({"probe": 1})
        assert rotated.loads(signed) == {"probe": 1}
        app.config["SECRET_KEY_FALLBACKS"] = []
        assert interface.get_signing_serializer(app).loads(signed) == {"probe": 1}
    finally:
        app.secret_key = old_key
        app.config["SECRET_KEY_FALLBACKS"] = []


def test_security_headers_are_values_werkzeug_accepts() -> None:
    from werkzeug.datastructures import Headers

    from app.security import HEADERS, HSTS

    checked = Headers()
    for name, value in (*HEADERS.items(), ("Strict-Transport-Security", HSTS)):
        checked.add(name, value)  # raises on a line break or other control character
        assert name.isascii() and value.isascii()


def test_a_response_keeps_its_own_security_header(app: Flask) -> None:
    @app.get("/_framed")
    def framed() -> tuple[str, int, dict[str, str]]:
        return "ok", 200, {"X-Frame-Options": "SAMEORIGIN", "content-security-policy": "x"}

    response = app.test_client().get("/_framed")
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers.getlist("Content-Security-Policy") == ["x"]
    assert response.headers["Referrer-Policy"] == "same-origin"  # the others are added


def test_hsts_follows_the_production_setting_per_response(app: Flask) -> None:
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/").headers
    app.config["PRODUCTION"] = True
    assert client.get("/").headers.getlist("Strict-Transport-Security") == [
        "max-age=63072000; includeSubDomains"
    ]


UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def unsafe_routes(app: Flask) -> list[tuple[str, str]]:
    """(method, URL) for every route that takes an unsafe method, with sample arguments."""
    from werkzeug.routing.converters import AnyConverter, NumberConverter

    def sample(converter: object) -> object:
        if isinstance(converter, NumberConverter):
            return 1
        if isinstance(converter, AnyConverter):
            return sorted(converter.items)[0]
        return "x"

    found = []
    for rule in app.url_map.iter_rules():
        methods = sorted(set(rule.methods or ()) & set(UNSAFE))
        if not methods:
            continue
        values = {name: sample(converter) for name, converter in rule._converters.items()}
        url = rule.build(values, append_unknown=False)
        assert url is not None
        found.extend((method, url[1]) for method in methods)
    return found


def test_every_unsafe_route_refuses_a_request_without_csrf_token(app: Flask) -> None:
    routes = unsafe_routes(app)
    assert ("POST", "/stempel") in routes and len(routes) >= 10
    client = app.test_client()
    client.get("/")  # a session, as a real visitor has
    for method, url in routes:
        response = client.open(url, method=method)
        assert response.status_code == 400, (method, url)
        assert "Sitzung abgelaufen" in response.text, (method, url)


def test_405_keeps_its_allow_header(client) -> None:
    response = client.delete("/stempel")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert "Das geht so nicht" in response.text


@pytest.mark.parametrize(("method", "path", "status", "code"), [
    ("GET", "/api/v1/nichts", 404, "not_found"),
    ("GET", "/api/v1/", 404, "not_found"),
    ("DELETE", "/api/v1/card", 405, "method_not_allowed"),
    ("POST", "/api/v1/shops", 405, "method_not_allowed"),
])
def test_the_api_answers_json_errors_everywhere(
    client, method: str, path: str, status: int, code: str
) -> None:
    response = client.open(path, method=method)
    assert response.status_code == status
    assert response.is_json and response.json["error"] == code
    assert response.json["detail"]  # German text
    if status == 405:
        assert "GET" in response.headers["Allow"]


def test_api_server_errors_are_json_without_internals(failing_app: Flask) -> None:
    @failing_app.get("/api/v1/_boom")
    def api_boom() -> str:
        raise RuntimeError("secret internals")

    response = failing_app.test_client().get("/api/v1/_boom")
    assert response.status_code == 500 and response.is_json
    assert response.json["error"] == "server_error" and "internals" not in response.text


def test_refused_csrf_and_403_are_logged_without_the_path(
    app: Flask, client, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/_verboten")
    def forbidden() -> str:
        abort(403)

    station = make_station(make_rally())
    from app.extensions import db

    db.session.commit()
    with caplog.at_level("WARNING", logger="app.errors"):
        assert client.post(f"/s/{station.token}").status_code == 400
        assert client.get("/_verboten").status_code == 403
    text = caplog.text
    assert "CSRF refused at rally.stamp" in text and "403 at forbidden" in text
    assert station.token not in text
