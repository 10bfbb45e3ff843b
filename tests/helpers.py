"""Small, explicit builders for test data, and helpers for forms."""

import re
from datetime import datetime
from itertools import count
from zoneinfo import ZoneInfo

from app.extensions import db
from app.models import Rally, Shop, Station
from app.services import codes

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
