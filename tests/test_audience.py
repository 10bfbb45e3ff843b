"""Error pages say "du" to shoppers and "Sie" to businesses and staff; the login is honest."""

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import clock
from app.audience import addresses_formally
from app.services.users import create_user

from .backoffice.conftest import log_in
from .helpers import make_shop

DU = re.compile(r"\b(du|dich|dir|dein\w*)\b", re.IGNORECASE)
SIE = re.compile(r"\b(Sie|Ihnen|Ihr\w*)\b")  # capitalised: the polite form


def main_text(html: str) -> str:
    """The text of a page's ``<main>``."""
    main = html[html.index("<main"):html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


@pytest.mark.parametrize(
    ("blueprint", "path", "formal"),
    [
        ("backoffice", "/buero/rallyes", True),
        ("auth", "/anmelden", True),
        (None, "/buero/gibt-es-nicht", True),
        (None, "/laden/", True),
        ("office", "/angebote/kurzberatung", True),
        (None, "/angebote", True),
        ("office", "/impressum", True),
        ("office", "/datenschutz", True),
        ("office", "/", False),
        ("office", "/teilnahmebedingungen", False),
        ("office", "/ziehungen/3", False),
        ("rally", "/karte", False),
        ("rally", "/s/abc", False),
        (None, "/gibt-es-nicht", False),
        (None, "/bueromaterial", False),  # a prefix counts only as a whole path segment
    ],
)
def test_who_a_page_speaks_to(blueprint: str | None, path: str, formal: bool) -> None:
    assert addresses_formally(blueprint, path) is formal


@pytest.mark.parametrize(
    ("path", "formal"),
    [
        ("/gibt-es-nicht", False),
        ("/karte/gibt-es-nicht", False),
        ("/buero/gibt-es-nicht", True),
        ("/angebote/gibt-es-nicht", True),
        ("/anmelden/gibt-es-nicht", True),
    ],
)
def test_not_found_pages_address_their_readers(client: FlaskClient, path: str,
                                              formal: bool) -> None:
    response = client.get(path)
    assert response.status_code == 404
    text = main_text(response.text)
    assert "Seite nicht gefunden" in text
    if formal:
        assert SIE.search(text) and not DU.search(text), text
        assert "Meine Karte" not in text
    else:
        assert DU.search(text) and not SIE.search(text), text
        assert "Meine Karte" in text


def test_a_shopkeeper_in_the_back_office_gets_a_403_in_sie(app: Flask, client: FlaskClient,
                                                            freeze) -> None:
    shop = make_shop()
    keeper = create_user(email="laden@example.org", password="ein-langes-passwort-123",
                         role="shopkeeper", shop_slug=shop.slug)
    log_in(client, keeper, clock.utcnow())
    response = client.get("/buero/")
    assert response.status_code == 403
    text = main_text(response.text)
    assert "Diese Seite ist für Ihr Konto nicht freigegeben." in text
    assert not DU.search(text), text
    assert "Zur Übersicht im Büro" not in text  # it would only lead to the same 403


@pytest.mark.parametrize(
    ("path", "expected", "formal"),
    [
        ("/anmelden", "Bitte laden Sie die Seite neu und senden Sie es noch einmal ab.", True),
        ("/stempel", "Bitte lade die Seite neu und tippe noch einmal auf den Knopf.", False),
    ],
)
def test_an_expired_form_is_explained_in_the_right_form_of_address(
    client: FlaskClient, path: str, expected: str, formal: bool
) -> None:
    response = client.post(path, data={"email": "a@b.de", "password": "x", "code": "ABCDEF"})
    assert response.status_code == 400
    text = main_text(response.text)
    assert "Sitzung abgelaufen" in text and expected in text
    assert bool(SIE.search(text)) is formal, text


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/buero/kaputt", "Das liegt nicht an Ihnen."),
        ("/kaputt", "Das liegt nicht an dir."),
    ],
)
def test_the_500_page_speaks_to_its_reader(app: Flask, path: str, expected: str) -> None:
    def broken() -> str:
        raise RuntimeError("kaputt")

    app.add_url_rule(path, endpoint=f"broken{path.replace('/', '_')}", view_func=broken)
    client = app.test_client()
    response = client.get(path)
    assert response.status_code == 500
    assert expected in main_text(response.text)


def test_the_login_page_speaks_to_staff_and_shops(client: FlaskClient) -> None:
    text = main_text(client.get("/anmelden").text)
    assert "Für die Mitarbeitenden des Büros und die teilnehmenden Geschäfte." in text
    assert "Einladungslink" in text
    assert not DU.search(text), text
