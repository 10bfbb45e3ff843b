"""Shops as the office enters them (form or CSV import): checking and saving; the part a
shopkeeper edits in the portal, and what the office sees of those edits."""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..db import begin_write
from ..extensions import db
from ..models import LANGUAGES, AuditEvent, OpeningHours, Rally, Shop, User
from .editing import SLUG_MAX, SLUG_RE, InvalidInput, audit, existing, refuse, slugify
from .errors import Problem
from .opening_hours import HoursError, Interval, compose_text, parse_hours, parse_week
from .stations import new_station

POSTCODE_RE = re.compile(r"\d{5}")
WEBSITE_RE = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)

# Column lengths of the model, checked here so that the database never refuses a row.
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
    hours: tuple[Interval, ...] = ()

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
        set_hours(shop, self.hours)


def set_hours(shop: Shop, intervals: tuple[Interval, ...]) -> bool:
    """Give ``shop`` exactly these intervals; whether anything changed. The old rows go
    first (flushed), so that a new row may take the place of an old one."""
    if tuple(sorted((h.weekday, h.opens, h.closes) for h in shop.hours)) == intervals:
        return False
    if shop.hours:
        shop.hours.clear()
        db.session.flush()
    shop.hours.extend(OpeningHours(weekday=day, opens=opens, closes=closes)
                      for day, opens, closes in intervals)
    return True


# The note beside the week form: what the intervals cannot say ("nach Vereinbarung").
HOURS_NOTE = "hours_note"


def hours_from_text(text: str) -> tuple[tuple[Interval, ...], str, list[Problem]]:
    """A typed or imported opening-hours text as intervals and its normalised text:
    "" for no hours; ``bad_hours`` (``value``) for a text that is not readable."""
    if not text:
        return (), "", []
    try:
        parsed = parse_hours(text)
    except HoursError as error:
        return (), text, [Problem("opening_hours", "bad_hours",
                                  {"value": text, "reason": error.code})]
    return parsed.intervals, compose_text(parsed.intervals, parsed.note), []


def hours_from_week(raw: Mapping[str, str | None]
                    ) -> tuple[tuple[Interval, ...], str, list[Problem]]:
    """The week form (its fields and the note) as intervals and the shop's text."""
    intervals, problems = parse_week(raw)
    note = (raw.get(HOURS_NOTE) or "").strip()
    text = compose_text(intervals, note)
    if not problems and len(text) > SHOP_LIMITS["opening_hours"]:
        problems.append(Problem(HOURS_NOTE, "hours_too_long",
                                {"max": SHOP_LIMITS["opening_hours"]}))
    return intervals, text, problems


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


def parse_shop(
    raw: Mapping[str, str | None], *, week: bool = False
) -> tuple[ShopValues | None, list[Problem]]:
    """Check a shop as typed into the form or read from a CSV row (strings only).

    The opening hours come from the text ``opening_hours`` (a CSV row), or with ``week``
    from the week form's fields and note. No database access: slug clashes are the
    caller's to check, because a form and an import mean different things by an
    existing slug.
    """
    text = {name: (raw.get(name) or "").strip() for name in SHOP_FIELDS}
    problems = [Problem(name, "missing") for name in SHOP_REQUIRED if not text[name]]
    if week:
        hours, text["opening_hours"], hour_problems = hours_from_week(raw)
    else:
        hours, text["opening_hours"], hour_problems = hours_from_text(text["opening_hours"])
    for name, limit in SHOP_LIMITS.items():
        if len(text[name]) > limit and not (week and name == "opening_hours"):
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
    problems.extend(hour_problems)
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
        hours=hours,
    ), []


def save_shop(
    *,
    shop_id: int | None,
    raw: Mapping[str, str | None],
    now: datetime,
    actor_id: int | None = None,
    rally_id: int | None = None,
    week: bool = False,
) -> Shop:
    """Create a shop (``shop_id`` None) or update one; a new shop may join ``rally_id`` at
    once. With ``week`` the hours come from the week form's fields (see parse_shop).

    Raises ``InvalidInput`` (nothing written), ``EditError("unknown_shop")`` or
    ``EditError("unknown_rally")``.
    """
    begin_write()
    shop = None
    if shop_id is not None:
        shop = existing(Shop, shop_id, "unknown_shop")
    rally = None
    if rally_id is not None:
        rally = existing(Rally, rally_id, "unknown_rally")
    values, problems = parse_shop(raw, week=week)
    if values is not None:
        other = db.session.scalar(select(Shop.id).where(Shop.slug == values.slug))
        if other is not None and (shop is None or other != shop.id):
            field_name = "name" if values.slug_derived else "slug"
            problems.append(Problem(field_name, "slug_taken", {"slug": values.slug}))
    if values is None or problems:
        refuse(problems)
    created = shop is None
    if shop is None:
        shop = Shop()
        db.session.add(shop)
    values.apply(shop)
    try:
        db.session.flush()
        if rally is not None and created:
            new_station(rally, shop)
        audit(now, actor_id, "shop.create" if created else "shop.update", shop.slug,
              rally=rally.slug if rally is not None and created else None)
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise InvalidInput([Problem("slug", "slug_taken", {"slug": values.slug})]) from error
    return shop


# What a shopkeeper may change in the portal; everything else is the office's.
PROFILE_FIELDS = ("description", "opening_hours", "website")
# Audit actions of the portal that the office sees on the shop's page.
PORTAL_ACTIONS = ("shop.profile", "station.rotate", "station.mode")


def update_shop_profile(
    *, shop_id: int, raw: Mapping[str, str | None], now: datetime, actor_id: int | None
) -> Shop:
    """Save a shop's description, opening hours (the week form) and website as its
    shopkeeper typed them.

    Checked like the office's form (lengths, a web address, the week's times); the
    audit event holds the old and new value of each field that changed (the hours as
    their text), and nothing is recorded when nothing did. Raises ``InvalidInput`` or
    ``EditError("unknown_shop")``; nothing is written then.
    """
    begin_write()
    shop = existing(Shop, shop_id, "unknown_shop")
    text = {name: (raw.get(name) or "").strip() for name in PROFILE_FIELDS}
    intervals, text["opening_hours"], problems = hours_from_week(raw)
    problems += [Problem(name, "too_long", {"max": SHOP_LIMITS[name]})
                 for name in ("description", "website") if len(text[name]) > SHOP_LIMITS[name]]
    if text["website"] and not problems:
        website = normalise_website(text["website"])
        if website is None:
            problems.append(Problem("website", "bad_url"))
        else:
            text["website"] = website
    if problems:
        refuse(problems)
    changes = {name: {"old": getattr(shop, name), "new": text[name]}
               for name in PROFILE_FIELDS if getattr(shop, name) != text[name]}
    for name, change in changes.items():
        setattr(shop, name, change["new"])
    if set_hours(shop, intervals) and "opening_hours" not in changes:
        changes["opening_hours"] = {"old": shop.opening_hours, "new": shop.opening_hours}
    if changes:
        audit(now, actor_id, "shop.profile", shop.slug, changes=changes)
    db.session.commit()
    return shop


def set_poster_language(*, shop_id: int, language: str, now: datetime,
                        actor_id: int | None) -> Shop:
    """Print the shop's posters in ``language`` from now on (audited when it changes).
    Raises ``InvalidInput`` for a language the site does not speak."""
    if language not in LANGUAGES:
        refuse([Problem("poster_language", "unknown_language")])
    begin_write()
    shop = existing(Shop, shop_id, "unknown_shop")
    if shop.poster_language != language:
        audit(now, actor_id, "shop.poster_language", shop.slug,
              changes={"poster_language": {"old": shop.poster_language, "new": language}})
        shop.poster_language = language
    db.session.commit()
    return shop


@dataclass(frozen=True)
class PortalChange:
    """One audited step of a shop's portal (or a code replaced by the office)."""

    at: datetime
    action: str
    actor: str  # the account's name or e-mail address, "" for the command line
    by_shop: bool  # done by one of the shop's own accounts
    details: dict[str, object]


def portal_changes(
    shop: Shop, limit: int = 10, actions: tuple[str, ...] = PORTAL_ACTIONS
) -> list[PortalChange]:
    """The shop's latest profile edits, code replacements and mode switches (or only
    ``actions``), newest first, with who made them (one query)."""
    rows = db.session.execute(
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.subject == shop.slug, AuditEvent.action.in_(actions))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()
    return [
        PortalChange(
            at=event.created_at,
            action=event.action,
            actor=(user.name or user.email) if user is not None else "",
            by_shop=user is not None and user.shop_id == shop.id,
            details=dict(event.details or {}),
        )
        for event, user in rows
    ]
