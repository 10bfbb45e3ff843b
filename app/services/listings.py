"""The Leerstandsbörse in public: which listings anyone may see, the list's filters, the
schematic plan of where they are, and the German words for uses, rent models and floors.

A listing is public while it is published *and* staff confirmed it within
:data:`HIDE_DAYS`; after :data:`FRESH_DAYS` staff are reminded to confirm it
(app.services.listing_admin). Nothing here reads the owner's contact or the office's
note: :class:`PublicListing` carries the public fields only.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from ..clock import local
from ..extensions import db
from ..models import LISTING_USES, RENT_MODELS, Image, Listing, ListingPhoto
from ..models.listings import FLOOR_MAX, FLOOR_MIN
from .content import render_markdown
from .editing import EditError
from .images import DIGEST_IN_URL
from .route import Place, Plan, PlanPoint, Start, plan_layout

# After this many days without a confirmation staff are reminded ...
FRESH_DAYS = 60
# ... and after this many the listing is no longer public.
HIDE_DAYS = 90
CODE_RE = re.compile(r"L-\d{4}-\d{2,4}")

USE_LABELS = {
    "retail": _l("Einzelhandel"),
    "food": _l("Lebensmittel und Feinkost"),
    "hospitality": _l("Gastronomie"),
    "services": _l("Dienstleistung"),
    "office": _l("Büro und Praxis"),
    "crafts": _l("Handwerk und Werkstatt"),
    "culture": _l("Kultur und Soziales"),
    "popup": _l("Pop-up und Ausstellung"),
}
RENT_MODEL_LABELS = {
    "programme": _l("Förderprogramm der Stadt: %(share)s der früheren Miete für zwei Jahre",
                    share="20 %"),
    "reduced": _l("ermäßigte Miete"),
    "costs_only": _l("nur Nebenkosten"),
    "market": _l("reguläre Miete"),
}
FLOOR_LABELS = {
    -1: _l("Untergeschoss"),
    0: _l("Erdgeschoss"),
    1: _l("1. Obergeschoss"),
    2: _l("2. Obergeschoss"),
    3: _l("3. Obergeschoss"),
    4: _l("4. Obergeschoss"),
    5: _l("5. Obergeschoss"),
}
STATUS_LABELS = {
    "submitted": _l("Angebot eines Eigentümers"), "draft": _l("Entwurf"),
    "published": _l("veröffentlicht"), "retired": _l("zurückgezogen"),
    "rejected": _l("abgelehnt"),
}
# The choices the model's CHECKs allow, with their German words.
assert set(USE_LABELS) == set(LISTING_USES)  # noqa: S101
assert set(RENT_MODEL_LABELS) == set(RENT_MODELS)  # noqa: S101
assert set(FLOOR_LABELS) == set(range(FLOOR_MIN, FLOOR_MAX + 1))  # noqa: S101


def money(cents: int) -> str:
    """Euros in the page's language: "1.250 €", "87,50 €" (German), "€1,250" (English);
    cents only when there are any."""
    locale = get_locale() or Locale.parse("de")
    pattern = locale.currency_formats["standard"].pattern
    if cents % 100 == 0:
        pattern = pattern.replace(".00", "")
    text = format_currency(Decimal(cents) / 100, "EUR", format=pattern, locale=locale,
                           currency_digits=False)
    return text.replace("\xa0", " ")


def fresh_since(now: datetime) -> datetime:
    """Listings confirmed at or after this moment are still public."""
    return now - timedelta(days=HIDE_DAYS)


def is_public(listing: Listing, now: datetime) -> bool:
    """Whether anyone may see ``listing`` at ``now``."""
    return listing.status == "published" and listing.confirmed_at >= fresh_since(now)


def _public(now: datetime) -> ColumnElement[bool]:
    return (Listing.status == "published") & (Listing.confirmed_at >= fresh_since(now))


# ---------------------------------------------------------------------------
# The list's filters
# ---------------------------------------------------------------------------

AREA_LIMIT = 100_000  # m²: a filter beyond this is a typo
RENT_LIMIT = 10_000_000  # euros


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to; None (False) for "any"."""

    min_area: int | None = None
    max_area: int | None = None
    max_rent_cents: int | None = None
    temporary: bool = False
    available_by: date | None = None

    @property
    def active(self) -> bool:
        """Whether any filter is set."""
        return self != Filters()


def _whole_number(value: str, limit: int) -> int | None:
    """A non-negative whole number as typed ("120", "1.200", "80 m²"), or None."""
    text = value.strip().removesuffix("m²").removesuffix("€").strip().replace(".", "")
    if not text.isdigit() or not text.isascii():
        return None
    number = int(text)
    return number if number <= limit else None


def parse_filters(args: dict[str, str]) -> tuple[Filters, list[str]]:
    """The filters the query parameters name and the names of those that could not be
    read (they are ignored): ``flaeche_von``, ``flaeche_bis`` (m²), ``miete_bis`` (€ cold
    rent a month), ``zwischennutzung`` ("1"), ``frei_bis`` (YYYY-MM-DD)."""
    ignored: list[str] = []

    def number(name: str, limit: int) -> int | None:
        raw = args.get(name, "").strip()
        if not raw:
            return None
        value = _whole_number(raw, limit)
        if value is None:
            ignored.append(name)
        return value

    min_area = number("flaeche_von", AREA_LIMIT)
    max_area = number("flaeche_bis", AREA_LIMIT)
    if min_area is not None and max_area is not None and min_area > max_area:
        ignored.append("flaeche_bis")
        max_area = None
    max_rent = number("miete_bis", RENT_LIMIT)
    available_by = None
    raw_date = args.get("frei_bis", "").strip()
    if raw_date:
        try:
            available_by = date.fromisoformat(raw_date) if len(raw_date) == 10 else None
        except ValueError:
            available_by = None
        if available_by is None:
            ignored.append("frei_bis")
    return Filters(min_area=min_area, max_area=max_area,
                   max_rent_cents=None if max_rent is None else max_rent * 100,
                   temporary=args.get("zwischennutzung", "") in ("1", "y", "on"),
                   available_by=available_by), ignored


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicPhoto:
    """A photo as the public sees it: its id, the stored picture and its alt text."""

    id: int
    image: Image
    alt: str


@dataclass(frozen=True)
class PublicListing:
    """What the public may see of a listing: no owner, no note."""

    code: str
    title: str
    street: str
    postcode: str
    latitude: float | None
    longitude: float | None
    area_m2: int
    frontage_m: float | None
    floor: int
    rent_cents: int | None
    service_charge_cents: int | None
    available_from: date | None
    temporary_use: bool
    temporary_min_months: int | None
    temporary_max_months: int | None
    rent_model: str
    uses: tuple[str, ...]
    photos: tuple[PublicPhoto, ...]
    has_floor_plan: bool
    confirmed_on: date  # the local day of the last confirmation
    description: Markup

    @property
    def rent(self) -> str:
        """The cold rent a month, or "Miete auf Anfrage"."""
        if self.rent_cents is None:
            return str(_l("Miete auf Anfrage"))
        return str(_l("%(amount)s kalt im Monat", amount=money(self.rent_cents)))

    @property
    def service_charge(self) -> str:
        """The service charge a month, or "" when not stated."""
        if self.service_charge_cents is None:
            return ""
        return str(_l("%(amount)s im Monat", amount=money(self.service_charge_cents)))


def public_view(listing: Listing) -> PublicListing:
    """The listing's public fields, with its description rendered (sanitised)."""
    return PublicListing(
        code=listing.code, title=listing.title, street=listing.street,
        postcode=listing.postcode, latitude=listing.latitude, longitude=listing.longitude,
        area_m2=listing.area_m2, frontage_m=listing.frontage_m, floor=listing.floor,
        rent_cents=listing.rent_cents, service_charge_cents=listing.service_charge_cents,
        available_from=listing.available_from, temporary_use=listing.temporary_use,
        temporary_min_months=listing.temporary_min_months,
        temporary_max_months=listing.temporary_max_months, rent_model=listing.rent_model,
        uses=tuple(item.use for item in listing.uses),
        photos=tuple(PublicPhoto(photo.id, photo.image, photo.alt)
                     for photo in listing.photos),
        has_floor_plan=bool(listing.floor_plan_name),
        confirmed_on=local(listing.confirmed_at).date(),
        description=render_markdown(listing.description))


def published(now: datetime, filters: Filters | None = None) -> list[Listing]:
    """The public listings at ``now``, by ``filters``, newest confirmation first."""
    filters = filters or Filters()
    query = (select(Listing).where(_public(now))
             .options(selectinload(Listing.uses),
                      selectinload(Listing.photos).selectinload(ListingPhoto.image)
                      .defer(Image.data)))
    if filters.min_area is not None:
        query = query.where(Listing.area_m2 >= filters.min_area)
    if filters.max_area is not None:
        query = query.where(Listing.area_m2 <= filters.max_area)
    if filters.max_rent_cents is not None:
        # "Miete auf Anfrage" may still fit: those stay in the list.
        query = query.where(or_(Listing.rent_cents.is_(None),
                                Listing.rent_cents <= filters.max_rent_cents))
    if filters.temporary:
        query = query.where(Listing.temporary_use.is_(True))
    if filters.available_by is not None:
        query = query.where(or_(Listing.available_from.is_(None),
                                Listing.available_from <= filters.available_by))
    return list(db.session.scalars(
        query.order_by(Listing.confirmed_at.desc(), Listing.id.desc())))


def by_code(code: str) -> Listing | None:
    """The listing with this public code (any status: the caller decides), or None."""
    if not CODE_RE.fullmatch(code):
        return None
    return db.session.scalars(select(Listing).where(Listing.code == code)).first()


def public_by_code(code: str, now: datetime) -> Listing | None:
    """The listing with this code if the public may see it at ``now``, else None."""
    listing = by_code(code)
    return listing if listing is not None and is_public(listing, now) else None


# ---------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------


def office_start() -> Start:
    """The office, the plan's landmark."""
    config = current_app.config
    return Start(name=f"{config['OFFICE']['name']}, {config['OFFICE']['street']}",
                 lat=float(config["OFFICE_LAT"]), lon=float(config["OFFICE_LON"]),
                 is_office=True)


def plan(listings: list[PublicListing]) -> Plan | None:
    """The schematic plan of the listings with coordinates, numbered in list order
    around the office (None when none has coordinates). Drawn like the rally's plan
    (app.services.route), without the walking line."""
    places = [Place(station_id=number, slug=item.code, name=item.title, address=item.street,
                    lat=item.latitude, lon=item.longitude)
              for number, item in enumerate(listings, 1)
              if item.latitude is not None and item.longitude is not None]
    if not places:
        return None
    layout = plan_layout(office_start(), places, [])
    # The numbers follow the list, not the order of the located ones.
    numbers = [place.station_id for place in places]
    stops = [PlanPoint(x=point.x, y=point.y, label=str(number), name=point.name)
             for point, number in zip(layout.stops, numbers, strict=True)]
    return Plan(width=layout.width, height=layout.height, start=layout.start, stops=stops,
                stamped=[], line="")


# Two offers (or an offer and staff) at the same moment may compute the same code.
CODE_ATTEMPTS = 20


def next_code(now: datetime) -> str:
    """The next free listing code of the local year: "L-2026-04" (offers and staff's
    listings share the series)."""
    prefix = f"L-{local(now).year}-"
    codes = db.session.scalars(select(Listing.code).where(Listing.code.startswith(prefix)))
    numbers = [int(code[len(prefix):]) for code in codes if code[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


def add_with_free_code(listing: Listing, now: datetime) -> None:
    """Add ``listing`` under the year's next free code; a code taken at the same moment
    (by another offer or by staff) is retried in a savepoint."""
    for _attempt in range(CODE_ATTEMPTS):
        listing.code = next_code(now)
        try:
            with db.session.begin_nested():
                db.session.add(listing)
                db.session.flush()
        except IntegrityError:
            continue
        return
    db.session.rollback()
    raise EditError("code_taken")


def photo_for_url(code: str, photo_id: int, digest: str) -> tuple[Listing, ListingPhoto] | None:
    """The photo a listing photo URL names, with its listing, if the digest matches."""
    photo = db.session.get(ListingPhoto, photo_id)
    if photo is None or len(digest) != DIGEST_IN_URL or \
            not photo.image.sha256.startswith(digest):
        return None
    listing = db.session.get(Listing, photo.listing_id)
    if listing is None or listing.code != code:
        return None
    return listing, photo
