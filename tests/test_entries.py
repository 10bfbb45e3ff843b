"""Entering the draw from the card page, and what the card page says afterwards."""

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Entry
from app.services.entries import EntryError, enter_draw, normalise_contact

from .helpers import AFTER_END, LAST_DAY, csrf_token, make_prizes, make_rally, make_station


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Anna@Example.ORG", ("email", "anna@example.org")),
        ("  anna@example.org ", ("email", "anna@example.org")),
        ("0171 2345678", ("phone", "+491712345678")),
        ("+49 (171) 234-5678", ("phone", "+491712345678")),
        ("02366 9360621", ("phone", "+4923669360621")),
        ("0049 2366 9360621", ("phone", "+4923669360621")),
    ],
)
def test_contacts_are_normalised(raw: str, expected: tuple[str, str]) -> None:
    assert normalise_contact(raw) == expected


@pytest.mark.parametrize("raw", ["", "anna@", "@example.org", "12", "hallo", "0171\x002345678"])
def test_bad_contacts_are_refused(raw: str) -> None:
    with pytest.raises(EntryError) as excinfo:
        normalise_contact(raw)
    assert excinfo.value.code == "bad_contact"


def stamp_all(client: FlaskClient, stations) -> None:
    """Stamp every station in the browser of ``client``."""
    for station in stations:
        page = client.get(f"/s/{station.token}")
        client.post(f"/s/{station.token}", data={"csrf_token": csrf_token(page.text)})


@pytest.fixture
def stations(app: Flask, freeze):
    """A rally with goal 3 and three stations, clock on 1 December."""
    rally = make_rally()
    made = [make_station(rally) for _ in range(3)]
    make_prizes(rally, 2)
    db.session.commit()
    return made


def entry_form(client: FlaskClient, **overrides: str) -> dict[str, str]:
    """A filled-in entry form with a fresh CSRF token."""
    data = {
        "csrf_token": csrf_token(client.get("/karte/teilnahme").text),
        "name": "Anna Beispiel",
        "contact": "anna@example.org",
        "adult": "y",
        "consent": "y",
    }
    data.update(overrides)
    return data


def test_card_offers_the_entry_once_the_goal_is_reached(client, stations) -> None:
    stamp_all(client, stations[:2])
    assert '/karte/teilnahme' not in client.get("/karte").text
    assert "Dir fehlt noch 1 Stempel" in client.get("/karte/teilnahme").text
    stamp_all(client, stations[2:])
    card = client.get("/karte").text
    assert 'href="/karte/teilnahme"' in card
    page = client.get("/karte/teilnahme").text
    assert "Art. 6 Abs. 1 lit. b DSGVO" in page and "Wer ist verantwortlich?" in page


def test_entering_puts_the_card_in_the_pool(client, stations) -> None:
    stamp_all(client, stations)
    response = client.post("/karte/teilnahme", data=entry_form(client))
    assert response.status_code == 303
    card = client.get("/karte").text
    assert card.count("Lostopf") == 1  # the notice says it, the status not again
    assert "Du bist im Lostopf! Viel Glück bei der Verlosung" in card  # the notice, once
    later = client.get("/karte").text
    assert "Viel Glück bei der Verlosung" not in later
    assert "Du nimmst an der Verlosung teil." in later
    entry = db.session.scalars(select(Entry)).one()
    assert entry.contact == "anna@example.org" and entry.age_confirmed
    assert client.get("/karte/teilnahme").status_code == 302  # already entered


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Bitte gib deinen Namen ein."),
        ({"name": "x" * 101}, "höchstens 100 Zeichen"),
        ({"contact": "keine-adresse"}, "weder eine gültige E-Mail-Adresse"),
        ({"contact": "anna@example.org\x00"}, "Bitte entferne Steuerzeichen aus diesem Feld"),
        ({"adult": ""}, "ab 16 Jahren"),
        ({"consent": ""}, "Teilnahmebedingungen zu"),
    ],
)
def test_entry_errors_are_400_and_write_nothing(client, stations, overrides, message) -> None:
    stamp_all(client, stations)
    data = entry_form(client, **overrides)
    data = {key: value for key, value in data.items() if value != "" or key in ("name",)}
    response = client.post("/karte/teilnahme", data=data)
    assert response.status_code == 400
    assert message in response.text
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0


def test_one_entry_per_contact(app: Flask, client, stations) -> None:
    stamp_all(client, stations)
    client.post("/karte/teilnahme", data=entry_form(client, contact="0171 2345678"))
    other = app.test_client()
    stamp_all(other, stations)
    response = other.post("/karte/teilnahme", data=entry_form(other, contact="+49171 2345678"))
    assert response.status_code == 400
    assert "nimmt schon jemand teil" in response.text
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 1


def test_entry_after_close_is_refused(client, stations, freeze) -> None:
    stamp_all(client, stations)
    data = entry_form(client)
    freeze(AFTER_END)
    response = client.post("/karte/teilnahme", data=data)
    assert response.status_code == 409
    assert "geschlossen" in response.text
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0


def test_service_refuses_a_second_entry_of_the_same_card(client, stations) -> None:
    stamp_all(client, stations)
    client.post("/karte/teilnahme", data=entry_form(client))
    card_id = db.session.scalars(select(Entry.card_id)).one()
    with pytest.raises(EntryError) as excinfo:
        enter_draw(card_id=card_id, name="B", contact="b@example.org", age_confirmed=True,
                   consent=True, now=LAST_DAY)
    assert excinfo.value.code == "already_entered"


def test_card_shows_a_win(app: Flask, client, stations, freeze) -> None:
    from app.services.draws import run_draw, seal_draw

    stamp_all(client, stations)
    client.post("/karte/teilnahme", data=entry_form(client))
    rally_id = stations[0].rally_id
    prizes = [p.id for p in stations[0].rally.prizes]
    draw = seal_draw(rally_id=rally_id, kind="final", prize_ids=prizes[:1], beacon_chain=None,
                     reason="Test", now=LAST_DAY)
    run_draw(draw_id=draw.id, now=LAST_DAY)
    card = client.get("/karte").text
    assert "Du hast gewonnen: Preis 1!" in card
