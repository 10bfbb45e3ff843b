"""The office's side of appointments: its week of bookings, confirming, declining,
"nicht erschienen", its own notes, and the private calendar feed of each staff member
(the settings are in ``appointment_settings``).

The public side (free times, booking, moving, cancelling, reminders) lives in
``services.appointments``. Both agree on a booking's calendar identity: the UID
``termin-<id>@innenstadt-rallye`` and a SEQUENCE taken from ``updated_at``, which every
change here moves forward.
"""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from ..clock import BERLIN, local
from ..db import begin_write
from ..extensions import db
from ..models import (
    HOLDING_STATUSES,
    Appointment,
    AppointmentSlot,
    OfficeClosure,
    OfficeHours,
    User,
)
from .appointments import calendar_sequence, calendar_text, calendar_uid, manage_link, when_text
from .calendar import CalendarEntry, calendar_file
from .editing import EditError, audit
from .mail import Attachment, queue_mail

# The office's working days, shown even when empty (0 = Monday).
OFFICE_DAYS = (0, 1, 2, 3)
STAFF_NOTE_MAX = 4000
DECLINE_MESSAGE_MAX = 1000
# The private feed: from two weeks back to the booking horizon ahead.
FEED_PAST = timedelta(weeks=2)
FEED_TOKEN_BYTES = 24


class DeskError(EditError):
    """A desk action refused. Codes (besides EditError's): ``unknown_appointment``,
    ``not_open`` (declined, cancelled or "nicht erschienen" already), ``not_started``
    (not yet begun: cannot be missed), ``past`` (too late to confirm), ``message_too_long``,
    ``note_too_long``, ``unknown_topic``, ``unknown_user``."""


# --- The week --------------------------------------------------------------------------


@dataclass(frozen=True)
class AdviserColumn:
    """One adviser's bookings of one day, by time."""

    adviser: int
    appointments: list[Appointment]


@dataclass(frozen=True)
class DeskDay:
    """One day of the desk's week."""

    day: date
    is_today: bool
    closed: str | None  # the reason of a closure covering the day, else None
    columns: list[AdviserColumn]

    @property
    def count(self) -> int:
        """The bookings of the day that hold their time."""
        return sum(1 for column in self.columns for item in column.appointments
                   if item.status in HOLDING_STATUSES)

    @property
    def has_bookings(self) -> bool:
        """Whether the day has any booking, in any status."""
        return any(column.appointments for column in self.columns)

    @property
    def requested(self) -> int:
        """The bookings of the day still waiting for the office's confirmation."""
        return sum(1 for column in self.columns for item in column.appointments
                   if item.status == "requested")


@dataclass(frozen=True)
class DeskWeek:
    """The week as the desk shows it: Monday to Thursday (other days only with bookings)."""

    monday: date
    today: date
    days: list[DeskDay]

    @property
    def thursday(self) -> date:
        """The last working day of the office's week."""
        return self.monday + timedelta(days=3)

    @property
    def previous(self) -> date:
        """The Monday before."""
        return self.monday - timedelta(days=7)

    @property
    def next(self) -> date:
        """The Monday after."""
        return self.monday + timedelta(days=7)

    @property
    def is_current(self) -> bool:
        """Whether this is the week of today."""
        return self.monday == monday_of(self.today)


def monday_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def local_midnight(day: date) -> datetime:
    """The start of ``day`` in Berlin, as an aware moment."""
    return datetime.combine(day, time(0, 0), tzinfo=BERLIN)


def adviser_count() -> int:
    """How many advisers the office's week has at most (at least one)."""
    return max(db.session.scalar(select(func.max(OfficeHours.advisers))) or 1, 1)


def desk_week(monday: date, *, now: datetime) -> DeskWeek:
    """The bookings of the week starting ``monday`` (every status), by day and adviser.

    Three queries whatever the number of bookings: the bookings with their topics, the
    advisers, the closures.
    """
    start, end = local_midnight(monday), local_midnight(monday + timedelta(days=7))
    bookings = list(db.session.scalars(
        select(Appointment)
        .options(joinedload(Appointment.topic))
        .where(Appointment.starts_at >= start, Appointment.starts_at < end)
        .order_by(Appointment.starts_at, Appointment.adviser, Appointment.id)
    ))
    advisers = max([adviser_count(), *(item.adviser for item in bookings)])
    closures = list(db.session.scalars(select(OfficeClosure).where(
        OfficeClosure.starts_on <= monday + timedelta(days=6),
        OfficeClosure.ends_on >= monday,
    )))
    today = local(now).date()
    by_day: dict[date, list[Appointment]] = {}
    for item in bookings:
        by_day.setdefault(local(item.starts_at).date(), []).append(item)
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        if offset not in OFFICE_DAYS and day not in by_day:
            continue
        closed = next((c.reason or _("geschlossen") for c in closures
                       if c.starts_on <= day <= c.ends_on), None)
        items = by_day.get(day, [])
        columns = [AdviserColumn(number, [a for a in items if a.adviser == number])
                   for number in range(1, advisers + 1)]
        days.append(DeskDay(day=day, is_today=day == today, closed=closed, columns=columns))
    return DeskWeek(monday=monday, today=today, days=days)


# --- Acting on a booking ---------------------------------------------------------------


def _booking(appointment_id: int) -> Appointment:
    """The booking to act on, locked in the open write transaction (on PostgreSQL a row
    lock, so that the person cancelling or moving at the same moment waits for the office
    or the office for them; SQLite's write transaction already runs alone); else
    ``unknown_appointment``."""
    appointment = db.session.scalars(
        select(Appointment).where(Appointment.id == appointment_id).with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if appointment is None:
        db.session.rollback()
        raise DeskError("unknown_appointment")
    return appointment


def _touch(appointment: Appointment, now: datetime) -> None:
    """Move ``updated_at`` forward by at least a second, so that SEQUENCE grows."""
    floor = appointment.updated_at + timedelta(seconds=1)
    appointment.updated_at = max(now, floor)


def confirm(appointment_id: int, *, now: datetime, actor_id: int | None) -> bool:
    """Confirm a requested booking and mail the person (with the calendar file).

    Returns whether anything changed: confirming a confirmed booking (a second click)
    does nothing and sends nothing.
    """
    begin_write()
    appointment = _booking(appointment_id)
    if appointment.status == "confirmed":
        db.session.rollback()
        return False
    if appointment.status != "requested":
        db.session.rollback()
        raise DeskError("not_open", status=appointment.status)
    if appointment.starts_at <= now:
        db.session.rollback()
        raise DeskError("past")
    appointment.status = "confirmed"
    _touch(appointment, now)
    # In the language the person booked in: staff confirm in German.
    with force_locale(appointment.language):
        ics = calendar_text(appointment, now=now, method="PUBLISH")
        queue_mail(
            kind="appointment_confirmed", to=appointment.email,
            subject=_("Ihr Termin ist bestätigt: %(when)s", when=when_text(appointment)),
            template="appointment_confirmed",
            context={"appointment": appointment, "when": when_text(appointment),
                     "link": manage_link(appointment)},
            attachments=[Attachment("termin.ics", "text/calendar", ics)],
            now=now,
        )
    audit(now, actor_id, "appointment.confirm", f"appointment:{appointment.id}")
    db.session.commit()
    return True


def decline(appointment_id: int, *, message: str, now: datetime,
            actor_id: int | None) -> bool:
    """Decline a requested or confirmed booking: its time is free again, the person gets
    a mail (with ``message`` if the office wrote one). A second click does nothing."""
    message = message.strip().replace("\r\n", "\n")
    if len(message) > DECLINE_MESSAGE_MAX:
        raise DeskError("message_too_long", max=DECLINE_MESSAGE_MAX)
    begin_write()
    appointment = _booking(appointment_id)
    if appointment.status == "declined":
        db.session.rollback()
        return False
    if appointment.status not in HOLDING_STATUSES:
        db.session.rollback()
        raise DeskError("not_open", status=appointment.status)
    db.session.execute(delete(AppointmentSlot).where(
        AppointmentSlot.appointment_id == appointment.id))
    appointment.status = "declined"
    _touch(appointment, now)
    # In the language the person booked in: staff confirm in German.
    with force_locale(appointment.language):
        ics = calendar_text(appointment, now=now, method="CANCEL")
        queue_mail(
            kind="appointment_declined", to=appointment.email,
            subject=_("Ihr Termin am %(when)s findet nicht statt", when=when_text(appointment)),
            template="appointment_declined",
            context={"appointment": appointment, "when": when_text(appointment), "message": message,
                     "booking_link": str(current_app.config["BASE_URL"]) + "/termine"},
            attachments=[Attachment("termin-abgesagt.ics", "text/calendar", ics)],
            now=now,
        )
    audit(now, actor_id, "appointment.decline", f"appointment:{appointment.id}",
          with_message=bool(message))
    db.session.commit()
    return True


def mark_no_show(appointment_id: int, *, now: datetime, actor_id: int | None) -> bool:
    """Record that the person did not come ("nicht erschienen"); no mail. The slots stay
    as they were past anyway; a second click does nothing."""
    begin_write()
    appointment = _booking(appointment_id)
    if appointment.status == "no_show":
        db.session.rollback()
        return False
    if appointment.status not in HOLDING_STATUSES:
        db.session.rollback()
        raise DeskError("not_open", status=appointment.status)
    if now < appointment.starts_at:
        db.session.rollback()
        raise DeskError("not_started")
    # The time is past: its held rows go, as for every booking that no longer holds.
    db.session.execute(delete(AppointmentSlot).where(
        AppointmentSlot.appointment_id == appointment.id))
    appointment.status = "no_show"
    _touch(appointment, now)
    audit(now, actor_id, "appointment.no_show", f"appointment:{appointment.id}")
    db.session.commit()
    return True


def set_staff_note(appointment_id: int, *, note: str, now: datetime,
                   actor_id: int | None) -> bool:
    """Store the office's own note on a booking (never shown to the person)."""
    note = note.strip().replace("\r\n", "\n")
    if len(note) > STAFF_NOTE_MAX:
        raise DeskError("note_too_long", max=STAFF_NOTE_MAX)
    begin_write()
    appointment = _booking(appointment_id)
    if appointment.staff_note == note:
        db.session.rollback()
        return False
    appointment.staff_note = note
    # Not a change the person's calendar needs: updated_at stays.
    audit(now, actor_id, "appointment.staff_note", f"appointment:{appointment.id}",
          length=len(note))
    db.session.commit()
    return True


# --- The private calendar feed ---------------------------------------------------------


def renew_feed_token(user_id: int, *, now: datetime, actor_id: int | None) -> str:
    """Give the user a new secret feed token; the old feed URL stops working."""
    begin_write()
    user = db.session.get(User, user_id)
    if user is None:
        db.session.rollback()
        raise DeskError("unknown_user")
    renewed = user.calendar_token is not None
    user.calendar_token = secrets.token_urlsafe(FEED_TOKEN_BYTES)
    audit(now, actor_id, "calendar_feed.renew" if renewed else "calendar_feed.create",
          f"user:{user.id}")
    db.session.commit()
    return user.calendar_token


def remove_feed_token(user_id: int, *, now: datetime, actor_id: int | None) -> None:
    """Switch the user's feed off."""
    begin_write()
    user = db.session.get(User, user_id)
    if user is None:
        db.session.rollback()
        raise DeskError("unknown_user")
    user.calendar_token = None
    audit(now, actor_id, "calendar_feed.remove", f"user:{user.id}")
    db.session.commit()


def feed_owner(token: str) -> User | None:
    """The active staff member whose feed ``token`` is, else ``None``."""
    if not token or len(token) > 64:
        return None
    user = db.session.scalars(select(User).where(User.calendar_token == token)).first()
    if user is None or not user.active or user.role not in ("staff", "admin"):
        return None
    return user


def staff_entry(appointment: Appointment) -> CalendarEntry:
    """A booking as the office's calendar shows it: topic, person and contact."""
    lines = [
        _("Thema: %(topic)s", topic=appointment.topic.name),
        _("Name: %(name)s", name=appointment.name),
        _("E-Mail: %(email)s", email=appointment.email),
    ]
    if appointment.phone:
        lines.append(_("Telefon: %(phone)s", phone=appointment.phone))
    if appointment.note:
        lines.append(_("Anliegen: %(note)s", note=appointment.note))
    lines.append(_("Status: %(status)s", status=status_label(appointment.status)))
    lines.append(_("Beratungsplatz %(number)d", number=appointment.adviser))
    marker = "" if appointment.status == "confirmed" else _("(unbestätigt) ")
    return CalendarEntry(
        uid=calendar_uid(appointment),
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        summary=f"{marker}{appointment.topic.name}: {appointment.name}",
        description="\n".join(lines),
        sequence=calendar_sequence(appointment),
    )


def feed_file(*, now: datetime) -> str:
    """The office's bookings (requested or confirmed) from two weeks back to the horizon."""
    bookings = db.session.scalars(
        select(Appointment)
        .options(joinedload(Appointment.topic))
        .where(Appointment.status.in_(HOLDING_STATUSES),
               Appointment.starts_at >= now - FEED_PAST,
               Appointment.starts_at
               < now + timedelta(days=int(current_app.config["APPOINTMENT_HORIZON_DAYS"])))
        .order_by(Appointment.starts_at, Appointment.id)
    )
    return calendar_file([staff_entry(item) for item in bookings], now=now,
                         name=_("Termine Innenstadtbüro"))


def status_label(status: str) -> str:
    """A booking's status in German."""
    return {
        "requested": _("angefragt"),
        "confirmed": _("bestätigt"),
        "declined": _("abgesagt (Büro)"),
        "cancelled": _("abgesagt (Person)"),
        "no_show": _("nicht erschienen"),
    }.get(status, status)
