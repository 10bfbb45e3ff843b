"""Which rally is current, its stations and shop directory, and its latest draw result."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Draw, Rally, Stamp, Station


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


def active_stations(rally_id: int) -> list[Station]:
    """Return the rally's active stations with their shops, ordered by shop name."""
    query = (
        select(Station)
        .options(joinedload(Station.shop))
        .where(Station.rally_id == rally_id, Station.active.is_(True))
    )
    stations = list(db.session.scalars(query))
    stations.sort(key=lambda s: s.shop.name.casefold())
    return stations


def latest_result(rally_id: int) -> Draw | None:
    """The rally's most recently run draw (its public result page), or ``None``."""
    query = (
        select(Draw)
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
