"""A card's progress, and restoring a card on another device."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ..db import begin_write
from ..extensions import db
from ..models import Card, Rally, Shop, Stamp, Station
from ..prepared import Prepared
from . import codes
from .errors import DomainError
from .records import SHOP_COLUMNS, CardRef, RallyInfo, ShopInfo
from .stamping import CardView, StampRef, add_card_key


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


# Every station of a rally, active or not (a card keeps its stamps of a station that has
# left), with its shop; and the tag that triggers draw anew whenever that list changes.
STATIONS = Prepared(
    select(Station.id, Station.active, *SHOP_COLUMNS)
    .join(Shop, Shop.id == Station.shop_id)
    .where(Station.rally_id == bindparam("rally"))
)
STATIONS_TAG = Prepared(select(Rally.stations_tag).where(Rally.id == bindparam("rally")))
STAMP_REFS = Prepared(
    select(Stamp.station_id, Stamp.created_at, Stamp.source)
    .where(Stamp.card_id == bindparam("card"))
    .order_by(Stamp.created_at, Stamp.id)
)

# Station tables kept per (rally, tag). A tag is 62 random bits drawn by the database, so
# a tag seen once never names another list, in this database or another one.
TABLES_KEPT = 64
_tables: dict[tuple[int, int | None], "StationTable"] = {}


class StationTable(NamedTuple):
    """A rally's stations: each by id, and the active ones ordered by shop name."""

    by_id: Mapping[int, StationLine]
    active: tuple[StationLine, ...]


def station_table(rally_id: int, tag: int | None = None) -> StationTable:
    """The rally's station table for ``tag`` (read from the rally when not given).

    Every card page needs the rally's forty stations with their shops. Reading them took
    more than the rest of the page's queries together, and they change a few times per
    rally, so each process keeps them per tag: a renamed shop or a new, moved or
    deactivated station gives the rally a new tag, and the next page reads the list anew.
    """
    if tag is None:
        tag = STATIONS_TAG.scalar({"rally": rally_id})
    key = (rally_id, tag)
    table = _tables.get(key)
    if table is None:
        table = _read_table(rally_id)
        if len(_tables) >= TABLES_KEPT:
            _tables.clear()
        _tables[key] = table
    return table


def _read_table(rally_id: int) -> StationTable:
    by_id = {}
    active = []
    for station_id, is_active, *shop in STATIONS.run({"rally": rally_id}):
        line = by_id[station_id] = StationLine(station_id, ShopInfo(*shop))
        if is_active:
            active.append(line)
    active.sort(key=lambda line: line.shop.name.casefold())
    return StationTable(by_id, tuple(active))


def stamp_refs(card_id: int) -> list[StampRef]:
    """The card's stamps, oldest first."""
    return [StampRef(*row) for row in STAMP_REFS.run({"card": card_id})]


def progress_of(
    card: CardRef, goal: int, stamps: Sequence[StampRef], table: StationTable
) -> Progress:
    """The card's progress from its stamps and its rally's station table."""
    lines = stamp_lines(card.rally_id, stamps, table)
    stamped = {line.station_id for line in lines}
    open_stations = [line for line in table.active if line.id not in stamped]
    return Progress(card=card, stamps=lines, open_stations=open_stations, goal=goal)


def stamp_lines(rally_id: int, stamps: Sequence[StampRef], table: StationTable) -> list[StampLine]:
    """The stamps with their shops, from the rally's station table."""
    by_id = table.by_id
    if any(stamp.station_id not in by_id for stamp in stamps):
        # Not expected (a stamp's station is never deleted and belongs to the card's
        # rally), but a page is never built from a list that misses a stamp's shop.
        by_id = _read_table(rally_id).by_id
    return [StampLine(s.station_id, s.created_at, s.source, by_id[s.station_id].shop)
            for s in stamps]


def view_stamp_lines(view: CardView) -> list[StampLine]:
    """The stamps of a card read with :func:`card_view_for_secret`, with their shops."""
    table = station_table(view.card.rally_id, view.stations_tag)
    return stamp_lines(view.card.rally_id, view.stamps, table)


def view_progress(view: CardView) -> Progress:
    """The progress of a card read with :func:`card_view_for_secret`."""
    table = station_table(view.card.rally_id, view.stations_tag)
    return progress_of(view.card, view.rally.stamp_goal, view.stamps, table)


def card_progress(card: CardRef, rally: RallyInfo) -> Progress:
    """Collect the card's stamps and the stations still open."""
    table = station_table(card.rally_id)
    return progress_of(card, rally.stamp_goal, stamp_refs(card.id), table)


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
