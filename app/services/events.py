"""The office's events: what is coming, registering, the waiting list, reminders.

A registration takes a place if one is free, else it joins the waiting list. A freed
place (a cancellation, an offer not taken up in time) goes at once to the first person
waiting, who has ``OFFER_HOURS`` (never past the event's start) to confirm it by the
personal link; then it goes to the next. Places are counted in ``events.taken`` under a
CHECK (app.models.events), so a place is never given twice, whatever the timing.

Every change commits with the mails that report it (the outbox); every refusal writes
nothing.
"""

import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import formats
from ..clock import local
from ..control_characters import has_control_characters
from ..db import begin_write
from ..extensions import db
from ..models import (
    ACTIVE_STATUSES,
    PLACE_STATUSES,
    Event,
    EventAudience,
    EventRegistration,
)
from .accounts import AccountError, normalise_email
from .calendar import CONTENT_TYPE, CalendarEntry, calendar_file
from .errors import DomainError
from .mail import Attachment, queue_mail

NAME_MAX = 100
COMPANY_MAX = 120
# How long a freed place is held for the first person waiting.
OFFER_HOURS = 48
# The reminder goes out this long before the event.
REMINDER_BEFORE = timedelta(days=2)

KIND_LABELS = {
    "networking": _l("Netzwerktreffen"),
    "workshop": _l("Qualifizierung und Workshop"),
    "tour_onsite": _l("Unternehmensführung vor Ort"),
    "tour_digital": _l("Unternehmensführung digital"),
    "info": _l("Infoveranstaltung"),
}
# The URL words of the kinds (``/veranstaltungen?art=netzwerk``).
KIND_SLUGS = {
    "networking": "netzwerk",
    "workshop": "workshop",
    "tour_onsite": "fuehrung-vor-ort",
    "tour_digital": "fuehrung-digital",
    "info": "info",
}
AUDIENCE_LABELS = {
    "founders_women": _l("für Gründerinnen"),
    "founders": _l("für Gründerinnen und Gründer"),
    "retail": _l("für den Einzelhandel"),
    "hospitality": _l("für die Gastronomie"),
    "owners": _l("für Immobilieneigentümer"),
    "successors": _l("zur Unternehmensnachfolge"),
}
AUDIENCE_SLUGS = {
    "founders_women": "gruenderinnen",
    "founders": "gruendung",
    "retail": "einzelhandel",
    "hospitality": "gastronomie",
    "owners": "eigentuemer",
    "successors": "nachfolge",
}


class EventError(DomainError):
    """A registration or change refused. Codes: ``unknown_event`` (no such event, or a
    draft: the public never learns that a draft exists), ``closed`` (called off, past
    its deadline or begun), ``already_registered`` (context
    ``registration``: the active one of that address), ``bad_name``, ``bad_email``,
    ``company_too_long``, ``control_characters``, ``consent_missing``,
    ``unknown_registration``, ``not_changeable`` (nothing to cancel or confirm any more),
    ``offer_expired``."""


@dataclass(frozen=True)
class Contact:
    """A person's details, cleaned."""

    name: str
    email: str
    company: str


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def places_left(event: Event) -> int:
    """How many places are free (0 when full: then one joins the waiting list)."""
    return max(event.capacity - event.taken, 0)


def is_open(event: Event, now: datetime) -> bool:
    """Whether one can register for ``event`` at ``now``."""
    return event.status == "published" and now < event.registration_closes_at \
        and now < event.starts_at


def upcoming(
    now: datetime, *, kind: str | None = None, audience: str | None = None,
    service_id: int | None = None, limit: int | None = None,
) -> list[Event]:
    """Published and cancelled events that have not ended, soonest first (cancelled ones
    stay listed, marked, so that nobody comes in vain)."""
    query = (select(Event).where(Event.status.in_(("published", "cancelled")),
                                 Event.ends_at > now)
             .options(selectinload(Event.audiences))
             .order_by(Event.starts_at, Event.id))
    if kind:
        query = query.where(Event.kind == kind)
    if audience:
        query = query.where(Event.audiences.any(EventAudience.audience == audience))
    if service_id is not None:
        query = query.where(Event.service_id == service_id, Event.status == "published")
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def past(now: datetime, *, limit: int = 50) -> list[Event]:
    """Published events that have ended, latest first (the archive)."""
    return list(db.session.scalars(
        select(Event).where(Event.status == "published", Event.ends_at <= now)
        .options(selectinload(Event.audiences))
        .order_by(Event.starts_at.desc(), Event.id.desc()).limit(limit)))


def by_slug(slug: str, *, drafts: bool = False) -> Event | None:
    """The event at ``/veranstaltungen/<slug>``; drafts only when asked (staff preview)."""
    event = db.session.scalars(select(Event).where(Event.slug == slug)).first()
    if event is None or (event.status == "draft" and not drafts):
        return None
    return event


def series_dates(event: Event) -> list[Event]:
    """The other published dates of the event's series, in order."""
    if not event.series:
        return []
    return list(db.session.scalars(
        select(Event).where(Event.series == event.series, Event.id != event.id,
                            Event.status == "published")
        .order_by(Event.starts_at)))


def registration_by_token(token: str) -> EventRegistration | None:
    """The registration behind a personal link, or None."""
    if not token or len(token) > 64:
        return None
    return db.session.scalars(
        select(EventRegistration).where(EventRegistration.token == token)).first()


def waiting_position(registration: EventRegistration) -> int:
    """The place of a waiting registration in its list (1 = next)."""
    return int(db.session.scalar(select(func.count()).select_from(EventRegistration).where(
        EventRegistration.event_id == registration.event_id,
        EventRegistration.status == "waiting",
        EventRegistration.id <= registration.id)) or 0)


def make_slug(title: str, starts_at: datetime) -> str:
    """A free URL word from the title and the local date: "netzwerkabend-2026-12-10"."""
    ascii_title = unicodedata.normalize("NFKD", title.replace("ß", "ss").replace(
        "ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("Ä", "Ae").replace(
        "Ö", "Oe").replace("Ü", "Ue")).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:80].strip("-")
    base = f"{words or 'veranstaltung'}-{local(starts_at).date().isoformat()}"
    slug, n = base, 2
    while db.session.scalar(select(Event.id).where(Event.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def send_links(*, email: str, now: datetime) -> int:
    """Mail one address the personal links of its registrations still in play for events
    that have not ended ("Link vergessen?"), and commit; return how many it lists. No
    mail when there are none; the answer to the person is the same either way, so the
    form tells nobody who registered. The mail forgets its body once sent."""
    try:
        address = normalise_email(email)
    except AccountError as error:
        raise EventError("bad_email") from error
    begin_write()
    found = list(db.session.scalars(
        select(EventRegistration).join(Event).where(
            EventRegistration.email == address,
            EventRegistration.status.in_(ACTIVE_STATUSES),
            Event.status == "published", Event.ends_at > now)
        .order_by(Event.starts_at, EventRegistration.id)))
    if found:
        queue_mail(
            kind="event_links", to=address, subject=_("Ihre Anmeldungen zu Veranstaltungen"),
            template="event_links",
            context={"items": [(registration, registration.event,
                                when_text(registration.event), manage_link(registration))
                               for registration in found]},
            forget_after_sending=True, now=now)
    db.session.commit()
    return len(found)


# ---------------------------------------------------------------------------
# Registering, cancelling, the waiting list
# ---------------------------------------------------------------------------


def check_contact(*, name: str, email: str, company: str, consent: bool) -> Contact:
    """Clean and check a person's details; raise the first problem's code."""
    for value in (name, email, company):
        if has_control_characters(value):
            raise EventError("control_characters")
    clean_name = " ".join(name.split())
    if not clean_name or len(clean_name) > NAME_MAX:
        raise EventError("bad_name")
    try:
        address = normalise_email(email)
    except AccountError as error:
        raise EventError("bad_email") from error
    clean_company = " ".join(company.split())
    if len(clean_company) > COMPANY_MAX:
        raise EventError("company_too_long")
    if not consent:
        raise EventError("consent_missing")
    return Contact(name=clean_name, email=address, company=clean_company)


def _take_place(event_id: int) -> bool:
    """Take one of the event's places if one is free (the capacity invariant's door)."""
    result = db.session.execute(
        update(Event).where(Event.id == event_id, Event.taken < Event.capacity)
        .values(taken=Event.taken + 1).execution_options(synchronize_session=False))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _free_place(event_id: int) -> None:
    db.session.execute(
        update(Event).where(Event.id == event_id, Event.taken > 0)
        .values(taken=Event.taken - 1).execution_options(synchronize_session=False))


def active_registration(event_id: int, email: str) -> EventRegistration | None:
    """The registration still in play of ``email`` for the event, if any."""
    return db.session.scalars(select(EventRegistration).where(
        EventRegistration.event_id == event_id, EventRegistration.email == email,
        EventRegistration.status.in_(ACTIVE_STATUSES))).first()


def _anyone_waiting(event_id: int) -> bool:
    return db.session.scalar(select(EventRegistration.id).where(
        EventRegistration.event_id == event_id, EventRegistration.status == "waiting")
        .limit(1)) is not None


def register(*, slug: str, name: str, email: str, company: str = "", consent: bool,
             now: datetime) -> EventRegistration:
    """Register for the event at ``slug`` and commit: a place if one is free, else the
    waiting list; mail the person. Nothing is written on refusal."""
    contact = check_contact(name=name, email=email, company=company, consent=consent)
    begin_write()
    event = by_slug(slug)
    if event is None:
        db.session.rollback()
        raise EventError("unknown_event")
    if not is_open(event, now):
        db.session.rollback()
        raise EventError("closed")
    existing = active_registration(event.id, contact.email)
    if existing is not None:
        db.session.rollback()
        raise EventError("already_registered", registration=existing)
    if _anyone_waiting(event.id):
        # A place free while people wait (the office raised the capacity) is theirs first.
        promote(event.id, now)
    confirmed = _take_place(event.id)
    registration = EventRegistration(
        event_id=event.id, token=secrets.token_urlsafe(24),
        status="confirmed" if confirmed else "waiting", name=contact.name,
        email=contact.email, company=contact.company, consent_at=now, created_at=now,
        updated_at=now, language=formats.current_language())
    db.session.add(registration)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same address at the same moment
        db.session.rollback()
        raise EventError("already_registered") from error
    db.session.refresh(event)
    if confirmed:
        _reminded_by_confirmation(registration, now)
        _mail(registration, "event_confirmed",
              _l("Ihre Anmeldung: {title} am {when}"), now=now, method="PUBLISH")
    else:
        _mail(registration, "event_waiting", _l("Warteliste: {title} am {when}"), now=now,
              position=waiting_position(registration))
    db.session.commit()
    return registration


def _locked_by_token(token: str) -> EventRegistration | None:
    """The registration behind a personal link, its row locked for this transaction
    (PostgreSQL's ``FOR UPDATE``; SQLite's write lock is held already), so that two
    requests at once for one link (a double click) cannot both cancel it and free its
    place twice, nor confirm an offer the periodic run is expiring."""
    if not token or len(token) > 64:
        return None
    return db.session.scalars(
        select(EventRegistration).where(EventRegistration.token == token)
        .with_for_update().execution_options(populate_existing=True)).first()


def _changeable(registration: EventRegistration, now: datetime) -> bool:
    return registration.status in ACTIVE_STATUSES and now < registration.event.starts_at \
        and registration.event.status == "published"


def cancel(*, token: str, now: datetime) -> EventRegistration:
    """The person cancels their place, declines an offered one or leaves the waiting
    list; commit. A freed place goes to the first person waiting."""
    begin_write()
    registration = _locked_by_token(token)
    if registration is None:
        db.session.rollback()
        raise EventError("unknown_registration")
    if not _changeable(registration, now):
        db.session.rollback()
        raise EventError("not_changeable")
    held = registration.status in PLACE_STATUSES
    was = registration.status
    registration.status = "cancelled"
    registration.offered_until = None
    registration.updated_at = now
    db.session.flush()
    if held:
        _free_place(registration.event_id)
    _mail(registration, "event_left" if was == "waiting" else "event_cancelled",
          _l("Abgemeldet: {title} am {when}") if was != "waiting"
          else _l("Von der Warteliste genommen: {title}"),
          now=now, method="CANCEL" if was == "confirmed" else "")
    if held:
        promote(registration.event_id, now)
    db.session.commit()
    return registration


def _reminded_by_confirmation(registration: EventRegistration, now: datetime) -> None:
    """Inside the reminder's two days the confirmation (with the cancel link and the
    online link) is the reminder: mark it sent, so none follows minutes later."""
    if registration.event.starts_at - REMINDER_BEFORE <= now:
        registration.reminder_queued_at = now


def confirm_offer(*, token: str, now: datetime) -> EventRegistration:
    """The person takes the place offered to them; commit and send the calendar file."""
    begin_write()
    registration = _locked_by_token(token)
    if registration is None:
        db.session.rollback()
        raise EventError("unknown_registration")
    if registration.status != "offered" or not _changeable(registration, now):
        db.session.rollback()
        raise EventError("not_changeable")
    if registration.offered_until is None or registration.offered_until <= now:
        db.session.rollback()
        raise EventError("offer_expired")
    registration.status = "confirmed"
    registration.offered_until = None
    registration.updated_at = now
    _reminded_by_confirmation(registration, now)
    db.session.flush()
    _mail(registration, "event_confirmed", _l("Ihre Anmeldung: {title} am {when}"), now=now,
          method="PUBLISH")
    db.session.commit()
    return registration


def promote(event_id: int, now: datetime) -> list[EventRegistration]:
    """Offer every free place of the event to the next people waiting, in order (within
    the open transaction; the caller commits).

    The event's row is locked first, so two promotions of one event run one after the
    other and each sees who the other offered; a waiting person is claimed by a
    conditional UPDATE, so one who leaves the list at that moment is passed over, not
    offered the place."""
    event = db.session.get_one(Event, event_id, populate_existing=True,
                               with_for_update=True)
    offered: list[EventRegistration] = []
    if event.status != "published" or now >= event.starts_at:
        return offered
    until = min(now + timedelta(hours=OFFER_HOURS), event.starts_at)
    while True:
        waiting_id = db.session.scalar(select(EventRegistration.id).where(
            EventRegistration.event_id == event_id, EventRegistration.status == "waiting")
            .order_by(EventRegistration.id).limit(1))
        if waiting_id is None or not _take_place(event_id):
            break
        claimed = db.session.execute(
            update(EventRegistration)
            .where(EventRegistration.id == waiting_id, EventRegistration.status == "waiting")
            .values(status="offered", offered_until=until, updated_at=now)
            .execution_options(synchronize_session=False))
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            _free_place(event_id)  # they left the list just now: the next one
            continue
        waiting = db.session.get_one(EventRegistration, waiting_id, populate_existing=True)
        _mail(waiting, "event_offer", _l("Ein Platz ist frei: {title} am {when}"), now=now)
        offered.append(waiting)
    return offered


def expire_offers(now: datetime) -> list[int]:
    """Offers not confirmed in time expire; their places go to the next waiting. Return
    the expired registrations' ids. Each is claimed by a conditional UPDATE, so two runs
    at once expire and promote each once; each is committed with its promotion before
    the next, so a run holds one event's row lock at a time, not all of them until its
    end. An offer of an event the office has called off stays as it is: those people
    were told already."""
    begin_write()
    due = list(db.session.scalars(select(EventRegistration.id).join(Event).where(
        EventRegistration.status == "offered", EventRegistration.offered_until <= now,
        Event.status == "published")
        .order_by(EventRegistration.id)))
    db.session.commit()
    expired: list[int] = []
    for registration_id in due:
        begin_write()
        claimed = db.session.execute(
            update(EventRegistration)
            .where(EventRegistration.id == registration_id,
                   EventRegistration.status == "offered")
            .values(status="expired", offered_until=None, updated_at=now)
            .execution_options(synchronize_session=False))
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            db.session.rollback()
            continue
        registration = db.session.get_one(EventRegistration, registration_id,
                                          populate_existing=True)
        _free_place(registration.event_id)
        if now < registration.event.starts_at:  # afterwards the mail would only confuse
            _mail(registration, "event_offer_expired", _l("Platz nicht bestätigt: {title}"),
                  now=now)
        promote(registration.event_id, now)
        db.session.commit()
        expired.append(registration_id)
    return expired


def queue_due_reminders(now: datetime) -> list[int]:
    """Queue one reminder for each confirmed registration whose event starts within two
    days and has had none; commit; return the registrations' ids."""
    begin_write()
    due = list(db.session.scalars(
        select(EventRegistration.id).join(Event).where(
            EventRegistration.status == "confirmed",
            EventRegistration.reminder_queued_at.is_(None),
            EventRegistration.email != "",
            Event.status == "published",
            Event.starts_at > now,
            Event.starts_at <= now + REMINDER_BEFORE,
        ).order_by(Event.starts_at, EventRegistration.id)))
    reminded: list[int] = []
    for registration_id in due:
        claimed = db.session.execute(
            update(EventRegistration)
            .where(EventRegistration.id == registration_id,
                   EventRegistration.reminder_queued_at.is_(None))
            .values(reminder_queued_at=now).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        registration = db.session.get_one(EventRegistration, registration_id,
                                          populate_existing=True)
        _mail(registration, "event_reminder", _l("Erinnerung: {title} am {when}"), now=now)
        reminded.append(registration_id)
    db.session.commit()
    return reminded


def process_due(now: datetime) -> tuple[list[int], list[int]]:
    """The periodic work (``flask outbox send``): expire offers, then queue reminders."""
    return expire_offers(now), queue_due_reminders(now)


# ---------------------------------------------------------------------------
# The office's side: calling an event off, taking someone off, check-in
# ---------------------------------------------------------------------------


def call_off(event: Event, *, reason: str, now: datetime) -> int:
    """Cancel ``event`` (within the open transaction; the caller commits and audits) and
    tell everyone registered or waiting; return how many were told. The event's row is
    locked first: an event already called off (a second click, two staff at once) is
    left alone and nobody is told twice (0)."""
    db.session.flush()  # the caller's own changes survive the refresh
    db.session.refresh(event, with_for_update=True)
    if event.status == "cancelled":
        return 0
    event.status = "cancelled"
    event.cancel_reason = reason.strip()
    event.sequence += 1
    event.updated_at = now
    told = list(db.session.scalars(select(EventRegistration).where(
        EventRegistration.event_id == event.id,
        EventRegistration.status.in_(ACTIVE_STATUSES), EventRegistration.email != "")
        .order_by(EventRegistration.id)))
    db.session.flush()
    for registration in told:
        _mail(registration, "event_called_off", _l("Abgesagt: {title} am {when}"), now=now,
              method="CANCEL" if registration.status == "confirmed" else "",
              reason=event.cancel_reason)
    return len(told)


def remove(registration: EventRegistration, *, now: datetime, status: str = "removed"
           ) -> None:
    """The office takes a registration off (within the open transaction; the caller
    commits): its place goes to the next waiting. No mail: the office tells them. The
    row is locked and read afresh first; one no longer active (cancelled meanwhile,
    expired, removed already) stays as it is, so no place is freed twice. ``status`` is
    "cancelled" when the person asked for their data to be deleted."""
    db.session.flush()
    db.session.refresh(registration, with_for_update=True)
    if registration.status not in ACTIVE_STATUSES:
        return
    held = registration.status in PLACE_STATUSES
    registration.status = status
    registration.offered_until = None
    registration.updated_at = now
    db.session.flush()
    if held:
        _free_place(registration.event_id)
        promote(registration.event_id, now)


def set_checked_in(registration: EventRegistration, present: bool, *, now: datetime) -> None:
    """Mark a confirmed participant as there (or not); the caller commits."""
    registration.checked_in_at = now if present else None
    registration.updated_at = now


def registrations(event_id: int, statuses: Sequence[str] | None = None
                  ) -> list[EventRegistration]:
    """The event's registrations (all, or of ``statuses``), in the order they came."""
    query = select(EventRegistration).where(EventRegistration.event_id == event_id)
    if statuses:
        query = query.where(EventRegistration.status.in_(statuses))
    return list(db.session.scalars(query.order_by(EventRegistration.id)))


def attendance(now: datetime, *, since: datetime | None = None,
               until: datetime | None = None) -> list[tuple[str, str, int, int, int, int]]:
    """The attendance report for the office's funders: per local month and kind, (month
    "2026-12", kind, events, places booked, checked in, not come) for the published
    events that have ended (between ``since`` and ``until`` when given)."""
    query = (select(Event.id, Event.kind, Event.starts_at,
                    func.count(EventRegistration.id).filter(
                        EventRegistration.status == "confirmed"),
                    func.count(EventRegistration.checked_in_at).filter(
                        EventRegistration.status == "confirmed"))
             .outerjoin(EventRegistration, EventRegistration.event_id == Event.id)
             .where(Event.status == "published", Event.ends_at <= now)
             .group_by(Event.id, Event.kind, Event.starts_at))
    if since is not None:
        query = query.where(Event.starts_at >= since)
    if until is not None:
        query = query.where(Event.starts_at < until)
    table: dict[tuple[str, str], list[int]] = {}
    for _id, kind, starts_at, booked, present in db.session.execute(query):
        month = local(starts_at).strftime("%Y-%m")
        row = table.setdefault((month, kind), [0, 0, 0])
        row[0] += 1
        row[1] += booked
        row[2] += present
    return [(month, kind, events, booked, present, booked - present)
            for (month, kind), (events, booked, present) in sorted(table.items())]


# ---------------------------------------------------------------------------
# Calendar files and mails
# ---------------------------------------------------------------------------


def manage_link(registration: EventRegistration) -> str:
    """The personal link where the person sees, confirms or cancels the registration."""
    return str(current_app.config["BASE_URL"]) + "/veranstaltungen/anmeldung/" + \
        registration.token


def event_link(event: Event) -> str:
    return str(current_app.config["BASE_URL"]) + "/veranstaltungen/" + event.slug


def when_text(event: Event) -> str:
    """"Donnerstag, 10. Dezember 2026, 18:00–20:00 Uhr" (the end's day too when it
    differs), in the language being written."""
    return formats.span(event.starts_at, event.ends_at)


def where_text(event: Event) -> str:
    """The place as people read it (never the online link: that is for participants)."""
    return event.place or str(_l("online"))


def calendar_entry(event: Event, *, registration: EventRegistration | None = None
                   ) -> CalendarEntry:
    """The event as a calendar event. The feed's entry (no registration) names the
    event's page; a participant's names their personal link and, when confirmed, the
    online link."""
    link = manage_link(registration) if registration else event_link(event)
    lines = [event.summary] if event.summary else []
    location = event.place
    if registration is not None:
        lines.append(_("Ihre Anmeldung ansehen oder absagen: %(link)s", link=link))
        if registration.status == "confirmed" and event.online_url and \
                event.status == "published":
            lines.append(_("Online-Zugang: %(link)s", link=event.online_url))
            location = location or event.online_url
    else:
        lines.append(_("Details und Anmeldung: %(link)s", link=link))
    cancelled = event.status == "cancelled" or (
        registration is not None and registration.status != "confirmed")
    return CalendarEntry(
        uid=f"veranstaltung-{event.id}@innenstadt-rallye",
        starts_at=event.starts_at, ends_at=event.ends_at, summary=event.title,
        description="\n".join(lines), location=location or "online", url=link,
        cancelled=cancelled, sequence=event.sequence)


def calendar_text(event: Event, *, now: datetime, registration: EventRegistration | None
                  = None, method: str = "") -> str:
    """One event's calendar file (a download or a mail's attachment)."""
    return calendar_file([calendar_entry(event, registration=registration)], now=now,
                         method=method)


def feed_text(now: datetime) -> str:
    """``/veranstaltungen.ics``: every upcoming event (cancelled ones marked so)."""
    return calendar_file([calendar_entry(event) for event in upcoming(now)], now=now,
                         name=_("Veranstaltungen des Innenstadtbüros Herten"))


def _mail(registration: EventRegistration, kind: str, subject: str | LazyString, *,
          now: datetime, method: str = "", **context: object) -> None:
    """Queue one of the registration's mails, with the calendar file when ``method`` is
    set, in the language the person registered in. Only a confirmed participant's mails
    carry the online link."""
    with force_locale(registration.language):
        _write_mail(registration, kind, str(subject), now=now, method=method, **context)


def _write_mail(registration: EventRegistration, kind: str, subject: str, *,
                now: datetime, method: str, **context: object) -> None:
    event = registration.event
    when = when_text(event)
    attachments = []
    if method:
        attachments.append(Attachment(
            "veranstaltung.ics", CONTENT_TYPE + f"; method={method}",
            calendar_text(event, now=now, registration=registration, method=method)))
    online = event.online_url if registration.status == "confirmed" and \
        event.status == "published" else ""
    queue_mail(
        kind=kind, to=registration.email,
        subject=subject.format(title=event.title, when=when),
        template=kind,
        context={"registration": registration, "event": event, "when": when,
                 "where": where_text(event), "link": manage_link(registration),
                 "event_link": event_link(event), "online_url": online, "ics": bool(method),
                 "offered_until": (_until_text(registration.offered_until)
                                   if registration.offered_until else ""),
                 **context},
        attachments=attachments, now=now)


def _until_text(moment: datetime) -> str:
    """"Freitag, 4. Dezember, 18:00 Uhr"."""
    return f"{formats.moment(moment, 'weekday')}, {formats.moment(moment, 'hour_clock')}"

