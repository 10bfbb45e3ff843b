"""The public appointment pages: topics, free times, the form, the personal page."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import func, select

from app.extensions import db
from app.models import Appointment, AppointmentSlot, AppointmentTopic, OutboxMail, Service
from app.services import appointments
from app.services.demo import load_demo

from .helpers import BERLIN, csrf_token
from .smtp import Mailbox
from .test_appointments import MONDAY_9, NOW, book, make_topic, office_week

pytestmark = pytest.mark.usefixtures("freeze")

MONDAY_9_PARAM = "2026-12-07T08:00Z"


@pytest.fixture
def office(app: Flask) -> AppointmentTopic:
    """Monday to Thursday, one adviser, a 30-minute topic."""
    office_week()
    topic = make_topic("kurzberatung", 30, name="Kurzberatung")
    db.session.commit()
    return topic


def form_values(client: FlaskClient, url: str, **overrides: str) -> dict[str, str]:
    """A complete booking form from the page at ``url``."""
    page = client.get(url)
    assert page.status_code == 200
    values = {"csrf_token": csrf_token(page.get_data(as_text=True)), "zeit": MONDAY_9_PARAM,
              "name": "Anna Beispiel", "email": "anna@example.org", "phone": "",
              "note": "", "consent": "y"}
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def state() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], int]:
    """Bookings, held slots and outbox size, fresh from the database."""
    db.session.expire_all()
    rows = [(a.id, a.status, a.starts_at, a.updated_at, a.reminder_queued_at)
            for a in db.session.scalars(select(Appointment))]
    slots = [tuple(r) for r in db.session.execute(
        select(AppointmentSlot.adviser, AppointmentSlot.starts_at))]
    return rows, slots, db.session.scalar(select(func.count()).select_from(OutboxMail)) or 0


def test_the_topics_and_free_times_are_plain_links(client: FlaskClient,
                                                   office: AppointmentTopic) -> None:
    page = client.get("/termine").get_data(as_text=True)
    assert 'href="/termine?thema=kurzberatung"' in page and "30 Minuten" in page
    page = client.get("/termine?thema=kurzberatung").get_data(as_text=True)
    assert "Mittwoch, 2. Dezember 2026" in page and "Donnerstag, 3. Dezember 2026" in page
    assert "Montag, 7. Dezember 2026" not in page  # one week at a time
    assert 'href="/termine/buchen?thema=kurzberatung&amp;zeit=2026-12-02T08:00Z"' in page
    assert 'href="/termine?thema=kurzberatung&amp;ab=2026-12-07">Weitere Termine' in page
    later = client.get("/termine?thema=kurzberatung&ab=2026-12-07").get_data(as_text=True)
    assert "Montag, 7. Dezember 2026" in later and "Frühere Termine" in later
    assert client.get("/termine?thema=gibt-es-nicht").status_code == 404
    assert client.get("/termine?thema=kurzberatung&ab=quatsch").status_code == 200


def test_booking_leads_to_the_personal_page_and_mails_the_calendar_file(
        client: FlaskClient, office: AppointmentTopic, mailbox: Mailbox) -> None:
    url = f"/termine/buchen?thema=kurzberatung&zeit={MONDAY_9_PARAM}"
    form = client.get(url)
    assert form.headers["Cache-Control"] == "no-store"
    text = form.get_data(as_text=True)
    assert "Montag, 7. Dezember 2026, 09:00–09:30 Uhr" in text
    assert "Art. 6 Abs. 1 lit. e DSGVO" in text and 'href="/datenschutz"' in text
    assert "spätestens 3 Monate nach dem Termin" in text and "Stadt Herten" in text
    with client.post("/termine/buchen?thema=kurzberatung",
                     data=form_values(client, url, phone="0171 2345678")) as response:
        assert response.status_code == 303
        location = response.headers["Location"]
    [appointment] = db.session.scalars(select(Appointment))
    assert location == f"/termine/{appointment.token}"
    assert appointment.phone == "+49 171 2345678"
    [message] = mailbox.to("anna@example.org")
    assert f"http://rallye.test/termine/{appointment.token}" in Mailbox.text(message)
    calendar = Calendar.from_ical(Mailbox.attachments(message)["termin.ics"])
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    page = client.get(location)
    assert page.headers["Cache-Control"] == "no-store"
    shown = page.get_data(as_text=True)
    assert "Vielen Dank, Ihre Anfrage ist da." in shown and "Angefragt" in shown
    assert "Termin verschieben" in shown and "Termin absagen" in shown
    again = client.get(location).get_data(as_text=True)
    assert "Vielen Dank" not in again


def test_a_time_taken_meanwhile_answers_409_with_other_times(
        client: FlaskClient, office: AppointmentTopic) -> None:
    url = f"/termine/buchen?thema=kurzberatung&zeit={MONDAY_9_PARAM}"
    values = form_values(client, url, name="Bert Beispiel", email="bert@example.org")
    book(MONDAY_9)
    response = client.post("/termine/buchen?thema=kurzberatung", data=values)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Diese Zeit ist gerade vergeben." in page
    assert 'value="2026-12-07T08:30Z" checked' in page and 'value="Bert Beispiel"' in page
    values["zeit"] = "2026-12-07T08:30Z"
    assert client.post("/termine/buchen?thema=kurzberatung", data=values).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 2


@pytest.mark.parametrize(("overrides", "message"), [
    ({"name": ""}, "Bitte geben Sie Ihren Namen ein."),
    ({"email": "anna@"}, "Das ist keine gültige E-Mail-Adresse."),
    ({"phone": "12"}, "Das ist keine gültige Telefonnummer."),
    ({"note": "x" * 1001}, "höchstens 1000 Zeichen"),
    ({"consent": None}, "Bitte stimmen Sie zu"),
    ({"name": "Anna\x00"}, "Steuerzeichen"),
    ({"note": "Hallo\x1b"}, "Steuerzeichen"),
    ({"csrf_token": "falsch"}, "Bitte laden Sie die Seite neu"),
])
def test_bad_input_gets_a_german_message_and_stores_nothing(
        client: FlaskClient, office: AppointmentTopic, overrides: dict[str, str | None],
        message: str) -> None:
    url = f"/termine/buchen?thema=kurzberatung&zeit={MONDAY_9_PARAM}"
    response = client.post("/termine/buchen?thema=kurzberatung",
                           data=form_values(client, url, **overrides))  # type: ignore[arg-type]
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert state() == ([], [], 0)


@pytest.mark.parametrize("zeit", ["2026-12-07T08:15Z", "2026-12-01T12:00Z", "morgen", ""])
def test_a_time_outside_the_week_is_refused(client: FlaskClient, office: AppointmentTopic,
                                            zeit: str) -> None:
    url = f"/termine/buchen?thema=kurzberatung&zeit={MONDAY_9_PARAM}"
    response = client.post("/termine/buchen?thema=kurzberatung",
                           data=form_values(client, url, zeit=zeit))
    assert response.status_code == 400
    assert "Diese Zeit können Sie nicht buchen" in response.get_data(as_text=True)
    assert state() == ([], [], 0)


def test_the_personal_link_is_a_capability_and_its_gets_change_nothing(
        client: FlaskClient, office: AppointmentTopic) -> None:
    appointment = book(MONDAY_9)
    token = appointment.token
    before = state()
    for url in (f"/termine/{token}", f"/termine/{token}.ics", f"/termine/{token}/verschieben",
                f"/termine/{token}/verschieben?zeit=2026-12-07T09:00Z",
                f"/termine/{token}/absagen"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    assert state() == before
    for url in ("/termine/unbekannt", "/termine/unbekannt.ics", "/termine/unbekannt/absagen",
                "/termine/unbekannt/verschieben"):
        assert client.get(url).status_code == 404, url
    token_field = csrf_token(client.get(f"/termine/{token}/absagen").get_data(as_text=True))
    assert client.post("/termine/unbekannt/absagen",
                       data={"csrf_token": token_field}).status_code == 404
    assert state() == before
    ics = client.get(f"/termine/{token}.ics")
    assert ics.mimetype == "text/calendar"
    [event] = Calendar.from_ical(ics.data).walk("VEVENT")
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def test_moving_and_cancelling_by_post(client: FlaskClient, office: AppointmentTopic,
                                       mailbox: Mailbox) -> None:
    appointment = book(MONDAY_9)
    token = appointment.token
    choose = client.get(f"/termine/{token}/verschieben").get_data(as_text=True)
    assert f'href="/termine/{token}/verschieben?zeit=2026-12-02T08:00Z"' in choose
    assert f"zeit={MONDAY_9_PARAM}" not in choose  # its own time is not offered
    confirm = client.get(f"/termine/{token}/verschieben?zeit=2026-12-07T13:00Z")
    text = confirm.get_data(as_text=True)
    assert "Montag, 7. Dezember 2026, 14:00–14:30 Uhr" in text
    with client.post(f"/termine/{token}/verschieben", data={
            "csrf_token": csrf_token(text), "zeit": "2026-12-07T13:00Z"}) as response:
        assert response.status_code == 303
    moved = db.session.get_one(Appointment, appointment.id, populate_existing=True)
    assert moved.starts_at == datetime(2026, 12, 7, 13, 0, tzinfo=UTC)
    assert "verschoben" in client.get(f"/termine/{token}").get_data(as_text=True)

    book(MONDAY_9 + timedelta(hours=1), email="bert@example.org")
    taken = client.post(f"/termine/{token}/verschieben", data={
        "csrf_token": csrf_token(text), "zeit": "2026-12-07T09:00Z"})
    assert taken.status_code == 409
    assert "Diese Zeit ist gerade vergeben." in taken.get_data(as_text=True)
    assert db.session.get_one(Appointment, appointment.id,
                              populate_existing=True).starts_at == moved.starts_at

    page = client.get(f"/termine/{token}/absagen").get_data(as_text=True)
    assert "Ja, Termin absagen" in page
    with client.post(f"/termine/{token}/absagen",
                     data={"csrf_token": csrf_token(page)}) as response:
        assert response.status_code == 303
    shown = client.get(f"/termine/{token}").get_data(as_text=True)
    assert "Ihr Termin ist abgesagt." in shown and "Termin absagen" not in shown
    assert db.session.scalar(select(func.count()).select_from(AppointmentSlot).where(
        AppointmentSlot.appointment_id == appointment.id)) == 0
    subjects = [m["Subject"] for m in mailbox.to("anna@example.org")]
    assert [("verschoben" in s, "abgesagt" in s) for s in subjects] == [(True, False),
                                                                        (False, True)]
    # Without the form's CSRF token a POST changes nothing.
    other = book(MONDAY_9 + timedelta(hours=2), email="cleo@example.org")
    before = state()
    assert client.post(f"/termine/{other.token}/absagen", data={}).status_code == 400
    assert state() == before


def test_the_booking_post_is_rate_limited(app: Flask, client: FlaskClient,
                                          office: AppointmentTopic) -> None:
    app.config["RATELIMIT_BOOKING"] = "2 per minute"
    url = "/termine/buchen?thema=kurzberatung"
    values = form_values(client, f"{url}&zeit={MONDAY_9_PARAM}", zeit="x")
    codes = [client.post(url, data=values).status_code for _ in range(3)]
    assert codes == [400, 400, 429]


def test_service_pages_lead_to_their_topic(client: FlaskClient, app: Flask,
                                           tmp_path: Path) -> None:
    load_demo(NOW, tmp_path)
    load_demo(NOW, tmp_path)  # idempotent
    topics = {t.slug: t for t in db.session.scalars(select(AppointmentTopic))}
    assert {t.name: t.duration_minutes for t in topics.values()} == {
        "Kurzberatung": 30, "Unternehmensnachfolge": 60, "Leerstand und Zwischennutzung": 30,
        "Gründung und Finanzierung": 45, "Sonstiges": 30}
    page = client.get("/angebote/unternehmensnachfolge").get_data(as_text=True)
    assert 'href="/termine?thema=unternehmensnachfolge"' in page
    linked = {db.session.get_one(Service, t.service_id).slug for t in topics.values()
              if t.service_id}
    assert len(linked) == 5
    unlinked = db.session.scalars(select(Service).where(Service.slug.not_in(linked))).first()
    assert unlinked is not None
    assert "/termine?thema=" not in client.get(f"/angebote/{unlinked.slug}").get_data(
        as_text=True)
    # Two demo requests (no mails), kept on a second load.
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 2
    assert db.session.scalar(select(func.count()).select_from(AppointmentSlot)) == 2 + 4
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0
    times = appointments.free_times(topics["kurzberatung"], now=NOW)
    assert times and all(free.starts_at.astimezone(BERLIN).weekday() < 4 for free in times)


def test_times_carry_their_day_for_screen_readers(client: FlaskClient,
                                                  office: AppointmentTopic) -> None:
    page = client.get("/termine?thema=kurzberatung").get_data(as_text=True)
    assert re.search(r'<span class="visually-hidden">2\. Dezember, </span>09:00', page)


def test_the_move_page_skips_a_week_whose_only_free_time_is_the_bookings_own(
        client: FlaskClient, office: AppointmentTopic) -> None:
    """The booking took the week's last free time: the page shows the next week, not an
    empty one."""
    week_times = [free.starts_at for free in appointments.free_times(office, now=NOW)
                  if free.starts_at < MONDAY_9]
    for n, starts_at in enumerate(week_times[:-1]):
        book(starts_at, email=f"guest{n}@example.org")
    last = book(week_times[-1])
    page = client.get(f"/termine/{last.token}/verschieben").get_data(as_text=True)
    assert f"zeit={MONDAY_9_PARAM}" in page  # next Monday's first time is offered
