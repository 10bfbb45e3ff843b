"""The public event pages: the list, the archive, one event, registering, the personal
page, the calendar files; the next events on the home and service pages."""

import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from PIL import Image as PILImage
from sqlalchemy import func, select

from app.extensions import db
from app.models import Event, EventRegistration, OutboxMail, Service
from app.services import events, images
from app.services.demo import load_demo

from .event_builders import EVENING, make_event
from .helpers import BERLIN, FIRST_DAY, csrf_token, make_shop
from .smtp import Mailbox

pytestmark = pytest.mark.usefixtures("freeze")

NOW = FIRST_DAY.astimezone(UTC)
DIGITAL_TOUR = "https://video.innenstadt-herten.example/fuehrung-goldschmiede"


def form_values(client: FlaskClient, slug: str, **overrides: str | None) -> dict[str, str]:
    """A complete registration form from the event's page."""
    page = client.get(f"/veranstaltungen/{slug}")
    assert page.status_code == 200
    values: dict[str, str | None] = {
        "csrf_token": csrf_token(page.get_data(as_text=True)), "name": "Anna Beispiel",
        "email": "anna@example.org", "company": "", "consent": "y"}
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def register(client: FlaskClient, slug: str, **overrides: str | None) -> str:
    """Register through the form; return the personal page's path."""
    with client.post(f"/veranstaltungen/{slug}",
                     data=form_values(client, slug, **overrides)) as response:
        assert response.status_code == 303, response.get_data(as_text=True)
        return response.headers["Location"]


def state() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], int]:
    """Registrations, the events' counters and the outbox size, fresh from the database."""
    db.session.expire_all()
    rows = [(r.id, r.status, r.offered_until, r.updated_at)
            for r in db.session.scalars(select(EventRegistration).order_by(EventRegistration.id))]
    counters = [tuple(row) for row in db.session.execute(
        select(Event.id, Event.taken, Event.status).order_by(Event.id))]
    return rows, counters, db.session.scalar(select(func.count()).select_from(OutboxMail)) or 0


def sign_up(event: Event, email: str) -> EventRegistration:
    """Register through the service."""
    return events.register(slug=event.slug, name="Gast", email=email, consent=True, now=NOW)


# ---------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------


def test_the_list_filters_by_kind_and_audience(client: FlaskClient, app: Flask) -> None:
    evening = make_event(title="Gründerinnen-Abend", audiences=["founders_women"])
    workshop = make_event(title="Online-Präsenz", kind="workshop", audiences=["retail"],
                          starts_at=EVENING + timedelta(days=2))
    make_event(title="Vorbei", starts_at=NOW - timedelta(days=3))
    make_event(title="Entwurf", status="draft")
    db.session.commit()
    page = client.get("/veranstaltungen").get_data(as_text=True)
    assert page.index("Gründerinnen-Abend") < page.index("Online-Präsenz")
    assert "Vorbei" not in page and "Entwurf" not in page
    assert f'href="/veranstaltungen/{evening.slug}"' in page
    assert "Donnerstag, 10. Dezember 2026, 18:00–20:00 Uhr" in page
    assert "Noch 5 Plätze frei" in page and "für Gründerinnen" in page
    assert 'href="/veranstaltungen?art=workshop"' in page
    assert 'href="/veranstaltungen?fuer=einzelhandel"' in page
    assert 'href="/veranstaltungen/archiv"' in page
    assert "webcal://rallye.test/veranstaltungen.ics" in page
    assert 'href="/veranstaltungen.ics"' in page
    only = client.get("/veranstaltungen?art=workshop").get_data(as_text=True)
    assert "Online-Präsenz" in only and "Gründerinnen-Abend" not in only
    assert 'href="/veranstaltungen?art=workshop" aria-current="page"' in only
    women = client.get("/veranstaltungen?fuer=gruenderinnen").get_data(as_text=True)
    assert "Gründerinnen-Abend" in women and "Online-Präsenz" not in women
    none = client.get("/veranstaltungen?art=workshop&fuer=gruenderinnen").get_data(as_text=True)
    assert "Dazu ist gerade nichts geplant." in none
    assert f'/veranstaltungen/{workshop.slug}"' not in none
    assert client.get("/veranstaltungen?art=quatsch").status_code == 404
    assert client.get("/veranstaltungen?fuer=quatsch").status_code == 404


def test_places_left_in_plain_words(client: FlaskClient, app: Flask) -> None:
    make_event(title="Fast voll", capacity=3, taken=2)
    make_event(title="Voll", capacity=2, taken=2)
    make_event(title="Geschlossen", registration_closes_at=NOW - timedelta(hours=1))
    make_event(title="Abgesagt", status="cancelled", cancel_reason="Krankheit")
    db.session.commit()
    page = client.get("/veranstaltungen").get_data(as_text=True)
    assert "Noch 1 Platz frei" in page and "Ausgebucht – Warteliste" in page
    assert "Anmeldung geschlossen" in page and "Abgesagt" in page


def test_the_archive_shows_past_events(client: FlaskClient, app: Flask) -> None:
    make_event(title="Sommerfest", starts_at=datetime(2026, 7, 2, 18, 0, tzinfo=BERLIN))
    make_event(title="Herbsttreffen", starts_at=datetime(2026, 10, 1, 18, 0, tzinfo=BERLIN))
    make_event(title="Kommt noch")
    db.session.commit()
    page = client.get("/veranstaltungen/archiv").get_data(as_text=True)
    assert page.index("Herbsttreffen") < page.index("Sommerfest")
    assert "Kommt noch" not in page and "Plätze frei" not in page
    listed = client.get("/veranstaltungen").get_data(as_text=True)
    assert "Sommerfest" not in listed


# ---------------------------------------------------------------------------
# One event
# ---------------------------------------------------------------------------


def test_the_event_page_shows_details_series_and_the_art13_text(
        client: FlaskClient, app: Flask) -> None:
    first = make_event(title="Blick hinter die Kulissen", kind="tour_onsite", series="tour")
    second = make_event(title="Blick hinter die Kulissen", kind="tour_onsite", series="tour",
                        starts_at=EVENING + timedelta(days=7))
    db.session.commit()
    response = client.get(f"/veranstaltungen/{first.slug}")
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "<strong>Ladenlokal</strong>" in page and "<script>alert" not in page
    assert "Hermannstraße 1, 45699 Herten" in page
    assert f'href="/veranstaltungen/{second.slug}"' in page
    assert "Donnerstag, 17. Dezember 2026, 18:00 Uhr" in page
    assert f'href="/veranstaltungen/{first.slug}.ics"' in page
    assert "Art. 6 Abs. 1 lit. e DSGVO" in page and 'href="/datenschutz"' in page
    assert "spätestens 3 Monate nach der Veranstaltung" in page and "Stadt Herten" in page
    assert "Jetzt anmelden" in page
    assert client.get("/veranstaltungen/gibt-es-nicht").status_code == 404
    assert client.get("/veranstaltungen/gibt-es-nicht.ics").status_code == 404


def test_the_picture_has_its_alt_text_and_the_host_is_named(client: FlaskClient,
                                                             app: Flask) -> None:
    picture = PILImage.new("RGB", (300, 200), (200, 30, 40))
    out = io.BytesIO()
    picture.save(out, "PNG")
    image = images.store_picture(out.getvalue())
    shop = make_shop(name="Rösterei Bohnenglück")
    event = make_event(image_id=image.id, image_alt="Kaffeebohnen in der Röstmaschine",
                       host_shop_id=shop.id, place="", online_url="https://video.example/x")
    db.session.commit()
    page = client.get(f"/veranstaltungen/{event.slug}").get_data(as_text=True)
    src = re.search(r'<img src="([^"]+)" alt="Kaffeebohnen in der Röstmaschine"', page)
    assert src, page
    assert client.get(src.group(1)).mimetype == "image/webp"
    assert "Rösterei Bohnenglück" in page and "online" in page
    assert "video.example" not in page
    listed = client.get("/veranstaltungen").get_data(as_text=True)
    assert "bei Rösterei Bohnenglück" in listed


def test_drafts_are_not_public(client: FlaskClient, app: Flask) -> None:
    draft = make_event(status="draft")
    db.session.commit()
    assert client.get(f"/veranstaltungen/{draft.slug}").status_code == 404
    assert client.get(f"/veranstaltungen/{draft.slug}.ics").status_code == 404


def test_a_full_event_offers_the_waiting_list(client: FlaskClient, app: Flask,
                                              mailbox: Mailbox) -> None:
    event = make_event(capacity=1)
    db.session.commit()
    client.get(register(client, event.slug, email="erste@example.org"))
    page = client.get(f"/veranstaltungen/{event.slug}").get_data(as_text=True)
    assert "Ausgebucht – Warteliste" in page and "kommen Sie auf die Warteliste" in page
    assert "Auf die Warteliste" in page
    location = register(client, event.slug, email="zweite@example.org")
    shown = client.get(location).get_data(as_text=True)
    assert "Sie stehen auf der Warteliste." in shown
    assert "auf der Warteliste an Stelle 1" in shown and "Von der Warteliste nehmen" in shown
    [message] = mailbox.to("zweite@example.org")
    assert "Warteliste" in message["Subject"]


@pytest.mark.parametrize(("status", "closes", "starts", "sentence"), [
    ("cancelled", None, None, "Die Veranstaltung ist abgesagt, eine Anmeldung ist nicht"),
    ("published", -1, None, "Die Anmeldung ist geschlossen"),
    ("published", None, -1, "Diese Veranstaltung hat schon stattgefunden."),
])
def test_no_form_when_registration_is_over(client: FlaskClient, app: Flask, status: str,
                                           closes: int | None, starts: int | None,
                                           sentence: str) -> None:
    overrides: dict[str, object] = {"status": status}
    if closes is not None:
        overrides["registration_closes_at"] = NOW + timedelta(hours=closes)
    if starts is not None:
        overrides.update(starts_at=NOW - timedelta(days=2),
                         registration_closes_at=NOW - timedelta(days=3))
    event = make_event(**overrides)
    db.session.commit()
    page = client.get(f"/veranstaltungen/{event.slug}").get_data(as_text=True)
    assert sentence in page
    assert 'name="email"' not in page


# ---------------------------------------------------------------------------
# Registering
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_registering_leads_to_the_personal_page_and_mails_the_calendar_file(
        client: FlaskClient, app: Flask, mailbox: Mailbox) -> None:
    event = make_event()
    db.session.commit()
    location = register(client, event.slug, company="Beispiel GmbH")
    [registration] = db.session.scalars(select(EventRegistration))
    assert location == f"/veranstaltungen/anmeldung/{registration.token}"
    assert (registration.status, registration.company) == ("confirmed", "Beispiel GmbH")
    [message] = mailbox.to("anna@example.org")
    assert f"http://rallye.test/veranstaltungen/anmeldung/{registration.token}" in \
        Mailbox.text(message)
    calendar = Calendar.from_ical(Mailbox.attachments(message)["veranstaltung.ics"])
    [entry] = calendar.walk("VEVENT")
    assert entry.decoded("DTSTART").astimezone(UTC) == datetime(2026, 12, 10, 17, 0, tzinfo=UTC)
    page = client.get(location)
    assert page.headers["Cache-Control"] == "no-store"
    shown = page.get_data(as_text=True)
    assert "Vielen Dank, Sie sind angemeldet." in shown
    assert "Sie sind angemeldet. Wir freuen uns auf Sie." in shown and "Abmelden" in shown
    assert "Vielen Dank" not in client.get(location).get_data(as_text=True)
    assert "Noch 4 Plätze frei" in client.get(f"/veranstaltungen/{event.slug}").get_data(
        as_text=True)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"name": ""}, "Bitte geben Sie Ihren Namen ein."),
    ({"name": "x" * 101}, "höchstens 100 Zeichen"),
    ({"email": "anna@"}, "Das ist keine gültige E-Mail-Adresse."),
    ({"email": ""}, "Bitte geben Sie Ihre E-Mail-Adresse ein."),
    ({"company": "x" * 121}, "höchstens 120 Zeichen"),
    ({"consent": None}, "Bitte stimmen Sie zu"),
    ({"name": "Anna\x00"}, "Steuerzeichen"),
    ({"company": "Firma\x1b"}, "Steuerzeichen"),
    ({"csrf_token": "falsch"}, "Bitte laden Sie die Seite neu"),
    ({"csrf_token": None}, "Bitte laden Sie die Seite neu"),
])
def test_bad_input_gets_a_german_message_and_stores_nothing(
        client: FlaskClient, app: Flask, overrides: dict[str, str | None],
        message: str) -> None:
    event = make_event()
    db.session.commit()
    before = state()
    response = client.post(f"/veranstaltungen/{event.slug}",
                           data=form_values(client, event.slug, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert state() == before


def test_the_same_address_twice_gets_409(client: FlaskClient, app: Flask) -> None:
    event = make_event()
    db.session.commit()
    register(client, event.slug)
    before = state()
    response = client.post(f"/veranstaltungen/{event.slug}",
                           data=form_values(client, event.slug, email="ANNA@example.org"))
    assert response.status_code == 409
    assert "Mit dieser Adresse sind Sie bereits angemeldet." in response.get_data(as_text=True)
    assert state() == before


def test_no_registration_after_the_deadline(client: FlaskClient, app: Flask,
                                            freeze: Callable[[datetime], None]) -> None:
    event = make_event()
    db.session.commit()
    values = form_values(client, event.slug)
    freeze(datetime(2026, 12, 9, 18, 0, tzinfo=BERLIN))
    before = state()
    response = client.post(f"/veranstaltungen/{event.slug}", data=values)
    assert response.status_code == 400
    assert "Die Anmeldung ist geschlossen" in response.get_data(as_text=True)
    assert state() == before


def test_the_registration_post_is_rate_limited(client: FlaskClient, app: Flask) -> None:
    app.config["RATELIMIT_EVENT_REGISTRATION"] = "2 per minute"
    event = make_event()
    db.session.commit()
    values = form_values(client, event.slug, name="")
    codes = [client.post(f"/veranstaltungen/{event.slug}", data=values).status_code
             for _ in range(3)]
    assert codes == [400, 400, 429]


# ---------------------------------------------------------------------------
# The personal page
# ---------------------------------------------------------------------------


def test_the_personal_link_is_a_capability_and_its_gets_change_nothing(
        client: FlaskClient, app: Flask) -> None:
    event = make_event(capacity=1)
    db.session.commit()
    confirmed = sign_up(event, "anna@example.org")
    waiting = sign_up(event, "bert@example.org")
    before = state()
    for token in (confirmed.token, waiting.token):
        for url in (f"/veranstaltungen/anmeldung/{token}",
                    f"/veranstaltungen/anmeldung/{token}.ics",
                    f"/veranstaltungen/anmeldung/{token}/abmelden"):
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.headers["Cache-Control"] == "no-store", url
        assert client.get(f"/veranstaltungen/anmeldung/{token}/bestaetigen").status_code == 405
    assert state() == before
    for url in ("/veranstaltungen/anmeldung/unbekannt",
                "/veranstaltungen/anmeldung/unbekannt.ics",
                "/veranstaltungen/anmeldung/unbekannt/abmelden"):
        assert client.get(url).status_code == 404, url
    field = csrf_token(client.get(f"/veranstaltungen/anmeldung/{confirmed.token}/abmelden")
                       .get_data(as_text=True))
    for url in ("/veranstaltungen/anmeldung/unbekannt/abmelden",
                "/veranstaltungen/anmeldung/unbekannt/bestaetigen"):
        assert client.post(url, data={"csrf_token": field}).status_code == 404
    # Without the form's CSRF token a POST changes nothing.
    assert client.post(f"/veranstaltungen/anmeldung/{confirmed.token}/abmelden",
                       data={}).status_code == 400
    assert state() == before


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_cancelling_frees_the_place_for_the_first_waiting_who_confirms(
        client: FlaskClient, app: Flask, mailbox: Mailbox) -> None:
    event = make_event(capacity=1)
    db.session.commit()
    anna = sign_up(event, "anna@example.org")
    bert = sign_up(event, "bert@example.org")
    mailbox.clear()
    ask = client.get(f"/veranstaltungen/anmeldung/{anna.token}/abmelden").get_data(as_text=True)
    assert "Wirklich abmelden?" in ask and "Ja, abmelden" in ask
    with client.post(f"/veranstaltungen/anmeldung/{anna.token}/abmelden",
                     data={"csrf_token": csrf_token(ask)}) as response:
        assert response.status_code == 303
        assert response.headers["Location"] == f"/veranstaltungen/anmeldung/{anna.token}"
    shown = client.get(f"/veranstaltungen/anmeldung/{anna.token}").get_data(as_text=True)
    assert "Sie sind abgemeldet." in shown and "Abgemeldet." in shown
    assert "Ja, abmelden" not in shown and 'href="/veranstaltungen/anmeldung/' not in shown
    [offer] = mailbox.to("bert@example.org")
    assert "Ein Platz ist frei" in offer["Subject"]
    offered = client.get(f"/veranstaltungen/anmeldung/{bert.token}").get_data(as_text=True)
    assert "Für Sie ist ein Platz reserviert bis Donnerstag, 3. Dezember 2026, 09:00 Uhr" \
        in offered
    assert "Platz bestätigen" in offered and "Platz ablehnen" in offered
    with client.post(f"/veranstaltungen/anmeldung/{bert.token}/bestaetigen",
                     data={"csrf_token": csrf_token(offered)}) as response:
        assert response.status_code == 303
    confirmed = client.get(f"/veranstaltungen/anmeldung/{bert.token}").get_data(as_text=True)
    assert "Der Platz gehört Ihnen." in confirmed and "Platz bestätigen" not in confirmed
    assert db.session.get_one(EventRegistration, bert.id,
                              populate_existing=True).status == "confirmed"
    # Cancelling once more (a second tab) changes nothing and says so.
    before = state()
    redirect = client.post(f"/veranstaltungen/anmeldung/{anna.token}/abmelden",
                           data={"csrf_token": csrf_token(ask)})
    assert redirect.status_code == 302 and state() == before


def test_leaving_the_waiting_list(client: FlaskClient, app: Flask) -> None:
    event = make_event(capacity=1)
    db.session.commit()
    sign_up(event, "anna@example.org")
    bert = sign_up(event, "bert@example.org")
    cleo = sign_up(event, "cleo@example.org")
    assert "an Stelle 2" in client.get(f"/veranstaltungen/anmeldung/{cleo.token}").get_data(
        as_text=True)
    ask = client.get(f"/veranstaltungen/anmeldung/{bert.token}/abmelden").get_data(as_text=True)
    assert "Wirklich von der Warteliste nehmen?" in ask
    with client.post(f"/veranstaltungen/anmeldung/{bert.token}/abmelden",
                     data={"csrf_token": csrf_token(ask)}) as response:
        assert response.status_code == 303
    shown = client.get(f"/veranstaltungen/anmeldung/{bert.token}").get_data(as_text=True)
    assert "Sie stehen nicht mehr auf der Warteliste." in shown
    assert "an Stelle 1" in client.get(f"/veranstaltungen/anmeldung/{cleo.token}").get_data(
        as_text=True)


def test_an_offer_past_its_time_cannot_be_confirmed(client: FlaskClient, app: Flask,
                                                    freeze: Callable[[datetime], None]) -> None:
    event = make_event(capacity=1)
    db.session.commit()
    anna = sign_up(event, "anna@example.org")
    bert = sign_up(event, "bert@example.org")
    events.cancel(token=anna.token, now=NOW)
    page = client.get(f"/veranstaltungen/anmeldung/{bert.token}").get_data(as_text=True)
    freeze(NOW + timedelta(hours=49))
    late = client.get(f"/veranstaltungen/anmeldung/{bert.token}").get_data(as_text=True)
    assert "Abgelaufen" in late and "Platz bestätigen" not in late
    with client.post(f"/veranstaltungen/anmeldung/{bert.token}/bestaetigen",
                     data={"csrf_token": csrf_token(page)}) as response:
        assert response.status_code == 303
    assert "Die Frist zum Bestätigen ist leider abgelaufen." in client.get(
        f"/veranstaltungen/anmeldung/{bert.token}").get_data(as_text=True)
    assert db.session.get_one(EventRegistration, bert.id,
                              populate_existing=True).status == "offered"


def test_a_cancelled_event_says_so_on_the_personal_page(client: FlaskClient,
                                                        app: Flask) -> None:
    event = make_event(online_url="https://video.example/geheim")
    db.session.commit()
    anna = sign_up(event, "anna@example.org")
    events.call_off(db.session.get_one(Event, event.id), reason="Die Referentin ist krank.",
                    now=NOW)
    db.session.commit()
    page = client.get(f"/veranstaltungen/anmeldung/{anna.token}").get_data(as_text=True)
    assert "Die Veranstaltung ist abgesagt. Die Referentin ist krank." in page
    assert "video.example/geheim" not in page and "Abmelden" not in page


# ---------------------------------------------------------------------------
# The online link
# ---------------------------------------------------------------------------


def test_the_online_link_goes_only_to_confirmed_participants(
        client: FlaskClient, app: Flask, tmp_path: Path, mailbox: Mailbox) -> None:
    load_demo(NOW, tmp_path)
    db.session.commit()
    tour = db.session.scalars(select(Event).where(Event.online_url == DIGITAL_TOUR)).one()
    tour.capacity = tour.taken + 1
    db.session.commit()
    public = ["/", "/veranstaltungen", "/veranstaltungen/archiv", "/veranstaltungen.ics",
              f"/veranstaltungen/{tour.slug}", f"/veranstaltungen/{tour.slug}.ics",
              "/veranstaltungen?art=fuehrung-digital"]
    public += [f"/angebote/{slug}" for slug in db.session.scalars(select(Service.slug))]
    for url in public:
        response = client.get(url)
        assert response.status_code == 200, url
        assert DIGITAL_TOUR not in response.get_data(as_text=True), url
    assert tour.title in client.get("/veranstaltungen?art=fuehrung-digital").get_data(
        as_text=True)
    confirmed = register(client, tour.slug, email="dora@example.org")
    waiting = register(client, tour.slug, email="emil@example.org")
    [to_confirmed] = mailbox.to("dora@example.org")
    [to_waiting] = mailbox.to("emil@example.org")
    assert DIGITAL_TOUR in Mailbox.text(to_confirmed)
    assert DIGITAL_TOUR in Mailbox.attachments(to_confirmed)["veranstaltung.ics"].decode()
    assert DIGITAL_TOUR not in Mailbox.text(to_waiting) + Mailbox.html(to_waiting)
    assert DIGITAL_TOUR in client.get(confirmed).get_data(as_text=True)
    assert DIGITAL_TOUR not in client.get(waiting).get_data(as_text=True)
    assert DIGITAL_TOUR not in client.get(f"{waiting}.ics").get_data(as_text=True)
    assert DIGITAL_TOUR not in client.get(f"/veranstaltungen/{tour.slug}").get_data(
        as_text=True)


# ---------------------------------------------------------------------------
# Calendars
# ---------------------------------------------------------------------------


def test_the_feed_parses_and_keeps_berlin_time_across_the_dst_change(
        client: FlaskClient, app: Flask, freeze: Callable[[datetime], None]) -> None:
    freeze(datetime(2026, 10, 1, 12, 0, tzinfo=BERLIN))  # summer time still
    spring = make_event(title="Frühjahrstreffen",
                        starts_at=datetime(2027, 3, 30, 18, 0, tzinfo=BERLIN))
    autumn = make_event(title="Herbsttreffen",
                        starts_at=datetime(2026, 10, 27, 18, 0, tzinfo=BERLIN))
    make_event(title="Abgesagtes Treffen", status="cancelled",
               starts_at=datetime(2026, 10, 20, 18, 0, tzinfo=BERLIN))
    db.session.commit()
    response = client.get("/veranstaltungen.ics")
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    entries = {str(entry["SUMMARY"]): entry for entry in calendar.walk("VEVENT")}
    # After the change to winter time (25 October 2026) and after the change back to
    # summer time (28 March 2027): 18:00 in Berlin is 17:00 and 16:00 UTC.
    for title, utc in (("Herbsttreffen", datetime(2026, 10, 27, 17, 0, tzinfo=UTC)),
                       ("Frühjahrstreffen", datetime(2027, 3, 30, 16, 0, tzinfo=UTC))):
        start = entries[title]["DTSTART"]
        assert start.params["TZID"] == "Europe/Berlin", title
        assert start.dt.astimezone(UTC) == utc, title
    assert str(entries["Abgesagtes Treffen"]["STATUS"]) == "CANCELLED"
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Berlin"
    assert {part.name for part in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    assert f"http://rallye.test/veranstaltungen/{spring.slug}" in str(
        entries["Frühjahrstreffen"]["DESCRIPTION"])
    # One event's own file says the same.
    one = Calendar.from_ical(client.get(f"/veranstaltungen/{autumn.slug}.ics").data)
    [entry] = one.walk("VEVENT")
    assert entry["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert entry.decoded("DTSTART").astimezone(UTC) == datetime(2026, 10, 27, 17, 0,
                                                                tzinfo=UTC)
    assert one.walk("VTIMEZONE")


# ---------------------------------------------------------------------------
# Home and service pages
# ---------------------------------------------------------------------------


def test_the_home_page_shows_the_next_three_events(client: FlaskClient, app: Flask) -> None:
    for day in range(5):
        make_event(title=f"Treffen Nummer {day}", starts_at=EVENING + timedelta(days=day))
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Nächste Veranstaltungen" in page and 'href="/veranstaltungen"' in page
    assert [f"Treffen Nummer {day}" in page for day in range(5)] == [True] * 3 + [False] * 2


def test_the_home_page_without_events_leaves_the_section_out(client: FlaskClient,
                                                             app: Flask) -> None:
    assert "Nächste Veranstaltungen" not in client.get("/").get_data(as_text=True)


def test_a_service_page_lists_its_next_events(client: FlaskClient, app: Flask,
                                              tmp_path: Path) -> None:
    load_demo(NOW, tmp_path)
    db.session.commit()
    linked = db.session.scalars(select(Event).where(Event.service_id.is_not(None),
                                                    Event.ends_at > NOW)).all()
    assert linked
    for event in linked:
        service = db.session.get_one(Service, event.service_id)
        page = client.get(f"/angebote/{service.slug}").get_data(as_text=True)
        assert f'href="/veranstaltungen/{event.slug}"' in page, service.slug
        assert "Nächste Veranstaltungen" in page
    others = db.session.scalars(select(Service).where(
        Service.id.not_in([event.service_id for event in linked]))).first()
    if others is not None:
        assert "Nächste Veranstaltungen" not in client.get(
            f"/angebote/{others.slug}").get_data(as_text=True)
