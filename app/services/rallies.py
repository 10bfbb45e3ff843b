"""Rallies: which one is current, its stations and shop directory, its latest draw
result; the office's rally edits with their prizes."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, load_only

from ..db import begin_write
from ..extensions import db
from ..models import (
    RALLY_STATUSES,
    Draw,
    DrawPrize,
    Prize,
    Rally,
    Shop,
    Stamp,
    Station,
    Winner,
)
from .editing import SLUG_MAX, SLUG_RE, InvalidInput, audit, existing, refuse
from .errors import Problem
from .rally_terms import RallyTerms, apply_prize_details, apply_terms, check_terms

RALLY_NAME_MAX = 120  # the model's column lengths, checked so the database never refuses
PRIZE_NAME_MAX = 200


def current_rally(now: datetime) -> Rally | None:
    """Return the rally shoppers should see at ``now``.

    The one running, else the next to start, else the one that ended last; drafts and
    archived rallies never.
    """
    published = select(Rally).where(Rally.status == "published")
    for query in (
        published.where(Rally.starts_at <= now, Rally.ends_at > now).order_by(Rally.starts_at),
        published.where(Rally.starts_at > now).order_by(Rally.starts_at),
        published.where(Rally.ends_at <= now).order_by(Rally.ends_at.desc()),
    ):
        rally = db.session.scalars(query.limit(1)).first()
        if rally is not None:
            return rally
    return None


def active_stations(rally_id: int, *, with_hours: bool = False) -> list[Station]:
    """Return the rally's active stations with their shops, ordered by shop name; with
    ``with_hours`` also the shops' opening hours (one more query)."""
    shop = joinedload(Station.shop)
    query = (
        select(Station)
        .options(shop.selectinload(Shop.hours) if with_hours else shop)
        .where(Station.rally_id == rally_id, Station.active.is_(True))
    )
    stations = list(db.session.scalars(query))
    stations.sort(key=lambda s: s.shop.name.casefold())
    return stations


def shop_categories(rally_id: int) -> list[tuple[str, int]]:
    """The categories of the rally's active shops with how many shops each has, by
    name (one grouped query: the home page names them without loading the shops)."""
    query = (
        select(Shop.category, func.count(Station.id))
        .join(Shop, Shop.id == Station.shop_id)
        .where(Station.rally_id == rally_id, Station.active.is_(True))
        .group_by(Shop.category)
        .order_by(Shop.category)
    )
    return [(category, int(number)) for category, number in db.session.execute(query)]


def latest_result(rally_id: int) -> Draw | None:
    """The rally's most recently run draw (its public result page), or ``None``."""
    query = (
        select(Draw)
        .options(load_only(Draw.id, Draw.title, Draw.run_at))  # not the pool file
        .where(Draw.rally_id == rally_id, Draw.status == "run")
        .order_by(Draw.run_at.desc(), Draw.id.desc())
        .limit(1)
    )
    return db.session.scalars(query).first()


@dataclass(frozen=True)
class ShopDirectory:
    """The shops of a rally that match a search, by category, with a card's stamps."""

    by_category: list[tuple[str, list[Station]]]
    stamped: set[int]  # station ids the card holds a stamp of
    total: int  # active stations of the rally
    shown: int  # stations that match


def matches(station: Station, words: list[str]) -> bool:
    """Whether every (case-folded) word occurs in the shop's name, category or street."""
    shop = station.shop
    haystack = f"{shop.name} {shop.category} {shop.street}".casefold()
    return all(word in haystack for word in words)


def shop_directory(
    rally_id: int, *, card_id: int | None = None, search: str = "", unvisited_only: bool = False
) -> ShopDirectory:
    """The rally's active shops matching ``search`` (all its words), sorted by category.

    With ``card_id``, the card's stamps are marked, and ``unvisited_only`` leaves out the
    shops it already holds a stamp of. Two queries, whatever the number of shops.
    """
    stamped: set[int] = set()
    if card_id is not None:
        stamped = set(db.session.scalars(select(Stamp.station_id).where(Stamp.card_id == card_id)))
    stations = active_stations(rally_id)
    words = search.casefold().split()
    chosen = [
        station for station in stations
        if matches(station, words) and not (unvisited_only and station.id in stamped)
    ]
    by_category: dict[str, list[Station]] = {}
    for station in chosen:
        by_category.setdefault(station.shop.category, []).append(station)
    return ShopDirectory(
        by_category=sorted(by_category.items()), stamped=stamped, total=len(stations),
        shown=len(chosen),
    )


# --- The office's rally edits ------------------------------------------------------


@dataclass(frozen=True)
class RallyInput:
    """A rally as the office enters it; times are aware datetimes (any zone)."""

    name: str
    slug: str
    starts_at: datetime
    ends_at: datetime
    entry_closes_at: datetime
    stamp_goal: int
    stamps_per_lot: int | None
    repeat_winners: bool
    status: str
    rules_text: str
    prizes: list[str]
    # Draw date, winners' notice, claim deadline, donors: see services.rally_terms.
    terms: RallyTerms = RallyTerms()


def prize_lines(text: str) -> list[str]:
    """The prizes of a textarea: one per line, blank lines ignored, spaces trimmed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def rally_prizes(rally_id: int) -> list[Prize]:
    """The rally's prizes in order, read from the database (not a cached relationship)."""
    return list(db.session.scalars(
        select(Prize).where(Prize.rally_id == rally_id).order_by(Prize.position)
    ))


def prizes_in_draws(rally_id: int) -> set[int]:
    """Ids of the rally's prizes that a draw gives away or a winner holds."""
    in_draws = select(DrawPrize.prize_id).join(Prize, Prize.id == DrawPrize.prize_id).where(
        Prize.rally_id == rally_id
    )
    won = select(Winner.prize_id).where(Winner.rally_id == rally_id)
    return set(db.session.scalars(in_draws)) | set(db.session.scalars(won))


def check_rally(values: RallyInput, rally: Rally | None) -> list[Problem]:
    """Every reason ``values`` cannot be saved (as a new rally, or over ``rally``)."""
    problems: list[Problem] = []
    if not values.name:
        problems.append(Problem("name", "missing"))
    elif len(values.name) > RALLY_NAME_MAX:
        problems.append(Problem("name", "too_long", {"max": RALLY_NAME_MAX}))
    if not values.slug:
        problems.append(Problem("slug", "missing"))
    elif len(values.slug) > SLUG_MAX:
        problems.append(Problem("slug", "too_long", {"max": SLUG_MAX}))
    elif not SLUG_RE.fullmatch(values.slug):
        problems.append(Problem("slug", "bad_format"))
    else:
        other = db.session.scalar(select(Rally.id).where(Rally.slug == values.slug))
        if other is not None and (rally is None or other != rally.id):
            problems.append(Problem("slug", "taken", {"slug": values.slug}))
    if values.ends_at <= values.starts_at:
        problems.append(Problem("ends_at", "not_after_start"))
    if values.entry_closes_at <= values.starts_at:
        problems.append(Problem("entry_closes_at", "not_after_start"))
    elif values.entry_closes_at > values.ends_at:
        problems.append(Problem("entry_closes_at", "after_end"))
    if values.stamp_goal < 1:
        problems.append(Problem("stamp_goal", "too_small"))
    if values.stamps_per_lot is not None and values.stamps_per_lot < 1:
        problems.append(Problem("stamps_per_lot", "too_small"))
    if values.status not in RALLY_STATUSES:
        problems.append(Problem("status", "unknown"))
    for number, name in enumerate(values.prizes, start=1):
        if len(name) > PRIZE_NAME_MAX:
            problems.append(Problem("prizes", "too_long", {"line": number,
                                                           "max": PRIZE_NAME_MAX}))
    problems.extend(check_terms(values.terms, entry_closes_at=values.entry_closes_at,
                                ends_at=values.ends_at))
    if rally is not None:
        problems.extend(check_prize_changes(rally, values.prizes))
    return problems


def check_prize_changes(rally: Rally, names: list[str]) -> list[Problem]:
    """A prize that a draw uses must keep its place and its name.

    Prizes map to lines by position, so removing or moving a line would hand a drawn
    prize's row to another prize and change a published draw after the fact.
    """
    used = prizes_in_draws(rally.id)
    problems = []
    for prize in rally_prizes(rally.id):
        if prize.id not in used:
            continue
        wanted = names[prize.position - 1] if prize.position <= len(names) else None
        if wanted != prize.name:
            code = "prize_removed" if prize.name not in names else "prize_moved"
            problems.append(
                Problem("prizes", code, {"name": prize.name, "position": prize.position})
            )
    return problems


def _apply_prizes(rally: Rally, names: list[str]) -> None:
    """Make the rally's prizes the lines ``names``: row at position i gets line i."""
    by_position = {prize.position: prize for prize in rally_prizes(rally.id)}
    for position, name in enumerate(names, start=1):
        prize = by_position.pop(position, None)
        if prize is None:
            db.session.add(Prize(rally_id=rally.id, position=position, name=name))
        else:
            prize.name = name
    for prize in by_position.values():
        db.session.delete(prize)
    db.session.flush()
    db.session.expire(rally, ["prizes"])


def save_rally(
    *, rally_id: int | None, values: RallyInput, now: datetime, actor_id: int | None = None
) -> Rally:
    """Create a rally (``rally_id`` None) or update one, with its prize list.

    Raises ``InvalidInput`` with every problem at once, ``EditError("unknown_rally")``
    for a rally that does not exist; nothing is written then.
    """
    begin_write()
    rally = None
    if rally_id is not None:
        rally = existing(Rally, rally_id, "unknown_rally")
    problems = check_rally(values, rally)
    if problems:
        refuse(problems)
    created = rally is None
    if rally is None:
        rally = Rally()
        db.session.add(rally)
    rally.name = values.name
    rally.slug = values.slug
    rally.starts_at = values.starts_at
    rally.ends_at = values.ends_at
    rally.entry_closes_at = values.entry_closes_at
    rally.stamp_goal = values.stamp_goal
    rally.stamps_per_lot = values.stamps_per_lot
    rally.repeat_winners = values.repeat_winners
    rally.status = values.status
    rally.rules_text = values.rules_text
    apply_terms(rally, values.terms, entry_closes_at=values.entry_closes_at)
    try:
        db.session.flush()
        _apply_prizes(rally, values.prizes)
        apply_prize_details(rally, values.terms.prizes)
        audit(now, actor_id, "rally.create" if created else "rally.update", rally.slug,
              status=rally.status, prizes=len(values.prizes))
        db.session.commit()
    except IntegrityError as error:
        # Only a slug taken by a concurrent save gets here; the check above saw it free.
        db.session.rollback()
        raise InvalidInput([Problem("slug", "taken", {"slug": values.slug})]) from error
    return rally
