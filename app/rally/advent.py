"""The Advent calendar's public pages: the 24 doors, and one door once it is open."""

from dataclasses import replace

from flask import abort, render_template

from .. import clock
from ..models import Rally
from ..services import advent, translations
from ..services.advent import DoorShut
from ..services.rallies import current_rally
from . import bp


def calendar_rally() -> Rally:
    """The rally shoppers see now, if it has a calendar; else 404 (no calendar page)."""
    rally = current_rally(clock.utcnow())
    if rally is None or not advent.has_calendar(rally.id):
        abort(404)
    return rally


@bp.get("/adventskalender")
def advent_calendar() -> str:
    """The 24 doors: open ones link to their door, closed ones show number and date."""
    now = clock.utcnow()
    rally = calendar_rally()
    today = advent.today_door(rally.id, now)
    doors = advent.calendar(rally.id, now)
    # Only open doors' titles are shown, so only theirs are looked up.
    texts = translations.localize("door", [door for door in doors if door.title is not None])
    return render_template(
        "rally/advent.html", rally=rally, doors=doors, texts=texts,
        today_number=today.number if today else None,
    )


@bp.get("/adventskalender/<int:number>")
def advent_door(number: int) -> tuple[str, int] | str:
    """One door. Before its day a friendly 404 that shows nothing of what is behind it."""
    now = clock.utcnow()
    rally = calendar_rally()
    found = advent.visible_door(rally.id, number, now)
    if found is None:
        abort(404)
    if isinstance(found, DoorShut):
        return render_template("rally/advent_closed.html", rally=rally, shut=found), 404
    shown = translations.localize_one("door", found.door)
    return render_template("rally/advent_door.html", rally=rally, door_text=shown,
                           page=replace(found, body_html=shown["body"].html),
                           is_today=found.door.opens_on == clock.local(now).date())
