"""Scan and stamp: the hot path of the rally.

One call, one short write: find the station, check the rally's dates, find or create the
shopper's card, insert the stamp. UNIQUE(card, station) in the database decides whether
a stamp is new, so double taps, retries and races all end with exactly one stamp.

Every phone at a poster runs through here, so the lookups are single SQL statements
built once (SQLAlchemy Core, run on the driver by :mod:`app.prepared`) that return the
small records of :mod:`.records` rather than ORM objects.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from ..db import begin_write
from ..extensions import db
from ..models import Card, CardKey, Entry, Rally, RetiredToken, Shop, Stamp, Station
from ..prepared import Prepared, write_transaction
from . import codes
from .errors import DomainError
from .records import (
    RALLY_COLUMNS,
    SHOP_COLUMNS,
    STATION_COLUMNS,
    CardRef,
    RallyInfo,
    ShopInfo,
    StationInfo,
)


class StampError(DomainError):
    """Stamping refused. Codes: ``unknown_station``, ``replaced_station`` (a rotated
    token or short code), ``inactive_station``, ``not_started``, ``ended``, ``bad_card``."""


def _station_query() -> Any:
    return (
        select(*STATION_COLUMNS, *RALLY_COLUMNS, *SHOP_COLUMNS)
        .join(Rally, Rally.id == Station.rally_id)
        .join(Shop, Shop.id == Station.shop_id)
    )


BY_TOKEN = Prepared(_station_query().where(Station.token == bindparam("code")))
BY_SHORT_CODE = Prepared(_station_query().where(Station.short_code == bindparam("code")))
RETIRED = (
    _station_query()
    .join(RetiredToken, RetiredToken.station_id == Station.id)
    .order_by(RetiredToken.retired_at.desc())
    .limit(1)
)
RETIRED_BY_TOKEN = Prepared(RETIRED.where(RetiredToken.token == bindparam("code")))
RETIRED_BY_SHORT_CODE = Prepared(RETIRED.where(RetiredToken.short_code == bindparam("code")))
CARD_BY_KEY = Prepared(
    select(Card.id, Card.code, Card.rally_id)
    .join(CardKey, CardKey.card_id == Card.id)
    .where(CardKey.secret_hash == bindparam("secret_hash"))
)
# The card page's one lookup: the card, its rally, its entry (an entry per card at most),
# the tag of the rally's station list, and the card's stamps (a row per stamp, or one row
# without a stamp), oldest first.
CARD_VIEW_BY_KEY = Prepared(
    select(Card.id, Card.code, Card.rally_id, Entry.id, Rally.stations_tag, *RALLY_COLUMNS,
           Stamp.station_id, Stamp.created_at, Stamp.source)
    .join(CardKey, CardKey.card_id == Card.id)
    .join(Rally, Rally.id == Card.rally_id)
    .outerjoin(Entry, Entry.card_id == Card.id)
    .outerjoin(Stamp, Stamp.card_id == Card.id)
    .where(CardKey.secret_hash == bindparam("secret_hash"))
    .order_by(Stamp.created_at, Stamp.id)
)
STAMPED_HERE = Prepared(
    select(Stamp.id).where(
        Stamp.card_id == bindparam("card"), Stamp.station_id == bindparam("station")
    )
)
STAMP_COUNT = Prepared(select(Card.stamp_count).where(Card.id == bindparam("card")))


def station_from_row(row: Sequence[Any]) -> StationInfo:
    """Build a :class:`StationInfo` from a row of the station query's columns."""
    n, m = len(STATION_COLUMNS), len(STATION_COLUMNS) + len(RALLY_COLUMNS)
    station_id, token, short_code, active, rally_id = row[:n]
    return StationInfo(
        id=station_id, token=token, short_code=short_code, active=active, rally_id=rally_id,
        rally=RallyInfo(*row[n:m]), shop=ShopInfo(*row[m:]),
    )


@dataclass(frozen=True)
class StampResult:
    """What a tap achieved. ``card_secret`` is set only when a new card was made."""

    card: CardRef
    station: StationInfo
    new_stamp: bool
    stamp_count: int
    card_secret: str | None


def find_station(*, token: str | None = None, short_code: str | None = None) -> StationInfo:
    """Return the station for a QR token or a typed short code, with rally and shop.

    Raises ``StampError("replaced_station", station=...)`` for a code that was rotated
    away and ``StampError("unknown_station")`` for anything else that is not a station.
    """
    if token is not None and codes.is_station_token(token):
        query, retired, code = BY_TOKEN, RETIRED_BY_TOKEN, token
    elif short_code is not None and (normalised := codes.normalise_short_code(short_code)):
        query, retired, code = BY_SHORT_CODE, RETIRED_BY_SHORT_CODE, normalised
    else:
        raise StampError("unknown_station")
    row = query.first({"code": code})
    if row is not None:
        return station_from_row(row)
    old = retired.first({"code": code})
    if old is not None:
        raise StampError("replaced_station", station=station_from_row(old))
    raise StampError("unknown_station")


def check_stampable(station: StationInfo, now: datetime) -> None:
    """Raise a ``StampError`` unless ``station`` takes stamps at ``now``."""
    if not station.active or station.rally.status != "published":
        raise StampError("inactive_station", station=station)
    if now < station.rally.starts_at:
        raise StampError("not_started", rally=station.rally)
    if now >= station.rally.ends_at:
        raise StampError("ended", rally=station.rally)


def card_ref_for_secret(secret: str | None, rally_id: int | None = None) -> CardRef | None:
    """Return the card a browser's cookie secret belongs to, or ``None`` without a cookie.

    With ``rally_id``, a card of another rally counts as no card. A cookie that is
    malformed or matches no card raises ``StampError("bad_card")``.
    """
    row = _row_for_secret(CARD_BY_KEY, secret)
    if row is None:
        return None
    card = CardRef(*row)
    if rally_id is not None and card.rally_id != rally_id:
        return None
    return card


class StampRef(NamedTuple):
    """One stamp of a card: which station, when, and how it was collected."""

    station_id: int
    created_at: datetime
    source: str


class CardView(NamedTuple):
    """A card with its rally, the id of its entry into the draw if it entered, and its
    stamps, oldest first; ``stations_tag`` names the rally's current station list (see
    :func:`app.services.cards.station_table`)."""

    card: CardRef
    rally: RallyInfo
    entry_id: int | None
    stations_tag: int
    stamps: tuple[StampRef, ...]


_VIEW_HEAD = 5 + len(RALLY_COLUMNS)  # card id, code, rally id, entry id, tag, rally


def card_view_for_secret(secret: str | None) -> CardView | None:
    """:func:`card_ref_for_secret` for the card page: with rally, entry and stamps, in one
    query."""
    rows = _rows_for_secret(CARD_VIEW_BY_KEY, secret)
    if not rows:
        return None
    card_id, code, rally_id, entry_id, tag = rows[0][:5]
    stamps = tuple(StampRef(*row[_VIEW_HEAD:]) for row in rows if row[_VIEW_HEAD] is not None)
    return CardView(
        CardRef(card_id, code, rally_id), RallyInfo(*rows[0][5:_VIEW_HEAD]), entry_id, tag, stamps
    )


def _row_for_secret(query: Prepared, secret: str | None) -> tuple[Any, ...] | None:
    """The first row of :func:`_rows_for_secret`; ``None`` without a secret."""
    rows = _rows_for_secret(query, secret)
    return rows[0] if rows else None


def _rows_for_secret(query: Prepared, secret: str | None) -> list[tuple[Any, ...]]:
    """The rows ``query`` finds for a cookie secret; none without a secret.

    A secret that is malformed or matches no card raises ``StampError("bad_card")``.
    """
    if not secret:
        return []
    if not codes.is_card_secret(secret):
        raise StampError("bad_card")
    rows = query.run({"secret_hash": codes.hash_secret(secret)})
    if not rows:
        raise StampError("bad_card")
    return rows


def create_card(rally: Rally | RallyInfo, now: datetime) -> tuple[Card, str]:
    """Create a card in ``rally`` with a fresh code and a first key; return it and the secret.

    A clash of the random public code (one in a trillion) is retried in a savepoint.
    """
    for _attempt in range(5):
        try:
            with db.session.begin_nested():
                card = Card(rally_id=rally.id, code=codes.new_card_code(), created_at=now)
                db.session.add(card)
                db.session.flush()
        except IntegrityError:
            continue
        secret = add_card_key(card, now)
        return card, secret
    raise RuntimeError("could not find a free card code")  # pragma: no cover


def add_card_key(card: Card, now: datetime) -> str:
    """Give ``card`` a new browser key and return the secret for that browser's cookie."""
    secret = codes.new_card_secret()
    db.session.add(CardKey(card_id=card.id, secret_hash=codes.hash_secret(secret), created_at=now))
    db.session.flush()
    return secret


def _insert_statement(dialect: Any) -> Any:
    """INSERT … ON CONFLICT (card, station) DO NOTHING RETURNING id, for one dialect."""
    return (
        dialect.insert(Stamp)
        .values(
            rally_id=bindparam("rally"),
            card_id=bindparam("card"),
            station_id=bindparam("station"),
            created_at=bindparam("at", type_=Stamp.created_at.type),
            source=bindparam("source"),
        )
        .on_conflict_do_nothing(index_elements=["card_id", "station_id"])
        .returning(Stamp.id)
    )


INSERT_STAMP = {
    "postgresql": Prepared(_insert_statement(postgresql)),
    "sqlite": Prepared(_insert_statement(sqlite)),
}


def _insert_stamp(card: CardRef, station: StationInfo, source: str, now: datetime) -> bool:
    """Insert the stamp unless it exists; return whether a row was inserted.

    Runs inside the write transaction that :func:`stamp_card` opened.
    """
    params = {"rally": station.rally_id, "card": card.id, "station": station.id, "at": now,
              "source": source}
    # RETURNING yields the new id, or nothing when the stamp was already there
    # (rowcount is not reliable for ON CONFLICT across drivers).
    return INSERT_STAMP[db.engine.dialect.name].scalar(params) is not None


def stamped_here(card_id: int, station_id: int) -> bool:
    """Whether the card already holds the station's stamp."""
    return STAMPED_HERE.first({"card": card_id, "station": station_id}) is not None


def stamp_count(card_id: int) -> int:
    """Return how many stamps a card holds."""
    return STAMP_COUNT.scalar({"card": card_id}) or 0


def stamp_card(
    *,
    card_secret: str | None,
    now: datetime,
    token: str | None = None,
    short_code: str | None = None,
    source: str = "qr",
) -> StampResult:
    """Stamp the shopper's card at the station named by ``token`` or ``short_code``.

    Creates the card on the first tap. Commits on success; on a ``StampError`` nothing
    has been written. Tapping twice is not an error: ``new_stamp`` is then false.

    Station and card are looked up before the write transaction, which then holds only
    the insert and the count: on SQLite every writer of the town waits for it. (Stations
    and cards are never deleted, and the stamp's foreign keys in the database would
    refuse one that was.)
    """
    station = find_station(token=token, short_code=short_code)
    check_stampable(station, now)
    card = card_ref_for_secret(card_secret, rally_id=station.rally_id)
    if card is None:
        return _first_stamp(station, source, now)
    with write_transaction():
        inserted = _insert_stamp(card, station, source, now)
        count = stamp_count(card.id)
    return StampResult(
        card=card, station=station, new_stamp=inserted, stamp_count=count, card_secret=None
    )


def _first_stamp(station: StationInfo, source: str, now: datetime) -> StampResult:
    """Make a card with its first key and stamp it, in one transaction of the session."""
    begin_write()
    new_card, secret = create_card(station.rally, now)
    card = CardRef(new_card.id, new_card.code, new_card.rally_id)
    inserted = _insert_stamp(card, station, source, now)
    count = stamp_count(card.id)
    db.session.commit()
    return StampResult(
        card=card, station=station, new_stamp=inserted, stamp_count=count, card_secret=secret
    )
