"""The Nachfolgebörse and the inquiries in the back office: create and edit profiles with
German refusals and nothing written, publish and retire by POST, the inquiries list with
the office's note and "erledigt", every change audited."""

from datetime import UTC

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent, Inquiry, SuccessorProfile
from app.services import inquiries, successors
from app.services.demo import load_successors

from ..helpers import FIRST_DAY, csrf_token
from .conftest import count

LIST = "/buero/nachfolge"
NEW = "/buero/nachfolge/neu"
INQUIRIES = "/buero/anfragen"
YEAR = FIRST_DAY.year
NOW = FIRST_DAY.astimezone(UTC)


def token(client: FlaskClient, path: str = LIST) -> str:
    return csrf_token(client.get(path).text)


def profile_form(client: FlaskClient, path: str = NEW, **overrides: str) -> dict[str, str]:
    values = {
        "csrf_token": token(client, path), "title": "Blumenladen am Markt",
        "sector": "retail", "employees": "2_5", "sales_area": "50_100", "area": "innenstadt",
        "timeline": "1_2_years", "description": "Ein **schöner** Laden.",
        "internal_note": "Inhaberin ruft lieber abends an.", "owner_name": "Rosa Blume",
        "owner_email": "Rosa.Blume@example.org", "owner_phone": "02366 12345",
    }
    values.update(overrides)
    return values


def audit_actions() -> list[tuple[str, str]]:
    return [(row.action, row.subject) for row in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("successor.%") |
                                 AuditEvent.action.like("inquiry.%")).order_by(AuditEvent.id))]


def test_staff_create_a_draft_and_edit_it(staff_client: FlaskClient, app: Flask) -> None:
    response = staff_client.post(NEW, data=profile_form(staff_client))
    assert response.status_code == 303
    [profile] = db.session.scalars(select(SuccessorProfile))
    assert response.headers["Location"] == f"/buero/nachfolge/{profile.id}"
    assert (profile.code, profile.status) == (f"N-{YEAR}-01", "draft")
    assert (profile.owner_name, profile.owner_email, profile.owner_phone) == (
        "Rosa Blume", "rosa.blume@example.org", "02366 12345")
    # Not public yet.
    assert staff_client.get(f"/nachfolge/{profile.code}").status_code == 404

    edit = f"/buero/nachfolge/{profile.id}"
    page = staff_client.get(edit).text
    assert "Rosa Blume" in page and "Inhaberin ruft lieber abends an." in page
    response = staff_client.post(edit, data=profile_form(
        staff_client, edit, title="Blumenladen mit Werkstatt", owner_phone=""))
    assert response.status_code == 303
    db.session.expire_all()
    assert (profile.title, profile.owner_phone, profile.code) == (
        "Blumenladen mit Werkstatt", "", f"N-{YEAR}-01")
    create, edited = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.like("successor.%")).order_by(AuditEvent.id))
    assert (create.action, edited.action) == ("successor.create", "successor.edit")
    assert edited.details == {"fields": ["owner_phone", "title"]}
    assert "Rosa" not in str(edited.details) and create.actor_id is not None


@pytest.mark.parametrize(("overrides", "message"), [
    ({"title": ""}, "Bitte geben Sie eine Überschrift ein"),
    ({"title": "x" * 121}, "Höchstens 120 Zeichen."),
    ({"sector": ""}, "Bitte wählen Sie einen Eintrag aus der Liste."),
    ({"area": "mond"}, "Bitte wählen Sie einen Eintrag aus der Liste."),
    ({"timeline": "nie"}, "Bitte wählen Sie einen Eintrag aus der Liste."),
    ({"owner_email": "rosa@"}, "Das ist keine gültige E-Mail-Adresse."),
    ({"owner_phone": "abends"}, "Telefonnummer nur mit Ziffern"),
    ({"owner_name": "Rosa\x00"}, "Steuerzeichen"),
])
def test_bad_profiles_get_a_german_message_and_write_nothing(
        staff_client: FlaskClient, app: Flask, overrides: dict[str, str],
        message: str) -> None:
    values = profile_form(staff_client, **overrides)
    audited = count(AuditEvent)
    response = staff_client.post(NEW, data=values)
    assert response.status_code == 400
    assert message in response.text
    assert count(SuccessorProfile) == 0 and count(AuditEvent) == audited


def test_the_preview_saves_nothing(staff_client: FlaskClient, app: Flask) -> None:
    values = profile_form(staff_client, aktion="vorschau")
    response = staff_client.post(NEW, data=values)
    assert response.status_code == 200
    assert "<strong>schöner</strong>" in response.text
    assert count(SuccessorProfile) == 0


def test_publish_and_retire_by_post(staff_client: FlaskClient, app: Flask) -> None:
    load_successors(NOW)
    db.session.commit()
    draft = successors.by_code(f"N-{YEAR}-04")
    assert draft is not None and draft.status == "draft"
    page = staff_client.get(LIST).text
    assert f"N-{YEAR}-04" in page and "Entwurf" in page
    # GET does not publish.
    assert staff_client.get(f"/buero/nachfolge/{draft.id}/veroeffentlichen").status_code == 405
    assert staff_client.post(f"/buero/nachfolge/{draft.id}/veroeffentlichen",
                             data={}).status_code == 400
    response = staff_client.post(f"/buero/nachfolge/{draft.id}/veroeffentlichen",
                                 data={"csrf_token": token(staff_client)})
    assert response.status_code == 303
    db.session.expire_all()
    assert draft.status == "published" and draft.published_at == clock.utcnow()
    assert staff_client.get(f"/nachfolge/{draft.code}").status_code == 200
    response = staff_client.post(f"/buero/nachfolge/{draft.id}/zurueckziehen",
                                 data={"csrf_token": token(staff_client)})
    assert response.status_code == 303
    db.session.expire_all()
    assert draft.status == "retired" and draft.retired_at is not None
    assert staff_client.get(f"/nachfolge/{draft.code}").status_code == 410
    # Retiring twice is refused with a message, nothing audited.
    before = audit_actions()
    response = staff_client.post(f"/buero/nachfolge/{draft.id}/zurueckziehen",
                                 data={"csrf_token": token(staff_client)})
    assert "Das Profil hat diesen Stand schon." in staff_client.get(
        response.headers["Location"]).text
    assert audit_actions() == before == [("successor.publish", draft.code),
                                         ("successor.retire", draft.code)]
    assert staff_client.post("/buero/nachfolge/999/zurueckziehen",
                             data={"csrf_token": token(staff_client)}).status_code == 404


def make_inquiry(code: str, email: str = "jana@example.org") -> Inquiry:
    found = successors.by_code(code)
    assert found is not None
    return inquiries.submit(subject_kind="successor", subject_id=found.id, name="Jana",
                            email=email, phone="", message="Ich habe Interesse.",
                            consent=True, now=NOW)


def test_inquiries_are_listed_and_handled(staff_client: FlaskClient, app: Flask) -> None:
    load_successors(NOW)
    db.session.commit()
    first = make_inquiry(f"N-{YEAR}-01")
    second = make_inquiry(f"N-{YEAR}-02", "max@example.org")
    page = staff_client.get(INQUIRIES).text
    assert "Offen (2)" in page and "Erledigt (0)" in page
    assert page.index("max@example.org") < page.index("jana@example.org")  # newest first
    assert staff_client.get(LIST).text.count('data-label="Offene Anfragen">1<') == 2

    prefix = f"anfrage{first.id}-"
    response = staff_client.post(f"{INQUIRIES}/{first.id}", data={
        prefix + "csrf_token": token(staff_client, INQUIRIES),
        prefix + "staff_note": "Angerufen, Termin am Montag.", "aktion": "erledigt"})
    assert response.status_code == 303
    db.session.expire_all()
    assert first.handled_at == clock.utcnow()
    assert first.staff_note == "Angerufen, Termin am Montag."
    assert second.handled_at is None
    page = staff_client.get(INQUIRIES).text
    assert "Offen (1)" in page and "Erledigt (1)" in page
    assert "Angerufen, Termin am Montag." in page

    response = staff_client.post(f"{INQUIRIES}/{first.id}", data={
        prefix + "csrf_token": token(staff_client, INQUIRIES),
        prefix + "staff_note": "Doch noch offen.", "aktion": "offen"})
    db.session.expire_all()
    assert first.handled_at is None and first.staff_note == "Doch noch offen."
    assert [a for a, _ in audit_actions()] == ["inquiry.handled", "inquiry.reopened"]
    # Without the token nothing changes; an unknown inquiry is 404.
    assert staff_client.post(f"{INQUIRIES}/{first.id}", data={
        prefix + "staff_note": "x", "aktion": "erledigt"}).status_code == 400
    assert staff_client.post(f"{INQUIRIES}/999", data={
        "anfrage999-csrf_token": token(staff_client, INQUIRIES)}).status_code == 404
    db.session.expire_all()
    assert first.handled_at is None


def test_the_navigation_names_both_pages(staff_client: FlaskClient, app: Flask) -> None:
    page = staff_client.get(INQUIRIES).text
    assert 'href="/buero/anfragen" aria-current="page"' in page
    assert 'href="/buero/nachfolge"' in page
    assert 'href="/buero/nachfolge" aria-current="page"' in staff_client.get(NEW).text
