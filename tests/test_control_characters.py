"""Control characters in any form field or URL value: a German message, a 4xx, no row.

PostgreSQL refuses NUL in text (a 500 before this was checked), so every case runs on
SQLite and PostgreSQL.
"""

import inspect
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from sqlalchemy import func, select, update
from werkzeug.test import TestResponse

import app.auth.forms
import app.backoffice.draw_forms
import app.backoffice.forms
import app.rally.forms
from app.control_characters import has_control_characters
from app.extensions import db
from app.forms import BaseForm, ShopperForm
from app.models import Card, Rally, Station, User
from app.services import drand
from app.services.draws import seal_draw
from app.services.users import create_user

from .helpers import (
    FIRST_DAY,
    csrf_token,
    make_card,
    make_entry,
    make_prizes,
    make_rally,
    make_station,
)

BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
PASSWORD = "ein-langes-richtiges-passwort"
SIE = "Bitte entfernen Sie Steuerzeichen aus diesem Feld"
DU = "Bitte entferne Steuerzeichen aus diesem Feld"
NOT_FOUND = "Seite nicht gefunden"
BAD_REQUEST = "Das hat nicht geklappt"


@dataclass
class World:
    """A running rally with three shops, a staff member and a shopper with three stamps."""

    app: Flask
    rally: Rally
    stations: list[Station]
    staff: User
    staff_client: FlaskClient
    shopper: FlaskClient
    card_code: str
    draw_id: int = 0


@pytest.fixture
def world(app: Flask, freeze: Callable[[datetime], None]) -> World:
    """The rally of 1–24 December on its first day, with everyone in place."""
    rally = make_rally(slug="advent")
    stations = [make_station(rally) for _ in range(3)]
    make_prizes(rally, 2)
    staff = create_user(email="erika@herten.test", password=PASSWORD, role="staff")
    db.session.commit()
    staff_client = app.test_client()
    with staff_client.session_transaction() as session:
        session["_user_id"] = staff.get_id()
        session["auth_at"] = FIRST_DAY.isoformat()
    shopper = app.test_client()
    for station in stations:
        page = shopper.get(f"/s/{station.token}")
        shopper.post(f"/s/{station.token}", data={"csrf_token": csrf_token(page.text)})
    card_code = make_card(rally, stations, 0).code
    db.session.commit()
    return World(app, rally, stations, staff, staff_client, shopper, card_code)


def post_form(client: FlaskClient, url: str, **fields: object) -> TestResponse:
    """GET the form page and POST it back with ``fields`` and its CSRF token."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return client.post(url, data={"csrf_token": csrf_token(page.text), **fields})


RALLY_FIELDS = {
    "name": "Blumenmarkt 2027", "slug": "", "starts_at": "2027-04-01T09:00",
    "ends_at": "2027-04-30T18:00", "entry_closes_at": "2027-04-30T18:00",
    "stamp_goal": "5", "stamps_per_lot": "", "status": "draft",
    "rules_text": "1. Veranstalter\r\n\r\n2. Teilnahme", "prizes": "Fahrrad\r\n",
}
SHOP_FIELDS = {
    "name": "Blumen Röhr", "slug": "", "category": "Blumen", "street": "Kaiserstraße 5",
    "postcode": "45699", "city": "Herten", "lat": "", "lon": "", "opening_hours": "",
    "website": "", "description": "Blumen und Pflanzen",
}
CSV_HEADER = "name,slug,category,street,postcode,city,lat,lon,opening_hours,description,website"


def typed_code(w: World) -> TestResponse:
    return post_form(w.shopper, "/stempel", code=w.stations[0].short_code[:3] + "\x00")


def entry_name(w: World) -> TestResponse:
    return post_form(w.shopper, "/karte/teilnahme", name="Anna\x00", contact="a@example.org",
                     adult="y", consent="y")


def entry_contact(w: World) -> TestResponse:
    return post_form(w.shopper, "/karte/teilnahme", name="Anna", contact="a\x1b@example.org",
                     adult="y", consent="y")


def login_email(w: World) -> TestResponse:
    return post_form(w.app.test_client(), "/anmelden", email="erika@herten.test\x00",
                     password=PASSWORD)


def login_password(w: World) -> TestResponse:
    return post_form(w.app.test_client(), "/anmelden", email="erika@herten.test",
                     password="falsch\x00")


def reauthenticate(w: World) -> TestResponse:
    return post_form(w.staff_client, "/anmelden/bestaetigen", password=PASSWORD + "\x7f")


def new_rally_name(w: World) -> TestResponse:
    return post_form(w.staff_client, "/buero/rallyes/neu", **{**RALLY_FIELDS,
                                                              "name": "Blumen\x00markt"})


def new_rally_rules(w: World) -> TestResponse:
    return post_form(w.staff_client, "/buero/rallyes/neu", **{
        **RALLY_FIELDS, "rules_text": "1. Veranstalter\r\n\x00"})


def edit_rally_prizes(w: World) -> TestResponse:
    return post_form(w.staff_client, f"/buero/rallyes/{w.rally.id}", **{
        **RALLY_FIELDS, "slug": "advent", "prizes": "Fahrrad\r\nGutschein\x1f 50 €"})


def edit_rally_status(w: World) -> TestResponse:
    return post_form(w.staff_client, f"/buero/rallyes/{w.rally.id}", **{
        **RALLY_FIELDS, "slug": "advent", "status": "draft\x00"})


def new_shop(w: World) -> TestResponse:
    return post_form(w.staff_client, "/buero/geschaefte/neu?rally=advent", **{
        **SHOP_FIELDS, "street": "Kaiserstraße\x005"})


def new_shop_optional_field(w: World) -> TestResponse:
    # "\x1f" counts as a blank for str.strip(): Optional-style checks would let it through.
    return post_form(w.staff_client, "/buero/geschaefte/neu", **{
        **SHOP_FIELDS, "hours_note": "\x1f"})


def edit_shop(w: World) -> TestResponse:
    shop = w.stations[0].shop
    return post_form(w.staff_client, f"/buero/geschaefte/{shop.id}", **{
        **SHOP_FIELDS, "slug": shop.slug, "description": "Brot\x00"})


def add_station(w: World) -> TestResponse:
    page = w.staff_client.get("/buero/geschaefte?rally=advent")
    return w.staff_client.post("/buero/geschaefte/teilnahme?rally=advent",
                               data={"csrf_token": csrf_token(page.text), "shop_id": "1\x00"})


def import_cell(w: World) -> TestResponse:
    row = "Blumen Röhr,,Blumen,Kaiserstraße\x005,45699,Herten,,,,,"
    return import_file(w, (CSV_HEADER + "\n" + row + "\n").encode(), "geschaefte.csv")


def import_file_name(w: World) -> TestResponse:
    row = "Blumen Röhr,,Blumen,Kaiserstraße 5,45699,Herten,,,,,"
    return import_file(w, (CSV_HEADER + "\n" + row + "\n").encode(), "gesch\x1bafte.csv")


def import_file(w: World, data: bytes, name: str) -> TestResponse:
    url = "/buero/geschaefte/import?rally=advent"
    page = w.staff_client.get(url)
    return w.staff_client.post(url, data={"csrf_token": csrf_token(page.text),
                                          "file": (io.BytesIO(data), name)},
                               content_type="multipart/form-data")


def seal_title(w: World) -> TestResponse:
    url = "/buero/ziehungen?rally=advent"
    page = w.staff_client.get(url)
    return w.staff_client.post("/buero/ziehungen/versiegeln?rally=advent", data={
        "csrf_token": csrf_token(page.text), "kind": "final",
        "prizes": [str(prize.id) for prize in w.rally.prizes], "title": "Haupt\x00ziehung"})


def sealed_draw(w: World) -> None:
    """A sealed final draw with one entry in its pool (set up before the rows are counted)."""
    make_entry(make_card(w.rally, w.stations, 3))
    db.session.commit()
    chain = drand.chain_named("quicknet")
    w.draw_id = seal_draw(rally_id=w.rally.id, kind="final", prize_ids=[w.rally.prizes[0].id],
                          beacon_chain="quicknet", reason="Probe", now=FIRST_DAY,
                          beacon_round=drand.suggested_round(chain, now=FIRST_DAY)).id


def beacon(w: World) -> TestResponse:
    page = w.staff_client.get(f"/buero/ziehungen/{w.draw_id}")
    return w.staff_client.post(f"/buero/ziehungen/{w.draw_id}/ziehen", data={
        "csrf_token": csrf_token(page.text), "beacon": "ab\x00" * 8, "confirm": "y"})


def card_flag(w: World) -> TestResponse:
    page = w.staff_client.get(f"/buero/karten?code={w.card_code}")
    return w.staff_client.post(f"/buero/karten/{w.card_code}/markierung",
                               data={"csrf_token": csrf_token(page.text), "flag": "flagged\x00"})


def card_flag_note(w: World) -> TestResponse:
    page = w.staff_client.get(f"/buero/karten?code={w.card_code}")
    return w.staff_client.post(f"/buero/karten/{w.card_code}/markierung",
                               data={"csrf_token": csrf_token(page.text), "flag": "excluded",
                                     "note": "Foto\x00geteilt"})


def review_note(w: World) -> TestResponse:
    db.session.execute(update(Card).where(Card.code == w.card_code).values(flag="flagged"))
    db.session.commit()
    page = w.staff_client.get("/buero/pruefen?rally=advent")
    return w.staff_client.post(f"/buero/pruefen/karten/{w.card_code}",
                               data={"csrf_token": csrf_token(page.text), "flag": "cleared",
                                     "note": "in\x1bOrdnung"})


# (case, expected status, expected text)
FORM_CASES = {
    "shopper: typed code": (typed_code, 400, DU),
    "shopper: entry name": (entry_name, 400, DU),
    "shopper: entry contact": (entry_contact, 400, DU),
    "staff: login e-mail": (login_email, 400, SIE),
    "staff: login password": (login_password, 400, SIE),
    "staff: re-authentication": (reauthenticate, 400, SIE),
    "staff: new rally, name": (new_rally_name, 400, SIE),
    "staff: new rally, rules (multi-line)": (new_rally_rules, 400, SIE),
    "staff: rally prizes (multi-line)": (edit_rally_prizes, 400, SIE),
    "staff: rally status (radio)": (edit_rally_status, 400, SIE),
    "staff: new shop": (new_shop, 400, SIE),
    "staff: new shop, optional field": (new_shop_optional_field, 400, SIE),
    "staff: edit shop, description (multi-line)": (edit_shop, 400, SIE),
    "staff: add shop to rally (select)": (add_station, 400, SIE),
    "staff: import, a cell": (import_cell, 400, "Bitte entfernen Sie Steuerzeichen"),
    "staff: import, the file name": (import_file_name, 400, SIE),
    "staff: draw seal, title": (seal_title, 400, SIE),
    "staff: draw run, beacon value": (beacon, 400, SIE),
    "staff: card flag (button)": (card_flag, 400, BAD_REQUEST),
    "staff: card flag, note": (card_flag_note, 400, SIE),
    "staff: review queue, note": (review_note, 400, SIE),
}


def rows() -> dict[str, int]:
    """Rows of every table."""
    return {table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables}


@BOTH_DATABASES
@pytest.mark.parametrize("case", list(FORM_CASES))
def test_control_characters_in_a_form_are_refused(world: World, case: str) -> None:
    send, status, message = FORM_CASES[case]
    if send is beacon:
        sealed_draw(world)
    before = rows()
    response = send(world)
    assert response.status_code == status, response.text[:2000]
    assert message in response.text
    db.session.rollback()
    assert rows() == before


URL_CASES = {
    "scan page": ("GET", "/s/%00{token}", 404, NOT_FOUND),
    "stamp": ("POST", "/s/{token}%1b", 404, NOT_FOUND),
    "recovery link": ("GET", "/karte/wiederherstellen/%00/abc", 404, NOT_FOUND),
    "recovery POST": ("POST", "/karte/wiederherstellen/{card}/%7f", 404, NOT_FOUND),
    "card QR": ("GET", "/karte/qr/%00.svg", 404, NOT_FOUND),
    "poster": ("GET", "/s/{token}%00/plakat", 404, NOT_FOUND),
    "service page": ("GET", "/angebote/%00", 404, NOT_FOUND),
    "card flag": ("POST", "/buero/karten/%00/markierung", 404, NOT_FOUND),
    "poster PDF": ("GET", "/buero/plakate/advent%00.pdf", 404, NOT_FOUND),
    "rally choice": ("GET", "/buero/geschaefte?rally=advent%00", 400, BAD_REQUEST),
    "card lookup": ("GET", "/buero/karten?code=%00", 400, BAD_REQUEST),
    "next after login": ("GET", "/anmelden?next=/buero/%00", 400, BAD_REQUEST),
    "query name": ("GET", "/geschaefte?a%00=1", 400, BAD_REQUEST),
}


@BOTH_DATABASES
@pytest.mark.parametrize("case", list(URL_CASES))
def test_control_characters_in_urls_are_refused(world: World, case: str) -> None:
    method, url, status, message = URL_CASES[case]
    url = url.format(token=world.stations[0].token, card=world.card_code)
    client = world.staff_client
    before = rows()
    if method == "POST":
        page = client.get("/buero/")
        response = client.post(url, data={"csrf_token": csrf_token(page.text)})
    else:
        response = client.get(url)
    assert response.status_code == status
    assert message in response.text
    db.session.rollback()
    assert rows() == before


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f",
                                  "\x7f", "\x80", "\x85", "\x9f"])
def test_control_characters_are_found_in_any_text(char: str) -> None:
    assert has_control_characters(f"Laden{char}1")
    assert has_control_characters(f"Laden{char}1", multiline=True)


@pytest.mark.parametrize("char", ["\t", "\n", "\r"])
def test_line_breaks_and_tabs_only_in_multi_line_text(char: str) -> None:
    assert has_control_characters(f"Zeile 1{char}Zeile 2")
    assert not has_control_characters(f"Zeile 1{char}Zeile 2", multiline=True)


@pytest.mark.parametrize("text", ["Bäckerei Müller & Söhne", "Café „Mitte“", "50 € – 100 €",
                                  "İstanbul Kebap", "\u00a0geschützt", "👋"])
def test_ordinary_text_passes(text: str) -> None:
    assert not has_control_characters(text)


def test_line_breaks_in_text_areas_still_pass(world: World) -> None:
    response = post_form(world.staff_client, "/buero/rallyes/neu", **{
        **RALLY_FIELDS, "rules_text": "1.\tVeranstalter\r\n\r\n2. Teilnahme"})
    assert response.status_code == 303


def test_tab_in_a_single_line_field_is_refused(world: World) -> None:
    response = post_form(world.staff_client, "/buero/rallyes/neu", **{
        **RALLY_FIELDS, "name": "Blumen\tmarkt"})
    assert response.status_code == 400 and SIE in response.text


FORM_MODULES = [app.auth.forms, app.backoffice.forms, app.backoffice.draw_forms,
                app.rally.forms]


@pytest.mark.parametrize("module", FORM_MODULES, ids=lambda module: module.__name__)
def test_every_form_inherits_the_base_form(module: object) -> None:
    forms = [value for _name, value in inspect.getmembers(module, inspect.isclass)
             if issubclass(value, FlaskForm) and value.__module__ == module.__name__]
    assert forms
    for form in forms:
        assert issubclass(form, BaseForm), form
        if module is app.rally.forms:
            assert issubclass(form, ShopperForm), form
        else:
            assert not issubclass(form, ShopperForm), form


def test_no_form_class_bypasses_the_base_form() -> None:
    def subclasses(cls: type) -> set[type]:
        found = set(cls.__subclasses__())
        return found.union(*(subclasses(sub) for sub in found)) if found else found

    ours = {cls for cls in subclasses(FlaskForm) if cls.__module__.startswith("app.")}
    assert ours and all(issubclass(cls, BaseForm) for cls in ours), ours
