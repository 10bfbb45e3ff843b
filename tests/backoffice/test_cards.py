"""Card lookup at the counter and the flag actions."""

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Card, Entry, Stamp, User
from app.services.cards import normalise_card_code, set_card_flag
from app.services.editing import EditError

from ..helpers import FIRST_DAY, csrf_token, make_rally, make_station
from .conftest import count

both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
def card(app, rally_with_shops) -> Card:
    """A card (code K7QM-21P0) with two stamps and an entry."""
    rally, stations = rally_with_shops
    found = Card(rally_id=rally.id, code="K7QM-21P0", created_at=FIRST_DAY)
    db.session.add(found)
    db.session.flush()
    for offset, station in enumerate(stations[:2]):
        db.session.add(Stamp(rally_id=rally.id, card_id=found.id, station_id=station.id,
                             created_at=FIRST_DAY + timedelta(minutes=15 * offset),
                             source="qr" if offset == 0 else "short_code"))
    db.session.add(Entry(rally_id=rally.id, card_id=found.id, name="Erika Mustermann",
                         contact_kind="email", contact="erika@example.test",
                         age_confirmed=True, terms_accepted_at=FIRST_DAY,
                         privacy_accepted_at=FIRST_DAY, created_at=FIRST_DAY))
    db.session.commit()
    return found


@pytest.mark.parametrize("typed", ["K7QM-21P0", "k7qm21p0", " k7qm 21p0 ", "K7QM-2lPO",
                                   "k7qm–21p0".replace("–", "-")])
def test_lookup_reads_the_code_as_people_type_it(staff_client: FlaskClient, card: Card,
                                                 typed: str) -> None:
    response = staff_client.get("/buero/karten", query_string={"code": typed})
    assert response.status_code == 200
    assert "K7QM-21P0" in response.text
    assert "Bäckerei Korn" in response.text and "Café Mitte" in response.text
    assert "1.12. 09:00:00" in response.text  # local time, to the second
    assert "1.12. 09:15:00" in response.text and "15 min 00 s" in response.text
    assert "Code getippt" in response.text
    assert "2 von 3 für die Verlosung" in response.text


def test_lookup_shows_only_that_an_entry_exists(staff_client: FlaskClient, card: Card) -> None:
    page = staff_client.get("/buero/karten?code=K7QM-21P0")
    assert "Teilnahme seit Dienstag, 1. Dezember 2026, 09:00 Uhr" in page.text
    assert "Erika" not in page.text and "erika@example.test" not in page.text


def test_lookup_of_a_card_without_entry(staff_client: FlaskClient, rally_with_shops) -> None:
    rally, _stations = rally_with_shops
    db.session.add(Card(rally_id=rally.id, code="AAAA-BBBB", created_at=FIRST_DAY))
    db.session.commit()
    page = staff_client.get("/buero/karten?code=aaaabbbb")
    assert "keine Teilnahme" in page.text and "Noch keine Stempel." in page.text


@pytest.mark.parametrize(
    ("typed", "status", "message"),
    [
        ("K7QM", 400, "„K7QM“ ist kein Kartencode."),
        ("K7QM-2XPU", 400, "ist kein Kartencode"),  # U is not in Crockford's alphabet
        ("ZZZZ-ZZZZ", 404, "Eine Karte ZZZZ-ZZZZ gibt es nicht."),
    ],
)
def test_lookup_explains_what_it_cannot_find(staff_client: FlaskClient, card: Card, typed: str,
                                             status: int, message: str) -> None:
    response = staff_client.get("/buero/karten", query_string={"code": typed})
    assert response.status_code == status
    assert message in response.text
    assert 'aria-invalid="true"' in response.text


def test_flag_clear_and_exclude(staff_client: FlaskClient, card: Card, staff_user: User) -> None:
    page = staff_client.get("/buero/karten?code=K7QM-21P0")
    assert "Zur Prüfung markieren" in page.text and "Geprüft, in Ordnung" not in page.text
    token = csrf_token(page.text)
    for flag, shown, note in (("flagged", "markiert – zur Prüfung", ""),
                              ("cleared", "geprüft, in Ordnung", ""),
                              ("excluded", "von der Verlosung ausgeschlossen", "Foto geteilt")):
        response = staff_client.post("/buero/karten/K7QM-21P0/markierung",
                                     data={"csrf_token": token, "flag": flag, "note": note})
        assert response.status_code == 303
        assert response.headers["Location"].endswith("/buero/karten?code=K7QM-21P0")
        db.session.expire_all()
        assert db.session.get(Card, card.id).flag == flag
        assert shown in staff_client.get(response.headers["Location"]).text
    events = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.like("card.%")).order_by(AuditEvent.id)))
    assert [e.action for e in events] == ["card.flagged", "card.cleared", "card.excluded"]
    assert all(e.actor_id == staff_user.id and e.subject == "K7QM-21P0" for e in events)
    assert events[1].details["previous"] == "flagged"
    assert events[2].details["note"] == "Foto geteilt"


def test_excluding_needs_a_note(staff_client: FlaskClient, card: Card) -> None:
    page = staff_client.get("/buero/karten?code=K7QM-21P0")
    response = staff_client.post("/buero/karten/K7QM-21P0/markierung",
                                 data={"csrf_token": csrf_token(page.text), "flag": "excluded",
                                       "note": "  "})
    assert response.status_code == 400
    assert "warum die Karte ausgeschlossen wird" in response.text
    assert 'aria-invalid="true"' in response.text
    db.session.expire_all()
    assert db.session.get(Card, card.id).flag == "none"
    assert count(AuditEvent) == 1  # create_user's


@pytest.mark.parametrize("data", [{"flag": "none"}, {"flag": "gelöscht"}, {}])
def test_unknown_flag_actions_are_400(staff_client: FlaskClient, card: Card, data) -> None:
    page = staff_client.get("/buero/karten?code=K7QM-21P0")
    response = staff_client.post("/buero/karten/K7QM-21P0/markierung",
                                 data={"csrf_token": csrf_token(page.text), **data})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Card, card.id).flag == "none"
    assert count(AuditEvent) == 1  # create_user's


def test_flag_needs_csrf_and_a_known_card(staff_client: FlaskClient, card: Card) -> None:
    assert staff_client.post("/buero/karten/K7QM-21P0/markierung",
                             data={"flag": "flagged"}).status_code == 400
    page = staff_client.get("/buero/karten?code=K7QM-21P0")
    assert staff_client.post("/buero/karten/ZZZZ-ZZZZ/markierung",
                             data={"csrf_token": csrf_token(page.text),
                                   "flag": "flagged"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Card, card.id).flag == "none"


def test_the_lookup_page_points_to_the_review_queue(staff_client: FlaskClient,
                                                    card: Card) -> None:
    assert "Keine Karte wartet auf eine Prüfung." in staff_client.get("/buero/karten").text
    card.flag = "flagged"
    db.session.commit()
    page = staff_client.get("/buero/karten")
    assert "1 Karte wartet auf eine Prüfung." in page.text
    assert "/buero/pruefen" in page.text
    review = staff_client.get("/buero/pruefen")
    assert "/buero/karten?code=K7QM-21P0" in review.text
    assert "Von Hand zur Prüfung markiert." in review.text
    dashboard = staff_client.get("/buero/")
    assert "Karte prüfen" in dashboard.text and "/buero/pruefen" in dashboard.text


@both_databases
def test_set_card_flag_on_both_databases(app) -> None:
    rally = make_rally()
    make_station(rally)
    found = Card(rally_id=rally.id, code="AAAA-1111", created_at=FIRST_DAY)
    db.session.add(found)
    db.session.commit()
    set_card_flag(card_id=found.id, flag="flagged", now=FIRST_DAY)
    set_card_flag(card_id=found.id, flag="flagged", now=FIRST_DAY)  # no change, no event
    assert count(AuditEvent) == 1
    with pytest.raises(EditError) as excinfo:
        set_card_flag(card_id=found.id, flag="none", now=FIRST_DAY)
    assert excinfo.value.code == "bad_flag"
    with pytest.raises(EditError) as excinfo:
        set_card_flag(card_id=999, flag="cleared", now=FIRST_DAY)
    assert excinfo.value.code == "unknown_card"


@pytest.mark.parametrize(("typed", "expected"), [
    ("k7qm2xpa", "K7QM-2XPA"), ("K7QM-2XPA", "K7QM-2XPA"), ("o0il-1111", "0011-1111"),
    ("K7QM2XP", None), ("K7QM-2XPA-1", None), ("", None), ("K7QM_2XPA", None),
])
def test_normalise_card_code(typed: str, expected: str | None) -> None:
    assert normalise_card_code(typed) == expected
