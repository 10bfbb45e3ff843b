"""Numbers for the staff dashboard, counted by the database.

Every query is an aggregate (COUNT with GROUP BY or range conditions) that the indexes
on ``stamps(rally_id, created_at)``, ``stamps(station_id)`` and ``cards(rally_id,
stamp_count)`` serve, in plain SQL that SQLite and PostgreSQL both run. Days are local
days (Europe/Berlin): their UTC limits are computed here in Python, so no database needs
to know about time zones.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import QueryableAttribute

from ..clock import BERLIN, local
from ..extensions import db
from ..models import Card, Entry, Rally, Shop, Stamp, Station

FUNNEL_MIDDLE = 5  # the "at least five stamps" step of the completion funnel


@dataclass(frozen=True)
class Overview:
    """The headline numbers of a rally."""

    cards: int
    stamps_today: int
    stamps_total: int
    entries: int
    flagged: int


@dataclass(frozen=True)
class DayCount:
    """Stamps collected on one local day."""

    day: date
    stamps: int


@dataclass(frozen=True)
class StationCount:
    """Stamps collected at one station."""

    station_id: int
    shop_name: str
    shop_slug: str
    short_code: str
    active: bool
    stamps: int


@dataclass(frozen=True)
class Funnel:
    """How far the cards got: at least one stamp, five, the goal, every active station."""

    cards: int
    at_least_one: int
    at_least_five: int
    goal: int
    reached_goal: int
    stations: int
    all_stations: int


def day_start(day: date) -> datetime:
    """The UTC moment a local day begins (23:00 or 22:00 UTC the evening before)."""
    return datetime.combine(day, time(0, 0), tzinfo=BERLIN).astimezone(UTC)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """UTC start (inclusive) and end (exclusive) of a local day; 23 or 25 hours at DST."""
    return day_start(day), day_start(day + timedelta(days=1))


def _count(query: Select[Any]) -> int:
    """Run a COUNT query and return its number (0 for none)."""
    return int(db.session.scalar(query) or 0)


def _cards_reaching(
    column: ColumnElement[Any] | QueryableAttribute[Any], threshold: int
) -> ColumnElement[Any]:
    """SUM over the card rows of those whose ``column`` reaches ``threshold``."""
    return func.coalesce(func.sum(case((column >= threshold, 1), else_=0)), 0)


def retired_cards(rally_id: int) -> Any:
    """How many cards of the rally a merge retired, as a scalar subquery: they stay as
    rows (their old links lead on) but count as no card. They have no stamps, so only
    the plain card counts subtract them; the index on ``merged_into_id`` finds the few."""
    return (
        select(func.count())
        .select_from(Card)
        .where(Card.rally_id == rally_id, Card.merged_into_id.is_not(None))
        .scalar_subquery()
    )


def overview(
    rally_id: int, now: datetime, stations: list[StationCount] | None = None
) -> Overview:
    """Cards, stamps today (local day of ``now``) and in total, entries, flagged cards.

    The total is the sum of the rally's :func:`stamps_per_station` (every stamp is at one
    of its stations); pass ``stations`` when the caller has them already, so that the
    stamps are not walked twice.
    """
    start, end = day_bounds(local(now).date())
    stamps = select(func.count()).select_from(Stamp)
    if stations is None:
        stations = stamps_per_station(rally_id)
    total = sum(station.stamps for station in stations)
    return Overview(
        cards=_count(
            select(func.count() - retired_cards(rally_id))
            .select_from(Card)
            .where(Card.rally_id == rally_id)
        ),
        stamps_today=_count(
            stamps.where(
                Stamp.rally_id == rally_id, Stamp.created_at >= start, Stamp.created_at < end
            )
        ),
        stamps_total=total,
        entries=_count(select(func.count()).select_from(Entry).where(Entry.rally_id == rally_id)),
        flagged=_count(
            select(func.count())
            .select_from(Card)
            .where(Card.rally_id == rally_id, Card.flag == "flagged",
                   Card.merged_into_id.is_(None))
        ),
    )


def rally_days(rally: Rally, now: datetime) -> list[date]:
    """The local days of the rally up to today (all of them once it has ended)."""
    if now < rally.starts_at:
        return []
    last_moment = min(now, rally.ends_at - timedelta(microseconds=1))
    first, last = local(rally.starts_at).date(), local(last_moment).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def stamps_per_day(rally_id: int, now: datetime) -> list[DayCount]:
    """Stamps per local day from the rally's first day to today, days without stamps too.

    One statement with one COUNT per day over the range ``[day start, next day start)``
    in UTC; each is a range scan of the index on ``(rally_id, created_at)``, so the cost
    stays small however many stamps there are, and no database needs time zones.
    """
    rally = db.session.get(Rally, rally_id)
    if rally is None:
        return []
    days = rally_days(rally, now)
    if not days:
        return []
    limits = [day_start(day) for day in days] + [day_start(days[-1] + timedelta(days=1))]
    per_day = [
        select(func.count())
        .select_from(Stamp)
        .where(
            Stamp.rally_id == rally_id,
            Stamp.created_at >= limits[n],
            Stamp.created_at < limits[n + 1],
        )
        .scalar_subquery()
        for n in range(len(days))
    ]
    counts = db.session.execute(select(*per_day)).one()
    return [DayCount(day=day, stamps=int(counts[n] or 0)) for n, day in enumerate(days)]


def stamps_per_station(rally_id: int) -> list[StationCount]:
    """Every station of the rally (inactive ones too) with its stamps, most stamps first."""
    counts = dict(
        db.session.execute(
            select(Stamp.station_id, func.count())
            .where(Stamp.station_id.in_(select(Station.id).where(Station.rally_id == rally_id)))
            .group_by(Stamp.station_id)
        ).all()
    )
    stations = db.session.execute(
        select(Station.id, Shop.name, Shop.slug, Station.short_code, Station.active)
        .join(Shop, Shop.id == Station.shop_id)
        .where(Station.rally_id == rally_id)
    )
    result = [
        StationCount(
            station_id=station_id,
            shop_name=name,
            shop_slug=slug,
            short_code=short_code,
            active=active,
            stamps=int(counts.get(station_id, 0)),
        )
        for station_id, name, slug, short_code, active in stations
    ]
    result.sort(key=lambda item: (-item.stamps, item.shop_name.casefold()))
    return result


def funnel(rally_id: int) -> Funnel:
    """Count cards by how far they got, from the cards' stamp counts."""
    rally = db.session.get(Rally, rally_id)
    goal = rally.stamp_goal if rally is not None else 1
    active_ids = list(
        db.session.scalars(
            select(Station.id).where(Station.rally_id == rally_id, Station.active.is_(True))
        )
    )
    stamps = Card.stamp_count
    # One pass over the index on (rally_id, stamp_count): no stamp is read.
    row = db.session.execute(
        select(
            func.count() - retired_cards(rally_id),
            _cards_reaching(stamps, 1),
            _cards_reaching(stamps, FUNNEL_MIDDLE),
            _cards_reaching(stamps, goal),
            _cards_reaching(stamps, max(len(active_ids), 1)),
        ).where(Card.rally_id == rally_id)
    ).one()
    # Only cards with at least as many stamps as there are active stations can have them
    # all; those few are checked station by station (a stamp may be at a closed station).
    complete = 0
    if active_ids and row[4]:
        candidates = select(Card.id).where(
            Card.rally_id == rally_id, Card.stamp_count >= len(active_ids)
        )
        complete = _count(
            select(func.count()).select_from(
                select(Stamp.card_id)
                .where(Stamp.card_id.in_(candidates), Stamp.station_id.in_(active_ids))
                .group_by(Stamp.card_id)
                .having(func.count() >= len(active_ids))
                .subquery()
            )
        )
    return Funnel(
        cards=int(row[0] or 0),
        at_least_one=int(row[1] or 0),
        at_least_five=int(row[2] or 0),
        goal=goal,
        reached_goal=int(row[3] or 0),
        stations=len(active_ids),
        all_stations=complete,
    )
