"""The office's side of appointments (services.appointment_desk and
appointment_settings): the week by day and adviser, confirming and declining with mail,
"nicht erschienen", notes, the settings' checks, the private feed."""

import secrets
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import (
    SLOT_MINUTES,
    Appointment,
    AppointmentSlot,
    AppointmentTopic,
    AuditEvent,
    OfficeClosure,
    OfficeHours,
    OutboxMail,
)
from app.services import appointment_desk as desk
from app.services import appointment_settings as settings
from app.services import mail
from app.services.editing import InvalidInput

from .helpers import BERLIN, FIRST_DAY
from .smtp import Mailbox
from .test_auth import make_user

# FIRST_DAY is Tuesday, 1 December 2026, 09:00 in Herten.
MONDAY = date(2026, 11, 30)


def make_topic(name: str = "Kurzberatung", minutes: int = 30, **overrides: object
               ) -> AppointmentTopic:
    """A bookable topic."""
    values: dict[str, object] = {"slug": f"thema-{secrets.token_hex(3)}", "name": name,
                                 "duration_minutes": minutes, "position": 0, "active": True}
    values.update(overrides)
    topic = AppointmentTopic(**values)
    db.session.add(topic)
    db.session.flush()
    return topic


def make_booking(starts_at: datetime, *, topic: AppointmentTopic | None = None,
                 adviser: int = 1, status: str = "requested", **overrides: object
                 ) -> Appointment:
    """A booking as the public side makes it: the row and its held 15-minute slots."""
    topic = topic or make_topic()
    starts_at = starts_at.astimezone(BERLIN)
    values: dict[str, object] = {
        "token": secrets.token_urlsafe(16), "topic_id": topic.id, "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=topic.duration_minutes), "adviser": adviser,
        "status": status, "name": "Erika Muster", "email": "erika@example.org",
        "phone": "02366 303-0", "note": "Es geht um die Nachfolge.", "consent_at": FIRST_DAY,
        "created_at": FIRST_DAY - timedelta(days=2),
        "updated_at": FIRST_DAY - timedelta(days=2),
    }
    values.update(overrides)
    booking = Appointment(**values)
    db.session.add(booking)
    db.session.flush()
    if booking.status in ("requested", "confirmed"):
        for offset in range(0, topic.duration_minutes, SLOT_MINUTES):
            db.session.add(AppointmentSlot(adviser=adviser,
                                           starts_at=booking.starts_at + timedelta(minutes=offset),
                                           appointment_id=booking.id))
    db.session.commit()
    return booking


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of December 2026 in Herten."""
    return datetime(2026, 12, day, hour, minute, tzinfo=BERLIN)


def slots_of(booking: Appointment) -> int:
    """How many slots ``booking`` holds."""
    return db.session.scalar(select(func.count()).select_from(AppointmentSlot).where(
        AppointmentSlot.appointment_id == booking.id)) or 0


def fresh(booking: Appointment) -> Appointment:
    """``booking`` as stored now."""
    found = db.session.get(Appointment, booking.id, populate_existing=True)
    assert found is not None
    return found


def actions() -> list[str]:
    """The audit log's actions, oldest first (without the test users' creation)."""
    return [action for action in db.session.scalars(
        select(AuditEvent.action).order_by(AuditEvent.id)) if not action.startswith("user.")]


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_the_week_groups_bookings_by_day_and_adviser(app: Flask) -> None:
    db.session.add_all([OfficeHours(weekday=day, opens=540, closes=720, advisers=2)
                        for day in range(4)])
    topic = make_topic()
    late = make_booking(at(1, 11), topic=topic, adviser=1)
    early = make_booking(at(1, 10), topic=topic, adviser=1, status="confirmed")
    second = make_booking(at(1, 10), topic=topic, adviser=2)
    make_booking(at(7, 10), topic=topic)  # next week

    week = desk.desk_week(MONDAY, now=FIRST_DAY)

    assert [day.day for day in week.days] == [MONDAY + timedelta(days=n) for n in range(4)]
    tuesday = week.days[1]
    assert tuesday.is_today and not week.days[0].is_today
    assert [c.adviser for c in tuesday.columns] == [1, 2]
    assert [a.id for a in tuesday.columns[0].appointments] == [early.id, late.id]
    assert [a.id for a in tuesday.columns[1].appointments] == [second.id]
    assert (tuesday.count, tuesday.requested) == (3, 2)
    assert week.is_current and week.next == date(2026, 12, 7)


def test_a_friday_booking_shows_its_day(app: Flask) -> None:
    make_booking(at(4, 10))
    week = desk.desk_week(MONDAY, now=FIRST_DAY)
    assert [day.day.weekday() for day in week.days] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_confirm_mails_the_person_with_a_calendar_entry(app: Flask, mailbox: Mailbox) -> None:
    booking = make_booking(at(3, 14), topic=make_topic("Unternehmensnachfolge", 60))
    staff = make_user("staff")

    assert desk.confirm(booking.id, now=FIRST_DAY, actor_id=staff.id) is True
    assert mail.deliver(now=FIRST_DAY).sent

    stored = fresh(booking)
    assert stored.status == "confirmed" and stored.updated_at >= FIRST_DAY
    assert slots_of(booking) == 4
    [message] = mailbox.to("erika@example.org")
    assert "bestätigt" in message["Subject"]
    text = Mailbox.text(message)
    assert "Donnerstag, 3. Dezember 2026, 14:00–15:00 Uhr" in text
    assert f"http://rallye.test/termine/{booking.token}" in text
    [ics] = Mailbox.attachments(message).values()
    calendar = Calendar.from_ical(ics)
    assert calendar["METHOD"] == "PUBLISH"
    [event] = calendar.walk("VEVENT")
    assert event["UID"] == f"termin-{booking.id}@innenstadt-rallye"
    assert event.decoded("DTSTART").astimezone(BERLIN) == at(3, 14)
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2026, 12, 3, 13, 0, tzinfo=UTC)
    assert event.decoded("DTEND").astimezone(BERLIN) == at(3, 15)
    assert int(event["SEQUENCE"]) == int(stored.updated_at.timestamp())
    assert actions() == ["appointment.confirm"]


def test_confirm_twice_sends_one_mail(app: Flask, mailbox: Mailbox) -> None:
    booking = make_booking(at(3, 14))
    assert desk.confirm(booking.id, now=FIRST_DAY, actor_id=None) is True
    assert desk.confirm(booking.id, now=FIRST_DAY, actor_id=None) is False
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 1
    assert actions() == ["appointment.confirm"]


def test_a_booking_that_has_begun_cannot_be_confirmed(app: Flask) -> None:
    booking = make_booking(at(1, 9))
    with pytest.raises(desk.DeskError) as excinfo:
        desk.confirm(booking.id, now=FIRST_DAY, actor_id=None)
    assert excinfo.value.code == "past"
    assert fresh(booking).status == "requested"
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0


@pytest.mark.parametrize("status", ["declined", "cancelled", "no_show"])
def test_a_closed_booking_cannot_be_confirmed(app: Flask, status: str) -> None:
    booking = make_booking(at(3, 14), status=status)
    with pytest.raises(desk.DeskError) as excinfo:
        desk.confirm(booking.id, now=FIRST_DAY, actor_id=None)
    assert excinfo.value.code == "not_open"
    assert fresh(booking).status == status


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_decline_frees_the_time_and_tells_the_person(app: Flask, mailbox: Mailbox) -> None:
    booking = make_booking(at(3, 14), status="confirmed")
    assert desk.decline(booking.id, message="Wir sind an dem Tag auf einer Messe.\r\nBitte "
                        "buchen Sie neu.", now=FIRST_DAY, actor_id=None) is True
    mail.deliver(now=FIRST_DAY)

    assert fresh(booking).status == "declined"
    assert slots_of(booking) == 0
    [message] = mailbox.to("erika@example.org")
    assert "Messe" in Mailbox.text(message) and "Messe" in Mailbox.html(message)
    [ics] = Mailbox.attachments(message).values()
    assert Calendar.from_ical(ics)["METHOD"] == "CANCEL"
    # The time is free: another booking can hold the same adviser's slots.
    other = make_booking(at(3, 14), topic=booking.topic, email="neu@example.org")
    assert slots_of(other) == 2
    # A second click does nothing and mails nothing.
    assert desk.decline(booking.id, message="", now=FIRST_DAY, actor_id=None) is False
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 1


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_held_slots_still_refuse_a_second_booking(app: Flask) -> None:
    booking = make_booking(at(3, 14))
    with pytest.raises(IntegrityError):
        make_booking(at(3, 14, 15), topic=booking.topic)
    db.session.rollback()


def test_a_too_long_decline_message_stores_nothing(app: Flask) -> None:
    booking = make_booking(at(3, 14))
    with pytest.raises(desk.DeskError) as excinfo:
        desk.decline(booking.id, message="x" * 1001, now=FIRST_DAY, actor_id=None)
    assert excinfo.value.code == "message_too_long"
    assert fresh(booking).status == "requested" and slots_of(booking) == 2
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0


def test_no_show_only_once_the_time_has_begun(app: Flask) -> None:
    booking = make_booking(at(1, 10), status="confirmed")
    with pytest.raises(desk.DeskError) as excinfo:
        desk.mark_no_show(booking.id, now=FIRST_DAY, actor_id=None)
    assert excinfo.value.code == "not_started"
    assert desk.mark_no_show(booking.id, now=at(1, 10, 20), actor_id=None) is True
    assert desk.mark_no_show(booking.id, now=at(1, 10, 20), actor_id=None) is False
    assert fresh(booking).status == "no_show"
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0
    assert actions() == ["appointment.no_show"]


def test_the_staff_note_is_stored_and_audited(app: Flask) -> None:
    booking = make_booking(at(3, 14))
    before = fresh(booking).updated_at
    assert desk.set_staff_note(booking.id, note="  Unterlagen mitbringen lassen ",
                               now=FIRST_DAY, actor_id=None) is True
    assert desk.set_staff_note(booking.id, note="Unterlagen mitbringen lassen",
                               now=FIRST_DAY, actor_id=None) is False
    stored = fresh(booking)
    assert stored.staff_note == "Unterlagen mitbringen lassen"
    assert stored.updated_at == before  # the person's calendar has nothing new
    assert actions() == ["appointment.staff_note"]


def test_an_unknown_booking(app: Flask) -> None:
    with pytest.raises(desk.DeskError) as excinfo:
        desk.confirm(999, now=FIRST_DAY, actor_id=None)
    assert excinfo.value.code == "unknown_appointment"


# --- settings --------------------------------------------------------------------------


def week_form(**values: str) -> dict[str, str | None]:
    """A week form with only ``values`` filled."""
    return {**dict.fromkeys(settings.WEEK_FIELDS, ""), **values}


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_save_week_replaces_the_intervals_and_keeps_bookings(app: Flask) -> None:
    db.session.add(OfficeHours(weekday=0, opens=600, closes=660, advisers=1))
    booking = make_booking(at(1, 10))
    settings.save_week(week_form(d0_1_opens="09:00", d0_1_closes="12:00", d0_1_advisers="2",
                                 d0_2_opens="13:00", d0_2_closes="16:00"),
                       now=FIRST_DAY, actor_id=None)
    stored = [(h.weekday, h.opens, h.closes, h.advisers) for h in settings.office_week()]
    assert stored == [(0, 540, 720, 2), (0, 780, 960, 1)]
    assert fresh(booking).status == "requested" and slots_of(booking) == 2
    event = db.session.scalars(select(AuditEvent)).one()
    assert event.action == "office_week.save"
    assert event.details["before"] == [[0, 600, 660, 1]]


@pytest.mark.parametrize(("values", "field", "code"), [
    ({"d0_1_opens": "09:10", "d0_1_closes": "12:00"}, "d0_1_opens", "off_grid"),
    ({"d0_1_opens": "09:00", "d0_1_closes": "12:05"}, "d0_1_closes", "off_grid"),
    ({"d1_1_opens": "12:00", "d1_1_closes": "09:00"}, "d1_1_closes", "closes_before_opens"),
    ({"d1_1_opens": "09:00", "d1_1_closes": "09:00"}, "d1_1_closes", "closes_before_opens"),
    ({"d2_1_opens": "09:00", "d2_1_closes": "12:00", "d2_2_opens": "11:30",
      "d2_2_closes": "14:00"}, "d2_2_opens", "overlap"),
    ({"d3_1_opens": "09:00"}, "d3_1_closes", "half_interval"),
    ({"d3_1_opens": "neun", "d3_1_closes": "12:00"}, "d3_1_opens", "bad_time"),
    ({"d3_1_opens": "25:00", "d3_1_closes": "26:00"}, "d3_1_opens", "bad_time"),
    ({"d0_1_opens": "09:00", "d0_1_closes": "12:00", "d0_1_advisers": "0"},
     "d0_1_advisers", "bad_advisers"),
    ({"d0_1_opens": "09:00", "d0_1_closes": "12:00", "d0_1_advisers": "21"},
     "d0_1_advisers", "bad_advisers"),
    ({"d0_1_opens": "09:00", "d0_1_closes": "12:00", "d0_1_advisers": "zwei"},
     "d0_1_advisers", "bad_advisers"),
])
def test_bad_weeks_are_refused_and_nothing_stored(app: Flask, values: dict[str, str],
                                                 field: str, code: str) -> None:
    db.session.add(OfficeHours(weekday=0, opens=600, closes=660, advisers=1))
    db.session.commit()
    with pytest.raises(InvalidInput) as excinfo:
        settings.save_week(week_form(**values), now=FIRST_DAY, actor_id=None)
    assert (field, code) in [(p.field, p.code) for p in excinfo.value.problems]
    assert [(h.opens, h.closes) for h in settings.office_week()] == [(600, 660)]
    assert actions() == []


def test_the_week_form_shows_the_stored_week(app: Flask) -> None:
    db.session.add_all([OfficeHours(weekday=2, opens=780, closes=960, advisers=3),
                        OfficeHours(weekday=2, opens=540, closes=720, advisers=1)])
    values = settings.week_values(settings.office_week())
    assert (values["d2_1_opens"], values["d2_1_closes"], values["d2_1_advisers"]) == (
        "09:00", "12:00", "1")
    assert (values["d2_2_opens"], values["d2_2_advisers"]) == ("13:00", "3")


def topic_input(**overrides: object) -> settings.TopicInput:
    """A valid topic."""
    values: dict[str, object] = {"name": "Gründung und Finanzierung", "duration_minutes": 45,
                                 "position": 3, "active": True, "service_id": None}
    values.update(overrides)
    return settings.TopicInput(**values)  # type: ignore[arg-type]


def test_topics_are_created_and_edited(app: Flask) -> None:
    topic = settings.add_topic(topic_input(), now=FIRST_DAY, actor_id=None)
    assert topic.slug == "gruendung-und-finanzierung"
    again = settings.add_topic(topic_input(), now=FIRST_DAY, actor_id=None)
    assert again.slug == "gruendung-und-finanzierung-2"
    settings.edit_topic(topic.id, topic_input(duration_minutes=60, active=False),
                        now=FIRST_DAY, actor_id=None)
    stored = db.session.get(AppointmentTopic, topic.id, populate_existing=True)
    assert stored is not None and (stored.duration_minutes, stored.active) == (60, False)
    assert actions() == ["appointment_topic.create", "appointment_topic.create",
                         "appointment_topic.edit"]


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"name": ""}, "name", "missing"),
    ({"name": "x" * 121}, "name", "too_long"),
    ({"duration_minutes": 20}, "duration_minutes", "bad_duration"),
    ({"duration_minutes": 0}, "duration_minutes", "bad_duration"),
    ({"duration_minutes": 255}, "duration_minutes", "bad_duration"),
    ({"duration_minutes": None}, "duration_minutes", "bad_duration"),
    ({"position": None}, "position", "bad_position"),
    ({"service_id": 999}, "service_id", "unknown_service"),
])
def test_bad_topics_are_refused(app: Flask, overrides: dict[str, object], field: str,
                                code: str) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        settings.add_topic(topic_input(**overrides), now=FIRST_DAY, actor_id=None)
    assert [(p.field, p.code) for p in excinfo.value.problems] == [(field, code)]
    assert db.session.scalar(select(func.count()).select_from(AppointmentTopic)) == 0


def test_closures_are_added_and_removed(app: Flask) -> None:
    make_booking(at(22, 10))
    closure = settings.add_closure(starts_on=date(2026, 12, 21), ends_on=date(2026, 12, 23),
                                   reason="Betriebsurlaub", now=FIRST_DAY, actor_id=None)
    assert [c.id for c in settings.closures(now=FIRST_DAY)] == [closure.id]
    assert settings.bookings_in(closure.starts_on, closure.ends_on) == 1
    assert settings.remove_closure(closure.id, now=FIRST_DAY, actor_id=None) is True
    assert settings.remove_closure(closure.id, now=FIRST_DAY, actor_id=None) is False
    assert actions() == ["office_closure.create", "office_closure.remove"]


@pytest.mark.parametrize(("starts_on", "ends_on", "field", "code"), [
    (date(2026, 12, 23), date(2026, 12, 21), "ends_on", "ends_before_start"),
    (None, date(2026, 12, 21), "starts_on", "missing"),
    (date(2026, 12, 21), None, "ends_on", "missing"),
    (date(2026, 12, 21), date(2028, 1, 1), "ends_on", "too_long_closure"),
])
def test_bad_closures_are_refused(app: Flask, starts_on: date | None, ends_on: date | None,
                                  field: str, code: str) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        settings.add_closure(starts_on=starts_on, ends_on=ends_on, reason="", now=FIRST_DAY,
                             actor_id=None)
    assert (field, code) in [(p.field, p.code) for p in excinfo.value.problems]
    assert db.session.scalar(select(func.count()).select_from(OfficeClosure)) == 0


# --- the feed --------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_the_feed_holds_the_bookings_that_hold_time(app: Flask) -> None:
    topic = make_topic("Leerstand und Zwischennutzung")
    old = make_booking(FIRST_DAY - timedelta(days=20), topic=topic)
    past = make_booking(at(1, 8) - timedelta(days=7), topic=topic, status="confirmed")
    coming = make_booking(at(3, 14), topic=topic, phone="0171 2345678")
    make_booking(at(3, 15), topic=topic, status="declined")
    far = make_booking(FIRST_DAY + timedelta(weeks=7), topic=topic)

    calendar = Calendar.from_ical(desk.feed_file(now=FIRST_DAY))
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"termin-{past.id}@innenstadt-rallye",
                           f"termin-{coming.id}@innenstadt-rallye"}
    assert old.id and far.id
    event = events[f"termin-{coming.id}@innenstadt-rallye"]
    description = str(event["DESCRIPTION"])
    assert "Leerstand und Zwischennutzung" in description
    assert "Erika Muster" in description and "erika@example.org" in description
    assert "0171 2345678" in description
    assert event.decoded("DTSTART").astimezone(BERLIN) == at(3, 14)


def test_feed_tokens_are_renewed_and_belong_to_active_staff(app: Flask) -> None:
    staff = make_user("staff")
    first = desk.renew_feed_token(staff.id, now=FIRST_DAY, actor_id=staff.id)
    assert desk.feed_owner(first) is not None
    second = desk.renew_feed_token(staff.id, now=FIRST_DAY, actor_id=staff.id)
    assert second != first and len(second) >= 32
    assert desk.feed_owner(first) is None and desk.feed_owner(second) is not None
    assert desk.feed_owner("") is None
    gone = make_user("staff", email="ehemals@herten.test", active=False)
    assert desk.feed_owner(desk.renew_feed_token(gone.id, now=FIRST_DAY, actor_id=None)) is None
    keeper = make_user("shopkeeper")
    token = desk.renew_feed_token(keeper.id, now=FIRST_DAY, actor_id=None)
    assert desk.feed_owner(token) is None
    desk.remove_feed_token(staff.id, now=FIRST_DAY, actor_id=staff.id)
    assert desk.feed_owner(second) is None
    assert actions()[:2] == ["calendar_feed.create", "calendar_feed.renew"]


# --- at the same moment ----------------------------------------------------------------


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_simultaneous_clicks_confirm_once_and_decline_once(app: Flask) -> None:
    from .test_concurrency import all_at_once

    confirmed, declined = make_booking(at(3, 14)), make_booking(at(3, 10))
    confirm_id, decline_id = confirmed.id, declined.id
    db.session.remove()

    changed = all_at_once(app, lambda _i: desk.confirm(confirm_id, now=FIRST_DAY,
                                                       actor_id=None), n=8)
    assert sorted(changed) == [False] * 7 + [True]
    changed = all_at_once(app, lambda _i: desk.decline(decline_id, message="", now=FIRST_DAY,
                                                       actor_id=None), n=8)
    assert sorted(changed) == [False] * 7 + [True]
    kinds = sorted(db.session.scalars(select(OutboxMail.kind)))
    assert kinds == ["appointment_confirmed", "appointment_declined"]
    assert actions() == ["appointment.confirm", "appointment.decline"]
