"""Stations: finding one by its QR token, typed code or live code, whether it takes
stamps now, fresh secrets for a shop's participation, rotating them, and the mode."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..db import begin_write
from ..extensions import db
from ..models import STATION_MODES, Rally, RetiredToken, Shop, Station
from . import codes, live_codes
from .editing import EditError, audit, existing
from .errors import DomainError
from .rallies import current_rally


class StationError(DomainError):
    """A station operation refused. Codes: ``unknown_rally``, ``no_rally``,
    ``unknown_shop``, ``no_station``, ``bad_mode``."""


class StampError(DomainError):
    """Stamping refused. Codes: ``unknown_station``, ``replaced_station`` (a rotated
    token or short code), ``inactive_station``, ``not_started``, ``ended``, ``bad_card``,
    and for live stations ``live_code_needed`` (the poster or its short code, without the
    counter's code), ``live_code_wrong`` (a stale, mistyped or other station's code) and
    ``live_code_ambiguous`` (typed digits that two live stations show at the moment)."""


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


def check_live_code(station: Station, code: str | None, now: datetime) -> None:
    """For a live station, raise a ``StampError`` unless ``code`` is its code at ``now``.

    A printed station takes no code and ignores one. The station row carries mode and
    secret, so this costs no query.
    """
    if station.mode != "live":
        return
    if not code:
        raise StampError("live_code_needed", station=station)
    if not live_codes.accepts(station.live_secret, code, now):
        raise StampError("live_code_wrong", station=station)


def find_live_station(code: str, now: datetime) -> Station | None:
    """The active live station of a running rally whose counter shows ``code`` (typed
    digits) at ``now``, with rally and shop; ``None`` if none does.

    One query for the running rallies' live stations (a few dozen at most), then an HMAC
    per station and accepted step. Digits that another live station accepts too (with 40
    live stations about one typed code in 12,000) raise
    ``StampError("live_code_ambiguous")`` rather than stamp the wrong shop.
    """
    typed = live_codes.normalise_live_code(code)
    if typed is None:
        return None
    candidates = db.session.scalars(
        select(Station)
        .options(joinedload(Station.rally), joinedload(Station.shop))
        .join(Rally, Rally.id == Station.rally_id)
        .where(Station.mode == "live", Station.active.is_(True),
               Rally.status == "published", Rally.starts_at <= now, Rally.ends_at > now)
    )
    matching = [station for station in candidates
                if live_codes.accepts(station.live_secret, typed, now)]
    if len(matching) > 1:
        raise StampError("live_code_ambiguous")
    return matching[0] if matching else None


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
            live_secret=codes.new_live_secret(),
        )
        try:
            with db.session.begin_nested():
                db.session.add(station)
        except IntegrityError:
            continue
        return station
    raise RuntimeError("could not find a free short code")  # pragma: no cover


def station_of(*, shop_slug: str, rally_slug: str | None, now: datetime) -> Station:
    """The station of the shop ``shop_slug`` in the rally ``rally_slug`` (default: the
    current one). Raises ``StationError``: ``unknown_rally``, ``no_rally``,
    ``unknown_shop`` or ``no_station``."""
    rally = find_rally(rally_slug, now)
    shop = db.session.scalars(select(Shop).where(Shop.slug == shop_slug)).first()
    if shop is None:
        raise StationError("unknown_shop", slug=shop_slug)
    station = db.session.scalars(
        select(Station).where(Station.rally_id == rally.id, Station.shop_id == shop.id)
    ).first()
    if station is None:
        raise StationError("no_station", slug=shop_slug)
    return station


def rotate_station(
    *, shop_slug: str, rally_slug: str | None, now: datetime, actor_id: int | None = None
) -> Station:
    """Give a shop's station a new token, short code and live secret; the old token and
    short code answer with 410, the old live codes are wrong.

    Stamps already collected stay. The rotation is recorded in the audit log (short
    codes only; tokens and secrets never go into the log).
    """
    begin_write()
    station = station_of(shop_slug=shop_slug, rally_slug=rally_slug, now=now)
    rally, shop = station.rally, station.shop
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
                station.live_secret = codes.new_live_secret()
                db.session.flush()
        except IntegrityError:
            continue
        break
    else:  # pragma: no cover
        raise RuntimeError("could not find a free short code")
    audit(now, actor_id, "station.rotate", shop.slug, rally=rally.slug,
          old_short_code=old_code, new_short_code=station.short_code)
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


def set_station_mode(*, station_id: int, mode: str, now: datetime,
                     actor_id: int | None = None) -> Station:
    """Switch a station between ``printed`` (the poster stamps) and ``live`` (only the
    code of the counter display stamps); audited when the mode changes.

    Raises ``StationError("bad_mode")`` or ``EditError("unknown_station")``; nothing is
    written then.
    """
    if mode not in STATION_MODES:
        raise StationError("bad_mode", mode=mode)
    begin_write()
    station = existing(Station, station_id, "unknown_station")
    if station.mode != mode:
        old = station.mode
        station.mode = mode
        audit(now, actor_id, "station.mode", station.shop.slug, rally=station.rally.slug,
              old=old, new=mode)
    db.session.commit()
    return station
