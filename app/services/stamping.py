"""Scan and stamp: the hot path of the rally.

One call, one short write transaction: find the station, check the rally's dates, find
or create the shopper's card, insert the stamp. UNIQUE(card, station) in the database
decides whether a stamp is new, so double taps, retries and races all end with exactly
one stamp.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.dialects import postgresql, sqlite

from ..db import begin_write
from ..extensions import db
from ..models import Card, CardKey, Prize, Stamp, Station
from . import codes, fraud
from .cards import CardError, card_for_secret, create_card
from .live_codes import normalise_live_code
from .rally_terms import prizes_with_donors
from .stations import (
    StampError,
    check_live_code,
    check_stampable,
    find_live_station,
    find_station,
)

# How many prizes the scan page names: enough to tempt, few enough to stay light.
SCAN_PAGE_PRIZES = 3

__all__ = ["ScanPage", "StampError", "StampResult", "scan_page", "stamp_card"]

# INSERT ... ON CONFLICT DO NOTHING, in the dialect of the database at hand.
INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@dataclass(frozen=True)
class StampResult:
    """What a tap achieved, as plain values (they outlive the transaction).
    ``card_secret`` is set only when a new card was made."""

    card_id: int
    card_code: str
    rally_id: int
    station_id: int
    shop_name: str
    new_stamp: bool
    stamp_count: int
    card_secret: str | None


@dataclass(frozen=True)
class ScanPage:
    """What the scan page shows before the tap: the station, whether this browser's card
    holds its stamp, the card's stamp count (``None`` without a card of this rally), the
    rally's top prizes with their donors, and the live code the tap must carry (``None``
    for a printed station)."""

    station: Station
    already: bool
    stamp_count: int | None
    prizes: list[Prize]
    live_code: str | None = None


def scan_page(
    *, token: str, card_secret: str | None, now: datetime, live_code: str | None = None
) -> ScanPage:
    """The scan page of the station named by ``token``; changes nothing (it is a GET).

    Raises ``StampError`` where the station cannot stamp now, and for a live station
    without its current ``live_code`` (``live_code_needed``, ``live_code_wrong``). A
    stale cookie is no reason to refuse the page: the tap replaces it. One query finds
    the card of this rally with its stamp here, if any.
    """
    station = find_station(token=token)
    check_stampable(station, now)
    check_live_code(station, live_code, now)
    stamp_count, already = None, False
    if card_secret and codes.is_card_secret(card_secret):
        found = db.session.execute(
            select(Card.stamp_count, Stamp.id)
            .join(CardKey, CardKey.card_id == Card.id)
            .outerjoin(Stamp, and_(Stamp.card_id == Card.id, Stamp.station_id == station.id))
            .where(CardKey.secret_hash == codes.hash_secret(card_secret),
                   Card.rally_id == station.rally_id)
        ).first()
        if found is not None:
            stamp_count, already = found[0], found[1] is not None
    return ScanPage(
        station=station,
        already=already,
        stamp_count=stamp_count,
        prizes=prizes_with_donors(station.rally_id, limit=SCAN_PAGE_PRIZES),
        live_code=normalise_live_code(live_code) if station.mode == "live" else None,
    )


def stamping_station(
    *, token: str | None, short_code: str | None, live_code: str | None, source: str,
    now: datetime,
) -> tuple[Station, str]:
    """The station a tap names, checked, and the source its stamp gets; else ``StampError``.

    A scanned token of a live station needs the counter's ``live_code`` (source
    ``live``). Typed text is a short code from a poster, or six digits from a counter
    display: digits are first looked up among the live stations of the running rallies,
    so the shopper types only what the counter shows. A live station's poster code typed
    by hand stamps nothing (``live_code_needed``); digits that no counter shows and no
    poster carries are a stale or mistyped counter code (``live_code_wrong``).
    """
    if token is None and short_code is not None and normalise_live_code(short_code):
        station = find_live_station(short_code, now)
        if station is not None:
            check_stampable(station, now)
            return station, "live"
        try:
            station = find_station(short_code=short_code)
        except StampError as error:
            if error.code == "unknown_station":
                raise StampError("live_code_wrong") from error
            raise
    else:
        station = find_station(token=token, short_code=short_code)
    check_stampable(station, now)
    if station.mode != "live":
        return station, source
    if token is None:
        raise StampError("live_code_needed", station=station)
    check_live_code(station, live_code, now)
    return station, "live"


def _insert_stamp(card: Card, station: Station, source: str, now: datetime) -> int | None:
    """Insert the stamp unless it exists; return the new row's id, ``None`` if it existed.

    RETURNING yields the new id, or nothing when the stamp was already there (rowcount
    is not reliable for ON CONFLICT across drivers).
    """
    insert: Any = INSERT[db.engine.dialect.name]
    statement = (
        insert(Stamp)
        .values(rally_id=station.rally_id, card_id=card.id, station_id=station.id,
                created_at=now, source=source)
        .on_conflict_do_nothing(index_elements=["card_id", "station_id"])
        .returning(Stamp.id)
    )
    stamp_id: int | None = db.session.execute(statement).scalar()
    return stamp_id


def stamp_card(
    *,
    card_secret: str | None,
    now: datetime,
    token: str | None = None,
    short_code: str | None = None,
    live_code: str | None = None,
    source: str = "qr",
    client_address: str | None = None,
    rules: fraud.FraudRules | None = None,
) -> StampResult:
    """Stamp the shopper's card at the station named by ``token`` or ``short_code`` (a
    poster's code or a counter's digits); a live station's token needs ``live_code``.

    Creates the card on the first tap (remembering only a keyed hash of the network of
    ``client_address``). Commits on success; on a ``StampError`` nothing has been
    written. Tapping twice is not an error: ``new_stamp`` is then false. A new stamp
    runs the fraud signals (``rules``, else the app's configuration) in the same
    transaction: they may flag the card, never refuse the stamp.
    """
    begin_write()
    station, source = stamping_station(token=token, short_code=short_code,
                                       live_code=live_code, source=source, now=now)
    try:
        # Locked: a merge retiring this card either ended before (the lock then reads its
        # pointer to the survivor, which gets the stamp) or waits for this one.
        card = card_for_secret(card_secret, rally_id=station.rally_id, lock=True)
    except CardError as error:
        raise StampError("bad_card") from error
    secret = None
    rules = rules or fraud.configured_rules()
    if card is None:
        card, secret = create_card(
            station.rally, now, first_station_id=station.id,
            network_hash=fraud.network_hash(client_address, rules.network_key),
        )
    stamp_id = _insert_stamp(card, station, source, now)
    # The count is kept by triggers in the database: read it, not the loaded attribute.
    count = db.session.scalar(select(Card.stamp_count).where(Card.id == card.id)) or 0
    if stamp_id is not None:
        shop = station.shop
        fraud.check_stamp(
            fraud.NewStamp(
                stamp_id=stamp_id, card_id=card.id, card_created_at=card.created_at,
                new_card=secret is not None, stamp_count=count,
                network_hash=card.network_hash, station_id=station.id,
                shop_slug=shop.slug, lat=shop.lat, lon=shop.lon,
            ),
            rules=rules,
            now=now,
        )
    result = StampResult(
        card_id=card.id, card_code=card.code, rally_id=card.rally_id, station_id=station.id,
        shop_name=station.shop.name, new_stamp=stamp_id is not None, stamp_count=count,
        card_secret=secret,
    )
    db.session.commit()
    return result
