"""Small, explicit builders for test data, and helpers for forms."""

import re
from datetime import datetime
from itertools import count
from zoneinfo import ZoneInfo

from app.extensions import db
from app.models import Card, Entry, Prize, Rally, Shop, Stamp, Station, User
from app.services import codes
from app.services.users import create_user

BERLIN = ZoneInfo("Europe/Berlin")
_serial = count(1)

# The frozen moments DESIGN.md asks for, in local time.
BEFORE_START = datetime(2026, 11, 30, 12, 0, tzinfo=BERLIN)
FIRST_DAY = datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN)
LAST_DAY = datetime(2026, 12, 24, 13, 0, tzinfo=BERLIN)
AFTER_END = datetime(2026, 12, 25, 10, 0, tzinfo=BERLIN)


def make_rally(**overrides: object) -> Rally:
    """A published Advents-Rallye from 1 to 24 December 2026 with a goal of 3 stamps."""
    n = next(_serial)
    values: dict[str, object] = {
        "slug": f"advent-{n}",
        "name": f"Advents-Rallye {n}",
        "starts_at": datetime(2026, 12, 1, 0, 0, tzinfo=BERLIN),
        "ends_at": datetime(2026, 12, 24, 18, 0, tzinfo=BERLIN),
        "entry_closes_at": datetime(2026, 12, 24, 18, 0, tzinfo=BERLIN),
        "stamp_goal": 3,
        "rules_text": "1. Veranstalter\n\n2. Teilnahme",
        "status": "published",
    }
    values.update(overrides)
    rally = Rally(**values)
    db.session.add(rally)
    db.session.flush()
    return rally


def make_shop(**overrides: object) -> Shop:
    """A shop in the pedestrian zone."""
    n = next(_serial)
    values: dict[str, object] = {
        "slug": f"laden-{n}",
        "name": f"Laden {n}",
        "category": "Bücher & Geschenke",
        "street": f"Hermannstraße {n}",
        "postcode": "45699",
        "city": "Herten",
        "lat": 51.5955,
        "lon": 7.1415,
        "opening_hours": "Mo–Fr 9–18 Uhr",
        "description": "Ein Laden.",
        "website": "",
    }
    values.update(overrides)
    shop = Shop(**values)
    db.session.add(shop)
    db.session.flush()
    return shop


def make_station(rally: Rally, shop: Shop | None = None, **overrides: object) -> Station:
    """A station of ``rally`` (with a new shop unless one is given)."""
    values: dict[str, object] = {
        "rally_id": rally.id,
        "shop_id": (shop or make_shop()).id,
        "token": codes.new_station_token(),
        "short_code": codes.new_short_code(),
        "mode": "printed",
        "active": True,
        "live_secret": codes.new_live_secret(),
    }
    values.update(overrides)
    station = Station(**values)
    db.session.add(station)
    db.session.flush()
    return station


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of the first form in ``html``."""
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def make_card(rally: Rally, stations: "list[Station]", stamps: int, **overrides: object) -> Card:
    """A card of ``rally`` stamped at the first ``stamps`` of ``stations`` on 1 December."""
    values: dict[str, object] = {
        "rally_id": rally.id,
        "code": codes.new_card_code(),
        "created_at": FIRST_DAY,
        "flag": "none",
    }
    values.update(overrides)
    card = Card(**values)
    db.session.add(card)
    db.session.flush()
    for station in stations[:stamps]:
        db.session.add(
            Stamp(rally_id=rally.id, card_id=card.id, station_id=station.id,
                  created_at=values["created_at"], source="qr")
        )
    db.session.flush()
    return card


def make_entry(card: Card, **overrides: object) -> Entry:
    """An entry of ``card`` with a unique e-mail address."""
    values: dict[str, object] = {
        "rally_id": card.rally_id,
        "card_id": card.id,
        "name": f"Teilnehmerin {card.code}",
        "contact_kind": "email",
        "contact": f"{card.code.lower()}@example.org",
        "age_confirmed": True,
        "terms_accepted_at": FIRST_DAY,
        "privacy_accepted_at": FIRST_DAY,
        "created_at": FIRST_DAY,
    }
    values.update(overrides)
    entry = Entry(**values)
    db.session.add(entry)
    db.session.flush()
    return entry


def make_prizes(rally: Rally, count: int) -> list[Prize]:
    """``count`` prizes of ``rally`` at positions 1..count."""
    prizes = [Prize(rally_id=rally.id, position=i, name=f"Preis {i}") for i in range(1, count + 1)]
    db.session.add_all(prizes)
    db.session.flush()
    return prizes


SHOPKEEPER_PASSWORD = "ein-langes-laden-passwort"


def make_shopkeeper(shop: Shop, email: str | None = None) -> User:
    """A shopkeeper account of ``shop`` with ``SHOPKEEPER_PASSWORD`` (committed)."""
    return create_user(
        email=email or f"inhaber-{next(_serial)}@laden.test",
        password=SHOPKEEPER_PASSWORD,
        role="shopkeeper",
        name=f"Inhaberin von {shop.name}",
        shop_slug=shop.slug,
    )
