"""The office's side of events: create, edit, copy and cancel an event; take someone off;
check-in. Every function checks everything before it writes, runs in one write
transaction, records an audit entry, and refuses with an ``EditError`` (``InvalidInput``
field by field) that leaves nothing written.

Times are entered as local dates and wall-clock times (Europe/Berlin) and stored in UTC.
A wall-clock time that does not exist (the hour skipped when clocks go forward in March)
is refused rather than guessed; an hour that exists twice (October) means its first
occurrence.

A change of time or place of a published event bumps its ``sequence`` (calendar programs
replace the entry) and mails every confirmed participant the new calendar file.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..clock import BERLIN, local
from ..control_characters import has_control_characters
from ..db import begin_write
from ..extensions import db
from ..models import (
    EVENT_AUDIENCES,
    EVENT_KINDS,
    Event,
    EventAudience,
    EventRegistration,
    Service,
    Shop,
)
from . import events
from .calendar import CONTENT_TYPE
from .editing import EditError, audit, existing, refuse
from .errors import Problem
from .images import ImageError, store_picture
from .mail import Attachment, queue_mail

# The model's column lengths, checked so that the database never refuses.
TITLE_MAX = 120
SUMMARY_MAX = 300
DESCRIPTION_MAX = 20_000
PLACE_MAX = 300
ONLINE_URL_MAX = 500
ALT_MAX = 200
REASON_MAX = 500
CAPACITY_MIN = 1
CAPACITY_MAX = 1000
SERIES_MAX = 40
# Statuses staff choose in the form; "cancelled" only comes by cancelling.
FORM_STATUSES = ("draft", "published")
COPY_OFFSET = timedelta(days=7)
_URL = re.compile(r"https://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?")


@dataclass(frozen=True)
class EventInput:
    """An event as staff enter it; a date or time is ``None`` when it was unreadable or
    left empty, ``capacity`` likewise."""

    title: str
    kind: str
    summary: str
    description: str
    start_date: date | None
    start_time: time | None
    end_date: date | None
    end_time: time | None
    closes_date: date | None
    closes_time: time | None
    place: str
    online_url: str
    host_shop_id: int | None
    service_id: int | None
    capacity: int | None
    audiences: tuple[str, ...]
    image_alt: str
    status: str


@dataclass(frozen=True)
class Moments:
    """The checked times of an event, in UTC."""

    starts_at: datetime
    ends_at: datetime
    closes_at: datetime


def berlin_moment(day: date, at: time) -> datetime | None:
    """The UTC moment of a Berlin wall-clock time, or ``None`` if that time does not exist
    on that day (skipped when clocks go forward). A doubled hour means the first one."""
    wall = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=BERLIN)
    moment = wall.astimezone(UTC)
    if moment.astimezone(BERLIN).replace(tzinfo=None) != wall.replace(tzinfo=None):
        return None
    return moment


def form_moment(prefix: str, day: date | None, at: time | None,
                problems: list[Problem]) -> datetime | None:
    """The UTC moment of a form's Berlin date and time (fields ``<prefix>_date`` and
    ``<prefix>_time``), with a problem on its field when missing or skipped; the event
    and survey forms use it."""
    if day is None:
        problems.append(Problem(f"{prefix}_date", "missing"))
        return None
    if at is None:
        problems.append(Problem(f"{prefix}_time", "missing"))
        return None
    moment = berlin_moment(day, at)
    if moment is None:
        problems.append(Problem(f"{prefix}_time", "no_such_time",
                                {"time": at.strftime("%H:%M"),
                                 "date": day.strftime("%d.%m.%Y")}))
    return moment


def _text(problems: list[Problem], field: str, value: str, limit: int, *,
          required: bool = False) -> None:
    """Length, presence and control characters of one text field."""
    if required and not value:
        problems.append(Problem(field, "missing"))
    elif len(value) > limit:
        problems.append(Problem(field, "too_long", {"max": limit}))
    elif has_control_characters(value.replace("\n", "")):
        problems.append(Problem(field, "control_characters"))


def check_event(values: EventInput, *, event: Event | None, with_picture: bool
                ) -> tuple[list[Problem], Moments | None]:
    """Every reason to refuse ``values`` (for ``event``, or a new one when ``None``), and
    the times in UTC when they are all right. ``with_picture`` says whether the event
    will have a picture (its alt text is then required)."""
    problems: list[Problem] = []
    _text(problems, "title", values.title, TITLE_MAX, required=True)
    if values.kind not in EVENT_KINDS:
        problems.append(Problem("kind", "missing"))
    _text(problems, "summary", values.summary, SUMMARY_MAX)
    _text(problems, "description", values.description, DESCRIPTION_MAX)

    starts = form_moment("start", values.start_date, values.start_time, problems)
    ends = None
    if values.start_date is not None or values.end_date is not None:
        ends = form_moment("end", values.end_date or values.start_date, values.end_time,
                       problems)
    closes: datetime | None = starts
    if values.closes_date is not None or values.closes_time is not None:
        # A deadline time alone means the day of the start.
        closes = None
        if values.closes_date is not None or values.start_date is not None:
            closes = form_moment("closes", values.closes_date or values.start_date,
                             values.closes_time, problems)
    if starts and ends and ends <= starts:
        problems.append(Problem("end_time", "end_before_start"))
    if starts and closes and closes > starts:
        problems.append(Problem("closes_date", "closes_after_start"))

    _text(problems, "place", values.place, PLACE_MAX)
    _text(problems, "online_url", values.online_url, ONLINE_URL_MAX)
    if not values.place and not values.online_url:
        problems.append(Problem("place", "no_place"))
    if values.online_url and not _URL.fullmatch(values.online_url):
        problems.append(Problem("online_url", "not_https"))
    if values.host_shop_id is not None and db.session.get(Shop, values.host_shop_id) is None:
        problems.append(Problem("host_shop_id", "unknown_choice"))
    if values.service_id is not None and db.session.get(Service, values.service_id) is None:
        problems.append(Problem("service_id", "unknown_choice"))

    taken = event.taken if event is not None else 0
    if values.capacity is None:
        problems.append(Problem("capacity", "missing"))
    elif not CAPACITY_MIN <= values.capacity <= CAPACITY_MAX:
        problems.append(Problem("capacity", "capacity_range",
                                {"min": CAPACITY_MIN, "max": CAPACITY_MAX}))
    elif values.capacity < taken:
        problems.append(Problem("capacity", "below_taken", {"taken": taken}))
    if any(audience not in EVENT_AUDIENCES for audience in values.audiences):
        problems.append(Problem("audiences", "unknown_choice"))

    _text(problems, "image_alt", values.image_alt, ALT_MAX)
    if with_picture and not values.image_alt:
        problems.append(Problem("image_alt", "missing_alt"))
    if values.status not in FORM_STATUSES:
        problems.append(Problem("status", "unknown_choice"))
    elif event is not None and event.status == "published" and values.status == "draft" \
            and _active_count(event.id):
        problems.append(Problem("status", "has_registrations"))

    if problems or starts is None or ends is None or closes is None:
        return problems, None
    return problems, Moments(starts, ends, closes)


def _active_count(event_id: int) -> int:
    """How many registrations of the event are still in play (places or waiting)."""
    return len(events.registrations(event_id, ("confirmed", "offered", "waiting")))


def _picture(picture: bytes | None, problems: list[Problem]) -> int | None:
    """Store an uploaded picture (cleaned by app.services.images); its id, or None."""
    if picture is None:
        return None
    try:
        return store_picture(picture).id
    except ImageError as error:
        problems.append(Problem("picture", error.code, dict(error.context)))
        return None


def _apply(event: Event, values: EventInput, moments: Moments) -> None:
    """Write the checked values onto ``event`` (not its picture, status or slug)."""
    event.title = values.title
    event.kind = values.kind
    event.summary = values.summary
    event.description = values.description
    event.starts_at = moments.starts_at
    event.ends_at = moments.ends_at
    event.registration_closes_at = moments.closes_at
    event.place = values.place
    event.online_url = values.online_url
    event.host_shop_id = values.host_shop_id
    event.service_id = values.service_id
    event.capacity = values.capacity or event.capacity  # checked: never None here
    wanted = set(values.audiences)
    event.audiences = [row for row in event.audiences if row.audience in wanted] + [
        EventAudience(audience=key) for key in EVENT_AUDIENCES
        if key in wanted and key not in event.audience_keys]


def create_event(*, values: EventInput, picture: bytes | None, now: datetime,
                 actor_id: int | None) -> Event:
    """A new event from the form; its slug from the title and the local date. Audited as
    ``event.create``."""
    begin_write()
    problems, moments = check_event(values, event=None, with_picture=picture is not None)
    image_id = _picture(picture, problems)
    if problems or moments is None:
        refuse(problems)
    event = Event(slug=events.make_slug(values.title, moments.starts_at),
                  status=values.status, taken=0, sequence=0, created_at=now, updated_at=now)
    _apply(event, values, moments)
    event.image_id = image_id
    event.image_alt = values.image_alt if image_id is not None else ""
    db.session.add(event)
    db.session.flush()
    audit(now, actor_id, "event.create", event.slug, status=event.status)
    db.session.commit()
    return event


def _locked(event_id: int) -> Event:
    """The event, its row locked for this transaction (a registration waits for it)."""
    event = db.session.get(Event, event_id, with_for_update=True, populate_existing=True)
    if event is None:
        db.session.rollback()
        raise EditError("unknown_event")
    return event


def update_event(*, event_id: int, values: EventInput, picture: bytes | None,
                 remove_picture: bool, now: datetime, actor_id: int | None) -> Event:
    """Save an edit (the slug stays). A cancelled event is not edited any more
    (``cancelled``). A change of time or place of a published event bumps its sequence
    and mails the confirmed participants; more places go to the people waiting. Audited
    as ``event.edit``."""
    begin_write()
    event = _locked(event_id)
    if event.status == "cancelled":
        db.session.rollback()
        raise EditError("cancelled")
    with_picture = picture is not None or (event.image_id is not None and not remove_picture)
    problems, moments = check_event(values, event=event, with_picture=with_picture)
    image_id = _picture(picture, problems)
    if problems or moments is None:
        refuse(problems)
    fields = ("title", "kind", "summary", "description", "starts_at", "ends_at",
              "registration_closes_at", "place", "online_url", "host_shop_id",
              "service_id", "capacity", "image_id", "image_alt", "status")
    before = {name: getattr(event, name) for name in fields}
    audiences_before = event.audience_keys
    _apply(event, values, moments)
    if image_id is not None:
        event.image_id = image_id
    elif remove_picture:
        event.image_id = None
    event.image_alt = values.image_alt if event.image_id is not None else ""
    event.status = values.status
    changed = sorted(name for name, old in before.items() if getattr(event, name) != old)
    if sorted(values.audiences) != sorted(audiences_before):
        changed.append("audiences")
    moved = [name for name in ("starts_at", "ends_at", "place", "online_url")
             if name in changed]
    told = 0
    if event.starts_at != before["starts_at"]:
        _follow_new_start(event)
    event.updated_at = now
    db.session.flush()
    if moved and event.status == "published" and before["status"] == "published":
        event.sequence += 1
        db.session.flush()
        told = _tell_changed(event, now=now)
    if event.status == "published" and event.capacity > before["capacity"]:
        events.promote(event.id, now)
    audit(now, actor_id, "event.edit", event.slug, changed=changed, told=told)
    db.session.commit()
    return event


def _follow_new_start(event: Event) -> None:
    """After a new start: reminders go again for the new date; no offer outlasts it."""
    for registration in events.registrations(event.id):
        if registration.status == "confirmed":
            registration.reminder_queued_at = None
        if registration.status == "offered" and registration.offered_until is not None:
            registration.offered_until = min(registration.offered_until, event.starts_at)


def _tell_changed(event: Event, *, now: datetime) -> int:
    """Mail each confirmed participant the new time and place with the new calendar
    file; return how many were told."""
    people = [registration for registration in events.registrations(event.id, ("confirmed",))
              if registration.email]
    for registration in people:
        with force_locale(registration.language):
            _mail_changed(event, registration, now=now)
    return len(people)


def _mail_changed(event: Event, registration: EventRegistration, *, now: datetime) -> None:
    """The change mail of one participant, in the language they registered in."""
    when = events.when_text(event)
    queue_mail(
        kind="event_changed", to=registration.email,
        subject=_("Geändert: %(title)s am %(when)s", title=event.title, when=when),
        template="event_changed",
        context={"registration": registration, "event": event, "when": when,
                 "where": events.where_text(event),
                 "link": events.manage_link(registration),
                 "event_link": events.event_link(event),
                 "online_url": event.online_url},
        attachments=[Attachment(
            "veranstaltung.ics", CONTENT_TYPE + "; method=REQUEST",
            events.calendar_text(event, now=now, registration=registration,
                                 method="REQUEST"))],
        now=now)


def _week_later(moment: datetime) -> datetime:
    """The same Berlin wall-clock time one week later, in UTC (DST-safe)."""
    return (local(moment) + COPY_OFFSET).astimezone(UTC)


def copy_event(*, event_id: int, now: datetime, actor_id: int | None) -> Event:
    """A new draft with the same content one week later, in the same series (the series
    gets a key from the original's slug if it had none); no registrations. Audited as
    ``event.copy``."""
    begin_write()
    original = existing(Event, event_id, "unknown_event")
    if not original.series:
        original.series = original.slug[:SERIES_MAX]
    starts_at = _week_later(original.starts_at)
    copy = Event(
        slug=events.make_slug(original.title, starts_at), kind=original.kind,
        status="draft", title=original.title, summary=original.summary,
        description=original.description, starts_at=starts_at,
        ends_at=_week_later(original.ends_at),
        registration_closes_at=_week_later(original.registration_closes_at),
        place=original.place, online_url=original.online_url,
        host_shop_id=original.host_shop_id, service_id=original.service_id,
        capacity=original.capacity, taken=0, image_id=original.image_id,
        image_alt=original.image_alt, series=original.series, sequence=0,
        created_at=now, updated_at=now,
        audiences=[EventAudience(audience=key) for key in original.audience_keys])
    db.session.add(copy)
    db.session.flush()
    audit(now, actor_id, "event.copy", copy.slug, original=original.slug,
          series=copy.series)
    db.session.commit()
    return copy


def cancel_event(*, event_id: int, reason: str, now: datetime, actor_id: int | None) -> int:
    """Call an event off and tell everyone registered or waiting (app.services.events
    .call_off); return how many were told. Refused: ``already_cancelled``, ``draft`` (a
    draft is not public: nobody to tell), ``begun`` (too late to tell anyone),
    ``reason_too_long``, ``control_characters``.
    Audited as ``event.cancel``."""
    clean = reason.strip().replace("\r\n", "\n")
    if len(clean) > REASON_MAX:
        raise EditError("reason_too_long", max=REASON_MAX)
    if has_control_characters(clean.replace("\n", "")):
        raise EditError("control_characters")
    begin_write()
    event = _locked(event_id)
    if event.status != "published":
        db.session.rollback()
        raise EditError("already_cancelled" if event.status == "cancelled" else "draft")
    if now >= event.starts_at:
        db.session.rollback()
        raise EditError("begun")
    told = events.call_off(event, reason=clean, now=now)
    audit(now, actor_id, "event.cancel", event.slug, told=told, reason=clean)
    db.session.commit()
    return told


def _registration(event_id: int, registration_id: int) -> EventRegistration:
    registration = db.session.get(EventRegistration, registration_id)
    if registration is None or registration.event_id != event_id:
        db.session.rollback()
        raise EditError("unknown_registration")
    return registration


def remove_registration(*, event_id: int, registration_id: int, now: datetime,
                        actor_id: int | None) -> EventRegistration:
    """Take a registration off (its place goes to the next waiting); refused with
    ``not_active`` when it is no longer in play, ``cancelled`` for a cancelled event
    (everyone was told already). Audited as ``event.remove``."""
    begin_write()
    event = _locked(event_id)
    registration = _registration(event.id, registration_id)
    if event.status == "cancelled":
        db.session.rollback()
        raise EditError("cancelled")
    if registration.status not in ("confirmed", "offered", "waiting"):
        db.session.rollback()
        raise EditError("not_active")
    status = registration.status
    events.remove(registration, now=now)
    audit(now, actor_id, "event.remove", event.slug, registration=registration.id,
          status=status)
    db.session.commit()
    return registration


def check_in(*, event_id: int, registration_id: int, present: bool, now: datetime,
             actor_id: int | None) -> EventRegistration:
    """Mark a confirmed participant as there or not; ``not_confirmed`` otherwise.
    Audited as ``event.check_in``."""
    begin_write()
    registration = _registration(event_id, registration_id)
    if registration.status != "confirmed":
        db.session.rollback()
        raise EditError("not_confirmed")
    if (registration.checked_in_at is not None) != present:
        events.set_checked_in(registration, present, now=now)
        audit(now, actor_id, "event.check_in", registration.event.slug,
              registration=registration.id, present=present)
    db.session.commit()
    return registration


def staff_events(now: datetime) -> tuple[list[Event], list[Event]]:
    """Every event for the back office: (not ended, soonest first; ended, latest first),
    drafts and cancelled ones included."""
    query = select(Event).order_by(Event.starts_at, Event.id)
    rows = list(db.session.scalars(query))
    coming = [event for event in rows if event.ends_at > now]
    over = [event for event in reversed(rows) if event.ends_at <= now]
    return coming, over


def waiting_counts(event_ids: Sequence[int]) -> dict[int, int]:
    """How many wait per event."""
    counts: dict[int, int] = {}
    if not event_ids:
        return counts
    for event_id in db.session.scalars(select(EventRegistration.event_id).where(
            EventRegistration.event_id.in_(event_ids),
            EventRegistration.status == "waiting")):
        counts[event_id] = counts.get(event_id, 0) + 1
    return counts
