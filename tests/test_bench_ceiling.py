"""The benchmark's ceiling app reads what the real app reads and sends what it sends.

`make bench-ceiling` compares this app with Flask alone on the card's two reads; the
comparison is only worth something if both do the same work for the same card.
"""

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from flask import Flask

from app.extensions import db

from .helpers import csrf_token, make_rally, make_station

BENCH = Path(__file__).resolve().parent.parent / "bench"


def load(name: str) -> ModuleType:
    """A fresh copy of the bench module ``name`` (it reads its settings at import).

    The bench scripts put their folder on ``sys.path`` and import ``run``; both are
    undone afterwards, so that nothing leaks into other tests.
    """
    path, had_run = list(sys.path), "run" in sys.modules
    try:
        spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = path
        if not had_run:
            sys.modules.pop("run", None)
    return module


@pytest.fixture
def stamped(app: Flask, client, freeze) -> tuple[str, list[str]]:
    """A card stamped at two of three stations through the real pages: its cookie and
    the stamped shops' slugs."""
    rally = make_rally()
    stations = [make_station(rally) for _ in range(3)]
    db.session.commit()
    for station in stations[:2]:
        page = client.get(f"/s/{station.token}")
        client.post(f"/s/{station.token}", data={"csrf_token": csrf_token(page.text)})
    cookie = client.get_cookie(app.config["CARD_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value, [s.shop.slug for s in stations[:2]]


@pytest.fixture
def ceiling(app: Flask, stamped, tmp_path: Path, monkeypatch) -> Iterator[ModuleType]:
    """The ceiling app on the test's SQLite file, with the card page stored as bench does."""
    page = load("ceiling").stored_card_page(app, stamped[0])
    (tmp_path / "card.html").write_text(page, encoding="utf-8")
    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    monkeypatch.setenv("CEILING_DATABASE", database)
    monkeypatch.setenv("CEILING_PAGE", str(tmp_path / "card.html"))
    module = load("ceiling_app")
    yield module
    conn = getattr(module.local, "conn", None)
    if conn is not None:
        conn.close()


def test_stored_page_has_both_holes_once(app: Flask, stamped) -> None:
    page = load("ceiling").stored_card_page(app, stamped[0])
    assert page.count("@@CODE@@") == 1 and page.count("@@STAMPS@@") == 1


def test_json_card_matches_the_app(app: Flask, client, stamped, ceiling) -> None:
    secret, slugs = stamped
    real = client.get("/api/v1/card").get_json()
    other = ceiling.app.test_client()
    other.set_cookie(ceiling.COOKIE, secret)
    response = other.get("/api/v1/card")
    assert response.status_code == 200
    body = response.get_json()
    for key in ("code", "rally", "stamp_count", "goal", "qualified"):
        assert body[key] == real[key], key
    assert [s["shop"] for s in body["stamps"]] == [s["shop"] for s in real["stamps"]] == slugs
    assert [s["source"] for s in body["stamps"]] == ["qr", "qr"]


def test_card_page_sends_the_real_page_for_this_card(
    app: Flask, client, stamped, ceiling
) -> None:
    secret, slugs = stamped
    client.get("/karte")  # shows and drops the last tap's notice, which the copy lacks
    real = client.get("/karte")
    code = client.get("/api/v1/card").get_json()["code"]
    other = ceiling.app.test_client()
    other.set_cookie(ceiling.COOKIE, secret)
    response = other.get("/karte")
    assert response.status_code == 200
    text = response.text
    assert code in text and "@@" not in text
    assert all(slug in text for slug in slugs)
    # The same page, with the stamp list added: at least as many bytes as the real one.
    assert len(response.data) >= len(real.data) - len(code)
    assert response.headers["Content-Security-Policy"] == real.headers["Content-Security-Policy"]


def test_unknown_cookie_is_404(ceiling) -> None:
    other = ceiling.app.test_client()
    assert other.get("/karte").status_code == 404
    other.set_cookie(ceiling.COOKIE, "no-such-card")
    assert other.get("/api/v1/card").status_code == 404
