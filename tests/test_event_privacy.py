"""Event registrations in the privacy registry: purged (anonymised) after the event's
retention with the figures kept, exported and deleted by address; a deleted place for
an event still ahead goes to the next person waiting."""

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from app.extensions import db
from app.models import EventRegistration, OutboxMail
from app.services import events, privacy
from app.services.privacy import kinds

from .helpers import BERLIN
from .test_events import NOW, STARTS, make_event, register, statuses, taken

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)

KIND = next(kind for kind in privacy.KINDS if kind.key == "event_registrations")


def rows(slug: str) -> list[EventRegistration]:
    """The event's registrations, fresh."""
    db.session.expire_all()
    event = events.by_slug(slug)
    assert event is not None
    return events.registrations(event.id)


def past_evening() -> None:
    """A networking evening on 10 December with two checked in, one not come, one
    cancelled."""
    make_event(capacity=3)
    people = [register(n) for n in range(1, 5)]
    events.cancel(token=people[3].token, now=NOW)
    for registration in people[:2]:
        events.set_checked_in(registration, True, now=STARTS)
    db.session.commit()


def test_purge_anonymises_registrations_of_events_past_retention_and_keeps_the_figures(
        app: Flask) -> None:
    past_evening()
    make_event(slug="spaeter", capacity=3,
               starts_at=datetime(2027, 3, 11, 18, 0, tzinfo=BERLIN))
    register(1, slug="spaeter")
    assert app.config["EVENT_RETENTION_MONTHS"] == 3
    report_time = datetime(2027, 3, 15, 12, 0, tzinfo=BERLIN)
    figures = events.attendance(report_time)
    assert figures == [("2026-12", "networking", 1, 3, 2, 1),
                       ("2027-03", "networking", 1, 1, 0, 1)]

    # Three months after the evening's end (20:00 on 10 December), not a minute before.
    three_months = datetime(2027, 3, 10, 20, 0, tzinfo=BERLIN)
    privacy.purge(now=three_months - timedelta(minutes=1))
    assert all(r.email for r in rows("netzwerkabend"))
    done = {item.kind.key: item.count
            for item in privacy.purge(now=three_months + timedelta(minutes=1))}
    assert done["event_registrations"] == 4
    evening = rows("netzwerkabend")
    assert [(r.name, r.email, r.company) for r in evening] == [("", "", "")] * 4
    assert [r.status for r in evening] == ["confirmed"] * 3 + ["cancelled"]
    assert [r.checked_in_at is not None for r in evening] == [True, True, False, False]
    assert len({r.token for r in evening}) == 4
    assert [r.email for r in rows("spaeter")] == ["person1@example.org"]
    assert events.attendance(report_time) == figures
    assert "event_registrations" not in privacy.export(
        "person2@example.org", now=report_time)["data"]


def test_export_lists_the_registrations_of_an_address(app: Flask) -> None:
    past_evening()
    make_event(slug="spaeter", capacity=1,
               starts_at=datetime(2026, 12, 17, 18, 0, tzinfo=BERLIN))
    register(9, slug="spaeter")
    register(1, slug="spaeter")  # waiting
    data = privacy.export("Person1@Example.org", now=NOW)["data"]["event_registrations"]
    assert [(r["event"], r["status"], r["name"], r["email"]) for r in data] == [
        ("Netzwerkabend", "confirmed", "Person 1", "person1@example.org"),
        ("Netzwerkabend", "waiting", "Person 1", "person1@example.org"),
    ]
    assert data[0]["checked_in_at"] is not None and data[1]["checked_in_at"] is None
    assert data[0]["starts_at"] == STARTS.astimezone(UTC).isoformat()
    assert KIND.export is not None and KIND.export("person7@example.org") == []


def test_delete_of_a_place_ahead_cancels_it_and_offers_it_to_the_next(app: Flask) -> None:
    make_event(capacity=1)
    register(1), register(2), register(3)
    done = {item.kind.key: item.count for item in privacy.delete(
        "PERSON1@example.org", now=NOW + timedelta(hours=1))}
    assert done["event_registrations"] == 1
    assert statuses() == [("", "cancelled"), ("person2@example.org", "offered"),
                          ("person3@example.org", "waiting")]
    assert taken() == 1
    offer = db.session.scalars(db.select(OutboxMail).where(
        OutboxMail.kind == "event_offer")).one()
    assert offer.recipient == "person2@example.org"
    assert "event_registrations" not in privacy.export("person1@example.org", now=NOW)["data"]
    # The old personal link no longer opens anything; the address may register again.
    assert register(1, now=NOW + timedelta(hours=2)).status == "waiting"


def test_delete_of_someone_waiting_keeps_the_places(app: Flask) -> None:
    make_event(capacity=1)
    register(1), register(2), register(3)
    privacy.delete("person2@example.org", now=NOW)
    assert statuses() == [("person1@example.org", "confirmed"), ("", "cancelled"),
                          ("person3@example.org", "waiting")]
    assert taken() == 1 and kinds.count_event_registrations() == 2


def test_the_registry_names_event_registrations_on_the_privacy_notice(app: Flask) -> None:
    # /buero/datenschutz lists every kind of the registry: tests/backoffice/test_privacy.py
    app.config["EVENT_RETENTION_MONTHS"] = 6
    public = app.test_client().get("/datenschutz").text
    assert "<dt>Anmeldungen zu Veranstaltungen</dt>" in public
    assert "6 Monate nach der Veranstaltung" in public
    assert '<h3 id="veranstaltungen">Anmeldungen zu Veranstaltungen</h3>' in public
    section = public.split('id="veranstaltungen"')[1].split("</section>")[0]
    assert "6 Monate nach der Veranstaltung; danach bleiben nur" in section
    assert "nur bestätigte Teilnehmende" in section
