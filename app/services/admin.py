"""The office's edits: rallies with their prizes, shops, stations, and card flags.

Plain functions with plain arguments and ``now``. Each one checks everything before it
writes, runs in one write transaction, records an AuditEvent, and refuses with an
``AdminError`` (stable code) that leaves nothing written.
"""

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..db import begin_write
from ..extensions import db
from ..models import (
    CARD_FLAGS,
    RALLY_STATUSES,
    AuditEvent,
    Card,
    DrawPrize,
    Prize,
    Rally,
    Shop,
    Station,
    Winner,
)
from .codes import CROCKFORD
from .errors import DomainError, Problem
from .rally_terms import RallyTerms, apply_prize_details, apply_terms, check_terms
from .stations import new_station

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
POSTCODE_RE = re.compile(r"\d{5}")
WEBSITE_RE = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)
_CROCKFORD_READ = str.maketrans({"O": "0", "I": "1", "L": "1"})
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe",
                         "Ü": "ue"})

# Column lengths of the models, checked here so that the database never refuses a row.
RALLY_NAME_MAX = 120
SLUG_MAX = 80
PRIZE_NAME_MAX = 200
SHOP_LIMITS = {
    "name": 120,
    "slug": SLUG_MAX,
    "category": 60,
    "street": 120,
    "postcode": 10,
    "city": 60,
    "opening_hours": 200,
    "description": 4000,
    "website": 200,
}
SHOP_FIELDS = ("name", "slug", "category", "street", "postcode", "city", "lat", "lon",
               "opening_hours", "description", "website")
SHOP_REQUIRED = ("name", "category", "street", "postcode", "city")
STAFF_FLAGS = ("flagged", "cleared", "excluded")


class AdminError(DomainError):
    """An edit refused. Codes: ``invalid`` (see :class:`InvalidInput`), ``unknown_rally``,
    ``unknown_shop``, ``unknown_station``, ``unknown_card``, ``already_in_rally``,
    ``bad_flag``."""


class InvalidInput(AdminError):
    """Input refused field by field; ``problems`` names each reason."""

    def __init__(self, problems: list[Problem]) -> None:
        """Keep the problems; the code is always ``invalid``."""
        super().__init__("invalid", problems=problems)
        self.problems = problems


def slugify(text: str) -> str:
    """A URL slug from a German name: ``Bäckerei Müller & Söhne`` → ``baeckerei-mueller-soehne``."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.translate(_GERMAN))
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:SLUG_MAX].strip("-")


def _audit(now: datetime, actor_id: int | None, action: str, subject: str,
           **details: Any) -> None:
    """Add an audit event to the open transaction."""
    db.session.add(AuditEvent(created_at=now, actor_id=actor_id, action=action,
                              subject=subject[:120], details=details))


def _refuse(problems: list[Problem]) -> NoReturn:
    """Roll back what this transaction did and raise :class:`InvalidInput`."""
    db.session.rollback()
    raise InvalidInput(problems)


# --- Rallies -------------------------------------------------------------------------


@dataclass(frozen=True)
class RallyInput:
    """A rally as the office enters it; times are aware datetimes (any zone)."""

    name: str
    slug: str
    starts_at: datetime
    ends_at: datetime
    entry_closes_at: datetime
    stamp_goal: int
    stamps_per_lot: int | None
    repeat_winners: bool
    status: str
    rules_text: str
    prizes: list[str]
    # Draw date, winners' notice, claim deadline, donors: see services.rally_terms.
    terms: RallyTerms = RallyTerms()


def prize_lines(text: str) -> list[str]:
    """The prizes of a textarea: one per line, blank lines ignored, spaces trimmed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def rally_prizes(rally_id: int) -> list[Prize]:
    """The rally's prizes in order, read from the database (not a cached relationship)."""
    return list(db.session.scalars(
        select(Prize).where(Prize.rally_id == rally_id).order_by(Prize.position)
    ))


def prizes_in_draws(rally_id: int) -> set[int]:
    """Ids of the rally's prizes that a draw gives away or a winner holds."""
    in_draws = select(DrawPrize.prize_id).join(Prize, Prize.id == DrawPrize.prize_id).where(
        Prize.rally_id == rally_id
    )
    won = select(Winner.prize_id).where(Winner.rally_id == rally_id)
    return set(db.session.scalars(in_draws)) | set(db.session.scalars(won))


def check_rally(values: RallyInput, rally: Rally | None) -> list[Problem]:
    """Every reason ``values`` cannot be saved (as a new rally, or over ``rally``)."""
    problems: list[Problem] = []
    if not values.name:
        problems.append(Problem("name", "missing"))
    elif len(values.name) > RALLY_NAME_MAX:
        problems.append(Problem("name", "too_long", {"max": RALLY_NAME_MAX}))
    if not values.slug:
        problems.append(Problem("slug", "missing"))
    elif len(values.slug) > SLUG_MAX:
        problems.append(Problem("slug", "too_long", {"max": SLUG_MAX}))
    elif not SLUG_RE.fullmatch(values.slug):
        problems.append(Problem("slug", "bad_format"))
    else:
        other = db.session.scalar(select(Rally.id).where(Rally.slug == values.slug))
        if other is not None and (rally is None or other != rally.id):
            problems.append(Problem("slug", "taken", {"slug": values.slug}))
    if values.ends_at <= values.starts_at:
        problems.append(Problem("ends_at", "not_after_start"))
    if values.entry_closes_at <= values.starts_at:
        problems.append(Problem("entry_closes_at", "not_after_start"))
    elif values.entry_closes_at > values.ends_at:
        problems.append(Problem("entry_closes_at", "after_end"))
    if values.stamp_goal < 1:
        problems.append(Problem("stamp_goal", "too_small"))
    if values.stamps_per_lot is not None and values.stamps_per_lot < 1:
        problems.append(Problem("stamps_per_lot", "too_small"))
    if values.status not in RALLY_STATUSES:
        problems.append(Problem("status", "unknown"))
    for number, name in enumerate(values.prizes, start=1):
        if len(name) > PRIZE_NAME_MAX:
            problems.append(Problem("prizes", "too_long", {"line": number,
                                                           "max": PRIZE_NAME_MAX}))
    problems.extend(check_terms(values.terms, entry_closes_at=values.entry_closes_at,
                                ends_at=values.ends_at))
    if rally is not None:
        problems.extend(check_prize_changes(rally, values.prizes))
    return problems


def check_prize_changes(rally: Rally, names: list[str]) -> list[Problem]:
    """A prize that a draw uses must keep its place and its name.

    Prizes map to lines by position, so removing or moving a line would hand a drawn
    prize's row to another prize and change a published draw after the fact.
    """
    used = prizes_in_draws(rally.id)
    problems = []
    for prize in rally_prizes(rally.id):
        if prize.id not in used:
            continue
        wanted = names[prize.position - 1] if prize.position <= len(names) else None
        if wanted != prize.name:
            code = "prize_removed" if prize.name not in names else "prize_moved"
            problems.append(
                Problem("prizes", code, {"name": prize.name, "position": prize.position})
            )
    return problems


def _apply_prizes(rally: Rally, names: list[str]) -> None:
    """Make the rally's prizes the lines ``names``: row at position i gets line i."""
    by_position = {prize.position: prize for prize in rally_prizes(rally.id)}
    for position, name in enumerate(names, start=1):
        prize = by_position.pop(position, None)
        if prize is None:
            db.session.add(Prize(rally_id=rally.id, position=position, name=name))
        else:
            prize.name = name
    for prize in by_position.values():
        db.session.delete(prize)
    db.session.flush()
    db.session.expire(rally, ["prizes"])


def save_rally(
    *, rally_id: int | None, values: RallyInput, now: datetime, actor_id: int | None = None
) -> Rally:
    """Create a rally (``rally_id`` None) or update one, with its prize list.

    Raises ``InvalidInput`` with every problem at once, ``AdminError("unknown_rally")``
    for a rally that does not exist; nothing is written then.
    """
    begin_write()
    rally = None
    if rally_id is not None:
        rally = db.session.get(Rally, rally_id)
        if rally is None:
            db.session.rollback()
            raise AdminError("unknown_rally")
    problems = check_rally(values, rally)
    if problems:
        _refuse(problems)
    created = rally is None
    if rally is None:
        rally = Rally()
        db.session.add(rally)
    rally.name = values.name
    rally.slug = values.slug
    rally.starts_at = values.starts_at
    rally.ends_at = values.ends_at
    rally.entry_closes_at = values.entry_closes_at
    rally.stamp_goal = values.stamp_goal
    rally.stamps_per_lot = values.stamps_per_lot
    rally.repeat_winners = values.repeat_winners
    rally.status = values.status
    rally.rules_text = values.rules_text
    apply_terms(rally, values.terms, entry_closes_at=values.entry_closes_at)
    try:
        db.session.flush()
        _apply_prizes(rally, values.prizes)
        apply_prize_details(rally, values.terms.prizes)
        _audit(now, actor_id, "rally.create" if created else "rally.update", rally.slug,
               status=rally.status, prizes=len(values.prizes))
        db.session.commit()
    except IntegrityError as error:
        # Only a slug taken by a concurrent save gets here; the check above saw it free.
        db.session.rollback()
        raise InvalidInput([Problem("slug", "taken", {"slug": values.slug})]) from error
    return rally


# --- Shops ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ShopValues:
    """A checked shop: every field cleaned, coordinates as numbers."""

    name: str
    slug: str
    slug_derived: bool
    category: str
    street: str
    postcode: str
    city: str
    lat: float | None
    lon: float | None
    opening_hours: str
    description: str
    website: str

    def apply(self, shop: Shop) -> None:
        """Copy the values onto ``shop``."""
        shop.name = self.name
        shop.slug = self.slug
        shop.category = self.category
        shop.street = self.street
        shop.postcode = self.postcode
        shop.city = self.city
        shop.lat = self.lat
        shop.lon = self.lon
        shop.opening_hours = self.opening_hours
        shop.description = self.description
        shop.website = self.website


def parse_coordinate(text: str, limit: float) -> float | None:
    """A latitude or longitude typed in German or English style (``51,5955`` or ``51.5955``).

    Raises ``ValueError`` for text that is no number or lies outside ±``limit``.
    """
    number = float(text.replace(",", "."))
    if not math.isfinite(number) or abs(number) > limit:
        raise ValueError(text)
    return number


def normalise_website(text: str) -> str | None:
    """``www.example.de`` → ``https://www.example.de``; ``None`` for what is no web address."""
    if text.lower().startswith("www."):
        text = "https://" + text
    return text if WEBSITE_RE.fullmatch(text) else None


def parse_shop(raw: Mapping[str, str | None]) -> tuple[ShopValues | None, list[Problem]]:
    """Check a shop as typed into the form or read from a CSV row (strings only).

    No database access: slug clashes are the caller's to check, because a form and an
    import mean different things by an existing slug.
    """
    text = {name: (raw.get(name) or "").strip() for name in SHOP_FIELDS}
    problems = [Problem(name, "missing") for name in SHOP_REQUIRED if not text[name]]
    for name, limit in SHOP_LIMITS.items():
        if len(text[name]) > limit:
            problems.append(Problem(name, "too_long", {"max": limit}))
    slug_derived = not text["slug"]
    slug = slugify(text["name"]) if slug_derived else text["slug"]
    if text["slug"] and not SLUG_RE.fullmatch(text["slug"]):
        problems.append(Problem("slug", "bad_format"))
    elif slug_derived and text["name"] and not slug:
        problems.append(Problem("slug", "missing"))
    if text["postcode"] and not POSTCODE_RE.fullmatch(text["postcode"]):
        problems.append(Problem("postcode", "bad_format"))
    coordinates: dict[str, float | None] = {"lat": None, "lon": None}
    for name, bound in (("lat", 90.0), ("lon", 180.0)):
        if text[name]:
            try:
                coordinates[name] = parse_coordinate(text[name], bound)
            except ValueError:
                problems.append(Problem(name, "bad_coordinate", {"value": text[name]}))
    if bool(text["lat"]) != bool(text["lon"]):
        missing = "lon" if text["lat"] else "lat"
        problems.append(Problem(missing, "half_coordinates"))
    website = ""
    if text["website"]:
        normalised = normalise_website(text["website"])
        if normalised is None:
            problems.append(Problem("website", "bad_url"))
        else:
            website = normalised
    if problems:
        return None, problems
    return ShopValues(
        name=text["name"],
        slug=slug,
        slug_derived=slug_derived,
        category=text["category"],
        street=text["street"],
        postcode=text["postcode"],
        city=text["city"],
        lat=coordinates["lat"],
        lon=coordinates["lon"],
        opening_hours=text["opening_hours"],
        description=text["description"],
        website=website,
    ), []


def save_shop(
    *,
    shop_id: int | None,
    raw: Mapping[str, str | None],
    now: datetime,
    actor_id: int | None = None,
    rally_id: int | None = None,
) -> Shop:
    """Create a shop (``shop_id`` None) or update one; a new shop may join ``rally_id`` at once.

    Raises ``InvalidInput`` (nothing written), ``AdminError("unknown_shop")`` or
    ``AdminError("unknown_rally")``.
    """
    begin_write()
    shop = None
    if shop_id is not None:
        shop = db.session.get(Shop, shop_id)
        if shop is None:
            db.session.rollback()
            raise AdminError("unknown_shop")
    rally = None
    if rally_id is not None:
        rally = db.session.get(Rally, rally_id)
        if rally is None:
            db.session.rollback()
            raise AdminError("unknown_rally")
    values, problems = parse_shop(raw)
    if values is not None:
        other = db.session.scalar(select(Shop.id).where(Shop.slug == values.slug))
        if other is not None and (shop is None or other != shop.id):
            field_name = "name" if values.slug_derived else "slug"
            problems.append(Problem(field_name, "slug_taken", {"slug": values.slug}))
    if values is None or problems:
        _refuse(problems)
    created = shop is None
    if shop is None:
        shop = Shop()
        db.session.add(shop)
    values.apply(shop)
    try:
        db.session.flush()
        if rally is not None and created:
            new_station(rally, shop)
        _audit(now, actor_id, "shop.create" if created else "shop.update", shop.slug,
               rally=rally.slug if rally is not None and created else None)
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise InvalidInput([Problem("slug", "slug_taken", {"slug": values.slug})]) from error
    return shop


# --- Stations ------------------------------------------------------------------------


def add_station(*, rally_id: int, shop_id: int, now: datetime,
                actor_id: int | None = None) -> Station:
    """Let an existing shop take part in a rally: a new station with fresh secrets."""
    begin_write()
    rally = db.session.get(Rally, rally_id)
    shop = db.session.get(Shop, shop_id)
    if rally is None or shop is None:
        db.session.rollback()
        raise AdminError("unknown_rally" if rally is None else "unknown_shop")
    existing = db.session.scalar(
        select(Station.id).where(Station.rally_id == rally.id, Station.shop_id == shop.id)
    )
    if existing is not None:
        db.session.rollback()
        raise AdminError("already_in_rally", shop=shop.name)
    station = new_station(rally, shop)
    _audit(now, actor_id, "station.create", shop.slug, rally=rally.slug,
           short_code=station.short_code)
    db.session.commit()
    return station


def set_station_active(*, station_id: int, active: bool, now: datetime,
                       actor_id: int | None = None) -> Station:
    """Switch a station on or off. Stamps collected stay; an inactive code stamps no more."""
    begin_write()
    station = db.session.get(Station, station_id)
    if station is None:
        db.session.rollback()
        raise AdminError("unknown_station")
    if station.active != active:
        station.active = active
        _audit(now, actor_id, "station.activate" if active else "station.deactivate",
               station.shop.slug, rally=station.rally.slug, short_code=station.short_code)
    db.session.commit()
    return station


# --- Cards ---------------------------------------------------------------------------


def normalise_card_code(typed: str) -> str | None:
    """A card code as a person at the counter reads it out: ``k7qm 2xpa`` → ``K7QM-2XPA``.

    Case, spaces and the dash don't matter; O reads as 0 and I or L as 1 (Crockford).
    ``None`` when it cannot be a card code.
    """
    cleaned = re.sub(r"[\s\-]", "", typed).upper().translate(_CROCKFORD_READ)
    if len(cleaned) != 8 or any(char not in CROCKFORD for char in cleaned):
        return None
    return f"{cleaned[:4]}-{cleaned[4:]}"


def set_card_flag(*, card_id: int, flag: str, now: datetime,
                  actor_id: int | None = None) -> Card:
    """Flag a card for review, clear it, or exclude it from the draws.

    Setting the flag it already has changes nothing and writes no audit event.
    """
    if flag not in STAFF_FLAGS or flag not in CARD_FLAGS:
        raise AdminError("bad_flag", flag=flag)
    begin_write()
    card = db.session.get(Card, card_id)
    if card is None:
        db.session.rollback()
        raise AdminError("unknown_card")
    previous = card.flag
    if previous != flag:
        card.flag = flag
        _audit(now, actor_id, f"card.{flag}", card.code, previous=previous,
               rally=card.rally.slug)
    db.session.commit()
    return card
