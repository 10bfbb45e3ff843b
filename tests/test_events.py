"""Events: registering while places last, the waiting list and its 48-hour offers,
cancelling and leaving the list, reminders, calling off, attendance, calendar files.

The clock is frozen at Tuesday 1 December 2026, 9:00 in Herten; mails go through the
real SMTP test server."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from sqlalchemy import func, select

from app.extensions import db
from app.models import Event, EventRegistration, OutboxMail
from app.services import events, mail
from app.services.events import EventError

from .helpers import BERLIN, FIRST_DAY
from .smtp import Mailbox

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)

NOW = FIRST_DAY
# Thursday 10 December 2026, 18:00–20:00 in Herten.
STARTS = datetime(2026, 12, 10, 18, 0, tzinfo=BERLIN)
ONLINE = "https://meet.example.org/fuehrung-geheim"


def make_event(slug: str = "netzwerkabend", capacity: int = 2, **overrides: object) -> Event:
    """A published networking evening on 10 December with ``capacity`` places."""
    starts_at = overrides.pop("starts_at", STARTS)
    assert isinstance(starts_at, datetime)
    values: dict[str, object] = {
        "slug": slug, "kind": "networking", "status": "published",
        "title": "Netzwerkabend", "summary": "Kennenlernen in der Altstadt.",
        "starts_at": starts_at, "ends_at": starts_at + timedelta(hours=2),
        "registration_closes_at": starts_at - timedelta(hours=6),
        "place": "Innenstadtbüro, Hermannstraße 1, 45699 Herten", "capacity": capacity,
    }
    values.update(overrides)
    event = Event(**values)
    db.session.add(event)
    db.session.commit()
    return event


def register(n: int, slug: str = "netzwerkabend", now: datetime = NOW,
             **overrides: object) -> EventRegistration:
    """Person ``n`` registers with valid details unless ``overrides`` say otherwise."""
    values: dict[str, object] = {"name": f"Person {n}", "email": f"person{n}@example.org",
                                 "company": "", "consent": True}
    values.update(overrides)
    return events.register(slug=slug, now=now, **values)  # type: ignore[arg-type]


def statuses(slug: str = "netzwerkabend") -> list[tuple[str, str]]:
    """(e-mail, status) of the event's registrations, in the order they came."""
    db.session.expire_all()
    event = events.by_slug(slug, drafts=True)
    assert event is not None
    return [(r.email, r.status) for r in events.registrations(event.id)]


def taken(slug: str = "netzwerkabend") -> int:
    """The event's counter of places taken, fresh from the database."""
    return int(db.session.scalar(select(Event.taken).where(Event.slug == slug)) or 0)


def holding(slug: str = "netzwerkabend") -> int:
    """The registrations that hold a place (confirmed or offered)."""
    return int(db.session.scalar(
        select(func.count()).select_from(EventRegistration).join(Event).where(
            Event.slug == slug, EventRegistration.status.in_(("confirmed", "offered"))))
        or 0)


def count(model: type) -> int:
    """Rows of ``model``."""
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def subjects(mailbox: Mailbox, address: str) -> list[str]:
    """The subjects of the mails to ``address``, in order."""
    return [subject(message) for message in mailbox.to(address)]


def subject(message: object) -> str:
    """A mail's subject, as read."""
    return str(message["Subject"]).strip()  # type: ignore[index]


def everything(message: object) -> str:
    """A mail's text, HTML and attachments together (to look for a link anywhere)."""
    assert hasattr(message, "iter_attachments")
    parts = [Mailbox.text(message), Mailbox.html(message)]  # type: ignore[arg-type]
    parts += [raw.decode() for raw in Mailbox.attachments(message).values()]  # type: ignore[arg-type]
    # iCalendar folds long lines; unfold before searching.
    return "\n".join(parts).replace("\r\n ", "").replace("\n ", "")


def parsed(raw: bytes | str) -> tuple[Calendar, list]:  # type: ignore[type-arg]
    """A calendar file parsed with icalendar, and its VEVENTs."""
    calendar = Calendar.from_ical(raw)
    return calendar, calendar.walk("VEVENT")


# ---------------------------------------------------------------------------
# Registering
# ---------------------------------------------------------------------------


def test_places_go_in_order_then_the_waiting_list(app: Flask, mailbox: Mailbox) -> None:
    make_event(capacity=2)
    results = [register(n) for n in range(1, 5)]
    assert [r.status for r in results] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert taken() == 2
    assert [events.waiting_position(r) for r in results[2:]] == [1, 2]
    event = events.by_slug("netzwerkabend")
    assert event is not None and events.places_left(event) == 0

    mail.deliver(now=NOW)
    [confirmed] = mailbox.to("person1@example.org")
    assert subject(confirmed).startswith("Ihre Anmeldung: Netzwerkabend")
    text = Mailbox.text(confirmed)
    assert f"http://rallye.test/veranstaltungen/anmeldung/{results[0].token}" in text
    assert "Donnerstag, 10. Dezember 2026, 18:00–20:00 Uhr" in text
    _calendar, [entry] = parsed(Mailbox.attachments(confirmed)["veranstaltung.ics"])
    assert entry.decoded("DTSTART").astimezone(UTC) == datetime(2026, 12, 10, 17, 0, tzinfo=UTC)
    [waiting] = mailbox.to("person4@example.org")
    assert "Warteliste" in waiting["Subject"] and "an Stelle 2" in Mailbox.text(waiting)
    assert "jederzeit von der Warteliste nehmen" in Mailbox.text(waiting)
    assert f"/veranstaltungen/anmeldung/{results[3].token}" in Mailbox.text(waiting)
    assert Mailbox.attachments(waiting) == {}


@pytest.mark.parametrize("address", ["person1@example.org", "PERSON1@Example.ORG",
                                     "  Person1@example.org "])
def test_the_same_address_twice_is_refused_and_nothing_is_written(
        app: Flask, address: str) -> None:
    make_event(capacity=5)
    first = register(1)
    before = (count(EventRegistration), count(OutboxMail), taken())
    with pytest.raises(EventError) as refused:
        register(2, email=address)
    assert refused.value.code == "already_registered"
    assert refused.value.context["registration"].id == first.id
    assert (count(EventRegistration), count(OutboxMail), taken()) == before


def test_after_leaving_one_may_register_again(app: Flask) -> None:
    make_event(capacity=5)
    first = register(1)
    events.cancel(token=first.token, now=NOW)
    again = register(1, now=NOW + timedelta(minutes=1))
    assert again.status == "confirmed" and again.id != first.id and taken() == 1


@pytest.mark.parametrize(("overrides", "code"), [
    ({"name": "   "}, "bad_name"),
    ({"name": "x" * 101}, "bad_name"),
    ({"email": "keine-adresse"}, "bad_email"),
    ({"email": ""}, "bad_email"),
    ({"company": "y" * 121}, "company_too_long"),
    ({"consent": False}, "consent_missing"),
    ({"name": "Anna\x00"}, "control_characters"),
    ({"email": "anna\x1b@example.org"}, "control_characters"),
    ({"company": "Laden\x85 GmbH"}, "control_characters"),
])
def test_bad_details_are_refused_and_nothing_is_written(
        app: Flask, overrides: dict[str, object], code: str) -> None:
    make_event()
    with pytest.raises(EventError) as refused:
        register(1, **overrides)
    assert refused.value.code == code
    assert (count(EventRegistration), count(OutboxMail), taken()) == (0, 0, 0)


def test_names_and_companies_are_tidied(app: Flask) -> None:
    make_event()
    registration = register(1, name="  Anna   Beispiel ", company=" Laden  am Markt ")
    assert (registration.name, registration.company) == ("Anna Beispiel", "Laden am Markt")


@pytest.mark.parametrize(("change", "now"), [
    ({}, STARTS - timedelta(hours=6)),  # the deadline
    ({}, STARTS + timedelta(minutes=1)),  # begun
    ({"registration_closes_at": STARTS}, STARTS),
    ({"status": "draft"}, NOW),
    ({"status": "cancelled"}, NOW),
])
def test_closed_events_take_no_registration(app: Flask, change: dict[str, object],
                                            now: datetime) -> None:
    make_event(**change)
    with pytest.raises(EventError) as refused:
        register(1, now=now)
    assert refused.value.code == ("unknown_event" if change.get("status") == "draft"
                                  else "closed")
    assert (count(EventRegistration), count(OutboxMail), taken()) == (0, 0, 0)


def test_a_draft_is_unknown_and_a_registration_a_minute_before_the_deadline_counts(
        app: Flask) -> None:
    make_event()
    assert register(1, now=STARTS - timedelta(hours=6, minutes=1)).status == "confirmed"
    with pytest.raises(EventError) as refused:
        register(2, slug="gibt-es-nicht")
    assert refused.value.code == "unknown_event"


# ---------------------------------------------------------------------------
# Cancelling, offers, the waiting list
# ---------------------------------------------------------------------------


def test_a_cancelled_place_is_offered_to_the_first_waiting(app: Flask, mailbox: Mailbox) -> None:
    make_event(capacity=1)
    first, second, third = register(1), register(2), register(3)
    mail.deliver(now=NOW)
    mailbox.clear()
    later = NOW + timedelta(hours=1)
    events.cancel(token=first.token, now=later)
    assert statuses() == [("person1@example.org", "cancelled"),
                          ("person2@example.org", "offered"),
                          ("person3@example.org", "waiting")]
    db.session.refresh(second)
    assert second.offered_until == later + timedelta(hours=48)
    assert taken() == 1

    mail.deliver(now=later)
    [cancelled] = mailbox.to("person1@example.org")
    assert subject(cancelled).startswith("Abgemeldet")
    calendar, [entry] = parsed(Mailbox.attachments(cancelled)["veranstaltung.ics"])
    assert calendar["METHOD"] == "CANCEL" and entry["STATUS"] == "CANCELLED"
    [offer] = mailbox.to("person2@example.org")
    assert "Platz" in offer["Subject"] and "frei" in offer["Subject"]
    text = Mailbox.text(offer)
    assert "Donnerstag, 3. Dezember, 10:00 Uhr" in text  # 48 hours after 10:00
    assert f"/veranstaltungen/anmeldung/{second.token}" in text
    assert Mailbox.attachments(offer) == {}
    assert mailbox.to("person3@example.org") == []
    assert third.status == "waiting"


def test_an_offer_never_runs_past_the_start(app: Flask) -> None:
    make_event(capacity=1)
    first, second = register(1), register(2)
    late = STARTS - timedelta(hours=10)
    events.cancel(token=first.token, now=late)
    db.session.refresh(second)
    assert second.status == "offered" and second.offered_until == STARTS


def test_an_offer_not_confirmed_in_48_hours_goes_to_the_next(
        app: Flask, mailbox: Mailbox) -> None:
    make_event(capacity=1)
    first, second, third = register(1), register(2), register(3)
    events.cancel(token=first.token, now=NOW)
    mail.deliver(now=NOW)
    mailbox.clear()

    just_before = NOW + timedelta(hours=47, minutes=59)
    assert events.process_due(just_before)[0] == []
    deadline = NOW + timedelta(hours=48)
    expired, _reminded = events.process_due(deadline)
    assert expired == [second.id]
    assert [s for _e, s in statuses()] == ["cancelled", "expired", "offered"]
    db.session.refresh(third)
    assert third.offered_until == deadline + timedelta(hours=48)
    assert taken() == 1
    mail.deliver(now=deadline)
    [gone] = mailbox.to("person2@example.org")
    assert "nicht bestätigt" in gone["Subject"]
    [offer] = mailbox.to("person3@example.org")
    assert "frei" in offer["Subject"]

    # The late one cannot take the place back.
    with pytest.raises(EventError) as refused:
        events.confirm_offer(token=second.token, now=deadline + timedelta(minutes=1))
    assert refused.value.code == "not_changeable"


def test_confirming_an_offer_in_time_gives_the_place_and_a_calendar_file(
        app: Flask, mailbox: Mailbox) -> None:
    make_event(capacity=1)
    first, second = register(1), register(2)
    events.cancel(token=first.token, now=NOW)
    mail.deliver(now=NOW)
    mailbox.clear()
    later = NOW + timedelta(hours=47)
    confirmed = events.confirm_offer(token=second.token, now=later)
    assert confirmed.status == "confirmed" and confirmed.offered_until is None
    assert taken() == 1 and events.process_due(NOW + timedelta(hours=49))[0] == []
    mail.deliver(now=later)
    [message] = mailbox.to("person2@example.org")
    assert subject(message).startswith("Ihre Anmeldung")
    calendar, [entry] = parsed(Mailbox.attachments(message)["veranstaltung.ics"])
    assert calendar["METHOD"] == "PUBLISH" and entry.get("STATUS") != "CANCELLED"
    with pytest.raises(EventError) as refused:
        events.confirm_offer(token=second.token, now=later)
    assert refused.value.code == "not_changeable"


def test_an_offer_past_its_time_is_refused_even_before_the_run(app: Flask) -> None:
    make_event(capacity=1)
    first, second = register(1), register(2)
    events.cancel(token=first.token, now=NOW)
    with pytest.raises(EventError) as refused:
        events.confirm_offer(token=second.token, now=NOW + timedelta(hours=48))
    assert refused.value.code == "offer_expired"
    assert [s for _e, s in statuses()] == ["cancelled", "offered"]
    with pytest.raises(EventError) as unknown:
        events.confirm_offer(token="nichts", now=NOW)
    assert unknown.value.code == "unknown_registration"


def test_declining_an_offer_passes_it_on(app: Flask) -> None:
    make_event(capacity=1)
    first, second, _third = register(1), register(2), register(3)
    events.cancel(token=first.token, now=NOW)
    events.cancel(token=second.token, now=NOW + timedelta(hours=1))
    assert [s for _e, s in statuses()] == ["cancelled", "cancelled", "offered"]
    assert taken() == 1


def test_leaving_the_waiting_list_frees_no_place_and_keeps_the_order(
        app: Flask, mailbox: Mailbox) -> None:
    make_event(capacity=1)
    first, second, third, fourth = (register(n) for n in range(1, 5))
    left = events.cancel(token=third.token, now=NOW)
    assert left.status == "cancelled" and taken() == 1
    assert events.waiting_position(second) == 1 and events.waiting_position(fourth) == 2
    mail.deliver(now=NOW)
    assert subjects(mailbox, "person3@example.org")[-1].startswith(
        "Von der Warteliste genommen")
    assert Mailbox.attachments(mailbox.to("person3@example.org")[-1]) == {}
    with pytest.raises(EventError) as twice:
        events.cancel(token=third.token, now=NOW)
    assert twice.value.code == "not_changeable"
    events.cancel(token=first.token, now=NOW)
    assert [s for _e, s in statuses()] == ["cancelled", "offered", "cancelled", "waiting"]


def test_nothing_changes_once_the_event_has_begun(app: Flask) -> None:
    make_event(capacity=1)
    first, _second = register(1), register(2)
    with pytest.raises(EventError) as refused:
        events.cancel(token=first.token, now=STARTS)
    assert refused.value.code == "not_changeable"
    assert [s for _e, s in statuses()] == ["confirmed", "waiting"]


# ---------------------------------------------------------------------------
# Reminders
# ---------------------------------------------------------------------------


def test_one_reminder_two_days_before_for_confirmed_participants_only(
        app: Flask, mailbox: Mailbox) -> None:
    make_event(capacity=2, online_url=ONLINE, kind="tour_digital",
               place="")
    confirmed, gone, waiting = register(1), register(2), register(3)
    before = STARTS - timedelta(days=2, hours=1)
    events.cancel(token=gone.token, now=before)  # person 3 is offered the place
    register(4, now=before)
    mail.deliver(now=before)
    mailbox.clear()

    assert events.process_due(STARTS - timedelta(days=2, minutes=1)) == ([], [])
    due = STARTS - timedelta(days=2)
    assert events.process_due(due)[1] == [confirmed.id]
    assert events.process_due(due + timedelta(minutes=5))[1] == []
    mail.deliver(now=due + timedelta(minutes=5))
    [reminder] = mailbox.messages
    assert "person1@example.org" in reminder["To"]
    assert subject(reminder).startswith("Erinnerung: Netzwerkabend")
    text = Mailbox.text(reminder)
    assert f"http://rallye.test/veranstaltungen/anmeldung/{confirmed.token}" in text
    assert ONLINE in text and ONLINE in Mailbox.html(reminder)
    assert waiting.status == "offered"


def test_a_reminder_for_a_place_confirmed_later_and_none_without_online_link(
        app: Flask, mailbox: Mailbox) -> None:
    make_event(capacity=1)
    first, second = register(1), register(2)
    events.cancel(token=first.token, now=NOW)
    events.confirm_offer(token=second.token, now=NOW + timedelta(hours=1))
    mail.deliver(now=NOW + timedelta(hours=1))
    mailbox.clear()
    due = STARTS - timedelta(days=2)
    assert events.queue_due_reminders(due) == [second.id]
    mail.deliver(now=due)
    [reminder] = mailbox.messages
    assert "person2@example.org" in reminder["To"]
    assert "online" not in Mailbox.text(reminder).lower()


def test_a_registration_inside_the_two_days_needs_no_separate_reminder(
        app: Flask, mailbox: Mailbox) -> None:
    make_event(capacity=2, online_url=ONLINE)
    late = STARTS - timedelta(days=1)
    register(1, now=late)
    assert events.process_due(late + timedelta(minutes=1)) == ([], [])
    mail.deliver(now=late + timedelta(minutes=1))
    [confirmation] = mailbox.messages
    text = Mailbox.text(confirmation)
    assert ONLINE in text and "/veranstaltungen/anmeldung/" in text


# ---------------------------------------------------------------------------
# Calling off, and where the online link goes
# ---------------------------------------------------------------------------


def test_calling_off_tells_everyone_active_with_a_cancel_for_the_confirmed(
        app: Flask, mailbox: Mailbox) -> None:
    event = make_event(capacity=2)
    first, gone, _third, _fourth = (register(n) for n in range(1, 5))
    events.cancel(token=gone.token, now=NOW)  # 3 offered, 4 waiting
    mail.deliver(now=NOW)
    mailbox.clear()
    sequence = event.sequence
    told = events.call_off(event, reason="Der Saal ist gesperrt.", now=NOW)
    db.session.commit()
    assert told == 3 and event.status == "cancelled" and event.sequence == sequence + 1
    mail.deliver(now=NOW)
    assert sorted(str(m["To"]) for m in mailbox.messages) == [
        "person1@example.org", "person3@example.org", "person4@example.org"]
    [confirmed] = mailbox.to("person1@example.org")
    assert subject(confirmed).startswith("Abgesagt") and "Saal" in Mailbox.text(confirmed)
    calendar, [entry] = parsed(Mailbox.attachments(confirmed)["veranstaltung.ics"])
    assert calendar["METHOD"] == "CANCEL" and entry["STATUS"] == "CANCELLED"
    assert int(entry["SEQUENCE"]) == sequence + 1
    for address in ("person3@example.org", "person4@example.org"):
        [message] = mailbox.to(address)
        assert Mailbox.attachments(message) == {}
    # Nobody can register, confirm or cancel any more; the offer does not "expire" later.
    with pytest.raises(EventError) as refused:
        register(5)
    assert refused.value.code == "closed"
    with pytest.raises(EventError) as refused:
        events.cancel(token=first.token, now=NOW)
    assert refused.value.code == "not_changeable"
    mailbox.clear()
    assert events.process_due(NOW + timedelta(hours=49)) == ([], [])
    assert events.queue_due_reminders(STARTS - timedelta(days=1)) == []
    mail.deliver(now=NOW + timedelta(hours=49))
    assert mailbox.messages == []


def test_the_online_link_goes_only_to_confirmed_participants(
        app: Flask, mailbox: Mailbox) -> None:
    event = make_event(capacity=1, kind="tour_digital", place="", online_url=ONLINE)
    first, second, third = register(1), register(2), register(3)
    events.cancel(token=first.token, now=NOW)  # 2 offered
    events.process_due(NOW + timedelta(hours=48))  # 2 expired, 3 offered
    later = NOW + timedelta(hours=49)
    events.confirm_offer(token=third.token, now=later)
    events.process_due(STARTS - timedelta(days=2))  # reminder to 3
    fourth = register(4, now=STARTS - timedelta(days=2))  # waiting
    events.call_off(event, reason="Technik", now=STARTS - timedelta(days=1))
    db.session.commit()
    mail.deliver(now=STARTS - timedelta(days=1))

    with_link, without = [], []
    for message in mailbox.messages:
        kind = (str(message["To"]), subject(message).split(":")[0])
        (with_link if ONLINE in everything(message) else without).append(kind)
    assert sorted(with_link) == [
        ("person1@example.org", "Ihre Anmeldung"),
        ("person3@example.org", "Erinnerung"),
        ("person3@example.org", "Ihre Anmeldung"),
    ]
    assert sorted(without) == sorted([
        ("person1@example.org", "Abgemeldet"),
        ("person2@example.org", "Warteliste"),
        ("person2@example.org", "Ein Platz ist frei"),
        ("person2@example.org", "Platz nicht bestätigt"),
        ("person3@example.org", "Warteliste"),
        ("person3@example.org", "Ein Platz ist frei"),
        ("person3@example.org", "Abgesagt"),
        ("person4@example.org", "Warteliste"),
        ("person4@example.org", "Abgesagt"),
    ])
    assert fourth.status == "waiting" and second.status == "expired"
    # Nor in the public calendar files.
    assert ONLINE not in events.feed_text(NOW) + events.calendar_text(event, now=NOW)


# ---------------------------------------------------------------------------
# The capacity invariant under any sequence of steps
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [20, 2026])
def test_taken_always_counts_the_confirmed_and_offered(app: Flask, seed: int) -> None:
    make_event(capacity=3, starts_at=datetime(2027, 2, 25, 18, 0, tzinfo=BERLIN))
    rng = random.Random(seed)
    now = NOW
    people = 0
    for _step in range(150):
        now += timedelta(hours=rng.choice((1, 7, 25)))
        action = rng.choice(("register", "register", "cancel", "confirm", "expire",
                             "remove"))
        active = [r for r in events.registrations(
            events.by_slug("netzwerkabend").id,  # type: ignore[union-attr]
            ("confirmed", "offered", "waiting"))]
        try:
            if action == "register":
                people += 1
                register(people, now=now)
            elif action == "cancel" and active:
                events.cancel(token=rng.choice(active).token, now=now)
            elif action == "confirm":
                offered = [r for r in active if r.status == "offered"]
                if offered:
                    events.confirm_offer(token=rng.choice(offered).token, now=now)
            elif action == "expire":
                events.process_due(now)
            elif action == "remove" and active:
                events.remove(rng.choice(active), now=now)
                db.session.commit()
        except EventError as error:
            assert error.code in {"offer_expired", "not_changeable"}, error.code
            db.session.rollback()
        db.session.expire_all()
        assert taken() == holding() <= 3, (action, statuses())
        waiting = [s for _e, s in statuses()].count("waiting")
        assert waiting == 0 or taken() == 3, statuses()
    assert people > 30


_examples = iter(range(1, 10**6))
STEP = st.tuples(st.sampled_from(("register", "cancel", "confirm", "expire", "remove")),
                 st.integers(0, 3), st.sampled_from((1, 7, 49)))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=25))
def test_any_sequence_of_steps_keeps_taken_equal_to_the_places_held(
        app: Flask, steps: list[tuple[str, int, int]]) -> None:
    """Hypothesis draws the steps (and shrinks a failing sequence to its shortest)."""
    slug = f"folge-{next(_examples)}"
    make_event(slug=slug, capacity=1, starts_at=datetime(2027, 2, 25, 18, 0, tzinfo=BERLIN))
    event_id = db.session.scalar(select(Event.id).where(Event.slug == slug))
    assert event_id is not None
    now = NOW
    for action, who, hours in steps:
        now += timedelta(hours=hours)
        mine = {r.email: r for r in events.registrations(
            event_id, ("confirmed", "offered", "waiting"))}
        person = mine.get(f"p{who}-{slug}@example.org")
        try:
            if action == "register":
                events.register(slug=slug, name=f"P {who}", email=f"p{who}-{slug}@example.org",
                                consent=True, now=now)
            elif action == "cancel" and person:
                events.cancel(token=person.token, now=now)
            elif action == "confirm" and person:
                events.confirm_offer(token=person.token, now=now)
            elif action == "expire":
                events.expire_offers(now)
            elif action == "remove" and person:
                events.remove(person, now=now)
                db.session.commit()
        except EventError as error:
            assert error.code in {"already_registered", "offer_expired", "not_changeable"}
            db.session.rollback()
        db.session.expire_all()
        assert taken(slug) == holding(slug) <= 1, (action, statuses(slug))
        if [s for _e, s in statuses(slug)].count("waiting"):
            assert taken(slug) == 1, statuses(slug)


# ---------------------------------------------------------------------------
# Attendance and calendars
# ---------------------------------------------------------------------------


def test_attendance_counts_ended_published_events_per_month_and_kind(app: Flask) -> None:
    make_event(slug="fuehrung", kind="tour_onsite", capacity=5)
    make_event(capacity=5)
    make_event(slug="netzwerk-2", capacity=5,
               starts_at=datetime(2026, 12, 17, 18, 0, tzinfo=BERLIN))
    make_event(slug="netzwerk-3", capacity=5,
               starts_at=datetime(2027, 1, 14, 18, 0, tzinfo=BERLIN))
    called_off = make_event(slug="abgesagt", capacity=5)
    regs = {slug: [register(n, slug=slug) for n in range(1, 4)]
            for slug in ("fuehrung", "netzwerkabend", "netzwerk-2", "netzwerk-3", "abgesagt")}
    events.cancel(token=regs["netzwerkabend"][2].token, now=NOW)
    events.call_off(called_off, reason="", now=NOW)
    after = datetime(2027, 2, 1, 12, 0, tzinfo=BERLIN)
    for slug, present in (("fuehrung", 2), ("netzwerkabend", 1), ("netzwerk-2", 0),
                          ("netzwerk-3", 3)):
        for registration in regs[slug][:present]:
            events.set_checked_in(registration, True, now=registration.event.starts_at)
    db.session.commit()
    assert events.attendance(after) == [
        ("2026-12", "networking", 2, 5, 1, 4),
        ("2026-12", "tour_onsite", 1, 3, 2, 1),
        ("2027-01", "networking", 1, 3, 3, 0),
    ]
    # Before January's event has ended it is not counted; a window narrows the months.
    assert events.attendance(datetime(2027, 1, 14, 19, 0, tzinfo=BERLIN))[-1][0] == "2026-12"
    assert events.attendance(after, since=datetime(2027, 1, 1, tzinfo=BERLIN)) == [
        ("2027-01", "networking", 1, 3, 3, 0)]


def test_the_feed_parses_with_stable_uids_and_marks_cancelled_events(app: Flask) -> None:
    first = make_event()
    second = make_event(slug="fuehrung", kind="tour_onsite",
                        starts_at=datetime(2026, 12, 15, 10, 0, tzinfo=BERLIN))
    make_event(slug="entwurf", status="draft")
    make_event(slug="vorbei", starts_at=datetime(2026, 11, 20, 18, 0, tzinfo=BERLIN))
    calendar, entries = parsed(events.feed_text(NOW))
    uids = [str(entry["UID"]) for entry in entries]
    assert uids == [f"veranstaltung-{first.id}@innenstadt-rallye",
                    f"veranstaltung-{second.id}@innenstadt-rallye"]
    assert "METHOD" not in calendar and calendar["X-WR-CALNAME"]
    assert "http://rallye.test/veranstaltungen/netzwerkabend" in str(entries[0]["URL"])
    events.call_off(second, reason="", now=NOW)
    db.session.commit()
    _calendar, again = parsed(events.feed_text(NOW + timedelta(hours=1)))
    assert [str(entry["UID"]) for entry in again] == uids
    assert again[1]["STATUS"] == "CANCELLED" and int(again[1]["SEQUENCE"]) == 1
    assert again[0].get("STATUS") != "CANCELLED"
    _calendar, [single] = parsed(events.calendar_text(first, now=NOW))
    assert str(single["UID"]) == uids[0]


def test_times_are_right_on_both_sides_of_the_clock_changes(app: Flask) -> None:
    now = datetime(2026, 10, 1, 9, 0, tzinfo=BERLIN)
    autumn = make_event(slug="herbst", starts_at=datetime(2026, 10, 27, 18, 0, tzinfo=BERLIN))
    spring = make_event(slug="fruehling",
                        starts_at=datetime(2027, 3, 30, 18, 0, tzinfo=BERLIN))
    raw = events.feed_text(now)
    calendar, entries = parsed(raw)
    by_uid = {str(e["UID"]): e for e in entries}
    autumn_entry = by_uid[f"veranstaltung-{autumn.id}@innenstadt-rallye"]
    spring_entry = by_uid[f"veranstaltung-{spring.id}@innenstadt-rallye"]
    assert autumn_entry.decoded("DTSTART").astimezone(UTC) == datetime(
        2026, 10, 27, 17, 0, tzinfo=UTC)
    assert spring_entry.decoded("DTSTART").astimezone(UTC) == datetime(
        2027, 3, 30, 16, 0, tzinfo=UTC)
    for entry in (autumn_entry, spring_entry):
        assert entry["DTSTART"].params["TZID"] == "Europe/Berlin"
    # The file's own VTIMEZONE (what a calendar program without a zone database uses)
    # gives the same offsets on both dates.
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Berlin"
    own = zone.to_tz()
    assert datetime(2026, 10, 27, 18, 0, tzinfo=own).utcoffset() == timedelta(hours=1)
    assert datetime(2027, 3, 30, 18, 0, tzinfo=own).utcoffset() == timedelta(hours=2)
    assert "DTSTART;TZID=Europe/Berlin:20270330T180000" in raw.replace("\r\n", "\n")
    assert "DTSTART;TZID=Europe/Berlin:20261027T180000" in raw.replace("\r\n", "\n")


def test_the_outbox_run_moves_an_expired_offer_on(
        app: Flask, runner: FlaskCliRunner, mailbox: Mailbox,
        freeze) -> None:  # type: ignore[no-untyped-def]
    make_event(capacity=1)
    first, second, third = register(1), register(2), register(3)
    events.cancel(token=first.token, now=NOW)
    mail.deliver(now=NOW)
    mailbox.clear()
    freeze(NOW + timedelta(hours=48, minutes=1))
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert [s for _e, s in statuses()] == ["cancelled", "expired", "offered"]
    assert sorted(str(m["To"]) for m in mailbox.messages) == [
        "person2@example.org", "person3@example.org"]
    db.session.refresh(third)
    assert second.id < third.id and third.offered_until is not None


def test_calling_off_twice_tells_nobody_twice(app: Flask) -> None:
    event = make_event(capacity=2)
    register(1), register(2), register(3)
    assert events.call_off(event, reason="", now=NOW) == 3
    db.session.commit()
    assert events.call_off(event, reason="Noch einmal", now=NOW) == 0
    db.session.commit()
    assert event.sequence == 1 and event.cancel_reason == ""
    assert count(OutboxMail) == 3 + 3


def test_the_office_taking_someone_off_frees_the_place_once(app: Flask) -> None:
    make_event(capacity=1)
    first, second, third = register(1), register(2), register(3)
    events.remove(first, now=NOW)
    db.session.commit()
    assert [s for _e, s in statuses()] == ["removed", "offered", "waiting"]
    events.remove(first, now=NOW)  # a second click
    events.cancel(token=second.token, now=NOW)
    events.remove(second, now=NOW)  # already cancelled by the person
    db.session.commit()
    assert [s for _e, s in statuses()] == ["removed", "cancelled", "offered"]
    assert taken() == 1 == holding() and third.status == "offered"


def test_a_place_added_while_people_wait_goes_to_the_first_waiting(app: Flask) -> None:
    event = make_event(capacity=1)
    register(1), register(2), register(3)
    event.capacity = 2  # the office's edit, without a promotion of its own
    db.session.commit()
    newcomer = register(4, now=NOW + timedelta(hours=1))
    assert newcomer.status == "waiting"
    assert [s for _e, s in statuses()] == ["confirmed", "offered", "waiting", "waiting"]
    assert taken() == 2 == holding()


def test_an_offer_confirmed_inside_the_two_days_is_its_own_reminder(
        app: Flask, mailbox: Mailbox) -> None:
    make_event(capacity=1, online_url=ONLINE)
    first, second = register(1), register(2)
    late = STARTS - timedelta(days=1)
    events.cancel(token=first.token, now=late)
    events.confirm_offer(token=second.token, now=late + timedelta(hours=1))
    assert events.queue_due_reminders(late + timedelta(hours=2)) == []
    assert events.queue_due_reminders(late + timedelta(hours=2)) == []


def test_calling_off_keeps_the_offices_own_changes_of_the_same_transaction(app: Flask) -> None:
    event = make_event()
    event.summary = "Fällt aus."
    events.call_off(event, reason="Krank", now=NOW)
    db.session.commit()
    db.session.expire_all()
    assert (event.summary, event.status, event.cancel_reason) == (
        "Fällt aus.", "cancelled", "Krank")
