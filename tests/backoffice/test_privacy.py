"""The back office's Datenschutz page: registry, export and deletion by address."""

import json
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent, Entry, LoginAttempt, User
from app.services import privacy

from ..helpers import FIRST_DAY, csrf_token, make_card, make_entry, make_rally
from .conftest import log_in

PERSON = "pia@example.org"


def some_data() -> Entry:
    """An entry and a login attempt of PERSON, an entry of someone else."""
    rally = make_rally()
    entry = make_entry(make_card(rally, [], 0), contact=PERSON, name="Pia Person")
    make_entry(make_card(rally, [], 0), contact="other@example.org")
    db.session.add(LoginAttempt(email=PERSON, address="203.0.113.9", at=FIRST_DAY))
    db.session.commit()
    return entry


def token(client: FlaskClient) -> str:
    return csrf_token(client.get("/buero/datenschutz").text)


def test_page_lists_every_kind_with_retention_and_count(staff_client: FlaskClient) -> None:
    some_data()
    page = staff_client.get("/buero/datenschutz")
    assert page.status_code == 200
    for item in privacy.counts():
        assert str(item.kind.label) in page.text
        assert privacy.retention(item.kind) in page.text
    assert "3 Monate nach dem Ende der Rallye" in page.text
    assert 'aria-current="page">Datenschutz<' in page.text
    assert PERSON not in page.text


def test_export_downloads_json_and_is_audited_without_the_address(
    staff_client: FlaskClient, staff_user: User
) -> None:
    some_data()
    response = staff_client.post("/buero/datenschutz/auskunft",
                                 data={"csrf_token": token(staff_client), "email": PERSON})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert PERSON not in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert [e["name"] for e in data["data"]["entries"]] == ["Pia Person"]
    assert data["data"]["login_attempts"][0]["ip_address"] == "203.0.113.9"
    assert "other@example.org" not in response.text
    event = db.session.scalars(select(AuditEvent)
                               .where(AuditEvent.action == "privacy.export")).one()
    assert event.actor_id == staff_user.id
    assert PERSON not in json.dumps([event.subject, event.details])
    assert event.subject == privacy.email_reference(PERSON)


def test_delete_shows_what_goes_then_deletes(staff_client: FlaskClient) -> None:
    entry = some_data()
    check = staff_client.post("/buero/datenschutz/loeschen",
                              data={"csrf_token": token(staff_client), "email": PERSON})
    assert check.status_code == 200
    assert "Teilnahmen an der Verlosung: 1" in check.text
    assert "Fehlgeschlagene Anmeldeversuche: 1" in check.text
    assert db.session.get_one(Entry, entry.id).name == "Pia Person"  # nothing yet

    done = staff_client.post("/buero/datenschutz/loeschen/bestaetigen",
                             data={"csrf_token": csrf_token(check.text), "email": PERSON})
    assert done.status_code == 303
    assert done.headers["Location"].endswith("/buero/datenschutz")
    page = staff_client.get("/buero/datenschutz")
    assert "Teilnahmen an der Verlosung: 1 anonymisiert" in page.text
    db.session.expire_all()
    assert db.session.get_one(Entry, entry.id).name == ""
    assert privacy.held(PERSON) == {}
    assert privacy.held("other@example.org")
    event = db.session.scalars(select(AuditEvent)
                               .where(AuditEvent.action == "privacy.delete")).one()
    assert event.details == {"kinds": {"entries": 1, "login_attempts": 1}}
    assert PERSON not in json.dumps([event.subject, event.details])


def test_nothing_held_says_so(staff_client: FlaskClient) -> None:
    check = staff_client.post("/buero/datenschutz/loeschen",
                              data={"csrf_token": token(staff_client), "email": PERSON})
    assert check.status_code == 200
    assert "Zu dieser Adresse ist nichts gespeichert." in check.text
    assert "Endgültig löschen" not in check.text


def test_bad_address_and_own_account_are_refused(staff_client: FlaskClient,
                                                 staff_user: User) -> None:
    bad = staff_client.post("/buero/datenschutz/auskunft",
                            data={"csrf_token": token(staff_client), "email": "pia"})
    assert bad.status_code == 400
    assert "gültige E-Mail-Adresse" in bad.text
    empty = staff_client.post("/buero/datenschutz/loeschen",
                              data={"csrf_token": token(staff_client), "email": ""})
    assert empty.status_code == 400
    own = staff_client.post("/buero/datenschutz/loeschen/bestaetigen",
                            data={"csrf_token": token(staff_client), "email": staff_user.email})
    assert own.status_code == 400
    assert "eigenen Kontos" in own.text
    db.session.expire_all()
    assert db.session.get_one(User, staff_user.id).active
    assert not db.session.scalars(select(AuditEvent)
                                  .where(AuditEvent.action.like("privacy.%"))).all()


def test_export_and_delete_need_a_fresh_login(
    app: Flask, staff_user: User, freeze: Callable[[datetime], None]
) -> None:
    some_data()
    client = app.test_client()
    log_in(client, staff_user, clock.utcnow() - timedelta(minutes=11))
    assert client.get("/buero/datenschutz").status_code == 200  # the overview is not
    form = token(client)
    for url in ("/buero/datenschutz/auskunft", "/buero/datenschutz/loeschen",
                "/buero/datenschutz/loeschen/bestaetigen"):
        response = client.post(url, data={"csrf_token": form, "email": PERSON},
                               headers={"Referer": "http://rallye.test/buero/datenschutz"})
        assert response.status_code == 302, url
        assert "/anmelden/bestaetigen" in response.headers["Location"]
    assert privacy.held(PERSON)
    assert not db.session.scalars(select(AuditEvent)
                                  .where(AuditEvent.action.like("privacy.%"))).all()


def test_export_and_delete_are_post_only(staff_client: FlaskClient) -> None:
    for url in ("/buero/datenschutz/auskunft", "/buero/datenschutz/loeschen",
                "/buero/datenschutz/loeschen/bestaetigen"):
        assert staff_client.get(url).status_code == 405
