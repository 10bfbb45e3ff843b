"""The Leerstandsbörse in the back office: staff enter, edit, publish, confirm, retire and
reject listings, with their photos and floor plan; owners' offers wait here for review.

Every change is one write transaction with an audit event (``listing.*``); a refusal
(:class:`~app.services.editing.EditError`, field problems as ``InvalidInput``) leaves
nothing written. The owner's contact and the office's note are staff columns: the audit
log names changed fields, never their values.

Photos and the floor plan are in app.services.listing_media; freshness
(app.services.listing_freshness) reminds staff of listings nobody confirmed for 60 days.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from ..control_characters import has_control_characters
from ..db import begin_write
from ..extensions import db
from ..models import (
    LISTING_USES,
    RENT_MODELS,
    Listing,
    ListingUse,
)
from ..models.listings import FLOOR_MAX, FLOOR_MIN
from . import listing_matches
from .accounts import AccountError, normalise_email
from .editing import EditError, audit, existing, refuse
from .errors import Problem
from .listing_offers import POSTCODE_RE
from .listings import add_with_free_code

TITLE_MAX = 120
STREET_MAX = 120
DESCRIPTION_MAX = 6000
NOTE_MAX = 4000
NAME_MAX = 100
PHONE_MAX = 40
PHONE_RE = re.compile(r"\+?[0-9 ()/.-]{3,40}")
AREA_MAX = 100_000  # m²: a typing slip beyond this
FRONTAGE_MAX = 200.0  # m
MONEY_MAX = 100_000_000  # cent: a million euros a month is a typing slip
MONTHS_MAX = 120
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


def current_input(listing: Listing) -> ListingInput:
    """The listing's values as an input, to check them as they stand."""
    values = {name: getattr(listing, name) for name in ListingInput.__dataclass_fields__
              if name != "uses"}
    return ListingInput(**values, uses=tuple(row.use for row in listing.uses))


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
    listing = Listing(status="draft", source="office", created_at=now, updated_at=now,
                      confirmed_at=now)
    _apply(listing, values, email)
    add_with_free_code(listing, now)
    audit(now, actor_id, "listing.create", listing.code)
    db.session.commit()
    return listing


def locked(listing_id: int) -> Listing:
    """The listing, its row locked for this transaction (PostgreSQL), or refuse."""
    listing = existing(Listing, listing_id, "unknown_listing")
    db.session.refresh(listing, with_for_update=True)
    return listing


def update_listing(*, listing_id: int, values: ListingInput, now: datetime,
                   actor_id: int | None) -> Listing:
    """Save an edit (code, status and source stay). Audited as ``listing.edit`` with the
    names of the changed fields (never their values)."""
    begin_write()
    listing = locked(listing_id)
    problems, email = check_listing(values)
    if problems:
        refuse(problems)
    before = _snapshot(listing)
    _apply(listing, values, email)
    after = _snapshot(listing)
    changed = sorted(name for name, value in before.items() if after[name] != value)
    listing.updated_at = now
    db.session.flush()
    # An edit may make a published listing fit profiles it did not fit before.
    matches = listing_matches.notify_for_listing(listing, now)
    audit(now, actor_id, "listing.edit", listing.code, fields=changed, matches=matches)
    db.session.commit()
    return listing


def publish(*, listing_id: int, now: datetime, actor_id: int | None) -> Listing:
    """Put a draft, an owner's offer or a retired listing online, if it passes the
    checks of :func:`check_listing` (``incomplete`` otherwise). Publishing confirms it
    is free (``confirmed_at``), clears a reminder, and tells staff of the search profiles
    it fits (app.services.listing_matches). Audited as ``listing.publish``."""
    begin_write()
    listing = locked(listing_id)
    if listing.status == "published":
        db.session.rollback()
        raise EditError("already_published")
    if listing.status == "rejected":
        db.session.rollback()
        raise EditError("rejected")
    problems, _email = check_listing(current_input(listing))
    if problems:  # an owner's offer not yet completed by staff, say without uses
        db.session.rollback()
        raise EditError("incomplete", fields=sorted({p.field for p in problems}))
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
    listing = locked(listing_id)
    if listing.status != "published":
        db.session.rollback()
        raise EditError("not_published")
    listing.confirmed_at = now
    listing.reminded_at = None
    listing.updated_at = now
    db.session.flush()
    # Back in public after being hidden, it meets the profiles saved meanwhile.
    matches = listing_matches.notify_for_listing(listing, now)
    audit(now, actor_id, "listing.confirm", listing.code, matches=matches)
    db.session.commit()
    return listing


def retire(*, listing_id: int, now: datetime, actor_id: int | None) -> Listing:
    """Take a listing off the site (let, or withdrawn). Audited as ``listing.retire``."""
    begin_write()
    listing = locked(listing_id)
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
    listing = locked(listing_id)
    if listing.status != "submitted":
        db.session.rollback()
        raise EditError("not_submitted")
    listing.status = "rejected"
    listing.updated_at = now
    audit(now, actor_id, "listing.reject", listing.code)
    db.session.commit()
    return listing
