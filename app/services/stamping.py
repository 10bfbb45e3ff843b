"""Scan and stamp: the hot path of the rally.

One call, one transaction: find the station, check the rally's dates, find or create the
shopper's card, insert the stamp. UNIQUE(card, station) in the database decides whether
a stamp is new, so double taps, retries and races all end with exactly one stamp.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..db import begin_write
from ..extensions import db
from ..models import Card, CardKey, Rally, RetiredToken, Stamp, Station
from . import codes
from .errors import DomainError


class StampError(DomainError):
    """Stamping refused. Codes: ``unknown_station``, ``replaced_station`` (a rotated
    token or short code), ``inactive_station``, ``not_started``, ``ended``, ``bad_card``."""


@dataclass(frozen=True)
class StampResult:
    """What a tap achieved. ``card_secret`` is set only when a new card was made."""

    card: Card
    station: Station
    new_stamp: bool
    stamp_count: int
    card_secret: str | None


def find_station(*, token: str | None = None, short_code: str | None = None) -> Station:
    """Return the station for a QR token or a typed short code, with rally and shop loaded.

    Raises ``StampError("replaced_station", station=...)`` for a code that was rotated
    away and ``StampError("unknown_station")`` for anything else that is not a station.
    """
    query = select(Station).options(joinedload(Station.rally), joinedload(Station.shop))
    retired = select(RetiredToken).options(
        joinedload(RetiredToken.station).joinedload(Station.shop)
    )
    if token is not None and codes.is_station_token(token):
        query = query.where(Station.token == token)
        retired = retired.where(RetiredToken.token == token)
    elif short_code is not None and (normalised := codes.normalise_short_code(short_code)):
        query = query.where(Station.short_code == normalised)
        retired = retired.where(RetiredToken.short_code == normalised)
    else:
        raise StampError("unknown_station")
    station = db.session.scalars(query).first()
    if station is not None:
        return station
    old = db.session.scalars(retired.order_by(RetiredToken.retired_at.desc()).limit(1)).first()
    if old is not None:
        raise StampError("replaced_station", station=old.station)
    raise StampError("unknown_station")


def check_stampable(station: Station, now: datetime) -> None:
    """Raise a ``StampError`` unless ``station`` takes stamps at ``now``."""
    if not station.active or station.rally.status != "published":
        raise StampError("inactive_station", station=station)
    if now < station.rally.starts_at:
        raise StampError("not_started", rally=station.rally)
    if now >= station.rally.ends_at:
        raise StampError("ended", rally=station.rally)


def card_for_secret(secret: str | None, rally_id: int | None = None) -> Card | None:
    """Return the card a browser's cookie secret belongs to, or ``None`` without a cookie.

    With ``rally_id``, a card of another rally counts as no card. A cookie that is
    malformed or matches no card raises ``StampError("bad_card")``.
    """
    if not secret:
        return None
    if not codes.is_card_secret(secret):
        raise StampError("bad_card")
    query = (
        select(Card)
        .join(CardKey, CardKey.card_id == Card.id)
        .where(CardKey.secret_hash == codes.hash_secret(secret))
    )
    card = db.session.scalars(query).first()
    if card is None:
        raise StampError("bad_card")
    if rally_id is not None and card.rally_id != rally_id:
        return None
    return card


def create_card(rally: Rally, now: datetime) -> tuple[Card, str]:
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


def _insert_stamp(card: Card, station: Station, source: str, now: datetime) -> bool:
    """Insert the stamp unless it exists; return whether a row was inserted."""
    values = {
        "rally_id": station.rally_id,
        "card_id": card.id,
        "station_id": station.id,
        "created_at": now,
        "source": source,
    }
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(Stamp)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["card_id", "station_id"])
        .returning(Stamp.id)
    )
    # RETURNING yields the new id, or nothing when the stamp was already there
    # (rowcount is not reliable for ON CONFLICT across drivers).
    return db.session.execute(statement).scalar() is not None


def stamp_count(card_id: int) -> int:
    """Return how many stamps a card holds."""
    query = select(func.count()).select_from(Stamp).where(Stamp.card_id == card_id)
    return db.session.scalar(query) or 0


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
    """
    begin_write()
    station = find_station(token=token, short_code=short_code)
    check_stampable(station, now)
    card = card_for_secret(card_secret, rally_id=station.rally_id)
    new_secret = None
    if card is None:
        card, new_secret = create_card(station.rally, now)
    inserted = _insert_stamp(card, station, source, now)
    count = stamp_count(card.id)
    db.session.commit()
    return StampResult(
        card=card,
        station=station,
        new_stamp=inserted,
        stamp_count=count,
        card_secret=new_secret,
    )
