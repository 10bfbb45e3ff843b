"""Stations: fresh secrets for a shop's participation, and rotating them."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..db import begin_write
from ..extensions import db
from ..models import AuditEvent, Rally, RetiredToken, Shop, Station
from . import codes
from .errors import DomainError
from .rallies import current_rally


class StationError(DomainError):
    """A station operation refused. Codes: ``unknown_rally``, ``no_rally``,
    ``unknown_shop``, ``no_station``."""


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
