"""The office's appointment settings: its week (intervals on the 15-minute grid with the
number of advisers), the topics people book, and closures.

Changing them never touches bookings already made: the office declines those itself
(``appointment_desk.decline``) if it must.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from ..clock import local
from ..db import begin_write
from ..extensions import db
from ..models import (
    HOLDING_STATUSES,
    SLOT_MINUTES,
    Appointment,
    AppointmentTopic,
    OfficeClosure,
    OfficeHours,
    Service,
)
from .appointment_desk import DeskError, local_midnight
from .editing import audit, refuse, slugify
from .errors import Problem

# Days the settings' week offers (Monday to Friday), intervals per day.
SETTINGS_DAYS = (0, 1, 2, 3, 4)
INTERVALS_PER_DAY = 3
MAX_ADVISERS = 20
TOPIC_NAME_MAX = 120
CLOSURE_REASON_MAX = 200
TOPIC_MAX_MINUTES = 240


# --- Settings: the week ----------------------------------------------------------------


@dataclass(frozen=True)
class WeekInterval:
    """One interval of the office's week as stored."""

    weekday: int
    opens: int
    closes: int
    advisers: int


def week_field(day: int, number: int, part: str) -> str:
    """A field of the week form: ``d0_1_opens``, ``d3_2_advisers``."""
    return f"d{day}_{number}_{part}"


WEEK_FIELDS = tuple(week_field(day, number, part) for day in SETTINGS_DAYS
                    for number in range(1, INTERVALS_PER_DAY + 1)
                    for part in ("opens", "closes", "advisers"))
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::00)?")


def _minutes(text: str) -> int:
    """``09:30`` as minutes since midnight (``24:00`` allowed); ValueError otherwise."""
    match = _TIME.fullmatch(text)
    if match is None:
        raise ValueError(text)
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(text)
    return hours * 60 + minutes


def parse_week(raw: Mapping[str, str | None]) -> tuple[list[WeekInterval], list[Problem]]:
    """The intervals of a filled-in week form, and the problems on the fields to correct.

    Codes: ``bad_time``, ``half_interval``, ``off_grid``, ``closes_before_opens``,
    ``overlap``, ``bad_advisers``. A row with both times empty is no interval.
    """
    intervals: list[WeekInterval] = []
    problems: list[Problem] = []
    for day in SETTINGS_DAYS:
        rows: list[tuple[int, WeekInterval]] = []
        for number in range(1, INTERVALS_PER_DAY + 1):
            names = {part: week_field(day, number, part) for part in
                     ("opens", "closes", "advisers")}
            texts = {part: (raw.get(name) or "").strip() for part, name in names.items()}
            if not texts["opens"] and not texts["closes"]:
                continue
            if not texts["opens"] or not texts["closes"]:
                missing = "opens" if not texts["opens"] else "closes"
                problems.append(Problem(names[missing], "half_interval"))
                continue
            values: dict[str, int] = {}
            for part in ("opens", "closes"):
                try:
                    values[part] = _minutes(texts[part])
                except ValueError:
                    problems.append(Problem(names[part], "bad_time", {"value": texts[part]}))
                    continue
                if values[part] % SLOT_MINUTES:
                    problems.append(Problem(names[part], "off_grid", {"value": texts[part]}))
            advisers_text = texts["advisers"] or "1"
            advisers = int(advisers_text) if advisers_text.isdigit() else 0
            if not 1 <= advisers <= MAX_ADVISERS:
                problems.append(Problem(names["advisers"], "bad_advisers",
                                        {"max": MAX_ADVISERS}))
            if len(values) < 2 or any(v % SLOT_MINUTES for v in values.values()):
                continue
            if values["closes"] <= values["opens"]:
                problems.append(Problem(names["closes"], "closes_before_opens"))
                continue
            rows.append((number, WeekInterval(day, values["opens"], values["closes"],
                                              advisers)))
        rows.sort(key=lambda pair: pair[1].opens)
        for (_number, before), (number, after) in zip(rows, rows[1:], strict=False):
            if after.opens < before.closes:
                problems.append(Problem(week_field(day, number, "opens"), "overlap"))
        intervals.extend(item for _number, item in rows)
    return intervals, problems


def office_week() -> list[OfficeHours]:
    """The office's intervals by weekday and time."""
    return list(db.session.scalars(
        select(OfficeHours).order_by(OfficeHours.weekday, OfficeHours.opens)))


def clock_text(minutes: int) -> str:
    """Minutes since midnight as ``09:30``."""
    hours, rest = divmod(minutes, 60)
    return f"{hours:02d}:{rest:02d}"


def week_values(hours: Iterable[OfficeHours]) -> dict[str, str]:
    """The week form filled from the stored intervals."""
    values = dict.fromkeys(WEEK_FIELDS, "")
    counts: dict[int, int] = {}
    for item in sorted(hours, key=lambda h: (h.weekday, h.opens)):
        if item.weekday not in SETTINGS_DAYS:
            continue
        counts[item.weekday] = number = counts.get(item.weekday, 0) + 1
        if number > INTERVALS_PER_DAY:
            continue
        values[week_field(item.weekday, number, "opens")] = clock_text(item.opens)
        values[week_field(item.weekday, number, "closes")] = clock_text(item.closes)
        values[week_field(item.weekday, number, "advisers")] = str(item.advisers)
    return values


def save_week(raw: Mapping[str, str | None], *, now: datetime,
              actor_id: int | None) -> list[WeekInterval]:
    """Replace the office's week (Monday to Friday) with the form's intervals.

    Existing bookings are left as they are, even outside the new hours: the office
    declines them itself if it must. Refused with ``InvalidInput`` (nothing stored).
    """
    intervals, problems = parse_week(raw)
    if problems:
        refuse(problems)
    return _store_week(intervals, now=now, actor_id=actor_id)


def _store_week(intervals: Sequence[WeekInterval], *, now: datetime,
                actor_id: int | None) -> list[WeekInterval]:
    """Write the checked intervals in one transaction, audited with before and after."""
    begin_write()
    before = [[h.weekday, h.opens, h.closes, h.advisers] for h in office_week()]
    db.session.execute(delete(OfficeHours).where(OfficeHours.weekday.in_(SETTINGS_DAYS)))
    db.session.flush()
    db.session.add_all(OfficeHours(weekday=i.weekday, opens=i.opens, closes=i.closes,
                                   advisers=i.advisers) for i in intervals)
    after = [[i.weekday, i.opens, i.closes, i.advisers] for i in intervals]
    audit(now, actor_id, "office_week.save", "office_week", before=before, after=after)
    db.session.commit()
    return list(intervals)


# --- Settings: topics ------------------------------------------------------------------


@dataclass(frozen=True)
class TopicInput:
    """A topic as staff enter it; numbers ``None`` when unreadable."""

    name: str
    duration_minutes: int | None
    position: int | None
    active: bool
    service_id: int | None


def topics() -> list[AppointmentTopic]:
    """Every topic in the order the booking page shows them."""
    return list(db.session.scalars(select(AppointmentTopic).options(
        joinedload(AppointmentTopic.service)).order_by(
        AppointmentTopic.position, AppointmentTopic.name, AppointmentTopic.id)))


def services() -> list[Service]:
    """The service pages a topic can belong to."""
    return list(db.session.scalars(select(Service).order_by(Service.title)))


def _topic_problems(values: TopicInput) -> list[Problem]:
    """What is wrong with a topic's input (fields ``name``, ``duration_minutes``,
    ``position``, ``service_id``)."""
    problems = []
    if not values.name:
        problems.append(Problem("name", "missing"))
    elif len(values.name) > TOPIC_NAME_MAX:
        problems.append(Problem("name", "too_long", {"max": TOPIC_NAME_MAX}))
    duration = values.duration_minutes
    if duration is None or not SLOT_MINUTES <= duration <= TOPIC_MAX_MINUTES \
            or duration % SLOT_MINUTES:
        problems.append(Problem("duration_minutes", "bad_duration",
                                {"step": SLOT_MINUTES, "max": TOPIC_MAX_MINUTES}))
    if values.position is None or not 0 <= values.position <= 999:
        problems.append(Problem("position", "bad_position"))
    return problems


def _check_service(values: TopicInput) -> None:
    """Refuse a service that does not exist (in the open transaction)."""
    if values.service_id is not None and db.session.get(Service, values.service_id) is None:
        refuse([Problem("service_id", "unknown_service")])


def add_topic(values: TopicInput, *, now: datetime, actor_id: int | None) -> AppointmentTopic:
    """Create a topic (its slug from the name, made unique)."""
    problems = _topic_problems(values)
    if problems:
        refuse(problems)
    begin_write()
    _check_service(values)
    base = slugify(values.name) or "thema"
    taken = set(db.session.scalars(select(AppointmentTopic.slug).where(
        AppointmentTopic.slug.like(f"{base}%"))))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base[:70]}-{number}", number + 1
    topic = AppointmentTopic(slug=slug, name=values.name,
                             duration_minutes=values.duration_minutes,
                             position=values.position, active=values.active,
                             service_id=values.service_id)
    db.session.add(topic)
    db.session.flush()
    audit(now, actor_id, "appointment_topic.create", f"topic:{topic.id}", name=topic.name,
          duration=topic.duration_minutes, active=topic.active)
    db.session.commit()
    return topic


def edit_topic(topic_id: int, values: TopicInput, *, now: datetime,
               actor_id: int | None) -> AppointmentTopic:
    """Change a topic. Its slug stays (links to ``/termine?thema=…`` keep working), and
    bookings made keep their length."""
    problems = _topic_problems(values)
    if problems:
        refuse(problems)
    begin_write()
    topic = db.session.get(AppointmentTopic, topic_id)
    if topic is None:
        db.session.rollback()
        raise DeskError("unknown_topic")
    _check_service(values)
    changes = {}
    for name in ("name", "duration_minutes", "position", "active", "service_id"):
        old, new = getattr(topic, name), getattr(values, name)
        if old != new:
            changes[name] = [old, new]
            setattr(topic, name, new)
    if changes:
        audit(now, actor_id, "appointment_topic.edit", f"topic:{topic.id}", changes=changes)
    db.session.commit()
    return topic


# --- Settings: closures ----------------------------------------------------------------


def closures(*, now: datetime) -> list[OfficeClosure]:
    """The closures that have not ended yet, soonest first."""
    today = local(now).date()
    return list(db.session.scalars(select(OfficeClosure).where(
        OfficeClosure.ends_on >= today).order_by(OfficeClosure.starts_on, OfficeClosure.id)))


def add_closure(*, starts_on: date | None, ends_on: date | None, reason: str, now: datetime,
                actor_id: int | None) -> OfficeClosure:
    """Close the office from ``starts_on`` to ``ends_on`` (both included).

    Bookings already made in that time stay: the page says so, the office declines them.
    """
    reason = reason.strip()
    problems = []
    if starts_on is None:
        problems.append(Problem("starts_on", "missing"))
    if ends_on is None:
        problems.append(Problem("ends_on", "missing"))
    if starts_on and ends_on and ends_on < starts_on:
        problems.append(Problem("ends_on", "ends_before_start"))
    if starts_on and ends_on and (ends_on - starts_on).days > 366:
        problems.append(Problem("ends_on", "too_long_closure"))
    if len(reason) > CLOSURE_REASON_MAX:
        problems.append(Problem("reason", "too_long", {"max": CLOSURE_REASON_MAX}))
    if problems or starts_on is None or ends_on is None:
        refuse(problems)
    begin_write()
    closure = OfficeClosure(starts_on=starts_on, ends_on=ends_on, reason=reason)
    db.session.add(closure)
    db.session.flush()
    audit(now, actor_id, "office_closure.create", f"closure:{closure.id}",
          starts_on=starts_on.isoformat(), ends_on=ends_on.isoformat(), reason=reason)
    db.session.commit()
    return closure


def remove_closure(closure_id: int, *, now: datetime, actor_id: int | None) -> bool:
    """Remove a closure; removing one already gone does nothing."""
    begin_write()
    closure = db.session.get(OfficeClosure, closure_id)
    if closure is None:
        db.session.rollback()
        return False
    audit(now, actor_id, "office_closure.remove", f"closure:{closure.id}",
          starts_on=closure.starts_on.isoformat(), ends_on=closure.ends_on.isoformat(),
          reason=closure.reason)
    db.session.delete(closure)
    db.session.commit()
    return True


def bookings_in(starts_on: date, ends_on: date) -> int:
    """How many bookings hold time between the two days (for the closure's warning)."""
    return db.session.scalar(select(func.count()).select_from(Appointment).where(
        Appointment.status.in_(HOLDING_STATUSES),
        Appointment.starts_at >= local_midnight(starts_on),
        Appointment.starts_at < local_midnight(ends_on + timedelta(days=1)),
    )) or 0
