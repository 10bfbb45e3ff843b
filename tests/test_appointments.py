"""Appointments: free times from the office's week, booking by the slots' primary key,
moving and cancelling by token, calendar files and mails."""

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from icalendar import Calendar
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Appointment,
    AppointmentSlot,
    AppointmentTopic,
    OfficeClosure,
    OfficeHours,
    OutboxMail,
)
from app.services import appointments, mail
from app.services.appointments import AppointmentError

from .helpers import BERLIN, FIRST_DAY
from .smtp import Mailbox, SMTPServer

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)

# Tuesday 1 December 2026, 9:00 in Herten: the first bookable day is Wednesday.
NOW = FIRST_DAY
WEDNESDAY_9 = datetime(2026, 12, 2, 9, 0, tzinfo=BERLIN)
MONDAY_9 = datetime(2026, 12, 7, 9, 0, tzinfo=BERLIN)


def office_week(advisers: int = 1, weekdays: range = range(4)) -> None:
    """The office's week: 9–12 and 13–16 on ``weekdays`` (Monday to Thursday)."""
    for weekday in weekdays:
        for opens, closes in ((540, 720), (780, 960)):
            db.session.add(OfficeHours(weekday=weekday, opens=opens, closes=closes,
                                       advisers=advisers))
    db.session.flush()


def make_topic(slug: str = "kurzberatung", minutes: int = 30, **overrides: object
               ) -> AppointmentTopic:
    """A topic one can book."""
    topic = AppointmentTopic(slug=slug, name=overrides.pop("name", slug.title()),
                             duration_minutes=minutes, **overrides)
    db.session.add(topic)
    db.session.flush()
    return topic


def book(starts_at: datetime, slug: str = "kurzberatung", now: datetime = NOW,
         **overrides: object) -> Appointment:
    """Book with valid details unless ``overrides`` say otherwise."""
    values: dict[str, object] = {"name": "Anna Beispiel", "email": "anna@example.org",
                                 "phone": "", "note": "", "consent": True}
    values.update(overrides)
    return appointments.book(topic_slug=slug, starts_at=starts_at.astimezone(UTC),
                             now=now, **values)  # type: ignore[arg-type]


def held() -> list[tuple[int, datetime, int]]:
    """Every held slot: (adviser, start, booking), in order."""
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(  # type: ignore[misc]
        select(AppointmentSlot.adviser, AppointmentSlot.starts_at,
               AppointmentSlot.appointment_id).order_by(AppointmentSlot.adviser,
                                                        AppointmentSlot.starts_at))]


def count(model: type) -> int:
    """Rows of ``model``."""
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def local_starts(times: list[appointments.FreeTime], day: date) -> list[str]:
    """The wall-clock starts of ``times`` on ``day``."""
    return [free.starts_at.astimezone(BERLIN).strftime("%H:%M") for free in times
            if free.day == day]


@pytest.fixture
def office(app: Flask) -> AppointmentTopic:
    """Monday to Thursday with one adviser, a 30-minute and a 60-minute topic."""
    office_week()
    make_topic("nachfolge", 60)
    topic = make_topic("kurzberatung", 30)
    db.session.commit()
    return topic


# ---------------------------------------------------------------------------
# Free times
# ---------------------------------------------------------------------------


def test_free_times_follow_the_week_on_a_thirty_minute_grid(office: AppointmentTopic) -> None:
    times = appointments.free_times(office, now=NOW)
    assert times[0].starts_at == WEDNESDAY_9
    assert local_starts(times, date(2026, 12, 2)) == [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
        "13:00", "13:30", "14:00", "14:30", "15:00", "15:30"]
    assert all(free.day.weekday() < 4 for free in times)
    long = appointments.topic_by_slug("nachfolge")
    assert long is not None
    assert local_starts(appointments.free_times(long, now=NOW), date(2026, 12, 2)) == [
        "09:00", "09:30", "10:00", "10:30", "11:00", "13:00", "13:30", "14:00", "14:30",
        "15:00"]


def test_thursday_afternoon_books_from_monday_on(office: AppointmentTopic) -> None:
    thursday = datetime(2026, 12, 3, 16, 0, tzinfo=BERLIN)
    times = appointments.free_times(office, now=thursday)
    assert times[0].starts_at == MONDAY_9
    assert appointments.bookable_days(thursday)[0] == date(2026, 12, 7)
    # Wednesday morning: Thursday is the next office day.
    assert appointments.bookable_days(datetime(2026, 12, 2, 8, 0, tzinfo=BERLIN))[0] == date(
        2026, 12, 3)
    with pytest.raises(AppointmentError) as refused:
        book(datetime(2026, 12, 3, 9, 0, tzinfo=BERLIN), now=datetime(2026, 12, 3, 7, 0,
                                                                       tzinfo=BERLIN))
    assert refused.value.code == "not_offered"


def test_the_horizon_ends_six_weeks_ahead(office: AppointmentTopic) -> None:
    times = appointments.free_times(office, now=NOW)
    assert max(free.day for free in times) == date(2027, 1, 12)  # 1 Dec + 42 days
    with pytest.raises(AppointmentError) as refused:
        book(datetime(2027, 1, 13, 9, 0, tzinfo=BERLIN))
    assert refused.value.code == "not_offered"


def test_public_holidays_of_nrw_and_closures_are_never_offered(app: Flask) -> None:
    office_week(weekdays=range(7))
    topic = make_topic()
    db.session.add(OfficeClosure(starts_on=date(2026, 12, 9), ends_on=date(2026, 12, 10),
                                 reason="Fortbildung"))
    db.session.commit()
    days = {free.day for free in appointments.free_times(topic, now=NOW)}
    for holiday in (date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1),
                    date(2026, 12, 9), date(2026, 12, 10)):
        assert holiday not in days
    for open_day in (date(2026, 12, 24), date(2026, 12, 27), date(2026, 12, 31),
                     date(2027, 1, 2), date(2026, 12, 11)):
        assert open_day in days
    with pytest.raises(AppointmentError) as refused:
        book(datetime(2026, 12, 25, 9, 0, tzinfo=BERLIN))
    assert refused.value.code == "not_offered"


def test_the_week_of_the_change_to_summer_time_offers_nine_oclock_local(
        office: AppointmentTopic) -> None:
    now = datetime(2027, 3, 19, 12, 0, tzinfo=BERLIN)  # summer time from 28 March 2027
    times = appointments.free_times(office, now=now)
    thursday = [free.starts_at for free in times if free.day == date(2027, 3, 25)]
    # Monday 29 March is Easter Monday: Tuesday is the first day in summer time.
    assert not [free for free in times if free.day == date(2027, 3, 29)]
    tuesday = [free.starts_at for free in times if free.day == date(2027, 3, 30)]
    assert thursday[0] == datetime(2027, 3, 25, 8, 0, tzinfo=UTC)
    assert tuesday[0] == datetime(2027, 3, 30, 7, 0, tzinfo=UTC)
    assert local_starts(times, date(2027, 3, 30))[0] == "09:00"
    appointment = book(datetime(2027, 3, 30, 9, 0, tzinfo=BERLIN), now=now)
    assert appointment.starts_at == datetime(2027, 3, 30, 7, 0, tzinfo=UTC)
    assert [start for _adviser, start, _id in held()] == [
        datetime(2027, 3, 30, 7, 0, tzinfo=UTC), datetime(2027, 3, 30, 7, 15, tzinfo=UTC)]


# ---------------------------------------------------------------------------
# Booking
# ---------------------------------------------------------------------------


def test_a_booking_holds_one_slot_per_quarter_hour_and_waits_for_the_office(
        office: AppointmentTopic) -> None:
    appointment = book(MONDAY_9, slug="nachfolge", phone="0171 2345678", note="Übergabe 2028")
    assert appointment.status == "requested"
    assert (appointment.adviser, appointment.ends_at) == (1, MONDAY_9 + timedelta(hours=1))
    assert appointment.phone == "+49 171 2345678"
    assert appointment.consent_at == NOW
    assert [(adviser, start) for adviser, start, _id in held()] == [
        (1, MONDAY_9 + timedelta(minutes=15 * k)) for k in range(4)]
    long = appointments.topic_by_slug("nachfolge")
    assert long is not None
    starts = local_starts(appointments.free_times(long, now=NOW), date(2026, 12, 7))
    assert starts[:2] == ["10:00", "10:30"]
    assert len(appointment.token) >= 32


def test_overlapping_topics_of_different_lengths_cannot_double_book(
        office: AppointmentTopic) -> None:
    book(MONDAY_9, slug="nachfolge")  # 9:00–10:00
    for start in (MONDAY_9, MONDAY_9 + timedelta(minutes=30)):
        with pytest.raises(AppointmentError) as refused:
            book(start, email="bert@example.org")
        assert refused.value.code == "slot_taken"
    assert "09:30" not in local_starts(appointments.free_times(office, now=NOW),
                                       date(2026, 12, 7))
    book(MONDAY_9 + timedelta(hours=1), email="bert@example.org")  # 10:00 is free
    with pytest.raises(AppointmentError) as refused:
        book(MONDAY_9 + timedelta(minutes=30), slug="nachfolge", email="cleo@example.org")
    assert refused.value.code == "slot_taken"
    assert count(Appointment) == 2 and len(held()) == 6


def test_with_two_advisers_two_bookings_fit_and_the_third_is_refused(app: Flask) -> None:
    office_week(advisers=2)
    topic = make_topic()
    db.session.commit()
    first, second = book(MONDAY_9), book(MONDAY_9, email="bert@example.org")
    assert (first.adviser, second.adviser) == (1, 2)
    assert "09:00" not in local_starts(appointments.free_times(topic, now=NOW),
                                       date(2026, 12, 7))
    with pytest.raises(AppointmentError) as refused:
        book(MONDAY_9, email="cleo@example.org")
    assert refused.value.code == "slot_taken"
    assert count(Appointment) == 2


def test_a_taken_time_offers_the_nearest_free_ones(office: AppointmentTopic) -> None:
    book(MONDAY_9 + timedelta(hours=1))  # 10:00
    with pytest.raises(AppointmentError) as refused:
        book(MONDAY_9 + timedelta(hours=1), email="bert@example.org")
    assert refused.value.code == "slot_taken"
    alternatives = refused.value.context["alternatives"]
    assert [free.starts_at.astimezone(BERLIN).strftime("%H:%M")
            for free in alternatives] == ["09:00", "09:30", "10:30", "11:00"]
    assert count(Appointment) == 1


@pytest.mark.parametrize("start", [
    datetime(2026, 12, 7, 9, 15, tzinfo=BERLIN),   # off the 30-minute grid
    datetime(2026, 12, 7, 12, 0, tzinfo=BERLIN),   # lunch
    datetime(2026, 12, 7, 11, 45, tzinfo=BERLIN),  # would run into lunch
    datetime(2026, 12, 4, 9, 0, tzinfo=BERLIN),    # Friday
    datetime(2026, 12, 1, 13, 0, tzinfo=BERLIN),   # today
    datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN),   # past
])
def test_times_outside_the_week_are_refused(office: AppointmentTopic, start: datetime) -> None:
    with pytest.raises(AppointmentError) as refused:
        book(start)
    assert refused.value.code == "not_offered"
    assert count(Appointment) == 0 and count(OutboxMail) == 0


@pytest.mark.parametrize(("overrides", "code"), [
    ({"name": "  "}, "bad_name"),
    ({"name": "A" * 101}, "bad_name"),
    ({"name": "Anna\x00"}, "control_characters"),
    ({"email": "anna@"}, "bad_email"),
    ({"email": ""}, "bad_email"),
    ({"email": "anna\x1b@example.org"}, "control_characters"),
    ({"phone": "12"}, "bad_phone"),
    ({"phone": "0171 234567x"}, "bad_phone"),
    ({"note": "x" * 1001}, "note_too_long"),
    ({"note": "Hallo\x00"}, "control_characters"),
    ({"consent": False}, "consent_missing"),
    ({"slug": "gibt-es-nicht"}, "unknown_topic"),
])
def test_bad_details_are_refused_and_nothing_is_stored(
        office: AppointmentTopic, overrides: dict[str, object], code: str) -> None:
    with pytest.raises(AppointmentError) as refused:
        book(MONDAY_9, **overrides)
    assert refused.value.code == code
    assert count(Appointment) == 0 and count(AppointmentSlot) == 0 and count(OutboxMail) == 0


def test_an_inactive_topic_cannot_be_booked(office: AppointmentTopic) -> None:
    office.active = False
    db.session.commit()
    with pytest.raises(AppointmentError) as refused:
        book(MONDAY_9)
    assert refused.value.code == "unknown_topic"


# ---------------------------------------------------------------------------
# Moving and cancelling
# ---------------------------------------------------------------------------


def test_moving_takes_the_new_time_and_frees_the_old(office: AppointmentTopic) -> None:
    appointment = book(MONDAY_9, slug="nachfolge")
    appointment.status = "confirmed"
    appointment.reminder_queued_at = NOW
    db.session.commit()
    later = NOW + timedelta(hours=1)
    # Into its own time: 9:30–10:30 overlaps 9:00–10:00.
    moved = appointments.move(token=appointment.token,
                              starts_at=(MONDAY_9 + timedelta(minutes=30)).astimezone(UTC),
                              now=later)
    assert moved.starts_at == MONDAY_9 + timedelta(minutes=30)
    assert moved.status == "requested" and moved.reminder_queued_at is None
    assert moved.updated_at == later
    assert [start for _a, start, _i in held()] == [
        MONDAY_9 + timedelta(minutes=30 + 15 * k) for k in range(4)]
    book(MONDAY_9, email="bert@example.org")  # 9:00 is free again


def test_a_move_onto_a_taken_time_changes_nothing(office: AppointmentTopic) -> None:
    mine = book(MONDAY_9)
    book(MONDAY_9 + timedelta(hours=2), email="bert@example.org")
    before = held()
    with pytest.raises(AppointmentError) as refused:
        appointments.move(token=mine.token,
                          starts_at=(MONDAY_9 + timedelta(hours=2)).astimezone(UTC), now=NOW)
    assert refused.value.code == "slot_taken"
    assert [free.starts_at.astimezone(BERLIN).strftime("%H:%M")
            for free in refused.value.context["alternatives"]] == [
        "09:30", "10:00", "10:30", "11:30"]
    assert held() == before
    stored = db.session.get_one(Appointment, mine.id, populate_existing=True)
    assert stored.starts_at == MONDAY_9
    assert count(OutboxMail) == 2  # the two bookings' mails, no third
    with pytest.raises(AppointmentError) as refused:
        appointments.move(token=mine.token,
                          starts_at=(MONDAY_9 + timedelta(minutes=15)).astimezone(UTC), now=NOW)
    assert refused.value.code == "not_offered"
    assert held() == before


def test_cancelling_frees_the_time_once(office: AppointmentTopic) -> None:
    appointment = book(MONDAY_9)
    cancelled = appointments.cancel(token=appointment.token, now=NOW)
    assert cancelled.status == "cancelled" and held() == []
    for change in (lambda: appointments.cancel(token=appointment.token, now=NOW),
                   lambda: appointments.move(token=appointment.token,
                                             starts_at=MONDAY_9.astimezone(UTC), now=NOW)):
        with pytest.raises(AppointmentError) as refused:
            change()
        assert refused.value.code == "not_changeable"
    with pytest.raises(AppointmentError) as refused:
        appointments.cancel(token="nicht-da", now=NOW)
    assert refused.value.code == "unknown_appointment"
    book(MONDAY_9, email="bert@example.org")


def test_a_begun_appointment_cannot_be_changed(office: AppointmentTopic) -> None:
    appointment = book(MONDAY_9)
    with pytest.raises(AppointmentError) as refused:
        appointments.cancel(token=appointment.token, now=MONDAY_9)
    assert refused.value.code == "not_changeable"


# ---------------------------------------------------------------------------
# Calendar files and mails
# ---------------------------------------------------------------------------


def parsed_event(text: bytes | str) -> tuple[Calendar, object]:
    """The calendar and its one event."""
    calendar = Calendar.from_ical(text)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_the_mails_carry_calendar_files_with_the_right_instant(
        office: AppointmentTopic, mailbox: Mailbox) -> None:
    appointment = book(MONDAY_9, name="Anna Beispiel")
    mail.deliver(now=NOW)
    [booked] = mailbox.to("anna@example.org")
    assert "Kurzberatung" in booked["Subject"]
    text = Mailbox.text(booked)
    link = f"http://rallye.test/termine/{appointment.token}"
    assert link in text and "Guten Tag Anna Beispiel" in text and "Montag, 7. Dezember 2026" in text
    assert "9:00–9:30 Uhr" in text
    assert f'href="{link}"' in Mailbox.html(booked)
    calendar, event = parsed_event(Mailbox.attachments(booked)["termin.ics"])
    [part] = list(booked.iter_attachments())
    assert part.get_content_type() == "text/calendar" and part.get_param("method") == "PUBLISH"
    assert calendar["METHOD"] == "PUBLISH"
    assert event["UID"] == f"termin-{appointment.id}@innenstadt-rallye"  # type: ignore[index]
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(  # type: ignore[attr-defined]
        2026, 12, 7, 8, 0, tzinfo=UTC)
    assert event.decoded("DTEND").astimezone(UTC) == datetime(  # type: ignore[attr-defined]
        2026, 12, 7, 8, 30, tzinfo=UTC)
    assert calendar.walk("VTIMEZONE")

    later = NOW + timedelta(minutes=5)
    appointments.move(token=appointment.token,
                      starts_at=(MONDAY_9 + timedelta(hours=4)).astimezone(UTC), now=later)
    appointments.cancel(token=appointment.token, now=later + timedelta(minutes=1))
    mail.deliver(now=later + timedelta(minutes=1))
    _booked, moved, cancelled = mailbox.to("anna@example.org")
    assert "verschoben" in moved["Subject"] and "13:00–13:30 Uhr" in Mailbox.text(moved)
    _calendar, event = parsed_event(Mailbox.attachments(moved)["termin.ics"])
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(  # type: ignore[attr-defined]
        2026, 12, 7, 12, 0, tzinfo=UTC)
    moved_sequence = int(event["SEQUENCE"])  # type: ignore[index]
    assert "abgesagt" in cancelled["Subject"]
    calendar, event = parsed_event(Mailbox.attachments(cancelled)["termin.ics"])
    assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED"  # type: ignore[index]
    assert int(event["SEQUENCE"]) > moved_sequence  # type: ignore[index]


def test_one_reminder_a_day_before_with_the_manage_link(
        office: AppointmentTopic, mailbox: Mailbox, runner: FlaskCliRunner,
        freeze) -> None:  # type: ignore[no-untyped-def]
    soon = book(MONDAY_9)
    later = book(MONDAY_9 + timedelta(days=1), email="bert@example.org")
    gone = book(MONDAY_9 + timedelta(hours=1), email="cleo@example.org")
    appointments.cancel(token=gone.token, now=NOW)
    mail.deliver(now=NOW)
    mailbox.clear()
    sunday = MONDAY_9 - timedelta(hours=20)
    freeze(sunday)
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    [reminder] = mailbox.messages
    assert "anna@example.org" in reminder["To"] and "Erinnerung" in reminder["Subject"]
    assert f"http://rallye.test/termine/{soon.token}" in Mailbox.text(reminder)
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    assert appointments.queue_due_reminders(sunday + timedelta(hours=1)) == []
    assert len(mailbox.messages) == 1
    assert appointments.queue_due_reminders(sunday + timedelta(days=1)) == [later.id]


def test_a_booking_survives_an_smtp_outage_and_its_mail_arrives_once(
        tmp_path, database_url: str) -> None:  # type: ignore[no-untyped-def]
    from app import create_app

    from .conftest import base_config

    server = SMTPServer()
    application = create_app({**base_config(tmp_path, database_url), **server.config()})
    with application.app_context():
        db.create_all()
        office_week()
        make_topic()
        db.session.commit()
        appointment = book(MONDAY_9)
        assert mail.deliver(now=NOW).retrying
        assert db.session.get(Appointment, appointment.id) is not None
        server.start()
        try:
            later = NOW + timedelta(minutes=2)
            assert len(mail.deliver(now=later).sent) == 1
            assert mail.deliver(now=later).sent == []
            [message] = server.mailbox.to("anna@example.org")
            assert "termin.ics" in Mailbox.attachments(message)
        finally:
            server.stop()
        db.session.remove()
        db.engine.dispose()
