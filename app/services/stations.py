"""Stations: finding one by its QR token or typed code, whether it takes stamps now,
fresh secrets for a shop's participation, and rotating them."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..db import begin_write
from ..extensions import db
from ..models import AuditEvent, Rally, RetiredToken, Shop, Station
from . import codes
from .editing import EditError, audit, existing
from .errors import DomainError
from .rallies import current_rally


class StationError(DomainError):
    """A station operation refused. Codes: ``unknown_rally``, ``no_rally``,
    ``unknown_shop``, ``no_station``."""


class StampError(DomainError):
    """Stamping refused. Codes: ``unknown_station``, ``replaced_station`` (a rotated
    token or short code), ``inactive_station``, ``not_started``, ``ended``, ``bad_card``."""


def find_station(*, token: str | None = None, short_code: str | None = None) -> Station:
    """Return the station for a QR token or a typed short code, with rally and shop.

    Raises ``StampError("replaced_station", station=...)`` for a code that was rotated
    away and ``StampError("unknown_station")`` for anything else that is not a station.
    """
    with_parts = (joinedload(Station.rally), joinedload(Station.shop))
    if token is not None and codes.is_station_token(token):
        current, retired = Station.token == token, RetiredToken.token == token
    elif short_code is not None and (normalised := codes.normalise_short_code(short_code)):
        current = Station.short_code == normalised
        retired = RetiredToken.short_code == normalised
    else:
        raise StampError("unknown_station")
    station = db.session.scalars(select(Station).options(*with_parts).where(current)).first()
    if station is not None:
        return station
    old = db.session.scalars(
        select(Station)
        .options(*with_parts)
        .join(RetiredToken, RetiredToken.station_id == Station.id)
        .where(retired)
        .order_by(RetiredToken.retired_at.desc())
        .limit(1)
    ).first()
    if old is not None:
        raise StampError("replaced_station", station=old)
    raise StampError("unknown_station")


def check_stampable(station: Station, now: datetime) -> None:
    """Raise a ``StampError`` unless ``station`` takes stamps at ``now``."""
    if not station.active or station.rally.status != "published":
        raise StampError("inactive_station", station=station)
    if now < station.rally.starts_at:
        raise StampError("not_started", rally=station.rally)
    if now >= station.rally.ends_at:
        raise StampError("ended", rally=station.rally)


def find_rally(slug: str | None, now: datetime) -> Rally:
    """The rally named by ``slug``, or the current one when ``slug`` is ``None``."""
    if slug is None:
        rally = current_rally(now)
        if rally is None:
            raise StationError("no_rally")
        return rally
    rally = db.session.scalars(select(Rally).where(Rally.slug == slug)).first()
    if rally is None:
        raise StationError("unknown_rally", slug=slug)
    return rally


def new_station(rally: Rally, shop: Shop) -> Station:
    """Add an active station for ``shop`` in ``rally`` with fresh secrets.

    A clash of the random short code is retried in a savepoint.
    """
    for _attempt in range(5):
        station = Station(
            rally_id=rally.id,
            shop_id=shop.id,
            token=codes.new_station_token(),
            short_code=codes.new_short_code(),
            mode="printed",
            active=True,
        )
        try:
            with db.session.begin_nested():
                db.session.add(station)
        except IntegrityError:
            continue
        return station
    raise RuntimeError("could not find a free short code")  # pragma: no cover


def rotate_station(
    *, shop_slug: str, rally_slug: str | None, now: datetime, actor_id: int | None = None
) -> Station:
    """Give a shop's station a new token and short code; the old ones answer with 410.

    Stamps already collected stay. The rotation is recorded in the audit log (short
    codes only; tokens never go into the log).
    """
    begin_write()
    rally = find_rally(rally_slug, now)
    shop = db.session.scalars(select(Shop).where(Shop.slug == shop_slug)).first()
    if shop is None:
        raise StationError("unknown_shop", slug=shop_slug)
    station = db.session.scalars(
        select(Station).where(Station.rally_id == rally.id, Station.shop_id == shop.id)
    ).first()
    if station is None:
        raise StationError("no_station", slug=shop_slug)
    old_code = station.short_code
    db.session.add(
        RetiredToken(
            station_id=station.id, token=station.token, short_code=old_code, retired_at=now
        )
    )
    for _attempt in range(5):
        try:
            with db.session.begin_nested():
                station.token = codes.new_station_token()
                station.short_code = codes.new_short_code()
                db.session.flush()
        except IntegrityError:
            continue
        break
    else:  # pragma: no cover
        raise RuntimeError("could not find a free short code")
    db.session.add(
        AuditEvent(
            created_at=now,
            actor_id=actor_id,
            action="station.rotate",
            subject=shop.slug,
            details={"rally": rally.slug, "old_short_code": old_code,
                     "new_short_code": station.short_code},
        )
    )
    db.session.commit()
    return station


def add_station(*, rally_id: int, shop_id: int, now: datetime,
                actor_id: int | None = None) -> Station:
    """Let an existing shop take part in a rally: a new station with fresh secrets."""
    begin_write()
    rally = existing(Rally, rally_id, "unknown_rally")
    shop = existing(Shop, shop_id, "unknown_shop")
    taking_part = db.session.scalar(
        select(Station.id).where(Station.rally_id == rally.id, Station.shop_id == shop.id)
    )
    if taking_part is not None:
        db.session.rollback()
        raise EditError("already_in_rally", shop=shop.name)
    station = new_station(rally, shop)
    audit(now, actor_id, "station.create", shop.slug, rally=rally.slug,
          short_code=station.short_code)
    db.session.commit()
    return station


def set_station_active(*, station_id: int, active: bool, now: datetime,
                       actor_id: int | None = None) -> Station:
    """Switch a station on or off. Stamps collected stay; an inactive code stamps no more."""
    begin_write()
    station = existing(Station, station_id, "unknown_station")
    if station.active != active:
        station.active = active
        audit(now, actor_id, "station.activate" if active else "station.deactivate",
              station.shop.slug, rally=station.rally.slug, short_code=station.short_code)
    db.session.commit()
    return station
