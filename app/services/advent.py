"""The Advent calendar of a rally: 24 doors, each opening at Berlin midnight of its day.

A rally may have no doors at all; then it has no calendar. Until a door is open, nothing
of it (title, text, picture, shop, offer) may leave the server: the functions that
serve visitors answer a closed door with its number and date only.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..clock import BERLIN, local
from ..db import begin_write
from ..extensions import db
from ..models import ADVENT_DOORS, AdventDoor, Draw, Rally, Shop, Station
from .content import render_markdown
from .editing import EditError, audit, existing, refuse
from .errors import Problem
from .images import ImageError, store_picture

# The model's column lengths, checked so that the database never refuses.
TITLE_MAX = 120
ALT_MAX = 200
OFFER_MAX = 300
BODY_MAX = 20_000


class AdventError(EditError):
    """A calendar action refused. Codes (besides EditError's): ``calendar_exists``,
    ``unknown_door``."""


@dataclass(frozen=True)
class DoorInput:
    """A door as staff enter it; ``opens_on`` is ``None`` when the date was unreadable."""

    opens_on: date | None
    title: str
    body: str
    image_alt: str
    shop_id: int | None
    offer: str
    daily_draw: bool


@dataclass(frozen=True)
class DoorShut:
    """A closed door as visitors may see it: its number and its day, nothing else."""

    number: int
    opens_on: date


@dataclass(frozen=True)
class CalendarDoor:
    """A door in the calendar's grid: its title only once it is open (else ``None``)."""

    number: int
    opens_on: date
    title: str | None
    id: int = 0  # the door's id, for its translations (app.services.translations)


@dataclass(frozen=True)
class DoorPage:
    """An open door as visitors see it: the door, its text as safe HTML, and the day's
    draw if the door announces one and it has been run."""

    door: AdventDoor
    body_html: Markup
    draw: Draw | None


# --- Reading ---------------------------------------------------------------------------


def doors_of(rally_id: int) -> list[AdventDoor]:
    """The rally's doors by number, with their shops and pictures (none: no calendar)."""
    query = (
        select(AdventDoor)
        .options(joinedload(AdventDoor.shop), joinedload(AdventDoor.image))
        .where(AdventDoor.rally_id == rally_id)
        .order_by(AdventDoor.number)
    )
    return list(db.session.scalars(query))


def has_calendar(rally_id: int) -> bool:
    """Whether the rally has an Advent calendar (any doors)."""
    query = select(AdventDoor.id).where(AdventDoor.rally_id == rally_id).limit(1)
    return db.session.scalars(query).first() is not None


def first_day(rally: Rally) -> date:
    """The local day the rally starts on."""
    return local(rally.starts_at).date()


def last_day(rally: Rally) -> date:
    """The local day the rally ends on."""
    return local(rally.ends_at).date()


def default_day(rally: Rally, number: int) -> date:
    """Door ``number``'s day unless staff choose another: the rally's first day + n − 1."""
    return first_day(rally) + timedelta(days=number - 1)


def opens_at(day: date) -> datetime:
    """The moment a door of ``day`` opens: midnight in Europe/Berlin."""
    return datetime.combine(day, time(0, 0), tzinfo=BERLIN)


def is_open(door: AdventDoor | DoorShut, now: datetime) -> bool:
    """Whether ``door`` is open at ``now`` (from Berlin midnight of its day on)."""
    return now >= opens_at(door.opens_on)


def today_door(rally_id: int, now: datetime) -> AdventDoor | None:
    """The door of the rally whose day is today in Berlin (the highest, should two share
    a day), or ``None``."""
    query = (
        select(AdventDoor)
        .where(AdventDoor.rally_id == rally_id, AdventDoor.opens_on == local(now).date())
        .order_by(AdventDoor.number.desc())
        .limit(1)
    )
    return db.session.scalars(query).first()


def calendar(rally_id: int, now: datetime) -> list[CalendarDoor]:
    """The doors as the grid shows them: number, day, and the title of open doors only,
    so that a template cannot show what is behind a closed one."""
    query = (
        select(AdventDoor.number, AdventDoor.opens_on, AdventDoor.title, AdventDoor.id)
        .where(AdventDoor.rally_id == rally_id)
        .order_by(AdventDoor.number)
    )
    return [
        CalendarDoor(number=number, opens_on=day,
                     title=title if now >= opens_at(day) else None, id=door_id)
        for number, day, title, door_id in db.session.execute(query)
    ]


def door_draw(door: AdventDoor) -> Draw | None:
    """The day's daily draw a door announces, once it has been run (else ``None``)."""
    if not door.daily_draw:
        return None
    query = (
        select(Draw)
        .where(Draw.rally_id == door.rally_id, Draw.kind == "daily", Draw.day == door.opens_on,
               Draw.status == "run")
        .order_by(Draw.id)
        .limit(1)
    )
    return db.session.scalars(query).first()


def render_door(door: AdventDoor) -> DoorPage:
    """An open door for its page: the text rendered as the rules text is."""
    return DoorPage(door=door, body_html=render_markdown(door.body), draw=door_draw(door))


def visible_door(rally_id: int, number: int, now: datetime) -> DoorPage | DoorShut | None:
    """Door ``number`` of the rally as a visitor may see it at ``now``: the page if it is
    open, only its number and day if not, ``None`` if there is no such door."""
    query = (
        select(AdventDoor)
        .options(joinedload(AdventDoor.shop), joinedload(AdventDoor.image))
        .where(AdventDoor.rally_id == rally_id, AdventDoor.number == number)
    )
    door = db.session.scalars(query).first()
    if door is None:
        return None
    if not is_open(door, now):
        return DoorShut(number=door.number, opens_on=door.opens_on)
    return render_door(door)


def rally_shops(rally_id: int) -> list[Shop]:
    """The shops with a station in the rally (the ones a door may feature), by name."""
    query = select(Shop).join(Station, Station.shop_id == Shop.id).where(
        Station.rally_id == rally_id
    ).distinct()
    return sorted(db.session.scalars(query), key=lambda shop: shop.name.casefold())


# --- Staff edits -----------------------------------------------------------------------


def create_calendar(*, rally_id: int, now: datetime, actor_id: int | None) -> list[AdventDoor]:
    """Give a rally its 24 doors on the default days, titled "Türchen 1" and so on.

    Refused with ``calendar_exists`` if the rally has doors already (also when another
    request created them a moment earlier: the UNIQUE constraint decides).
    """
    begin_write()
    rally = existing(Rally, rally_id, "unknown_rally")
    if has_calendar(rally.id):
        db.session.rollback()
        raise AdventError("calendar_exists")
    doors = [
        AdventDoor(rally_id=rally.id, number=number, opens_on=default_day(rally, number),
                   title=f"Türchen {number}", body="", image_alt="", offer="",
                   daily_draw=False, updated_at=now)
        for number in range(1, ADVENT_DOORS + 1)
    ]
    db.session.add_all(doors)
    audit(now, actor_id, "advent.create", rally.slug, doors=ADVENT_DOORS)
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise AdventError("calendar_exists") from error
    return doors


def check_door(door: AdventDoor, values: DoorInput, *, with_picture: bool) -> list[Problem]:
    """Every reason to refuse ``values`` for ``door``; ``with_picture`` says whether the
    door will have a picture after the edit (its alt text is then required)."""
    problems: list[Problem] = []
    rally = door.rally
    if not values.title:
        problems.append(Problem("title", "missing"))
    elif len(values.title) > TITLE_MAX:
        problems.append(Problem("title", "too_long", {"max": TITLE_MAX}))
    if values.opens_on is None:
        problems.append(Problem("opens_on", "missing"))
    elif not first_day(rally) <= values.opens_on <= last_day(rally):
        problems.append(Problem("opens_on", "outside_rally", {
            "first": first_day(rally).strftime("%d.%m.%Y"),
            "last": last_day(rally).strftime("%d.%m.%Y"),
        }))
    if len(values.body) > BODY_MAX:
        problems.append(Problem("body", "too_long", {"max": BODY_MAX}))
    if len(values.image_alt) > ALT_MAX:
        problems.append(Problem("image_alt", "too_long", {"max": ALT_MAX}))
    elif with_picture and not values.image_alt:
        problems.append(Problem("image_alt", "missing_alt"))
    if len(values.offer) > OFFER_MAX:
        problems.append(Problem("offer", "too_long", {"max": OFFER_MAX}))
    if values.shop_id is None:
        if values.offer:
            problems.append(Problem("offer", "offer_without_shop"))
    elif values.shop_id not in {shop.id for shop in rally_shops(rally.id)}:
        problems.append(Problem("shop_id", "not_in_rally"))
    return problems


def edit_door(
    *,
    door_id: int,
    values: DoorInput,
    picture: bytes | None,
    remove_picture: bool,
    now: datetime,
    actor_id: int | None,
) -> AdventDoor:
    """Save a door: its day, texts, featured shop and offer, the daily-draw note, and a
    new picture (``picture``, cleaned by app.services.images) or none (``remove_picture``).

    Everything is checked first; a refusal (``InvalidInput``, picture problems on the field
    ``picture``) leaves nothing written. Audited as ``advent.edit``.
    """
    begin_write()
    door = existing(AdventDoor, door_id, "unknown_door")
    with_picture = picture is not None or (door.image_id is not None and not remove_picture)
    problems = check_door(door, values, with_picture=with_picture)
    image = None
    if picture is not None:
        try:
            image = store_picture(picture)
        except ImageError as error:
            problems.append(Problem("picture", error.code, dict(error.context)))
    if problems or values.opens_on is None:  # a missing date is among the problems
        refuse(problems)
    before = {
        "opens_on": door.opens_on, "title": door.title, "body": door.body,
        "image_id": door.image_id, "image_alt": door.image_alt, "shop_id": door.shop_id,
        "offer": door.offer, "daily_draw": door.daily_draw,
    }
    door.opens_on = values.opens_on
    door.title = values.title
    door.body = values.body
    door.shop_id = values.shop_id
    door.offer = values.offer
    door.daily_draw = values.daily_draw
    if image is not None:
        door.image_id = image.id
    elif remove_picture:
        door.image_id = None
    door.image_alt = values.image_alt if door.image_id is not None else ""
    door.updated_at = now
    changed = sorted(name for name, old in before.items() if getattr(door, name) != old)
    audit(now, actor_id, "advent.edit", f"{door.rally.slug} #{door.number}",
          number=door.number, changed=changed)
    db.session.commit()
    return door
