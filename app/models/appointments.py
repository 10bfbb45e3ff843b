"""Appointments with the office: its week, topics, closures, bookings and held slots.

No double booking, by the database: a booking holds one row per ``SLOT_MINUTES`` of its
time for one adviser in ``appointment_slots``, whose primary key is (adviser, start). Two
bookings that overlap for the same adviser cannot both commit, whatever the timing.
"""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..db import UTCDateTime
from .common import LANGUAGES, Model, _in
from .content import Service

# The grid of held time: every topic's duration and every offered start is a multiple.
SLOT_MINUTES = 15
# requested: booked, waiting for the office's confirmation (the time is held already);
# confirmed; declined by the office; cancelled by the person; no_show: "nicht erschienen".
APPOINTMENT_STATUSES = ("requested", "confirmed", "declined", "cancelled", "no_show")
# The statuses in which a booking holds its slots.
HOLDING_STATUSES = ("requested", "confirmed")


class OfficeHours(Model):
    """One interval of a weekday (0 = Monday) in which the office takes appointments.

    Minutes since local midnight, as for shops' opening hours; ``advisers`` is how many
    people can see someone at the same time in this interval.
    """

    __tablename__ = "office_hours"
    __table_args__ = (
        UniqueConstraint("weekday", "opens"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_known"),
        CheckConstraint("opens >= 0 AND closes > opens AND closes <= 1440", name="within_day"),
        CheckConstraint(f"opens % {SLOT_MINUTES} = 0 AND closes % {SLOT_MINUTES} = 0",
                        name="on_slot_grid"),
        CheckConstraint("advisers BETWEEN 1 AND 20", name="advisers_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer)
    opens: Mapped[int] = mapped_column(Integer)
    closes: Mapped[int] = mapped_column(Integer)
    advisers: Mapped[int] = mapped_column(Integer, default=1)


class AppointmentTopic(Model):
    """What a person can book a consultation about, and how long it takes."""

    __tablename__ = "appointment_topics"
    __table_args__ = (
        CheckConstraint(
            f"duration_minutes BETWEEN {SLOT_MINUTES} AND 240 "
            f"AND duration_minutes % {SLOT_MINUTES} = 0",
            name="duration_on_grid",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The service page whose call to action books this topic (optional).
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))

    service: Mapped[Service | None] = relationship()


class OfficeClosure(Model):
    """Days on which the office takes no appointments (holidays of its own, training)."""

    __tablename__ = "office_closures"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")


class Appointment(Model):
    """A booking: who, about what, when, with which adviser, and where it stands.

    ``token`` is the capability in the personal link ``/termine/<token>`` (mails, the
    reminder and the confirmation page all show it, so it is kept, like a card's key).
    """

    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint(_in("status", APPOINTMENT_STATUSES), name="status_known"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("adviser >= 1", name="adviser_numbered"),
        CheckConstraint(_in("language", LANGUAGES), name="language_known"),
        Index("ix_appointments_starts_at", "starts_at"),
        Index("ix_appointments_email", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("appointment_topics.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    adviser: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(12), default="requested")
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(String(1000), default="")
    # The office's own note, never shown to the person.
    staff_note: Mapped[str] = mapped_column(Text, default="")
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminder_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The person's language when they booked (app.i18n): mails written later, by staff
    # or by ``outbox send``, use it.
    language: Mapped[str] = mapped_column(String(2), default="de", server_default="de")

    topic: Mapped[AppointmentTopic] = relationship()


class AppointmentSlot(Model):
    """One ``SLOT_MINUTES`` of one adviser's time held by a booking.

    The primary key is the no-double-booking invariant. Rows exist only while their
    booking holds the time (requested or confirmed); declining, cancelling or moving a
    booking deletes them in the same transaction.
    """

    __tablename__ = "appointment_slots"

    adviser: Mapped[int] = mapped_column(Integer, primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), index=True
    )
