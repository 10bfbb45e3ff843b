"""The appointment desk in the back office: the week, the actions on a booking with their
mails, the settings pages with refusals in German and nothing stored, the private feed."""

from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import (
    Appointment,
    AppointmentTopic,
    AuditEvent,
    OfficeClosure,
    OfficeHours,
    OutboxMail,
    User,
)

from ..helpers import csrf_token
from ..smtp import Mailbox
from ..test_appointment_desk import at, fresh, make_booking, make_topic, slots_of
from .conftest import count

DESK = "/buero/termine"
SETTINGS = "/buero/termine/einstellungen"
TOPICS = "/buero/termine/einstellungen/themen"
CLOSURES = "/buero/termine/einstellungen/schliessungen"


def token(client: FlaskClient, path: str = DESK) -> str:
    """A CSRF token from a page of the desk."""
    return csrf_token(client.get(path).text)


def test_the_week_shows_today_and_each_booking(staff_client: FlaskClient) -> None:
    db.session.add_all([OfficeHours(weekday=day, opens=540, closes=960, advisers=2)
                        for day in range(4)])
    booking = make_booking(at(1, 10), phone="02366 303-210", note="Nachfolge im Laden")
    make_booking(at(1, 10), adviser=2, name="Karl Beispiel", status="confirmed")
    make_booking(at(8, 11), name="Leonie Später")

    page = staff_client.get(DESK)
    assert page.status_code == 200
    html = page.text
    assert 'id="heute"' in html and "Dienstag, 1. Dezember" in html
    assert "Beratungsplatz 1" in html and "Beratungsplatz 2" in html
    assert "10:00–10:30" in html and "Kurzberatung" in html and "Erika Muster" in html
    assert 'href="mailto:erika@example.org"' in html
    assert 'href="tel:+492366303210"' in html
    assert "Nachfolge im Laden" in html
    assert "angefragt" in html and "bestätigt" in html
    assert f'id="termin-{booking.id}"' in html
    assert "Leonie Später" not in html
    assert "Termine" in html and 'aria-current="page">Termine<' in html

    later = staff_client.get(f"{DESK}?woche=2026-12-09")  # a Wednesday: its week
    assert later.status_code == 200
    assert "Leonie Später" in later.text and "Woche vom 7. Dezember bis 10. Dezember" in later.text
    assert staff_client.get(f"{DESK}?woche=nein").status_code == 404


def test_the_week_needs_few_queries(app: Flask, staff_client: FlaskClient) -> None:
    for hour in (9, 10, 11, 13, 14, 15):
        make_booking(at(2, hour), topic=make_topic(f"Thema {hour}"))
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert staff_client.get(DESK).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) <= 8, statements


def test_get_changes_nothing(staff_client: FlaskClient) -> None:
    booking = make_booking(at(3, 14))
    for path in (DESK, SETTINGS, TOPICS, CLOSURES):
        assert staff_client.get(path).status_code == 200
    for action in ("bestaetigen", "absagen", "nicht-erschienen", "notiz"):
        assert staff_client.get(f"{DESK}/{booking.id}/{action}").status_code == 405
    assert fresh(booking).status == "requested"
    assert count(OutboxMail) == 0


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_confirm_sends_the_mail_once(staff_client: FlaskClient, mailbox: Mailbox) -> None:
    booking = make_booking(at(3, 14))
    csrf = token(staff_client)
    with staff_client.post(f"{DESK}/{booking.id}/bestaetigen",
                           data={"csrf_token": csrf}) as response:
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"?woche=2026-11-30#termin-{booking.id}")
    with staff_client.post(f"{DESK}/{booking.id}/bestaetigen",
                           data={"csrf_token": csrf}) as response:
        assert response.status_code == 303
    assert fresh(booking).status == "confirmed"
    [message] = mailbox.to("erika@example.org")
    link = f"http://rallye.test/termine/{booking.token}"
    assert link in Mailbox.text(message) and f'href="{link}"' in Mailbox.html(message)
    assert "<img" not in Mailbox.html(message)
    [ics] = Mailbox.attachments(message).values()
    [entry] = Calendar.from_ical(ics).walk("VEVENT")
    assert entry.decoded("DTSTART").astimezone(UTC) == datetime(2026, 12, 3, 13, 0, tzinfo=UTC)
    assert "war schon bestätigt" in staff_client.get(DESK).text
    audit = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "appointment.confirm")).one()
    assert audit.actor_id is not None


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_decline_with_a_message_frees_the_slots(staff_client: FlaskClient,
                                                mailbox: Mailbox) -> None:
    booking = make_booking(at(3, 14), status="confirmed")
    data = {"csrf_token": token(staff_client),
            f"t{booking.id}-message": "Leider ist an diesem Tag niemand im Büro."}
    with staff_client.post(f"{DESK}/{booking.id}/absagen", data=data) as response:
        assert response.status_code == 303
    with staff_client.post(f"{DESK}/{booking.id}/absagen", data=data) as response:
        assert response.status_code == 303
    assert fresh(booking).status == "declined" and slots_of(booking) == 0
    [message] = mailbox.to("erika@example.org")
    assert "niemand im Büro" in Mailbox.text(message)
    again = make_booking(at(3, 14), topic=booking.topic, email="neu@example.org")
    assert slots_of(again) == 2


def test_a_too_long_decline_message_is_refused(staff_client: FlaskClient) -> None:
    booking = make_booking(at(3, 14))
    response = staff_client.post(f"{DESK}/{booking.id}/absagen", data={
        "csrf_token": token(staff_client), f"t{booking.id}-message": "x" * 1001})
    assert response.status_code == 400
    assert "Höchstens 1000 Zeichen." in response.text
    assert fresh(booking).status == "requested" and slots_of(booking) == 2
    assert count(OutboxMail) == 0


def test_no_show_and_note(staff_client: FlaskClient, freeze, mailbox: Mailbox) -> None:
    booking = make_booking(at(1, 8), status="confirmed")  # began an hour ago
    csrf = token(staff_client)
    assert "Nicht erschienen" in staff_client.get(DESK).text
    response = staff_client.post(f"{DESK}/{booking.id}/nicht-erschienen",
                                 data={"csrf_token": csrf})
    assert response.status_code == 303
    response = staff_client.post(f"{DESK}/{booking.id}/notiz", data={
        "csrf_token": csrf, f"t{booking.id}-staff_note": "Hat abends angerufen."})
    assert response.status_code == 303
    stored = fresh(booking)
    assert (stored.status, stored.staff_note) == ("no_show", "Hat abends angerufen.")
    assert count(OutboxMail) == 0
    page = staff_client.get(DESK).text
    assert "nicht erschienen" in page and "Hat abends angerufen." in page


def test_no_show_before_the_time_is_refused(staff_client: FlaskClient) -> None:
    booking = make_booking(at(3, 14))
    response = staff_client.post(f"{DESK}/{booking.id}/nicht-erschienen",
                                 data={"csrf_token": token(staff_client)})
    assert response.status_code == 303
    assert "erst, wenn der Termin begonnen hat" in staff_client.get(DESK).text
    assert fresh(booking).status == "requested"


def test_actions_need_the_token_and_an_existing_booking(staff_client: FlaskClient) -> None:
    booking = make_booking(at(3, 14))
    assert staff_client.post(f"{DESK}/{booking.id}/bestaetigen").status_code == 400
    assert staff_client.post(f"{DESK}/{booking.id}/notiz").status_code == 400
    csrf = token(staff_client)
    assert staff_client.post(f"{DESK}/999/bestaetigen",
                             data={"csrf_token": csrf}).status_code == 404
    assert staff_client.post(f"{DESK}/999/absagen",
                             data={"csrf_token": csrf}).status_code == 404
    assert fresh(booking).status == "requested"


# --- settings --------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_the_week_is_saved(staff_client: FlaskClient) -> None:
    booking = make_booking(at(3, 14))
    page = staff_client.get(SETTINGS)
    assert "Schon gebuchte Termine bleiben bestehen" in page.text
    response = staff_client.post(SETTINGS, data={
        "csrf_token": csrf_token(page.text),
        "d0_1_opens": "09:00", "d0_1_closes": "12:00", "d0_1_advisers": "2",
        "d0_2_opens": "13:00", "d0_2_closes": "16:00", "d0_2_advisers": "1",
    })
    assert response.status_code == 303
    stored = [(h.weekday, h.opens, h.closes, h.advisers)
              for h in db.session.scalars(select(OfficeHours).order_by(OfficeHours.opens))]
    assert stored == [(0, 540, 720, 2), (0, 780, 960, 1)]
    assert fresh(booking).status == "requested"
    filled = staff_client.get(SETTINGS).text
    assert 'value="09:00"' in filled and 'value="2"' in filled


@pytest.mark.parametrize(("values", "message"), [
    ({"d0_1_opens": "09:10", "d0_1_closes": "12:00"}, "nicht im Viertelstundenraster"),
    ({"d0_1_opens": "12:00", "d0_1_closes": "09:00"}, "Das Ende muss nach dem Beginn liegen."),
    ({"d0_1_opens": "09:00", "d0_1_closes": "12:00", "d0_2_opens": "11:00",
      "d0_2_closes": "13:00"}, "überschneidet sich"),
    ({"d0_1_opens": "09:00", "d0_1_closes": "12:00", "d0_1_advisers": "30"},
     "ganze Zahl von 1 bis 20"),
    ({"d0_1_opens": "09:00"}, "Bitte geben Sie beide Zeiten an"),
])
def test_a_bad_week_is_refused_in_german(staff_client: FlaskClient, values: dict[str, str],
                                         message: str) -> None:
    response = staff_client.post(SETTINGS, data={"csrf_token": token(staff_client, SETTINGS),
                                                 **values})
    assert response.status_code == 400
    assert message in response.text and "Bitte prüfen Sie Ihre Angaben" in response.text
    assert count(OfficeHours) == 0


def test_topics_are_added_and_edited(staff_client: FlaskClient) -> None:
    csrf = token(staff_client, TOPICS)
    response = staff_client.post(TOPICS, data={
        "csrf_token": csrf, "neu-name": "Unternehmensnachfolge",
        "neu-duration_minutes": "60", "neu-position": "2", "neu-active": "y",
        "neu-service_id": "0"})
    assert response.status_code == 303
    topic = db.session.scalars(select(AppointmentTopic)).one()
    assert (topic.slug, topic.duration_minutes, topic.active) == (
        "unternehmensnachfolge", 60, True)
    response = staff_client.post(f"{TOPICS}/{topic.id}", data={
        "csrf_token": csrf, f"thema-{topic.id}-name": "Nachfolge",
        f"thema-{topic.id}-duration_minutes": "45", f"thema-{topic.id}-position": "2",
        f"thema-{topic.id}-service_id": "0"})
    assert response.status_code == 303
    db.session.expire_all()
    assert (topic.name, topic.duration_minutes, topic.active) == ("Nachfolge", 45, False)
    assert 'value="Nachfolge"' in staff_client.get(TOPICS).text


@pytest.mark.parametrize(("values", "message"), [
    ({"neu-name": ""}, "Bitte geben Sie einen Namen ein."),
    ({"neu-duration_minutes": "20"}, "Vielfaches von 15 Minuten"),
    ({"neu-duration_minutes": "lang"}, "Vielfaches von 15 Minuten"),
    ({"neu-position": "-1"}, "ganze Zahl von 0 bis 999"),
    ({"neu-service_id": "77"}, "Bitte prüfen Sie Ihre Angaben"),
])
def test_a_bad_topic_is_refused(staff_client: FlaskClient, values: dict[str, str],
                                message: str) -> None:
    data = {"csrf_token": token(staff_client, TOPICS), "neu-name": "Sonstiges",
            "neu-duration_minutes": "30", "neu-position": "0", "neu-service_id": "0",
            **values}
    response = staff_client.post(TOPICS, data=data)
    assert response.status_code == 400
    assert message in response.text
    assert count(AppointmentTopic) == 0


def test_closures_are_added_and_removed(staff_client: FlaskClient) -> None:
    make_booking(at(22, 10))
    csrf = token(staff_client, CLOSURES)
    response = staff_client.post(CLOSURES, data={
        "csrf_token": csrf, "starts_on": "2026-12-21", "ends_on": "2026-12-23",
        "reason": "Betriebsurlaub"})
    assert response.status_code == 303
    closure = db.session.scalars(select(OfficeClosure)).one()
    assert (closure.starts_on, closure.ends_on) == (date(2026, 12, 21), date(2026, 12, 23))
    page = staff_client.get(CLOSURES).text
    assert "Betriebsurlaub" in page and "1 Termin gebucht" in page
    assert "Geschlossen: Betriebsurlaub" in staff_client.get(f"{DESK}?woche=2026-12-21").text
    for _ in range(2):  # a second click is harmless
        response = staff_client.post(f"{CLOSURES}/{closure.id}/entfernen",
                                     data={"csrf_token": csrf})
        assert response.status_code == 303
    assert count(OfficeClosure) == 0


@pytest.mark.parametrize(("values", "message"), [
    ({"starts_on": "2026-12-23", "ends_on": "2026-12-21"}, "nicht vor dem ersten liegen"),
    ({"starts_on": "", "ends_on": "2026-12-21"}, "Bitte geben Sie ein Datum ein"),
    ({"starts_on": "morgen", "ends_on": "2026-12-21"}, "Bitte geben Sie ein Datum ein"),
    ({"starts_on": "2026-12-21", "ends_on": "2026-12-21", "reason": "x" * 201},
     "Höchstens 200 Zeichen."),
])
def test_a_bad_closure_is_refused(staff_client: FlaskClient, values: dict[str, str],
                                  message: str) -> None:
    response = staff_client.post(CLOSURES, data={"csrf_token": token(staff_client, CLOSURES),
                                                 **values})
    assert response.status_code == 400
    assert message in response.text
    assert count(OfficeClosure) == 0


# --- the feed --------------------------------------------------------------------------


def feed_path(user: User) -> str:
    """The path of ``user``'s feed, as stored now."""
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored is not None and stored.calendar_token
    return f"/buero/termine/kalender/{stored.calendar_token}.ics"


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_the_feed_needs_its_token_and_no_session(app: Flask, staff_client: FlaskClient,
                                                 staff_user: User) -> None:
    booking = make_booking(at(3, 14))
    assert "Kalender-Adresse anlegen" in staff_client.get(SETTINGS).text
    csrf = token(staff_client, SETTINGS)
    assert staff_client.post("/buero/termine/kalender",
                             data={"csrf_token": csrf}).status_code == 303
    first = feed_path(staff_user)
    assert first in staff_client.get(SETTINGS).text

    anonymous = app.test_client()
    response = anonymous.get(first)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    [entry] = Calendar.from_ical(response.data).walk("VEVENT")
    assert entry["UID"] == f"termin-{booking.id}@innenstadt-rallye"
    assert "erika@example.org" in str(entry["DESCRIPTION"])

    assert staff_client.post("/buero/termine/kalender",
                             data={"csrf_token": csrf}).status_code == 303
    second = feed_path(staff_user)
    assert second != first
    assert anonymous.get(first).status_code == 404
    assert anonymous.get(second).status_code == 200
    assert anonymous.get("/buero/termine/kalender/falsch.ics").status_code == 404

    assert staff_client.post("/buero/termine/kalender/aus",
                             data={"csrf_token": csrf}).status_code == 303
    assert anonymous.get(second).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.like("calendar_feed.%"))) == 3
    assert isinstance(db.session.get(Appointment, booking.id), Appointment)
