"""The office's events: networking evenings, trainings, company tours; registrations.

Never more places taken than an event has, by the database: ``events.taken`` counts the
registrations that hold a place (confirmed, or offered to someone from the waiting list)
and a CHECK keeps it between 0 and ``capacity``. A registration takes its place with one
``UPDATE events SET taken = taken + 1 WHERE id = … AND taken < capacity`` in the same
transaction that writes it; PostgreSQL's row lock and SQLite's write lock make two such
updates wait for each other, so thirty people at once for five places make five.
"""

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..db import UTCDateTime
from .common import LANGUAGES, Model, _in
from .content import Image, Service
from .rally import Shop

# Netzwerktreffen, Qualifizierung/Workshop, Unternehmensführung vor Ort / digital,
# Infoveranstaltung (app.services.events.KIND_LABELS names them in German).
EVENT_KINDS = ("networking", "workshop", "tour_onsite", "tour_digital", "info")
# Whom an event is meant for (app.services.events.AUDIENCE_LABELS); none means everyone.
EVENT_AUDIENCES = ("founders_women", "founders", "retail", "hospitality", "owners",
                   "successors")
# draft: only staff see it; published; cancelled by the office (everyone was told).
EVENT_STATUSES = ("draft", "published", "cancelled")
# confirmed: has a place; offered: a freed place is held for them until offered_until;
# waiting: on the waiting list; cancelled: cancelled by the person (or left the list);
# expired: did not confirm an offered place in time; removed: taken off by the office.
REGISTRATION_STATUSES = ("confirmed", "offered", "waiting", "cancelled", "expired",
                         "removed")
# The statuses that hold one of the event's places (counted in events.taken).
PLACE_STATUSES = ("confirmed", "offered")
# The statuses of a registration still in play: one per address and event.
ACTIVE_STATUSES = ("confirmed", "offered", "waiting")


class Event(Model):
    """One date of an event. Dates of a series share ``series`` (the same tour again)."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(_in("kind", EVENT_KINDS), name="kind_known"),
        CheckConstraint(_in("status", EVENT_STATUSES), name="status_known"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("registration_closes_at <= starts_at", name="closes_by_start"),
        CheckConstraint("capacity BETWEEN 1 AND 1000", name="capacity_in_range"),
        CheckConstraint("taken >= 0 AND taken <= capacity", name="places_within_capacity"),
        CheckConstraint("length(place) > 0 OR length(online_url) > 0", name="has_place"),
        CheckConstraint("image_id IS NULL OR length(image_alt) > 0", name="image_has_alt_text"),
        Index("ix_events_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12), default="draft")
    title: Mapped[str] = mapped_column(String(120))
    # One or two sentences for lists and the feed; the description is Markdown.
    summary: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The address; empty for an event only online.
    place: Mapped[str] = mapped_column(String(300), default="")
    # Only confirmed participants ever receive it (their mails), never a public page.
    online_url: Mapped[str] = mapped_column(String(500), default="")
    host_shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id"))
    # The service page that shows the event among its next dates (optional).
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    capacity: Mapped[int] = mapped_column(Integer)
    taken: Mapped[int] = mapped_column(Integer, default=0)
    image_id: Mapped[int | None] = mapped_column(ForeignKey("images.id"))
    image_alt: Mapped[str] = mapped_column(String(200), default="")
    # The dates of one series share this key (a copy keeps it); None for a single date.
    series: Mapped[str | None] = mapped_column(String(40), index=True)
    # What the office told the registered when it cancelled the event.
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    # Bumped on every change of time or place, for calendar programs (SEQUENCE).
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    host_shop: Mapped[Shop | None] = relationship()
    service: Mapped[Service | None] = relationship()
    image: Mapped[Image | None] = relationship()
    audiences: Mapped[list["EventAudience"]] = relationship(
        cascade="all, delete-orphan", order_by="EventAudience.audience")

    @property
    def audience_keys(self) -> list[str]:
        return [row.audience for row in self.audiences]


class EventAudience(Model):
    """One audience an event is meant for ("für Gründerinnen")."""

    __tablename__ = "event_audiences"
    __table_args__ = (CheckConstraint(_in("audience", EVENT_AUDIENCES), name="audience_known"),)

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    audience: Mapped[str] = mapped_column(String(20), primary_key=True)


_ACTIVE = _in("status", ACTIVE_STATUSES) + " AND email <> ''"


class EventRegistration(Model):
    """Someone registered for an event (no account): a place, an offer or the waiting list.

    ``token`` is the capability in the personal link (cancel, confirm an offered place,
    leave the waiting list, all by POST). The waiting list's order is ``id``. Purged
    registrations keep event, status and check-in for the office's figures, with name,
    address and company blanked.
    """

    __tablename__ = "event_registrations"
    __table_args__ = (
        CheckConstraint(_in("status", REGISTRATION_STATUSES), name="status_known"),
        CheckConstraint("status <> 'offered' OR offered_until IS NOT NULL",
                        name="offer_has_deadline"),
        CheckConstraint(_in("language", LANGUAGES), name="language_known"),
        Index("uq_event_registrations_active_email", "event_id", "email", unique=True,
              sqlite_where=text(_ACTIVE), postgresql_where=text(_ACTIVE)),
        Index("ix_event_registrations_event_status", "event_id", "status", "id"),
        Index("ix_event_registrations_email", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    company: Mapped[str] = mapped_column(String(120), default="")
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Until when an offered place is held (48 hours, never past the event's start).
    offered_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The person's language when they registered (app.i18n): mails written later, by staff
    # or by ``outbox send``, use it.
    language: Mapped[str] = mapped_column(String(2), default="de", server_default="de")

    event: Mapped[Event] = relationship()
