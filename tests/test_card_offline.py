"""Add to home screen and the card offline: the manifest, its icons, the service worker's
route and headers, what the card page tells the worker, the offline page; and the
"Karte sichern" box without JavaScript."""

import io
import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from app.extensions import db
from app.models import Station
from app.security import CSP

from .helpers import make_rally, make_shop, make_station
from .test_shopper_pages import Freeze, tap

STATIC = Path(__file__).resolve().parent.parent / "app" / "static"


@pytest.fixture
def station(app: Flask, freeze: Freeze) -> Station:
    """A station of a running rally, with the clock on 1 December."""
    created = make_station(make_rally(), make_shop(name="Café Mühle"))
    db.session.commit()
    return created


def test_manifest_opens_the_card(client: FlaskClient) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    assert "max-age=86400" in response.headers["Cache-Control"]
    manifest = json.loads(response.data)
    assert manifest["name"] == "Innenstadt-Rallye"
    assert manifest["start_url"] == "/karte" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    css = (STATIC / "css" / "site.css").read_text()
    assert f"--red: {manifest['theme_color']};" in css
    assert f"--paper: {manifest['background_color']};" in css
    purposes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert purposes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.mimetype == "image/png"
        width = int(icon["sizes"].split("x")[0])
        assert Image.open(io.BytesIO(image.data)).size == (width, width)
        image.close()


def test_pages_link_the_manifest_the_icons_and_the_worker(client: FlaskClient) -> None:
    page = client.get("/").text
    head = page.split("</head>", 1)[0]
    assert '<link rel="manifest" href="/manifest.webmanifest">' in head
    assert '<meta name="theme-color" content="#9b1c2c">' in head
    touch = re.search(r'<link rel="apple-touch-icon" href="([^"]+)">', head)
    assert touch is not None
    with client.get(touch.group(1)) as icon:
        assert Image.open(io.BytesIO(icon.data)).size == (180, 180)
    assert ('<script src="/static/js/offline.js" data-worker="/sw.js" data-scope="/" defer>'
            in head)
    assert "<script>" not in page  # no inline script (the CSP forbids them)


def test_the_worker_is_served_from_the_root_never_stale(client: FlaskClient) -> None:
    with client.get("/sw.js") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
        assert response.headers["Cache-Control"] == "no-cache"
        assert response.headers["Service-Worker-Allowed"] == "/"
        assert response.data == (STATIC / "js" / "sw.js").read_bytes()
        assert b"X-Card-Offline" in response.data and b'method !== "GET"' in response.data


def test_under_a_script_root_the_worker_and_its_scope_follow(app: Flask) -> None:
    client = app.test_client()
    head = client.get("/", base_url="http://localhost/rallye").text.split("</head>", 1)[0]
    assert 'data-worker="/rallye/sw.js" data-scope="/rallye/"' in head
    with client.get("/sw.js", base_url="http://localhost/rallye") as worker:
        assert worker.headers["Service-Worker-Allowed"] == "/rallye/"
    manifest = client.get("/manifest.webmanifest", base_url="http://localhost/rallye").json
    assert manifest is not None
    assert manifest["start_url"] == "/rallye/karte" and manifest["scope"] == "/rallye/"


def test_the_csp_allows_the_worker_and_the_manifest_from_the_site_only() -> None:
    directives = dict(part.split(" ", 1) for part in CSP.split("; "))
    assert directives["worker-src"] == "'self'"
    assert directives["manifest-src"] == "'self'"
    assert directives["script-src"] == "'self'"


def test_the_card_page_tells_the_worker_to_keep_it_and_stays_no_store(
        client: FlaskClient, station: Station) -> None:
    none = client.get("/karte")
    assert none.headers["X-Card-Offline"] == "forget"  # no card in this browser
    tap(client, station.token)
    card = client.get("/karte")
    assert card.status_code == 200
    assert card.headers["X-Card-Offline"] == "keep"
    assert card.headers["Cache-Control"] == "no-store"  # for HTTP caches, as before
    # The note the worker's copy shows offline, with the time of this page.
    assert ('<p class="offline-note">Du bist offline – das ist der Stand von '
            '1. Dezember, 09:00 Uhr.</p>') in card.text
    client.set_cookie("stempelkarte", "K" * 43)  # a cookie that opens no card
    bad = client.get("/karte")
    assert bad.status_code == 400 and bad.headers["X-Card-Offline"] == "forget"
    # Other pages say nothing to the worker.
    assert "X-Card-Offline" not in client.get("/").headers


def test_the_offline_page_says_stamping_needs_the_network(client: FlaskClient) -> None:
    response = client.get("/offline")
    assert response.status_code == 200
    assert "Zum Stempeln brauchst du Internet. Versuch es gleich noch einmal." in response.text
    assert 'href="/karte"' in response.text


def test_without_javascript_the_link_is_text_and_the_buttons_stay_hidden(
        client: FlaskClient, station: Station) -> None:
    tap(client, station.token)
    html = client.get("/karte").text
    keep = html.split('id="sichern-titel"', 1)[1].split("</section>", 1)[0]
    link = re.search(r'<a id="karten-link" href="([^"]+)">([^<]+)</a>', keep)
    assert link is not None and link.group(1) == link.group(2)
    assert link.group(1).startswith("http://rallye.test/karte/wiederherstellen/")
    buttons = re.findall(r"<button [^>]*>", keep)
    script_buttons = [button for button in buttons if 'type="button"' in button]
    assert len(script_buttons) == 2 and all(b.endswith(" hidden>") for b in script_buttons)
    # The one button that works without script: "Link per E-Mail schicken" (a form).
    assert [b for b in buttons if b not in script_buttons] == [
        '<button class="button small secondary">']
    assert 'data-copy="karten-link"' in keep and 'data-share="karten-link"' in keep
    assert '<script src="/static/js/copy.js" defer></script>' in html
    assert "Der Link ist ein Schlüssel zu deiner Karte" in keep
