"""Forms behind a TLS-terminating proxy: Flask-WTF's HTTPS check needs the site's own
Referer, and the Referrer-Policy must let the browser send it (to this site only)."""

from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.extensions import db

from .conftest import base_config
from .helpers import csrf_token, make_rally, make_station

HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
SITE = "https://rallye.test"


@pytest.fixture
def production_app(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    """The app with the production settings of docs/deploy.md behind one proxy hop."""
    config = base_config(tmp_path, database_url)
    config.update(PRODUCTION=True, PROXY_FIX_X_FOR=1, BASE_URL=SITE, TESTING=False)
    application = create_app(config)
    with application.app_context():
        db.create_all()
        yield application
        db.session.remove()
        db.engine.dispose()


def test_referrer_policy_sends_the_referer_to_this_site_only(production_app: Flask) -> None:
    response = production_app.test_client().get("/", base_url=SITE, headers=HTTPS)
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_a_tap_over_https_with_the_sites_own_referer_stamps(
    production_app: Flask, freeze
) -> None:
    station = make_station(make_rally())
    db.session.commit()
    client = production_app.test_client()
    page = client.get(f"/s/{station.token}", base_url=SITE, headers=HTTPS)
    assert page.status_code == 200
    data = {"csrf_token": csrf_token(page.text)}
    referer = f"{SITE}/s/{station.token}"
    tap = client.post(f"/s/{station.token}", base_url=SITE, data=data,
                      headers={**HTTPS, "Referer": referer})
    assert tap.status_code == 303
    cookie = tap.headers.getlist("Set-Cookie")
    assert any("Secure" in line and "HttpOnly" in line for line in cookie)
    assert tap.headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_https_check_stays_on(production_app: Flask, freeze) -> None:
    """A POST over HTTPS from another site's page (or with no Referer) is still refused."""
    station = make_station(make_rally())
    db.session.commit()
    client = production_app.test_client()
    page = client.get(f"/s/{station.token}", base_url=SITE, headers=HTTPS)
    data = {"csrf_token": csrf_token(page.text)}
    for headers in ({**HTTPS, "Referer": "https://evil.example/"}, HTTPS):
        refused = client.post(f"/s/{station.token}", base_url=SITE, data=data, headers=headers)
        assert refused.status_code == 400
