"""In production the app answers only to the host name of its BASE_URL (TRUSTED_HOSTS).

Werkzeug builds the Location of its own redirects (a missing trailing slash) from the
request's Host header; without the setting a foreign Host would be echoed into them.
"""

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app import create_app
from app.extensions import db

from .conftest import base_config

SITE = "https://rallye.test"
HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def make_app(tmp_path: Path, database_url: str, **settings: Any) -> Flask:
    """An app on a fresh database with ``settings`` over the test defaults."""
    config = base_config(tmp_path, database_url)
    config.update(BASE_URL=SITE, PROXY_FIX_X_FOR=1, TESTING=False, **settings)
    application = create_app(config)
    with application.app_context():
        db.create_all()
    return application


@pytest.fixture
def production_app(tmp_path: Path, database_url: str) -> Flask:
    """The app with the production settings of docs/deploy.md."""
    return make_app(tmp_path, database_url, PRODUCTION=True)


def get(application: Flask, path: str, host: str):  # type: ignore[no-untyped-def]
    """GET ``path`` through the proxy headers with the given Host header."""
    return application.test_client().get(path, headers={**HTTPS, "Host": host})


@pytest.mark.parametrize("host", ["evil.example", "rallye.test.evil.example", "127.0.0.1"])
@pytest.mark.parametrize("path", ["/", "/buero", "/karte"])
def test_a_foreign_host_is_refused_in_production(
    production_app: Flask, host: str, path: str
) -> None:
    response = get(production_app, path, host)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "<h1>Unbekannte Adresse</h1>" in response.text
    assert 'href="https://rallye.test/"' in response.text
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


@pytest.mark.parametrize("host", ["rallye.test", "rallye.test:8443"])
def test_the_sites_own_host_is_served_with_any_port(production_app: Flask, host: str) -> None:
    assert get(production_app, "/", host).status_code == 200
    redirect = get(production_app, "/buero", host)
    assert redirect.status_code == 308
    assert redirect.headers["Location"].startswith(f"https://{host}/buero/")


def test_configured_trusted_hosts_are_kept(tmp_path: Path, database_url: str) -> None:
    application = make_app(
        tmp_path, database_url, PRODUCTION=True, TRUSTED_HOSTS=["rallye.test", "www.rallye.test"]
    )
    assert get(application, "/", "www.rallye.test").status_code == 200
    assert get(application, "/", "evil.example").status_code == 400


def test_without_production_any_host_is_served(tmp_path: Path, database_url: str) -> None:
    """A development server is reached under many names (localhost, a LAN address)."""
    application = make_app(tmp_path, database_url)
    assert application.config["TRUSTED_HOSTS"] is None
    assert get(application, "/", "192.168.0.10:5000").status_code == 200
