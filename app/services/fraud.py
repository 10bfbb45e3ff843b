"""Fraud signals, computed while a stamp is written: flag, never silently drop.

Four patterns (DESIGN.md, "Fraud signals"), each cheap enough for the hot path:

- ``speed``: faster than walking from the card's previous stamp to this one (both shops
  with coordinates), or a gap below a minimum where a shop has none;
- ``burst``: many stamps on one card within a few minutes;
- ``shared_code``: a station's code used by many *new* cards within a minute (a photo of
  the poster shared online): the station is marked and every card involved flagged;
- ``network``: many new cards from one network within minutes; the card keeps only a
  keyed hash of its network (IPv4 /24, IPv6 /48), which the purge drops.

A signal is a row in ``card_signals`` (UNIQUE(card, kind), inserted with ON CONFLICT DO
NOTHING, so retries and races add nothing) and sets the card's flag to ``flagged``; the
stamp itself is always written and the shopper sees nothing different. A card staff
``cleared`` is flagged again only by a kind of signal it did not have: the clearance
judged the reasons known then, and new evidence deserves a look. ``excluded`` stays.

The thresholds come in as :class:`FraudRules`, read from the app's configuration in
:func:`rules_from_config` only.

Locking (PostgreSQL): every stamp already holds its own card's row (the stamp-count
trigger). Flagging *other* cards therefore takes their rows ``FOR NO KEY UPDATE SKIP
LOCKED``: a card whose own stamp is in flight is skipped rather than waited for (two new
cards flagging each other would deadlock), and the next signal of the group flags it.
Group signals are inserted in card order, one statement per kind, and a shared code
locks its station first, so the remaining waits always run one way.
"""

import hashlib
import hmac
import ipaddress
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import and_, exists, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..db import UTCDateTime, begin_write
from ..extensions import db
from ..models import Card, CardSignal, RetiredToken, Shop, Stamp, Station
from .editing import audit, existing

# INSERT ... ON CONFLICT DO NOTHING, in the dialect of the database at hand.
INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
EARTH_RADIUS_KM = 6371.0088
NETWORK_KEY_LABEL = b"innenstadt-rallye: network hash v1"


@dataclass(frozen=True)
class FraudRules:
    """The thresholds of the signals, and the key of the network hash."""

    walking_kmh: float = 15
    min_gap_seconds: int = 30
    burst_stamps: int = 8
    burst_minutes: int = 5
    shared_code_cards: int = 10
    shared_code_seconds: int = 60
    network_cards: int = 20
    network_minutes: int = 10
    network_key: bytes = field(default=b"", repr=False)


def network_key(secret_key: str) -> bytes:
    """The key of the network hash, derived from the app's secret key (HMAC-SHA256)."""
    return hmac.new(secret_key.encode(), NETWORK_KEY_LABEL, hashlib.sha256).digest()


def rules_from_config(config: Mapping[str, Any]) -> FraudRules:
    """The rules as configured (``FRAUD_*``, see app/config.py and the README)."""
    return FraudRules(
        walking_kmh=float(config["FRAUD_WALKING_KMH"]),
        min_gap_seconds=int(config["FRAUD_MIN_GAP_SECONDS"]),
        burst_stamps=int(config["FRAUD_BURST_STAMPS"]),
        burst_minutes=int(config["FRAUD_BURST_MINUTES"]),
        shared_code_cards=int(config["FRAUD_SHARED_CODE_CARDS"]),
        shared_code_seconds=int(config["FRAUD_SHARED_CODE_SECONDS"]),
        network_cards=int(config["FRAUD_NETWORK_CARDS"]),
        network_minutes=int(config["FRAUD_NETWORK_MINUTES"]),
        network_key=network_key(str(config["SECRET_KEY"])),
    )


def configured_rules() -> FraudRules:
    """The rules of the running app."""
    return rules_from_config(current_app.config)


# --- Pure parts ------------------------------------------------------------------------


def network_prefix(address: str | None) -> str | None:
    """The network of a client address: ``203.0.113.0/24``, ``2001:db8:1::/48``.

    An IPv4 address mapped into IPv6 counts as IPv4; anything unparsable is ``None``.
    """
    if not address:
        return None
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    bits = 24 if parsed.version == 4 else 48
    return str(ipaddress.ip_network(f"{parsed}/{bits}", strict=False))


def network_hash(address: str | None, key: bytes) -> str | None:
    """HMAC-SHA256 of the address's network under ``key``, hex; ``None`` without one.

    Without the key the hash cannot be reversed by trying the 2^24 IPv4 networks.
    """
    prefix = network_prefix(address)
    if prefix is None or not key:
        return None
    return hmac.new(key, prefix.encode(), hashlib.sha256).hexdigest()


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = math.radians(lat2 - lat1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


class Visit(NamedTuple):
    """A stamp as the speed signal sees it: when, which shop, where."""

    at: datetime
    shop_slug: str
    lat: float | None
    lon: float | None


def speed_signal(previous: Visit, current: Visit, rules: FraudRules) -> dict[str, Any] | None:
    """Details of a ``speed`` signal between two stamps of a card, or ``None``.

    Both shops with coordinates: the straight line over the time between the stamps
    (at least one second) against ``walking_kmh``. Otherwise the gap against
    ``min_gap_seconds``.
    """
    seconds = abs((current.at - previous.at).total_seconds())
    route = {"from": previous.shop_slug, "to": current.shop_slug, "seconds": round(seconds)}
    if None not in (previous.lat, previous.lon, current.lat, current.lon):
        km = haversine_km(previous.lat, previous.lon, current.lat, current.lon)  # type: ignore[arg-type]
        kmh = km / (max(seconds, 1.0) / 3600)
        if kmh > rules.walking_kmh:
            return {**route, "kmh": round(kmh, 1), "meters": round(km * 1000)}
        return None
    if seconds < rules.min_gap_seconds:
        return {**route, "min_seconds": rules.min_gap_seconds}
    return None


def burst_signal(times: list[datetime], rules: FraudRules, now: datetime) -> dict[str, Any] | None:
    """Details of a ``burst`` signal, or ``None``: ``times`` are the card's latest stamps,
    newest first, at least ``burst_stamps`` of them within ``burst_minutes`` of ``now``."""
    if len(times) < rules.burst_stamps:
        return None
    oldest = times[rules.burst_stamps - 1]
    if oldest < now - timedelta(minutes=rules.burst_minutes):
        return None
    return {"stamps": rules.burst_stamps, "seconds": round((times[0] - oldest).total_seconds())}


# --- Checks while stamping ----------------------------------------------------------------


@dataclass(frozen=True)
class NewStamp:
    """The stamp just inserted, as plain values: its card and station, and the shop."""

    stamp_id: int
    card_id: int
    card_created_at: datetime
    new_card: bool
    stamp_count: int
    network_hash: str | None
    station_id: int
    shop_slug: str
    lat: float | None
    lon: float | None


def check_stamp(stamp: NewStamp, *, rules: FraudRules, now: datetime) -> list[str]:
    """Compute the signals of a new stamp in the open transaction; return the kinds that
    fired (already signalled ones included).

    Queries: the card's latest stamps once it has two (speed and burst in one); for a
    card started within the shared-code window the new cards at this station; for a card
    started by this stamp the new cards of its network. A signal adds two statements
    (a shared code three).
    """
    fired = []
    if stamp.stamp_count >= 2:
        latest = db.session.execute(
            select(Stamp.id, Stamp.created_at, Shop.slug, Shop.lat, Shop.lon)
            .join(Station, Station.id == Stamp.station_id)
            .join(Shop, Shop.id == Station.shop_id)
            .where(Stamp.card_id == stamp.card_id)
            .order_by(Stamp.created_at.desc(), Stamp.id.desc())
            .limit(max(2, rules.burst_stamps))
        ).all()
        previous = next((row for row in latest if row.id != stamp.stamp_id), None)
        if previous is not None:
            details = speed_signal(
                Visit(previous.created_at, previous.slug, previous.lat, previous.lon),
                Visit(now, stamp.shop_slug, stamp.lat, stamp.lon),
                rules,
            )
            if details is not None:
                record("speed", [stamp.card_id], details, stamp.station_id, now)
                fired.append("speed")
        details = burst_signal([row.created_at for row in latest], rules, now)
        if details is not None:
            record("burst", [stamp.card_id], details, stamp.station_id, now)
            fired.append("burst")
    since = now - timedelta(seconds=rules.shared_code_seconds)
    if stamp.card_created_at >= since:
        involved = new_cards_at_station(stamp.station_id, since)
        if len(involved) >= rules.shared_code_cards:
            suspect_station(stamp.station_id, now)
            details = {"station": stamp.shop_slug, "cards": len(involved),
                       "seconds": rules.shared_code_seconds}
            record("shared_code", unsignalled(involved), details, stamp.station_id, now)
            fired.append("shared_code")
    if stamp.new_card and stamp.network_hash is not None:
        involved = new_cards_of_network(
            stamp.network_hash, now - timedelta(minutes=rules.network_minutes))
        if len(involved) >= rules.network_cards:
            details = {"cards": len(involved), "minutes": rules.network_minutes}
            record("network", unsignalled(involved), details, stamp.station_id, now)
            fired.append("network")
    return fired


class Involved(NamedTuple):
    """A card of a group signal, and whether it already has that signal."""

    card_id: int
    signalled: bool


def unsignalled(involved: list[Involved]) -> list[int]:
    """The group's cards still without the signal: once a group has fired, each further
    stamp writes for its own card only, so a long attack costs no more per stamp than
    its start (the group's count is still read in full)."""
    return [row.card_id for row in involved if not row.signalled]


def _signalled(kind: str) -> Any:
    """A column saying whether the row's card already has a signal of ``kind``."""
    return (
        select(CardSignal.id)
        .where(CardSignal.card_id == Card.id, CardSignal.kind == kind)
        .exists()
    )


def new_cards_at_station(station_id: int, since: datetime) -> list[Involved]:
    """Cards started at or after ``since`` with a stamp at the station since then."""
    return [Involved(*row) for row in db.session.execute(
        select(Stamp.card_id, _signalled("shared_code"))
        .join(Card, Card.id == Stamp.card_id)
        .where(Stamp.station_id == station_id, Stamp.created_at >= since,
               Card.created_at >= since)
    )]


def new_cards_of_network(hashed: str, since: datetime) -> list[Involved]:
    """Cards started from the network ``hashed`` at or after ``since`` (a card retired
    by a merge counts as part of the card it went into)."""
    return [Involved(*row) for row in db.session.execute(
        select(Card.id, _signalled("network"))
        .where(Card.network_hash == hashed, Card.created_at >= since,
               Card.merged_into_id.is_(None))
    )]


def suspect_station(station_id: int, now: datetime) -> None:
    """Mark the station as probably shared (kept from the first time until dealt with).

    Also the lock that makes one shared-code group at a time flag its cards.
    """
    db.session.execute(
        update(Station)
        .where(Station.id == station_id)
        .values(shared_suspected_at=func.coalesce(Station.shared_suspected_at,
                                                  literal(now, UTCDateTime)))
        .execution_options(synchronize_session=False)
    )


def record(kind: str, card_ids: Iterable[int], details: dict[str, Any], station_id: int | None,
           now: datetime) -> set[int]:
    """Store the signal for each card that does not have one of this kind yet, and flag
    the cards; return the ids that got a new signal row.

    Flagged: every card still ``none``, and a ``cleared`` one that got a new kind.
    """
    ids = sorted(set(card_ids))
    if not ids:
        return set()
    insert: Any = INSERT[db.engine.dialect.name]
    statement = (
        insert(CardSignal)
        .values([{"card_id": card_id, "kind": kind, "station_id": station_id,
                  "details": details, "created_at": now} for card_id in ids])
        .on_conflict_do_nothing(index_elements=["card_id", "kind"])
        .returning(CardSignal.card_id)
    )
    new = set(db.session.scalars(statement))
    flaggable = or_(Card.flag == "none", and_(Card.flag == "cleared", Card.id.in_(new)))
    rows = (
        select(Card.id)
        .where(Card.id.in_(ids), flaggable)
        .with_for_update(skip_locked=True, key_share=True)
    )
    db.session.execute(
        update(Card)
        .where(Card.id.in_(rows))
        .values(flag="flagged")
        .execution_options(synchronize_session=False)
    )
    return new


# --- Stations whose code looks shared -------------------------------------------------------


@dataclass(frozen=True)
class StationAlert:
    """A printed station whose code many new cards used at once: switch it to live mode
    (or replace its code). ``cards``: how many cards with a shared-code signal stamped
    there."""

    station_id: int
    rally_id: int
    shop_id: int
    shop_name: str
    shop_slug: str
    since: datetime
    cards: int


def station_alerts(*, rally_id: int | None = None, shop_id: int | None = None,
                   station_id: int | None = None) -> list[StationAlert]:
    """Alerts of the printed stations (of a rally, a shop or one station) that were
    suspected and have not been dealt with: no new code since, not dismissed by staff.
    One query."""
    # A card keeps one shared-code signal, naming the first station it was caught at:
    # count the cards with such a signal that stamped here.
    flagged_cards = (
        select(func.count())
        .select_from(Stamp)
        .join(CardSignal, and_(CardSignal.card_id == Stamp.card_id,
                               CardSignal.kind == "shared_code"))
        .where(Stamp.station_id == Station.id)
        .scalar_subquery()
    )
    rotated_since = exists().where(
        RetiredToken.station_id == Station.id,
        RetiredToken.retired_at >= Station.shared_suspected_at,
    )
    query = (
        select(Station.id, Station.rally_id, Shop.id, Shop.name, Shop.slug,
               Station.shared_suspected_at, flagged_cards)
        .join(Shop, Shop.id == Station.shop_id)
        .where(Station.shared_suspected_at.is_not(None), Station.mode == "printed",
               ~rotated_since)
        .order_by(Station.shared_suspected_at, Station.id)
    )
    if rally_id is not None:
        query = query.where(Station.rally_id == rally_id)
    if shop_id is not None:
        query = query.where(Station.shop_id == shop_id)
    if station_id is not None:
        query = query.where(Station.id == station_id)
    return [StationAlert(*row) for row in db.session.execute(query)]


def station_alert(station_id: int) -> StationAlert | None:
    """The alert of one station, or ``None``: for the shop's portal and the back office."""
    alerts = station_alerts(station_id=station_id)
    return alerts[0] if alerts else None


def dismiss_station_alert(*, station_id: int, now: datetime,
                          actor_id: int | None = None) -> Station:
    """Staff have dealt with a suspected station: forget the suspicion (audited).

    Raises ``EditError("unknown_station")``. The cards it flagged stay in the queue.
    """
    begin_write()
    station = existing(Station, station_id, "unknown_station")
    db.session.refresh(station)  # set by the stamps' UPDATE, which the ORM did not see
    if station.shared_suspected_at is not None:
        audit(now, actor_id, "station.shared_dismissed", station.shop.slug,
              rally=station.rally.slug, since=station.shared_suspected_at.isoformat())
        station.shared_suspected_at = None
    db.session.commit()
    return station
