"""Booking a consultation with the office: free times, booking, moving, cancelling.

Free times come from the office's week (``OfficeHours``: weekday intervals with a number
of advisers), minus the office's closures, the public holidays of North
Rhine-Westphalia and the 15-minute slots bookings hold. Times are the office's
wall-clock times (Europe/Berlin) and stored in UTC, so a day in summer time offers
9:00 as 07:00 UTC and one in winter as 08:00 UTC.

No double booking: a booking inserts one ``AppointmentSlot`` per 15 minutes for one
adviser, and the slots' primary key (adviser, start) refuses a second booking of the
same time, however close together two requests arrive. Each adviser is tried in a
SAVEPOINT of its own; when none is free the whole booking is rolled back and the
person is offered the nearest free times (``DomainError("slot_taken")``).

Every change mails the person in the same transaction (``queue_mail``): received with a
calendar file and the personal link, moved, cancelled, and a reminder a day before.
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import holidays
import phonenumbers
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from .. import formats
from ..clock import BERLIN, local
from ..control_characters import has_control_characters
from ..db import begin_write
from ..extensions import db
from ..models import (
    HOLDING_STATUSES,
    SLOT_MINUTES,
    Appointment,
    AppointmentSlot,
    AppointmentTopic,
    OfficeClosure,
    OfficeHours,
)
from .accounts import AccountError, normalise_email
from .calendar import CONTENT_TYPE, CalendarEntry, calendar_file
from .errors import DomainError
from .mail import Attachment, queue_mail

NAME_MAX = 100
PHONE_MAX = 40
NOTE_MAX = 1000
# How many other times a "gerade vergeben" answer offers.
ALTERNATIVES = 4
# The reminder goes out this long before the appointment.
REMINDER_BEFORE = timedelta(hours=24)
SLOT = timedelta(minutes=SLOT_MINUTES)


class AppointmentError(DomainError):
    """A booking refused. Codes: ``unknown_topic``, ``not_offered`` (no such time in the
    office's week, or outside notice and horizon), ``slot_taken`` (context
    ``alternatives``: the nearest free times), ``bad_name``, ``bad_email``,
    ``bad_phone``, ``note_too_long``, ``control_characters``, ``consent_missing``,
    ``unknown_appointment``, ``not_changeable`` (cancelled, declined or begun)."""


@dataclass(frozen=True)
class FreeTime:
    """A time one can book for a topic (UTC instants)."""

    starts_at: datetime
    ends_at: datetime

    @property
    def day(self) -> date:
        """The office's calendar day of the time."""
        return local(self.starts_at).date()


@dataclass(frozen=True)
class Contact:
    """A person's checked details for a booking."""

    name: str
    email: str
    phone: str
    note: str


@dataclass(frozen=True)
class _Week:
    """The office's week and closed days, read once per computation."""

    hours: dict[int, list[OfficeHours]]
    closed: set[date]

    def is_office_day(self, day: date) -> bool:
        """Whether the office takes appointments on ``day`` at all."""
        return bool(self.hours.get(day.weekday())) and day not in self.closed


# ---------------------------------------------------------------------------
# The office's week
# ---------------------------------------------------------------------------


def active_topics() -> list[AppointmentTopic]:
    """The topics a person can book, in the office's order."""
    query = select(AppointmentTopic).where(AppointmentTopic.active.is_(True))
    return list(db.session.scalars(query.order_by(AppointmentTopic.position,
                                                   AppointmentTopic.id)))


def topic_by_slug(slug: str) -> AppointmentTopic | None:
    """The active topic called ``slug``, or None."""
    query = select(AppointmentTopic).where(
        AppointmentTopic.slug == slug, AppointmentTopic.active.is_(True))
    return db.session.scalars(query).first()


def topic_for_service(service_id: int) -> AppointmentTopic | None:
    """The active topic a service page's call to action books, or None."""
    query = select(AppointmentTopic).where(
        AppointmentTopic.service_id == service_id, AppointmentTopic.active.is_(True))
    return db.session.scalars(query.order_by(AppointmentTopic.position)).first()


def _read_week(first: date, last: date) -> _Week:
    """The office hours by weekday, and the days from ``first`` to ``last`` on which the
    office is closed (its own closures and the public holidays of NRW)."""
    hours: dict[int, list[OfficeHours]] = {}
    for row in db.session.scalars(select(OfficeHours).order_by(OfficeHours.opens)):
        hours.setdefault(row.weekday, []).append(row)
    public = holidays.country_holidays("DE", subdiv="NW", years=range(first.year, last.year + 1))
    closed = {day for day in public if first <= day <= last}
    closures = db.session.scalars(select(OfficeClosure).where(
        OfficeClosure.ends_on >= first, OfficeClosure.starts_on <= last))
    for closure in closures:
        day = max(closure.starts_on, first)
        while day <= min(closure.ends_on, last):
            closed.add(day)
            day += timedelta(days=1)
    return _Week(hours=hours, closed=closed)


def bookable_days(now: datetime, week: _Week | None = None) -> tuple[date, date]:
    """The first and last day one can book on at ``now``.

    At least one working day's notice: the first day is the next office day after
    today (Thursday afternoon → Monday); the last is the horizon's end.
    """
    today = local(now).date()
    last = today + timedelta(days=int(current_app.config["APPOINTMENT_HORIZON_DAYS"]))
    week = week or _read_week(today, last)
    first = today + timedelta(days=1)
    while first <= last and not week.is_office_day(first):
        first += timedelta(days=1)
    return first, last


def _wall_clock(day: date, minutes: int) -> datetime | None:
    """The UTC instant of ``minutes`` after midnight on ``day`` in Berlin, or None for a
    wall-clock time that does not exist (the hour skipped in spring)."""
    moment = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=BERLIN)
    instant = moment.astimezone(UTC)
    if instant.astimezone(BERLIN).replace(tzinfo=None) != moment.replace(tzinfo=None):
        return None
    return instant


def _slots(starts_at: datetime, duration_minutes: int) -> list[datetime]:
    """The 15-minute slot starts a booking of that length holds."""
    return [starts_at + k * SLOT for k in range(duration_minutes // SLOT_MINUTES)]


def _candidates(
    duration_minutes: int, first: date, last: date, week: _Week
) -> Iterable[tuple[FreeTime, int]]:
    """Every start the office's week offers for a topic of that length, with the number
    of advisers in its interval, in order (held slots not yet considered)."""
    step = int(current_app.config["APPOINTMENT_STEP_MINUTES"]) or duration_minutes
    day = first
    while day <= last:
        if week.is_office_day(day):
            for interval in week.hours[day.weekday()]:
                minute = interval.opens
                while minute + duration_minutes <= interval.closes:
                    starts_at = _wall_clock(day, minute)
                    if starts_at is not None:
                        ends_at = starts_at + timedelta(minutes=duration_minutes)
                        yield FreeTime(starts_at, ends_at), interval.advisers
                    minute += step
        day += timedelta(days=1)


def _held(first: date, last: date) -> set[tuple[int, datetime]]:
    """The (adviser, start) slots held between the start of ``first`` and the end of
    ``last``: one query for the whole horizon."""
    since = datetime.combine(first, time(0), tzinfo=BERLIN)
    until = datetime.combine(last + timedelta(days=1), time(0), tzinfo=BERLIN)
    rows = db.session.execute(select(AppointmentSlot.adviser, AppointmentSlot.starts_at).where(
        AppointmentSlot.starts_at >= since, AppointmentSlot.starts_at < until))
    return {(adviser, starts_at) for adviser, starts_at in rows}


def _free_adviser(
    held: set[tuple[int, datetime]], slots: list[datetime], advisers: int
) -> int | None:
    """The first adviser none of whose ``slots`` is held, or None."""
    for adviser in range(1, advisers + 1):
        if all((adviser, slot) not in held for slot in slots):
            return adviser
    return None


def free_times(
    topic: AppointmentTopic, *, now: datetime, ignore: int | None = None
) -> list[FreeTime]:
    """The times one can book ``topic`` at ``now``, in order, within notice and horizon.

    ``ignore`` is a booking whose own slots count as free (it is being moved).
    """
    today = local(now).date()
    week = _read_week(today, today + timedelta(
        days=int(current_app.config["APPOINTMENT_HORIZON_DAYS"])))
    first, last = bookable_days(now, week)
    held = _held(first, last)
    if ignore is not None:
        own = db.session.execute(select(AppointmentSlot.adviser, AppointmentSlot.starts_at)
                                 .where(AppointmentSlot.appointment_id == ignore))
        held -= {(adviser, starts_at) for adviser, starts_at in own}
    return [
        candidate
        for candidate, advisers in _candidates(topic.duration_minutes, first, last, week)
        if _free_adviser(held, _slots(candidate.starts_at, topic.duration_minutes),
                         advisers) is not None
    ]


def nearest_free_times(
    topic: AppointmentTopic, starts_at: datetime, *, now: datetime,
    ignore: int | None = None, count: int = ALTERNATIVES,
) -> list[FreeTime]:
    """The ``count`` free times closest to ``starts_at``, in order of time."""
    found = free_times(topic, now=now, ignore=ignore)
    closest = sorted(found, key=lambda free: (abs(free.starts_at - starts_at),
                                              free.starts_at))[:count]
    return sorted(closest, key=lambda free: free.starts_at)


def _offered(topic: AppointmentTopic, starts_at: datetime, now: datetime) -> int:
    """The number of advisers at ``starts_at`` if the office's week offers that start for
    ``topic`` at ``now``; raises ``not_offered`` otherwise."""
    if starts_at.tzinfo is None:
        raise AppointmentError("not_offered")
    day = local(starts_at).date()
    today = local(now).date()
    week = _read_week(today, today + timedelta(
        days=int(current_app.config["APPOINTMENT_HORIZON_DAYS"])))
    first, last = bookable_days(now, week)
    if not first <= day <= last:
        raise AppointmentError("not_offered")
    for candidate, advisers in _candidates(topic.duration_minutes, day, day, week):
        if candidate.starts_at == starts_at:
            return advisers
    raise AppointmentError("not_offered")


# ---------------------------------------------------------------------------
# The person's details
# ---------------------------------------------------------------------------


def check_contact(*, name: str, email: str, phone: str, note: str, consent: bool) -> Contact:
    """Clean and check a person's details; raise the first problem's code."""
    for text in (name, email, phone):
        if has_control_characters(text):
            raise AppointmentError("control_characters")
    if has_control_characters(note, multiline=True):
        raise AppointmentError("control_characters")
    clean_name = " ".join(name.split())
    if not clean_name or len(clean_name) > NAME_MAX:
        raise AppointmentError("bad_name")
    try:
        address = normalise_email(email)
    except AccountError as error:
        raise AppointmentError("bad_email") from error
    number = phone.strip()
    if number:
        if len(number) > PHONE_MAX:
            raise AppointmentError("bad_phone")
        try:
            parsed = phonenumbers.parse(number, "DE")
        except phonenumbers.NumberParseException as error:
            raise AppointmentError("bad_phone") from error
        if not phonenumbers.is_valid_number(parsed):
            raise AppointmentError("bad_phone")
        number = phonenumbers.format_number(
            parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    clean_note = note.strip().replace("\r\n", "\n")
    if len(clean_note) > NOTE_MAX:
        raise AppointmentError("note_too_long")
    if not consent:
        raise AppointmentError("consent_missing")
    return Contact(name=clean_name, email=address, phone=number, note=clean_note)


# ---------------------------------------------------------------------------
# Booking, moving, cancelling
# ---------------------------------------------------------------------------


def _hold(appointment: Appointment, starts_at: datetime, duration: int, advisers: int) -> bool:
    """Insert the slots of ``appointment`` at ``starts_at`` for the first adviser the
    database lets us have; False when every adviser's time is held.

    Each try runs in a SAVEPOINT: the primary key decides (a booking committed meanwhile,
    or one still open on PostgreSQL, which the insert waits for), not a read before it.
    """
    for adviser in range(1, advisers + 1):
        try:
            with db.session.begin_nested():
                db.session.add_all([
                    AppointmentSlot(adviser=adviser, starts_at=slot,
                                    appointment_id=appointment.id)
                    for slot in _slots(starts_at, duration)
                ])
        except IntegrityError:
            continue
        appointment.adviser = adviser
        return True
    return False


def _taken(topic_id: int, starts_at: datetime, now: datetime,
           ignore: int | None = None) -> AppointmentError:
    """The "gerade vergeben" refusal, with the nearest free times (read afresh)."""
    topic = db.session.get_one(AppointmentTopic, topic_id)
    return AppointmentError(
        "slot_taken",
        alternatives=nearest_free_times(topic, starts_at, now=now, ignore=ignore))


def book(
    *, topic_slug: str, starts_at: datetime, name: str, email: str, phone: str = "",
    note: str = "", consent: bool, now: datetime,
) -> Appointment:
    """Book ``topic_slug`` at ``starts_at`` (UTC) and commit; mail the person.

    The booking starts as "requested", holding its time; the office confirms or
    declines it. Nothing is written on refusal.
    """
    contact = check_contact(name=name, email=email, phone=phone, note=note, consent=consent)
    topic = topic_by_slug(topic_slug)
    if topic is None:
        raise AppointmentError("unknown_topic")
    topic_id, duration = topic.id, topic.duration_minutes
    advisers = _offered(topic, starts_at, now)
    begin_write()
    appointment = Appointment(
        token=secrets.token_urlsafe(24),
        topic_id=topic_id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=duration),
        adviser=1,
        status="requested",
        name=contact.name,
        email=contact.email,
        phone=contact.phone,
        note=contact.note,
        consent_at=now,
        created_at=now,
        updated_at=now,
        language=formats.current_language(),
    )
    db.session.add(appointment)
    db.session.flush()
    if not _hold(appointment, starts_at, duration, advisers):
        db.session.rollback()
        raise _taken(topic_id, starts_at, now)
    _mail(appointment, "appointment_booked",
          _l("Ihre Terminanfrage: {topic} am {when}"), method="PUBLISH", now=now)
    db.session.commit()
    return appointment


def by_token(token: str) -> Appointment | None:
    """The booking whose personal link holds ``token``, or None."""
    if not token or len(token) > 64:
        return None
    return db.session.scalars(select(Appointment).where(Appointment.token == token)).first()


def changeable(appointment: Appointment, now: datetime) -> bool:
    """Whether the person can still move or cancel the booking."""
    return appointment.status in HOLDING_STATUSES and now < appointment.starts_at


def _locked(token: str, now: datetime) -> Appointment:
    """The booking of ``token`` in a write transaction, locked; refusals as codes."""
    begin_write()
    appointment = db.session.scalars(
        select(Appointment).where(Appointment.token == token)
        .with_for_update().execution_options(populate_existing=True)
    ).first()
    if appointment is None:
        db.session.rollback()
        raise AppointmentError("unknown_appointment")
    if not changeable(appointment, now):
        db.session.rollback()
        raise AppointmentError("not_changeable")
    return appointment


def move(*, token: str, starts_at: datetime, now: datetime) -> Appointment:
    """Move the booking of ``token`` to ``starts_at`` and commit; all or nothing.

    The office confirms the new time again (the booking is "requested" once more), and
    the reminder is due afresh.
    """
    appointment = _locked(token, now)
    topic = appointment.topic
    topic_id, duration, appointment_id = topic.id, topic.duration_minutes, appointment.id
    try:
        advisers = _offered(topic, starts_at, now)
    except AppointmentError:
        db.session.rollback()
        raise
    db.session.execute(delete(AppointmentSlot)
                       .where(AppointmentSlot.appointment_id == appointment_id)
                       .execution_options(synchronize_session=False))
    if not _hold(appointment, starts_at, duration, advisers):
        db.session.rollback()
        raise _taken(topic_id, starts_at, now, ignore=appointment_id)
    appointment.starts_at = starts_at
    appointment.ends_at = starts_at + timedelta(minutes=duration)
    appointment.status = "requested"
    appointment.reminder_queued_at = None
    appointment.updated_at = now
    _mail(appointment, "appointment_moved",
          _l("Ihr Termin ist verschoben: {topic} am {when}"), method="PUBLISH", now=now)
    db.session.commit()
    return appointment


def cancel(*, token: str, now: datetime) -> Appointment:
    """Cancel the booking of ``token``, free its time and commit; mail the person."""
    appointment = _locked(token, now)
    db.session.execute(delete(AppointmentSlot)
                       .where(AppointmentSlot.appointment_id == appointment.id)
                       .execution_options(synchronize_session=False))
    appointment.status = "cancelled"
    appointment.updated_at = now
    _mail(appointment, "appointment_cancelled",
          _l("Ihr Termin ist abgesagt: {topic} am {when}"), method="CANCEL", now=now)
    db.session.commit()
    return appointment


def queue_due_reminders(now: datetime) -> list[int]:
    """Queue one reminder for each holding booking that starts within a day and has had
    none; commit; return the bookings' ids. Two runs at once send one reminder: each
    booking is claimed by a conditional UPDATE first."""
    begin_write()
    due = list(db.session.scalars(select(Appointment.id).where(
        Appointment.status.in_(HOLDING_STATUSES),
        Appointment.starts_at > now,
        Appointment.starts_at <= now + REMINDER_BEFORE,
        Appointment.reminder_queued_at.is_(None),
    ).order_by(Appointment.starts_at)))
    reminded = []
    for appointment_id in due:
        claimed = db.session.execute(
            update(Appointment)
            .where(Appointment.id == appointment_id, Appointment.reminder_queued_at.is_(None))
            .values(reminder_queued_at=now)
            .execution_options(synchronize_session=False))
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        appointment = db.session.get_one(Appointment, appointment_id, populate_existing=True)
        _mail(appointment, "appointment_reminder",
              _l("Erinnerung an Ihren Termin: {topic} am {when}"), now=now)
        reminded.append(appointment_id)
    db.session.commit()
    return reminded


# ---------------------------------------------------------------------------
# Calendar files and mails
# ---------------------------------------------------------------------------


def manage_link(appointment: Appointment) -> str:
    """The personal link where the person sees, moves or cancels the booking."""
    return str(current_app.config["BASE_URL"]) + "/termine/" + appointment.token


def calendar_uid(appointment: Appointment) -> str:
    """The booking's UID in every calendar file: the person's and the office's feed."""
    return f"termin-{appointment.id}@innenstadt-rallye"


def calendar_sequence(appointment: Appointment) -> int:
    """The booking's SEQUENCE: every change bumps ``updated_at``, so newer versions
    replace older ones in calendar programs."""
    return int(appointment.updated_at.timestamp())


def calendar_entry(appointment: Appointment) -> CalendarEntry:
    """The booking as a calendar event; its UID and sequence follow the office's feed."""
    office = current_app.config["OFFICE"]
    link = manage_link(appointment)
    return CalendarEntry(
        uid=calendar_uid(appointment),
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        summary=_("Beratung: %(topic)s (%(office)s)", topic=appointment.topic.name,
                  office=office["name"]),
        description=_("Termin ansehen, verschieben oder absagen: %(link)s", link=link),
        location=f"{office['name']}, {office['street']}, {office['postcode']} {office['city']}",
        url=link,
        cancelled=appointment.status not in HOLDING_STATUSES,
        tentative=appointment.status == "requested",
        sequence=calendar_sequence(appointment),
    )


def calendar_text(appointment: Appointment, *, now: datetime, method: str = "") -> str:
    """The calendar file of one booking (``method`` for a mail attachment)."""
    return calendar_file([calendar_entry(appointment)], now=now, method=method)


def when_text(appointment: Appointment) -> str:
    """The booking's time as people read it: "Montag, 7. Dezember 2026, 9:00–9:30 Uhr"."""
    return formats.span(appointment.starts_at, appointment.ends_at)


def _mail(appointment: Appointment, kind: str, subject: str | LazyString, *, now: datetime,
          method: str = "") -> None:
    """Queue one of the booking's mails, with its calendar file when ``method`` is set,
    in the language the person booked in (also when ``outbox send`` writes it)."""
    with force_locale(appointment.language):
        _write_mail(appointment, kind, str(subject), now=now, method=method)


def _write_mail(appointment: Appointment, kind: str, subject: str, *, now: datetime,
                method: str) -> None:
    when = when_text(appointment)
    attachments = []
    if method:
        attachments.append(Attachment(
            "termin.ics", CONTENT_TYPE + f"; method={method}",
            calendar_text(appointment, now=now, method=method)))
    queue_mail(
        kind=kind,
        to=appointment.email,
        subject=subject.format(topic=appointment.topic.name, when=when),
        template=kind,
        context={"appointment": appointment, "when": when, "link": manage_link(appointment),
                 "topic": appointment.topic.name},
        attachments=attachments,
        now=now,
    )
