"""A card's progress, and restoring a card on another device."""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ..db import begin_write
from ..extensions import db
from ..models import Card, Shop, Stamp, Station
from ..prepared import Prepared
from . import codes
from .errors import DomainError
from .records import SHOP_COLUMNS, CardRef, RallyInfo, ShopInfo
from .stamping import add_card_key


class RecoveryError(DomainError):
    """Restoring refused. Code: ``invalid_link``."""


class StampLine(NamedTuple):
    """One stamp on the card: where and when."""

    station_id: int
    created_at: datetime
    source: str
    shop: ShopInfo


class StampItem(NamedTuple):
    """What a stamp's line on the card page shows: the shop, and the day and minute.

    Stamps at one shop within one minute (a rush at noon) look alike, so their line is
    rendered once for all of them (see ``app.rendercache.fragments``).
    """

    shop: ShopInfo
    created_at: datetime

    @classmethod
    def of(cls, stamp: StampLine) -> "StampItem":
        """The item of ``stamp``, its time cut to the minute."""
        return cls(stamp.shop, stamp.created_at.replace(second=0, microsecond=0))


class StationLine(NamedTuple):
    """An active station of the rally, by its shop."""

    id: int
    shop: ShopInfo


class Tally(NamedTuple):
    """A card's progress in numbers: what its page shows besides the card's own lists.

    Many cards share a tally, so the card page is rendered once per tally (see
    ``app.rendercache.render_page``).
    """

    collected: int  # stamps on the card ("count" would hide tuple.count)
    goal: int
    open_count: int  # active stations not stamped yet

    @property
    def total(self) -> int:
        """Stamps possible: the stamped stations and the active ones still open."""
        return self.collected + self.open_count

    @property
    def missing(self) -> int:
        """Stamps still needed for the draw (0 once the goal is reached)."""
        return max(self.goal - self.collected, 0)

    @property
    def qualified(self) -> bool:
        """Whether the card has enough stamps for the draw."""
        return self.collected >= self.goal


@dataclass(frozen=True)
class Progress:
    """Everything the card page shows: stamps in order, shops left, the goal."""

    card: CardRef
    stamps: list[StampLine]
    open_stations: list[StationLine]
    goal: int

    @property
    def tally(self) -> Tally:
        """The card's numbers, as one hashable record."""
        return Tally(collected=len(self.stamps), goal=self.goal, open_count=len(self.open_stations))

    @property
    def count(self) -> int:
        """Stamps collected."""
        return len(self.stamps)

    @property
    def missing(self) -> int:
        """Stamps still needed for the draw: see :attr:`Tally.missing`."""
        return self.tally.missing

    @property
    def qualified(self) -> bool:
        """Whether the card has enough stamps for the draw: see :attr:`Tally.qualified`."""
        return self.tally.qualified


def card_stamps(card: Card) -> list[Stamp]:
    """Return the card's stamps, oldest first, with their stations and shops loaded."""
    query = (
        select(Stamp)
        .options(joinedload(Stamp.station).joinedload(Station.shop))
        .where(Stamp.card_id == card.id)
        .order_by(Stamp.created_at, Stamp.id)
    )
    return list(db.session.scalars(query))


STAMP_LINES = Prepared(
    select(Stamp.station_id, Stamp.created_at, Stamp.source, *SHOP_COLUMNS)
    .join(Station, Station.id == Stamp.station_id)
    .join(Shop, Shop.id == Station.shop_id)
    .where(Stamp.card_id == bindparam("card"))
    .order_by(Stamp.created_at, Stamp.id)
)
STATION_LINES = Prepared(
    select(Station.id, *SHOP_COLUMNS)
    .join(Shop, Shop.id == Station.shop_id)
    .where(Station.rally_id == bindparam("rally"), Station.active.is_(True))
)


def stamp_lines(card_id: int) -> list[StampLine]:
    """The card's stamps, oldest first, with their shops."""
    rows = STAMP_LINES.run({"card": card_id})
    return [StampLine(station, at, source, ShopInfo(*shop)) for station, at, source, *shop in rows]


def station_lines(rally_id: int) -> list[StationLine]:
    """The rally's active stations, ordered by shop name.

    Every card view reads them; their records are made and sorted once for each distinct
    answer of the database, so a renamed shop is a new answer and never stale.
    """
    return list(_station_lines(tuple(STATION_LINES.run({"rally": rally_id}))))


@lru_cache(maxsize=32)
def _station_lines(rows: tuple[tuple[Any, ...], ...]) -> tuple[StationLine, ...]:
    lines = [StationLine(station, ShopInfo(*shop)) for station, *shop in rows]
    lines.sort(key=lambda line: line.shop.name.casefold())
    return tuple(lines)


def card_progress(card: CardRef, rally: RallyInfo) -> Progress:
    """Collect the card's stamps and the stations still open."""
    stamps = stamp_lines(card.id)
    stamped = {stamp.station_id for stamp in stamps}
    open_stations = [s for s in station_lines(card.rally_id) if s.id not in stamped]
    return Progress(card=card, stamps=stamps, open_stations=open_stations, goal=rally.stamp_goal)


def find_card_by_recovery(key: str, code: str, token: str) -> Card:
    """Return the card a recovery link names, or raise ``RecoveryError("invalid_link")``."""
    if not codes.CARD_CODE_RE.fullmatch(code) or not codes.RECOVERY_RE.fullmatch(token):
        raise RecoveryError("invalid_link")
    if not codes.recovery_matches(key, code, token):
        raise RecoveryError("invalid_link")
    card = db.session.scalars(select(Card).where(Card.code == code)).first()
    if card is None:
        raise RecoveryError("invalid_link")
    return card


def restore_card(key: str, code: str, token: str, now: datetime) -> tuple[Card, str]:
    """Give this browser a key to the card of a recovery link; return card and secret."""
    begin_write()
    card = find_card_by_recovery(key, code, token)
    secret = add_card_key(card, now)
    db.session.commit()
    return card, secret
