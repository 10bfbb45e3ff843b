"""The Leerstandsbörse in the back office: staff enter, edit, publish, confirm, retire and
reject listings, with their photos and floor plan; owners' offers wait here for review.

Every change is one write transaction with an audit event (``listing.*``); a refusal
(:class:`~app.services.editing.EditError`, field problems as ``InvalidInput``) leaves
nothing written. The owner's contact and the office's note are staff columns: the audit
log names changed fields, never their values.

The photos go through app.services.images (type checked by content, size and pixel
limits, metadata stripped); a floor plan must be a PDF that pypdf can open and that is
not encrypted. Freshness (app.services.listing_freshness) reminds staff of listings
nobody confirmed for 60 days.
"""

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..clock import local
from ..control_characters import has_control_characters
from ..db import begin_write
from ..extensions import db
from ..models import (
    LISTING_USES,
    RENT_MODELS,
    Listing,
    ListingPhoto,
    ListingUse,
)
from ..models.listings import FLOOR_MAX, FLOOR_MIN
from . import listing_matches
from .accounts import AccountError, normalise_email
from .editing import EditError, audit, existing, refuse
from .errors import Problem
from .images import ImageError, store_picture

TITLE_MAX = 120
STREET_MAX = 120
POSTCODE_RE = re.compile(r"\d{5}")
DESCRIPTION_MAX = 6000
NOTE_MAX = 4000
NAME_MAX = 100
PHONE_MAX = 40
PHONE_RE = re.compile(r"\+?[0-9 ()/.-]{3,40}")
ALT_MAX = 200
AREA_MAX = 100_000  # m²: a typing slip beyond this
FRONTAGE_MAX = 200.0  # m
MONEY_MAX = 100_000_000  # cent: a million euros a month is a typing slip
MONTHS_MAX = 120
PHOTOS_MAX = 8
FLOOR_PLAN_MAX_BYTES = 5 * 1024 * 1024
FLOOR_PLAN_PAGES_MAX = 20
FLOOR_PLAN_NAME_MAX = 120
CODE_RE = re.compile(r"L-\d{4}-\d{2,4}")


@dataclass(frozen=True)
class ListingInput:
    """A listing as typed in the back office (texts trimmed, numbers parsed; money in
    cent, ``None`` for "auf Anfrage"; coordinates both or none)."""

    title: str
    street: str
    area_m2: int | None
    postcode: str = ""
    latitude: float | None = None
    longitude: float | None = None
    frontage_m: float | None = None
    floor: int = 0
    rent_cents: int | None = None
    service_charge_cents: int | None = None
    available_from: date | None = None
    temporary_use: bool = False
    temporary_min_months: int | None = None
    temporary_max_months: int | None = None
    rent_model: str = "market"
    uses: tuple[str, ...] = field(default_factory=tuple)
    description: str = ""
    internal_note: str = ""
    owner_name: str = ""
    owner_email: str = ""
    owner_phone: str = ""


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def staff_listings(status: str | None = None) -> list[Listing]:
    """Every listing for the back office (or those of one ``status``): owners' offers
    waiting for review first, then drafts, published, retired and rejected."""
    order = {"submitted": 0, "draft": 1, "published": 2, "retired": 3, "rejected": 4}
    query = select(Listing)
    if status:
        query = query.where(Listing.status == status)
    rows = db.session.scalars(query.order_by(Listing.code))
    return sorted(rows, key=lambda row: (order.get(row.status, 5), row.code))


def status_counts() -> dict[str, int]:
    """How many listings each status has."""
    return {status: count for status, count in db.session.execute(
        select(Listing.status, func.count()).group_by(Listing.status))}


def next_code(now: datetime) -> str:
    """The next free code of the local year: "L-2026-03"."""
    prefix = f"L-{local(now).year}-"
    codes = db.session.scalars(select(Listing.code).where(Listing.code.startswith(prefix)))
    numbers = [int(code[len(prefix):]) for code in codes if code[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


def floor_plan_of(listing: Listing) -> bytes | None:
    """The listing's floor plan PDF (loaded on demand: the column is deferred)."""
    return listing.floor_plan


# ---------------------------------------------------------------------------
# Checking
# ---------------------------------------------------------------------------


def check_listing(values: ListingInput) -> tuple[list[Problem], str]:
    """The problems of ``values`` and the owner's address normalised."""
    problems: list[Problem] = []
    for name in ("title", "street", "postcode", "description", "internal_note",
                 "owner_name", "owner_email", "owner_phone"):
        if has_control_characters(getattr(values, name),
                                  multiline=name in ("description", "internal_note")):
            problems.append(Problem(name, "control_characters"))
    if not values.title or len(values.title) > TITLE_MAX:
        problems.append(Problem("title", "bad_title", {"max": TITLE_MAX}))
    if not values.street or len(values.street) > STREET_MAX:
        problems.append(Problem("street", "bad_street", {"max": STREET_MAX}))
    if values.postcode and not POSTCODE_RE.fullmatch(values.postcode):
        problems.append(Problem("postcode", "bad_postcode"))
    if (values.latitude is None) != (values.longitude is None):
        problems.append(Problem("latitude" if values.latitude is None else "longitude",
                                "point_incomplete"))
    if values.latitude is not None and not -90 <= values.latitude <= 90:
        problems.append(Problem("latitude", "bad_latitude"))
    if values.longitude is not None and not -180 <= values.longitude <= 180:
        problems.append(Problem("longitude", "bad_longitude"))
    if values.area_m2 is None:
        problems.append(Problem("area_m2", "missing_area"))
    elif not 0 < values.area_m2 <= AREA_MAX:
        problems.append(Problem("area_m2", "bad_area", {"max": AREA_MAX}))
    if values.frontage_m is not None and not 0 < values.frontage_m <= FRONTAGE_MAX:
        problems.append(Problem("frontage_m", "bad_frontage"))
    if not FLOOR_MIN <= values.floor <= FLOOR_MAX:
        problems.append(Problem("floor", "unknown_choice"))
    for name in ("rent_cents", "service_charge_cents"):
        amount = getattr(values, name)
        if amount is not None and not 0 <= amount <= MONEY_MAX:
            problems.append(Problem(name, "bad_money"))
    if values.rent_model not in RENT_MODELS:
        problems.append(Problem("rent_model", "unknown_choice"))
    problems += _check_temporary(values)
    if not values.uses:
        problems.append(Problem("uses", "missing_uses"))
    elif any(use not in LISTING_USES for use in values.uses):
        problems.append(Problem("uses", "unknown_choice"))
    for name, limit in (("description", DESCRIPTION_MAX), ("internal_note", NOTE_MAX),
                        ("owner_name", NAME_MAX)):
        if len(getattr(values, name)) > limit:
            problems.append(Problem(name, "too_long", {"max": limit}))
    email = ""
    if values.owner_email:
        try:
            email = normalise_email(values.owner_email)
        except AccountError:
            problems.append(Problem("owner_email", "bad_email"))
    if values.owner_phone and not PHONE_RE.fullmatch(values.owner_phone):
        problems.append(Problem("owner_phone", "bad_phone"))
    return problems, email


def _check_temporary(values: ListingInput) -> list[Problem]:
    """A temporary use's durations: whole months, the minimum not above the maximum."""
    problems: list[Problem] = []
    for name in ("temporary_min_months", "temporary_max_months"):
        months = getattr(values, name)
        if months is not None and not 0 < months <= MONTHS_MAX:
            problems.append(Problem(name, "bad_months", {"max": MONTHS_MAX}))
    low, high = values.temporary_min_months, values.temporary_max_months
    if low is not None and high is not None and 0 < low <= MONTHS_MAX and high < low:
        problems.append(Problem("temporary_max_months", "months_reversed"))
    if not values.temporary_use and (low is not None or high is not None):
        problems.append(Problem("temporary_use", "months_without_temporary_use"))
    if values.rent_model == "programme" and not values.temporary_use:
        problems.append(Problem("rent_model", "programme_is_temporary"))
    return problems


def _apply(listing: Listing, values: ListingInput, email: str) -> None:
    for name in ("title", "street", "postcode", "latitude", "longitude", "area_m2",
                 "frontage_m", "floor", "rent_cents", "service_charge_cents",
                 "available_from", "temporary_use", "temporary_min_months",
                 "temporary_max_months", "rent_model", "description", "internal_note",
                 "owner_name", "owner_phone"):
        setattr(listing, name, getattr(values, name))
    listing.owner_email = email
    wanted = sorted(set(values.uses))
    if [row.use for row in listing.uses] != wanted:
        listing.uses = [ListingUse(use=use) for use in wanted]


def _snapshot(listing: Listing) -> dict[str, object]:
    values: dict[str, object] = {name: getattr(listing, name)
                                 for name in ListingInput.__dataclass_fields__
                                 if name != "uses"}
    values["uses"] = sorted(row.use for row in listing.uses)
    return values


# ---------------------------------------------------------------------------
# Staff edits
# ---------------------------------------------------------------------------


def create_listing(*, values: ListingInput, now: datetime, actor_id: int | None) -> Listing:
    """A new draft with the year's next code. Audited as ``listing.create``."""
    begin_write()
    problems, email = check_listing(values)
    if problems:
        refuse(problems)
    listing = Listing(code=next_code(now), status="draft", source="office", created_at=now,
                      updated_at=now, confirmed_at=now)
    _apply(listing, values, email)
    db.session.add(listing)
    try:
        db.session.flush()
    except IntegrityError as error:  # two new listings at the same moment took the code
        db.session.rollback()
        raise EditError("code_taken") from error
    audit(now, actor_id, "listing.create", listing.code)
    db.session.commit()
    return listing


def _locked(listing_id: int) -> Listing:
    """The listing, its row locked for this transaction (PostgreSQL), or refuse."""
    listing = existing(Listing, listing_id, "unknown_listing")
    db.session.refresh(listing, with_for_update=True)
    return listing


def update_listing(*, listing_id: int, values: ListingInput, now: datetime,
                   actor_id: int | None) -> Listing:
    """Save an edit (code, status and source stay). Audited as ``listing.edit`` with the
    names of the changed fields (never their values)."""
    begin_write()
    listing = _locked(listing_id)
    problems, email = check_listing(values)
    if problems:
        refuse(problems)
    before = _snapshot(listing)
    _apply(listing, values, email)
    after = _snapshot(listing)
    changed = sorted(name for name, value in before.items() if after[name] != value)
    listing.updated_at = now
    audit(now, actor_id, "listing.edit", listing.code, fields=changed)
    db.session.commit()
    return listing


def publish(*, listing_id: int, now: datetime, actor_id: int | None) -> Listing:
    """Put a draft, an owner's offer or a retired listing online. Publishing confirms it
    is free (``confirmed_at``), clears a reminder, and tells staff of the search profiles
    it fits (app.services.listing_matches). Audited as ``listing.publish``."""
    begin_write()
    listing = _locked(listing_id)
    if listing.status == "published":
        db.session.rollback()
        raise EditError("already_published")
    if listing.status == "rejected":
        db.session.rollback()
        raise EditError("rejected")
    listing.status = "published"
    listing.published_at = now
    listing.retired_at = None
    listing.confirmed_at = now
    listing.reminded_at = None
    listing.updated_at = now
    db.session.flush()
    matches = listing_matches.notify_for_listing(listing, now)
    audit(now, actor_id, "listing.publish", listing.code, matches=matches)
    db.session.commit()
    return listing


def confirm(*, listing_id: int, now: datetime, actor_id: int | None) -> Listing:
    """Staff checked the space is still free ("noch frei"): the freshness clock starts
    again and the next reminder comes 60 days from now. Audited as ``listing.confirm``."""
    begin_write()
    listing = _locked(listing_id)
    if listing.status != "published":
        db.session.rollback()
        raise EditError("not_published")
    listing.confirmed_at = now
    listing.reminded_at = None
    listing.updated_at = now
    audit(now, actor_id, "listing.confirm", listing.code)
    db.session.commit()
    return listing


def retire(*, listing_id: int, now: datetime, actor_id: int | None) -> Listing:
    """Take a listing off the site (let, or withdrawn). Audited as ``listing.retire``."""
    begin_write()
    listing = _locked(listing_id)
    if listing.status not in ("published", "draft"):
        db.session.rollback()
        raise EditError("not_retirable")
    listing.status = "retired"
    listing.retired_at = now
    listing.updated_at = now
    audit(now, actor_id, "listing.retire", listing.code)
    db.session.commit()
    return listing


def reject(*, listing_id: int, now: datetime, actor_id: int | None) -> Listing:
    """Decline an owner's offer: it never becomes public. Audited as ``listing.reject``."""
    begin_write()
    listing = _locked(listing_id)
    if listing.status != "submitted":
        db.session.rollback()
        raise EditError("not_submitted")
    listing.status = "rejected"
    listing.updated_at = now
    audit(now, actor_id, "listing.reject", listing.code)
    db.session.commit()
    return listing


# ---------------------------------------------------------------------------
# Photos
# ---------------------------------------------------------------------------


def add_photo(*, listing_id: int, data: bytes, alt: str, now: datetime,
              actor_id: int | None) -> ListingPhoto:
    """Add a photo at the end (cleaned by app.services.images), with its required alt
    text; at most ``PHOTOS_MAX``. Audited as ``listing.photo_add``."""
    begin_write()
    listing = _locked(listing_id)
    problems: list[Problem] = []
    alt = " ".join(alt.split())
    if not alt:
        problems.append(Problem("alt", "missing_alt"))
    elif len(alt) > ALT_MAX:
        problems.append(Problem("alt", "too_long", {"max": ALT_MAX}))
    elif has_control_characters(alt):
        problems.append(Problem("alt", "control_characters"))
    if len(listing.photos) >= PHOTOS_MAX:
        problems.append(Problem("photo", "too_many_photos", {"max": PHOTOS_MAX}))
    if problems:
        refuse(problems)
    try:
        image = store_picture(data)
    except ImageError as error:
        refuse([Problem("photo", error.code, dict(error.context))])
    position = max((photo.position for photo in listing.photos), default=-1) + 1
    photo = ListingPhoto(listing_id=listing.id, image_id=image.id, alt=alt, position=position)
    db.session.add(photo)
    listing.updated_at = now
    db.session.flush()
    audit(now, actor_id, "listing.photo_add", listing.code, photo=photo.id)
    db.session.commit()
    return photo


def _photo_of(listing: Listing, photo_id: int) -> ListingPhoto:
    photo = next((row for row in listing.photos if row.id == photo_id), None)
    if photo is None:
        db.session.rollback()
        raise EditError("unknown_photo")
    return photo


def update_photo_alt(*, listing_id: int, photo_id: int, alt: str, now: datetime,
                     actor_id: int | None) -> ListingPhoto:
    """Change a photo's alt text. Audited as ``listing.photo_alt``."""
    begin_write()
    listing = _locked(listing_id)
    photo = _photo_of(listing, photo_id)
    alt = " ".join(alt.split())
    if not alt:
        refuse([Problem("alt", "missing_alt")])
    if len(alt) > ALT_MAX or has_control_characters(alt):
        refuse([Problem("alt", "too_long", {"max": ALT_MAX})])
    photo.alt = alt
    listing.updated_at = now
    audit(now, actor_id, "listing.photo_alt", listing.code, photo=photo.id)
    db.session.commit()
    return photo


def remove_photo(*, listing_id: int, photo_id: int, now: datetime,
                 actor_id: int | None) -> None:
    """Remove a photo (the stored picture stays: another row may share it by digest).
    Audited as ``listing.photo_remove``."""
    begin_write()
    listing = _locked(listing_id)
    photo = _photo_of(listing, photo_id)
    listing.photos.remove(photo)
    listing.updated_at = now
    audit(now, actor_id, "listing.photo_remove", listing.code, photo=photo_id)
    db.session.commit()


def move_photo(*, listing_id: int, photo_id: int, step: int, now: datetime,
               actor_id: int | None) -> None:
    """Move a photo one place earlier (``step`` -1) or later (+1); the first photo is the
    one the list shows. Audited as ``listing.photo_move``."""
    if step not in (-1, 1):
        raise EditError("bad_step")
    begin_write()
    listing = _locked(listing_id)
    photos = sorted(listing.photos, key=lambda row: row.position)
    photo = _photo_of(listing, photo_id)
    index = photos.index(photo)
    target = index + step
    if not 0 <= target < len(photos):
        db.session.rollback()
        raise EditError("cannot_move")
    photos[index], photos[target] = photos[target], photos[index]
    # UNIQUE(listing_id, position): park every position out of the way first, then set
    # the new order, so no intermediate state collides.
    db.session.execute(update(ListingPhoto).where(ListingPhoto.listing_id == listing.id)
                       .values(position=-1 - ListingPhoto.position)
                       .execution_options(synchronize_session=False))
    for position, row in enumerate(photos):
        db.session.execute(update(ListingPhoto).where(ListingPhoto.id == row.id)
                           .values(position=position)
                           .execution_options(synchronize_session=False))
    listing.updated_at = now
    audit(now, actor_id, "listing.photo_move", listing.code, photo=photo_id, step=step)
    db.session.commit()
    db.session.expire(listing, ["photos"])


# ---------------------------------------------------------------------------
# Floor plan
# ---------------------------------------------------------------------------


def check_floor_plan(data: bytes) -> int:
    """The number of pages of ``data`` if it is a PDF we accept; else raise
    ``EditError``: ``empty``, ``too_large``, ``not_a_pdf`` (by content, whatever the file
    is called), ``encrypted``, ``broken_pdf`` (cut off or damaged), ``too_many_pages``."""
    if not data:
        raise EditError("empty")
    if len(data) > FLOOR_PLAN_MAX_BYTES:
        raise EditError("too_large", max=FLOOR_PLAN_MAX_BYTES // (1024 * 1024))
    if not data.startswith(b"%PDF-"):
        raise EditError("not_a_pdf")
    try:
        # Lenient like a PDF viewer (real plans are often slightly sloppy), but every
        # page must be reachable: a cut-off or damaged file fails here.
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise EditError("encrypted")
        pages = len(reader.pages)
        if pages > FLOOR_PLAN_PAGES_MAX:
            raise EditError("too_many_pages", max=FLOOR_PLAN_PAGES_MAX)
        for page in reader.pages:
            page.mediabox  # noqa: B018  (every page must be readable)
    except EditError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            OSError) as error:
        raise EditError("broken_pdf") from error
    if pages < 1:
        raise EditError("broken_pdf")
    return pages


def plan_file_name(name: str) -> str:
    """A safe download name: letters, digits, ``-_.``; always ending in ``.pdf``."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    stem = stem.strip(".-")[: FLOOR_PLAN_NAME_MAX - 4]
    if stem.lower().endswith(".pdf"):
        stem = stem[:-4]
    return (stem or "grundriss") + ".pdf"


def set_floor_plan(*, listing_id: int, data: bytes, filename: str, now: datetime,
                   actor_id: int | None) -> int:
    """Store (or replace) the listing's floor plan after :func:`check_floor_plan`; return
    its page count. Audited as ``listing.floor_plan``."""
    pages = check_floor_plan(data)
    begin_write()
    listing = _locked(listing_id)
    listing.floor_plan = data
    listing.floor_plan_name = plan_file_name(filename)
    listing.updated_at = now
    audit(now, actor_id, "listing.floor_plan", listing.code, pages=pages, size=len(data))
    db.session.commit()
    return pages


def remove_floor_plan(*, listing_id: int, now: datetime, actor_id: int | None) -> None:
    """Remove the floor plan. Audited as ``listing.floor_plan_remove``."""
    begin_write()
    listing = _locked(listing_id)
    if not listing.floor_plan_name:
        db.session.rollback()
        raise EditError("no_floor_plan")
    listing.floor_plan = None
    listing.floor_plan_name = ""
    listing.updated_at = now
    audit(now, actor_id, "listing.floor_plan_remove", listing.code)
    db.session.commit()
