"""A shop's own figures for its portal: stamps and new cards, by day and hour, and where
the shop stands against the median shop of the rally.

Three aggregate queries, whatever the rally's size: the station's stamps and the cards
started there, each counted per UTC hour by the database (``GROUP BY`` over the hour's
parts, served by the indexes on ``stamps(station_id)`` and ``cards(first_station_id,
created_at)``), and every active station's stamp total for the median. The hours are
turned into local days and hours (Europe/Berlin) here: Berlin's offset is a whole number
of hours, so each UTC hour is exactly one local hour, and no database needs time zones.
No other shop's number or name leaves this module: only the median, and only when
enough shops take part that it names none of them.
"""

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import extract, func, select
from sqlalchemy.orm import joinedload

from ..clock import local
from ..extensions import db
from ..models import Card, Rally, Stamp, Station
from .rallies import current_rally
from .stats import rally_days

# The median is shown only among at least this many active shops: among two or three it
# would be, or reveal, another shop's number.
MEDIAN_MIN_STATIONS = 5
# Within this share of the median a shop counts as level with it.
LEVEL_SHARE = 0.05

Verdict = Literal["above", "level", "below"]


@dataclass(frozen=True)
class Period:
    """Stamps collected at the station and new cards started there, in one period."""

    stamps: int
    new_cards: int


@dataclass(frozen=True)
class DayStamps:
    """The station's stamps on one local day of the rally."""

    day: date
    stamps: int


@dataclass(frozen=True)
class Standing:
    """The station's stamp total against the median total of the rally's active shops."""

    stamps: int
    median: float
    shops: int
    verdict: Verdict


@dataclass(frozen=True)
class ShopFigures:
    """Everything the portal shows about one station, as plain values."""

    today: Period
    week: Period
    rally: Period
    days: list[DayStamps]
    hours: list[int]  # stamps per local hour of the day, 0 to 23, over the whole rally
    standing: Standing | None


def portal_station(shop_id: int, now: datetime) -> Station | None:
    """The station a shop's portal is about, with rally and shop: the one in the current
    rally (``rallies.current_rally``), else the shop's station in its latest published
    or archived rally; ``None`` for a shop that never took part."""
    with_parts = (joinedload(Station.rally), joinedload(Station.shop))
    rally = current_rally(now)
    if rally is not None:
        station = db.session.scalars(
            select(Station).options(*with_parts)
            .where(Station.rally_id == rally.id, Station.shop_id == shop_id)
        ).first()
        if station is not None:
            return station
    return db.session.scalars(
        select(Station).options(*with_parts)
        .join(Rally, Rally.id == Station.rally_id)
        .where(Station.shop_id == shop_id, Rally.status != "draft")
        .order_by(Rally.starts_at.desc())
        .limit(1)
    ).first()


def _per_local_hour(column: Any, *conditions: Any) -> Counter[datetime]:
    """Rows per local hour (a Berlin-time datetime at the full hour), counted by the
    database per UTC hour of ``column``."""
    parts = [extract(part, column) for part in ("year", "month", "day", "hour")]
    rows = db.session.execute(select(*parts, func.count()).where(*conditions).group_by(*parts))
    counts: Counter[datetime] = Counter()
    for row in rows:
        year, month, day, hour, number = (int(value) for value in row)
        counts[local(datetime(year, month, day, hour, tzinfo=UTC))] += number
    return counts


def _period(hours: Counter[datetime], first_day: date | None, last_day: date) -> int:
    """The sum of ``hours`` on local days from ``first_day`` (None: any) to ``last_day``."""
    return sum(number for moment, number in hours.items()
               if (first_day is None or moment.date() >= first_day)
               and moment.date() <= last_day)


def standing(station: Station) -> Standing | None:
    """The station's stamps against the median of the rally's active stations (those
    without stamps count as 0); ``None`` with fewer than ``MEDIAN_MIN_STATIONS``."""
    totals = dict(
        db.session.execute(
            select(Station.id, func.count(Stamp.id))
            .outerjoin(Stamp, Stamp.station_id == Station.id)
            .where(Station.rally_id == station.rally_id, Station.active.is_(True))
            .group_by(Station.id)
        ).all()
    )
    if len(totals) < MEDIAN_MIN_STATIONS:
        return None
    own = int(totals.get(station.id, 0))
    if station.id not in totals:
        # An inactive station is compared with the active ones; its stamps still count.
        own = int(db.session.scalar(
            select(func.count()).select_from(Stamp).where(Stamp.station_id == station.id)
        ) or 0)
    median = float(statistics.median(int(value) for value in totals.values()))
    verdict: Verdict = "level"
    if abs(own - median) > LEVEL_SHARE * median:
        verdict = "above" if own > median else "below"
    return Standing(stamps=own, median=median, shops=len(totals), verdict=verdict)


def shop_figures(station_id: int, *, now: datetime) -> ShopFigures | None:
    """The portal's figures of the station with ``station_id`` at ``now``; ``None`` for
    an unknown station. Today and this week (from Monday) are local days in Berlin."""
    station = db.session.get(Station, station_id)
    if station is None:
        return None
    stamps = _per_local_hour(Stamp.created_at, Stamp.station_id == station_id)
    # A card retired by a merge is no card of its own: the card it went into carries
    # the start of the older of the two.
    cards = _per_local_hour(Card.created_at, Card.first_station_id == station_id,
                            Card.merged_into_id.is_(None))
    today = local(now).date()
    monday = today - timedelta(days=today.weekday())
    hours = [0] * 24
    per_day: Counter[date] = Counter()
    for moment, number in stamps.items():
        hours[moment.hour] += number
        per_day[moment.date()] += number
    return ShopFigures(
        today=Period(_period(stamps, today, today), _period(cards, today, today)),
        week=Period(_period(stamps, monday, today), _period(cards, monday, today)),
        rally=Period(sum(stamps.values()), sum(cards.values())),
        days=[DayStamps(day, per_day[day]) for day in rally_days(station.rally, now)],
        hours=hours,
        standing=standing(station),
    )
