"""The events in the back office: create and edit with German refusals and nothing
written, the DST gap, capacity, the change mail, copy, cancel, taking someone off, the
CSV export, check-in and the attendance report."""

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from PIL import Image as PILImage
from sqlalchemy import select

from app import clock
from app.clock import BERLIN
from app.extensions import db
from app.models import AuditEvent, Event, EventAudience, EventRegistration, User
from app.services import event_admin, events
from app.services.editing import EditError
from app.services.event_admin import berlin_moment

from ..helpers import csrf_token
from ..smtp import Mailbox
from .conftest import count, log_in

LIST = "/buero/veranstaltungen"
# The tests whose writes lock rows or count in SQL run on both databases.
BOTH = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
NEW = "/buero/veranstaltungen/neu"


def token(client: FlaskClient, path: str = LIST) -> str:
    """A CSRF token from a page of the events."""
    return csrf_token(client.get(path).text)


def make_event(**overrides: object) -> Event:
    """A published networking evening on Thursday, 10 December 2026, 18–20 h."""
    starts_at = datetime(2026, 12, 10, 18, 0, tzinfo=BERLIN).astimezone(UTC)
    values: dict[str, object] = {
        "slug": "netzwerkabend-2026-12-10", "kind": "networking", "status": "published",
        "title": "Netzwerkabend", "summary": "Kennenlernen", "description": "Hallo",
        "starts_at": starts_at, "ends_at": starts_at + timedelta(hours=2),
        "registration_closes_at": starts_at, "place": "Markt 1, Herten", "capacity": 20,
    }
    values.update(overrides)
    event = Event(**values)
    db.session.add(event)
    db.session.commit()
    return event


def register(event: Event, name: str, email: str, company: str = "") -> EventRegistration:
    """Register someone through the service (a place or the waiting list)."""
    return events.register(slug=event.slug, name=name, email=email, company=company,
                           consent=True, now=clock.utcnow())


def form_data(**overrides: object) -> dict[str, object]:
    """A valid event form."""
    data: dict[str, object] = {
        "title": "Netzwerkabend für Gründerinnen", "kind": "networking",
        "summary": "Ein Abend zum Kennenlernen.", "description": "Mit **Imbiss**.",
        "start_date": "2026-12-10", "start_time": "18:00", "end_date": "",
        "end_time": "20:00", "closes_date": "", "closes_time": "",
        "place": "Innenstadtbüro, Markt 1", "online_url": "", "host_shop_id": "0",
        "service_id": "0", "capacity": "20", "audiences": ["founders_women", "retail"],
        "image_alt": "", "status": "published",
    }
    data.update(overrides)
    return data


def post_form(client: FlaskClient, path: str, csrf_from: str | None = None,
              **overrides: object):  # noqa: ANN201
    """Send the event form at ``path`` (with a CSRF token from ``csrf_from`` or it)."""
    data = form_data(**overrides)
    data["csrf_token"] = token(client, csrf_from or path)
    response = client.post(path, data=data, content_type="multipart/form-data")
    response.close()  # delivers the mails the request queued, as after a real response
    return response


def png() -> bytes:
    """A small PNG picture."""
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), (30, 120, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def audits(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# ---------------------------------------------------------------------------
# Create and edit
# ---------------------------------------------------------------------------


@BOTH
def test_a_new_event_is_stored_in_utc_with_its_slug(staff_client: FlaskClient) -> None:
    page = staff_client.get(NEW)
    assert page.status_code == 200 and "Neue Veranstaltung" in page.text
    response = post_form(staff_client, NEW)
    assert response.status_code == 303
    event = db.session.scalars(select(Event)).one()
    assert event.slug == "netzwerkabend-fuer-gruenderinnen-2026-12-10"
    assert event.starts_at == datetime(2026, 12, 10, 17, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2026, 12, 10, 19, 0, tzinfo=UTC)
    assert event.registration_closes_at == event.starts_at  # the default deadline
    assert event.status == "published" and event.capacity == 20 and event.taken == 0
    assert event.audience_keys == ["founders_women", "retail"]
    assert [a.subject for a in audits("event.create")] == [event.slug]
    listing = staff_client.get(LIST).text
    assert "Netzwerkabend für Gründerinnen" in listing and "0 von 20" in listing


@pytest.mark.parametrize(("overrides", "message"), [
    ({"title": ""}, "Bitte geben Sie einen Titel ein."),
    ({"kind": ""}, "Bitte wählen Sie die Art der Veranstaltung."),
    ({"start_date": ""}, "Bitte geben Sie das Datum der Veranstaltung ein."),
    ({"start_date": "10.12.2026x"}, "Bitte geben Sie ein Datum ein"),
    ({"start_time": "25:99"}, "Bitte geben Sie eine Uhrzeit ein"),
    ({"end_time": "17:00"}, "Das Ende muss nach dem Beginn liegen."),
    ({"closes_date": "2026-12-11", "closes_time": "12:00"},
     "Der Anmeldeschluss darf nicht nach dem Beginn liegen."),
    ({"place": "", "online_url": ""}, "Bitte geben Sie einen Ort oder einen Online-Zugang an."),
    ({"online_url": "http://meet.example.org/raum"}, "der mit https:// beginnt"),
    ({"online_url": "https://"}, "der mit https:// beginnt"),
    ({"capacity": "0"}, "Bitte geben Sie 1 bis 1000 Plätze an."),
    ({"capacity": "1001"}, "Bitte geben Sie 1 bis 1000 Plätze an."),
    ({"capacity": "zwanzig"}, "Bitte geben Sie eine ganze Zahl ein"),
    ({"capacity": ""}, "Bitte geben Sie die Zahl der Plätze ein."),
    ({"audiences": ["everyone"]}, "Bitte wählen Sie einen Eintrag aus der Liste."),
    ({"status": "cancelled"}, "Bitte wählen Sie einen Eintrag aus der Liste."),
    ({"host_shop_id": "999"}, "Bitte wählen Sie einen Eintrag aus der Liste."),
    ({"title": "x" * 121}, "Höchstens 120 Zeichen."),
])
def test_refusals_say_why_in_german_and_store_nothing(
        staff_client: FlaskClient, overrides: dict[str, object], message: str) -> None:
    response = post_form(staff_client, NEW, **overrides)
    assert response.status_code == 400
    assert message in response.text.replace("&#34;", '"')
    assert "Bitte prüfen Sie Ihre Angaben" in response.text
    assert count(Event) == 0 and count(EventAudience) == 0 and not audits("event.create")


@BOTH
def test_a_wall_clock_time_skipped_by_dst_is_refused(staff_client: FlaskClient) -> None:
    # On 28 March 2027 clocks jump from 2:00 to 3:00: 2:30 does not exist in Berlin.
    response = post_form(staff_client, NEW, start_date="2027-03-28", start_time="02:30",
                         end_time="04:00")
    assert response.status_code == 400
    assert "Den 02:30 Uhr gibt es am 28.03.2027 nicht" in response.text
    assert count(Event) == 0
    # 3:30 exists (CEST, UTC+2); the night's doubled hour in October means its first.
    assert post_form(staff_client, NEW, start_date="2027-03-28", start_time="03:30",
                     end_time="05:00").status_code == 303
    assert post_form(staff_client, NEW, start_date="2027-10-31", start_time="02:30",
                     end_time="04:00").status_code == 303
    spring, autumn = db.session.scalars(select(Event).order_by(Event.starts_at)).all()
    assert spring.starts_at == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert autumn.starts_at == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_a_picture_needs_its_alt_text(staff_client: FlaskClient) -> None:
    picture = (io.BytesIO(png()), "foto.png")
    response = post_form(staff_client, NEW, picture=picture)
    assert response.status_code == 400
    assert "Bitte beschreiben Sie das Bild in wenigen Worten" in response.text
    assert count(Event) == 0
    response = post_form(staff_client, NEW, picture=(io.BytesIO(png()), "foto.png"),
                         image_alt="Frauen im Gespräch")
    assert response.status_code == 303
    event = db.session.scalars(select(Event)).one()
    assert event.image is not None and event.image_alt == "Frauen im Gespräch"


@BOTH
def test_edit_keeps_the_slug_and_refuses_capacity_below_taken(
        staff_client: FlaskClient) -> None:
    event = make_event(capacity=5)
    for number in range(3):
        register(event, f"Person {number}", f"p{number}@example.org")
    path = f"{LIST}/{event.id}"
    page = staff_client.get(path)
    assert page.status_code == 200 and 'value="Netzwerkabend"' in page.text

    response = post_form(staff_client, path, title="Netzwerkabend", capacity="2")
    assert response.status_code == 400
    assert "Es sind schon 3 Plätze vergeben; weniger geht nicht." in response.text
    db.session.expire_all()
    assert db.session.get_one(Event, event.id).capacity == 5
    assert not audits("event.edit")

    response = post_form(staff_client, path, title="Neuer Titel", capacity="3")
    assert response.status_code == 303
    db.session.expire_all()
    saved = db.session.get_one(Event, event.id)
    assert saved.capacity == 3 and saved.title == "Neuer Titel"
    assert saved.slug == "netzwerkabend-2026-12-10"
    [entry] = audits("event.edit")
    assert "title" in entry.details["changed"] and "capacity" in entry.details["changed"]


def test_a_published_event_with_registrations_cannot_become_a_draft(
        staff_client: FlaskClient) -> None:
    event = make_event()
    register(event, "Erika Muster", "erika@example.org")
    response = post_form(staff_client, f"{LIST}/{event.id}", title="Netzwerkabend",
                         status="draft")
    assert response.status_code == 400 and "kann nur abgesagt werden" in response.text
    db.session.expire_all()
    assert db.session.get_one(Event, event.id).status == "published"


def test_more_places_go_to_the_people_waiting(staff_client: FlaskClient) -> None:
    event = make_event(capacity=1)
    register(event, "Erika Muster", "erika@example.org")
    waiting = register(event, "Karl Beispiel", "karl@example.org")
    assert waiting.status == "waiting"
    assert post_form(staff_client, f"{LIST}/{event.id}", title="Netzwerkabend",
                     capacity="2").status_code == 303
    db.session.expire_all()
    assert db.session.get_one(EventRegistration, waiting.id).status == "offered"


@BOTH
def test_a_change_of_time_mails_the_confirmed_participants(
        staff_client: FlaskClient, mailbox: Mailbox) -> None:
    event = make_event(capacity=1, online_url="https://meet.example.org/abend")
    confirmed = register(event, "Erika Muster", "erika@example.org")
    register(event, "Karl Beispiel", "karl@example.org")  # waiting
    mailbox.clear()

    # A new title alone tells nobody.
    assert post_form(staff_client, f"{LIST}/{event.id}", title="Netzwerkabend im Advent",
                     capacity="1", online_url="https://meet.example.org/abend",
                     place="Markt 1, Herten").status_code == 303
    db.session.expire_all()
    assert db.session.get_one(Event, event.id).sequence == 0
    assert not [m for m in mailbox.messages if "Geändert" in str(m["Subject"])]

    response = post_form(staff_client, f"{LIST}/{event.id}", title="Netzwerkabend im Advent",
                         capacity="1", start_time="19:00", end_time="21:00",
                         online_url="https://meet.example.org/abend",
                         place="Markt 1, Herten")
    assert response.status_code == 303
    db.session.expire_all()
    saved = db.session.get_one(Event, event.id)
    assert saved.sequence == 1
    assert saved.starts_at == datetime(2026, 12, 10, 18, 0, tzinfo=UTC)
    assert saved.registration_closes_at == saved.starts_at
    changed = [m for m in mailbox.messages if "Geändert" in str(m["Subject"])]
    assert [m["To"] for m in changed] == ["erika@example.org"]
    [message] = changed
    text = Mailbox.text(message)
    assert "hat sich geändert" in text and "19:00–21:00 Uhr" in text
    assert events.manage_link(confirmed) in text
    assert "https://meet.example.org/abend" in text  # a confirmed participant's mail
    [attachment] = [part for part in message.iter_attachments()
                    if part.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(attachment.get_content())
    [entry] = calendar.walk("VEVENT")
    assert entry["SEQUENCE"] == 1
    assert entry.decoded("DTSTART").astimezone(UTC) == datetime(2026, 12, 10, 18, 0,
                                                                 tzinfo=UTC)
    assert audits("event.edit")[-1].details["told"] == 1


def test_a_cancelled_event_is_not_edited(staff_client: FlaskClient) -> None:
    event = make_event(status="cancelled")
    page = staff_client.get(f"{LIST}/{event.id}")
    assert page.status_code == 303 and page.headers["Location"].endswith("/anmeldungen")
    response = post_form(staff_client, f"{LIST}/{event.id}", csrf_from=LIST)
    assert response.status_code == 303
    assert "abgesagt und lässt sich nicht mehr ändern" in staff_client.get(LIST).text
    db.session.expire_all()
    assert db.session.get_one(Event, event.id).title == "Netzwerkabend"


def test_preview_shows_a_draft_and_the_form_preview_saves_nothing(
        staff_client: FlaskClient) -> None:
    event = make_event(status="draft", description="Mit **Imbiss**.",
                       online_url="https://meet.example.org/geheim")
    page = staff_client.get(f"{LIST}/{event.id}/vorschau")
    assert page.status_code == 200 and "<strong>Imbiss</strong>" in page.text
    assert "meet.example.org/geheim" not in page.text
    response = post_form(staff_client, NEW, aktion="vorschau", description="Neu *hier*")
    assert response.status_code == 200 and "<em>hier</em>" in response.text
    assert count(Event) == 1


# ---------------------------------------------------------------------------
# Copy and cancel
# ---------------------------------------------------------------------------


@BOTH
def test_copy_makes_a_draft_a_week_later_in_the_same_series(
        staff_client: FlaskClient) -> None:
    event = make_event(audiences=[EventAudience(audience="founders")])
    register(event, "Erika Muster", "erika@example.org")
    response = staff_client.post(f"{LIST}/{event.id}/kopieren",
                                 data={"csrf_token": token(staff_client)})
    assert response.status_code == 303
    db.session.expire_all()
    original = db.session.get_one(Event, event.id)
    copy = db.session.scalars(select(Event).where(Event.id != event.id)).one()
    assert response.headers["Location"].endswith(f"/buero/veranstaltungen/{copy.id}")
    assert copy.status == "draft" and copy.taken == 0 and copy.sequence == 0
    assert copy.starts_at == original.starts_at + timedelta(days=7)
    assert copy.registration_closes_at == copy.starts_at
    assert copy.slug == "netzwerkabend-2026-12-17"
    assert copy.series == original.series == "netzwerkabend-2026-12-10"
    assert copy.title == original.title and copy.place == original.place
    assert copy.audience_keys == ["founders"]
    assert events.registrations(copy.id) == []
    assert audits("event.copy")[0].details["original"] == original.slug
    assert staff_client.get(f"{LIST}/{event.id}/kopieren").status_code == 405


def test_copy_keeps_the_wall_clock_across_the_dst_change(staff_client: FlaskClient) -> None:
    starts_at = datetime(2027, 3, 24, 18, 0, tzinfo=BERLIN).astimezone(UTC)
    event = make_event(slug="fuehrung", starts_at=starts_at, ends_at=starts_at
                       + timedelta(hours=1), registration_closes_at=starts_at, series="tour")
    staff_client.post(f"{LIST}/{event.id}/kopieren", data={"csrf_token": token(staff_client)})
    copy = db.session.scalars(select(Event).where(Event.id != event.id)).one()
    assert clock.local(copy.starts_at).hour == 18 and copy.series == "tour"


@BOTH
def test_cancel_tells_everyone_registered_or_waiting(
        staff_client: FlaskClient, mailbox: Mailbox, app: Flask) -> None:
    event = make_event(capacity=1, place="", online_url="https://meet.example.org/fuehrung",
                       kind="tour_digital")
    register(event, "Erika Muster", "erika@example.org")
    register(event, "Karl Beispiel", "karl@example.org")
    mailbox.clear()
    path = f"{LIST}/{event.id}/absagen"
    page = staff_client.get(path)
    assert page.status_code == 200 and "2 Personen (angemeldet oder auf der Warteliste)" in \
        page.text
    db.session.expire_all()
    assert db.session.get_one(Event, event.id).status == "published"  # GET changed nothing

    with staff_client.post(path, data={"csrf_token": csrf_token(page.text),
                                       "reason": "Der Betrieb hat Inventur."}) as response:
        assert response.status_code == 303
    db.session.expire_all()
    saved = db.session.get_one(Event, event.id)
    assert saved.status == "cancelled" and saved.cancel_reason == "Der Betrieb hat Inventur."
    told = [m for m in mailbox.messages if "Abgesagt" in str(m["Subject"])]
    assert sorted(m["To"] for m in told) == ["erika@example.org", "karl@example.org"]
    for message in told:
        assert "Der Betrieb hat Inventur." in Mailbox.text(message)
        assert "meet.example.org" not in message.as_string()
    assert "abgesagt" in staff_client.get(LIST).text
    [entry] = audits("event.cancel")
    assert entry.details["told"] == 2
    feed = Calendar.from_ical(events.feed_text(clock.utcnow()))
    [item] = feed.walk("VEVENT")
    assert item["STATUS"] == "CANCELLED"
    # A second time: refused, nobody told again.
    mailbox.clear()
    again = staff_client.post(path, data={"csrf_token": token(staff_client), "reason": ""})
    assert again.status_code == 303 and "schon abgesagt" in staff_client.get(LIST).text
    assert len(audits("event.cancel")) == 1


def test_an_event_that_has_begun_is_not_cancelled(
        staff_client: FlaskClient, freeze: Callable[[datetime], None]) -> None:
    event = make_event()
    freeze(event.starts_at)
    path = f"{LIST}/{event.id}/absagen"
    assert "hat schon begonnen" in staff_client.get(path).text
    staff_client.post(path, data={"csrf_token": token(staff_client), "reason": ""})
    db.session.expire_all()
    assert db.session.get_one(Event, event.id).status == "published"
    assert not audits("event.cancel")


def test_cancel_refuses_a_too_long_reason(staff_client: FlaskClient) -> None:
    event = make_event()
    path = f"{LIST}/{event.id}/absagen"
    response = staff_client.post(path, data={"csrf_token": token(staff_client, path),
                                             "reason": "x" * 501})
    assert response.status_code == 400 and "Höchstens 500 Zeichen." in response.text
    db.session.expire_all()
    assert db.session.get_one(Event, event.id).status == "published"


# ---------------------------------------------------------------------------
# Registrations: the list, taking someone off, CSV
# ---------------------------------------------------------------------------


def test_the_registrations_page_shows_each_list(staff_client: FlaskClient) -> None:
    event = make_event(capacity=1)
    register(event, "Erika Muster", "erika@example.org", "Café Mitte")
    register(event, "Karl Beispiel", "karl@example.org")
    register(event, "Lena Dritte", "lena@example.org")
    html = staff_client.get(f"{LIST}/{event.id}/anmeldungen").text
    assert "Bestätigt (1)" in html and "Warteliste (2)" in html and "Café Mitte" in html
    assert html.index("Karl Beispiel") < html.index("Lena Dritte")
    assert "1 von 1" in html
    assert ">2</td>" in staff_client.get(LIST).text  # the waiting count in the list


@BOTH
def test_taking_someone_off_promotes_the_next_waiting(
        staff_client: FlaskClient, mailbox: Mailbox) -> None:
    event = make_event(capacity=1)
    first = register(event, "Erika Muster", "erika@example.org")
    second = register(event, "Karl Beispiel", "karl@example.org")
    mailbox.clear()
    path = f"{LIST}/{event.id}/anmeldungen/{first.id}/entfernen"
    assert staff_client.get(path).status_code == 405
    with staff_client.post(path, data={"csrf_token": token(staff_client)}) as response:
        assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get_one(EventRegistration, first.id).status == "removed"
    promoted = db.session.get_one(EventRegistration, second.id)
    assert promoted.status == "offered" and promoted.offered_until is not None
    assert [m["To"] for m in mailbox.messages] == ["karl@example.org"]
    assert "Ein Platz ist frei" in str(mailbox.messages[0]["Subject"])
    assert audits("event.remove")[0].details == {"registration": first.id,
                                                 "status": "confirmed"}
    # Once more: no longer active, nothing changes.
    staff_client.post(path, data={"csrf_token": token(staff_client)})
    assert len(audits("event.remove")) == 1
    other = make_event(slug="anderes")
    assert staff_client.post(f"{LIST}/{other.id}/anmeldungen/{second.id}/entfernen",
                             data={"csrf_token": token(staff_client)}).status_code == 404


def test_the_csv_export_needs_a_fresh_login_and_defuses_formulas(
        app: Flask, staff_user: User, freeze: Callable[[datetime], None]) -> None:
    event = make_event()
    register(event, "=cmd|' /C calc'!A0", "erika@example.org", "+49 Firma")
    register(event, "Karl Beispiel", "karl@example.org")
    path = f"{LIST}/{event.id}/anmeldungen.csv"
    client = app.test_client()
    log_in(client, staff_user, clock.utcnow() - timedelta(minutes=11))
    stale = client.get(path)
    assert stale.status_code == 302 and "/anmelden/bestaetigen" in stale.headers["Location"]
    assert not audits("export.event_registrations")

    log_in(client, staff_user, clock.utcnow())
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Name", "E-Mail", "Firma", "Status", "Angemeldet am",
                       "Platz angeboten bis", "Eingecheckt"]
    assert rows[1][:4] == ["'=cmd|' /C calc'!A0", "erika@example.org", "'+49 Firma",
                           "bestätigt"]
    assert rows[2][0] == "Karl Beispiel"
    [entry] = audits("export.event_registrations")
    assert entry.details == {"rows": 2} and entry.actor_id == staff_user.id


# ---------------------------------------------------------------------------
# Check-in
# ---------------------------------------------------------------------------


def test_check_in_toggles_by_post_only(staff_client: FlaskClient) -> None:
    event = make_event(capacity=1)
    person = register(event, "Erika Muster", "erika@example.org")
    waiting = register(event, "Karl Beispiel", "karl@example.org")
    page = f"{LIST}/{event.id}/einlass"
    action = f"{page}/{person.id}"
    html = staff_client.get(page).text
    assert "0 von 1 da" in html and ">Da<" in html and "Karl Beispiel" not in html
    assert staff_client.get(action).status_code == 405
    assert staff_client.get(action + "?da=ja").status_code == 405
    db.session.expire_all()
    assert db.session.get_one(EventRegistration, person.id).checked_in_at is None

    response = staff_client.post(action, data={"csrf_token": csrf_token(html), "da": "ja"})
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"#person-{person.id}")
    db.session.expire_all()
    assert db.session.get_one(EventRegistration, person.id).checked_in_at == clock.utcnow()
    html = staff_client.get(page).text
    assert "1 von 1 da" in html and "Nicht da" in html

    staff_client.post(action, data={"csrf_token": csrf_token(html), "da": "nein"})
    db.session.expire_all()
    assert db.session.get_one(EventRegistration, person.id).checked_in_at is None
    assert [a.details["present"] for a in audits("event.check_in")] == [True, False]

    # Only confirmed participants; a wrong value is a bad request.
    staff_client.post(f"{page}/{waiting.id}", data={"csrf_token": csrf_token(html),
                                                    "da": "ja"})
    db.session.expire_all()
    assert db.session.get_one(EventRegistration, waiting.id).checked_in_at is None
    assert staff_client.post(action, data={"csrf_token": csrf_token(html), "da": "x"}
                             ).status_code == 400
    assert "Erika" in staff_client.get(page + "?q=erik").text
    assert "Erika" not in staff_client.get(page + "?q=zzz").text


def test_the_check_in_list_is_sorted_by_name(staff_client: FlaskClient) -> None:
    event = make_event()
    register(event, "Zora Zett", "zora@example.org", "Zett GmbH")
    register(event, "anna Alpha", "anna@example.org")
    html = staff_client.get(f"{LIST}/{event.id}/einlassliste").text
    assert html.index("anna Alpha") < html.index("Zora Zett") and "Zett GmbH" in html
    assert "tick-box" in html


# ---------------------------------------------------------------------------
# The attendance report
# ---------------------------------------------------------------------------


@BOTH
def test_the_attendance_report_counts_per_month_and_kind(
        staff_client: FlaskClient, freeze: Callable[[datetime], None]) -> None:
    moment = datetime(2026, 11, 12, 10, 0, tzinfo=BERLIN)
    freeze(moment.astimezone(UTC))
    event = make_event(slug="november", starts_at=datetime(2026, 11, 19, 17, 0, tzinfo=UTC),
                       ends_at=datetime(2026, 11, 19, 19, 0, tzinfo=UTC),
                       registration_closes_at=datetime(2026, 11, 19, 17, 0, tzinfo=UTC))
    people = [register(event, f"Person {n}", f"p{n}@example.org") for n in range(3)]
    for person in people[:2]:
        events.set_checked_in(person, True, now=clock.utcnow())
    db.session.commit()
    make_event(slug="entwurf", status="draft", starts_at=datetime(2026, 11, 20, 17, 0,
               tzinfo=UTC), ends_at=datetime(2026, 11, 20, 19, 0, tzinfo=UTC),
               registration_closes_at=datetime(2026, 11, 20, 17, 0, tzinfo=UTC))
    freeze(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))

    html = staff_client.get(f"{LIST}/bericht").text
    assert "November 2026" in html and "Netzwerktreffen" in html
    cells = re.findall(r'<td class="num"[^>]*>(?:<strong>)?(\d+)<', html)
    assert cells == ["1", "3", "2", "1", "1", "3", "2", "1"]  # the row and the totals
    response = staff_client.get(f"{LIST}/bericht.csv")
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    assert rows == [["Monat", "Art", "Veranstaltungen", "Plätze gebucht", "Teilgenommen",
                     "Nicht erschienen"], ["2026-11", "Netzwerktreffen", "1", "3", "2", "1"]]


def test_the_section_is_in_the_navigation(staff_client: FlaskClient) -> None:
    html = staff_client.get(LIST).text
    assert 'aria-current="page">Veranstaltungen<' in html


# ---------------------------------------------------------------------------
# The service's codes
# ---------------------------------------------------------------------------


def test_berlin_wall_clock_times(app: Flask) -> None:
    assert berlin_moment(date(2027, 3, 28), time(2, 0)) is None
    assert berlin_moment(date(2027, 3, 28), time(2, 59)) is None
    assert berlin_moment(date(2027, 3, 28), time(3, 0)) == datetime(2027, 3, 28, 1, 0,
                                                                      tzinfo=UTC)
    assert berlin_moment(date(2026, 12, 10), time(18, 0)) == datetime(2026, 12, 10, 17, 0,
                                                                       tzinfo=UTC)


def test_the_service_refuses_with_stable_codes(
        app: Flask, freeze: Callable[[datetime], None]) -> None:
    now = clock.utcnow()
    draft = make_event(slug="entwurf", status="draft")
    with pytest.raises(EditError) as refused:
        event_admin.cancel_event(event_id=draft.id, reason="", now=now, actor_id=None)
    assert refused.value.code == "draft"
    event = make_event(capacity=1)
    confirmed = register(event, "Erika Muster", "erika@example.org")
    waiting = register(event, "Karl Beispiel", "karl@example.org")
    with pytest.raises(EditError) as refused:
        event_admin.check_in(event_id=event.id, registration_id=waiting.id, present=True,
                             now=now, actor_id=None)
    assert refused.value.code == "not_confirmed"
    with pytest.raises(EditError) as refused:
        event_admin.check_in(event_id=draft.id, registration_id=confirmed.id, present=True,
                             now=now, actor_id=None)
    assert refused.value.code == "unknown_registration"
    with pytest.raises(EditError) as refused:
        event_admin.cancel_event(event_id=event.id, reason="x" * 501, now=now,
                                 actor_id=None)
    assert refused.value.code == "reason_too_long"
    assert event_admin.cancel_event(event_id=event.id, reason="", now=now,
                                    actor_id=None) == 2
    with pytest.raises(EditError) as refused:
        event_admin.cancel_event(event_id=event.id, reason="", now=now, actor_id=None)
    assert refused.value.code == "already_cancelled"
    db.session.expire_all()
    with pytest.raises(EditError) as refused:
        event_admin.remove_registration(event_id=event.id, registration_id=confirmed.id,
                                        now=now, actor_id=None)
    assert refused.value.code == "cancelled"  # everyone was told: no more changes
    other = make_event(slug="anderes")
    left = register(other, "Erika Muster", "erika@example.org")
    events.cancel(token=left.token, now=now)
    with pytest.raises(EditError) as refused:
        event_admin.remove_registration(event_id=other.id, registration_id=left.id,
                                        now=now, actor_id=None)
    assert refused.value.code == "not_active"
