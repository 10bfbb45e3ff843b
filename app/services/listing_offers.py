"""Owners offer an empty space through the public form.

The offer becomes a :class:`Listing` with status "submitted" and source "owner": nothing
of it is public before staff review and publish it (app.services.listing_admin), and the
owner's contact stays a staff column. The office gets a mail, the owner a confirmation;
both are queued in the transaction that stores the offer, and nothing is written when the
input is refused.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _

from ..control_characters import has_control_characters
from ..db import begin_write
from ..extensions import db
from ..models import LISTING_USES, Listing, ListingUse
from ..models.listings import FLOOR_MAX, FLOOR_MIN
from .accounts import AccountError, normalise_email
from .editing import audit, refuse
from .errors import Problem
from .inquiries import NAME_MAX, phone_looks_right, recipient
from .listings import FLOOR_LABELS, USE_LABELS, add_with_free_code, money
from .mail import queue_mail

TITLE_MAX = 120
STREET_MAX = 120
POSTCODE_MAX = 10
POSTCODE_RE = re.compile(r"[0-9]{5}")  # German postcodes
DESCRIPTION_MAX = 3000
AREA_MAX = 10_000  # m²
FRONTAGE_MAX = 100.0  # m
MONEY_MAX = 100_000_000  # cent a month: a million euros


@dataclass(frozen=True)
class OfferInput:
    """An owner's offer as typed (texts trimmed by the form; money in cent)."""

    title: str
    street: str
    postcode: str
    area_m2: int | None
    floor: int
    owner_name: str
    owner_email: str
    consent: bool
    frontage_m: float | None = None
    rent_cents: int | None = None
    service_charge_cents: int | None = None
    available_from: date | None = None
    temporary_use: bool = False
    uses: tuple[str, ...] = field(default_factory=tuple)
    description: str = ""
    owner_phone: str = ""


def check_contact(*, name: str, email: str, phone: str, consent: bool,
                  prefix: str = "") -> tuple[list[Problem], str, str, str]:
    """The problems of a person's contact, and name, address and phone cleaned.

    Field names get ``prefix`` ("owner_" for an offer)."""
    problems: list[Problem] = []
    clean_name = " ".join(name.split())
    if any(has_control_characters(value) for value in (name, email, phone)):
        problems.append(Problem(prefix + "name", "control_characters"))
    if not clean_name or len(clean_name) > NAME_MAX:
        problems.append(Problem(prefix + "name", "bad_name", {"max": NAME_MAX}))
    address = ""
    try:
        address = normalise_email(email)
    except AccountError:
        problems.append(Problem(prefix + "email", "bad_email"))
    clean_phone = " ".join(phone.split())
    if clean_phone and not phone_looks_right(clean_phone):
        problems.append(Problem(prefix + "phone", "bad_phone"))
    if not consent:
        problems.append(Problem("consent", "consent_missing"))
    return problems, clean_name, address, clean_phone


def check_offer(values: OfferInput) -> tuple[list[Problem], str, str, str]:
    """The problems of ``values`` and the owner's name, address and phone cleaned."""
    problems: list[Problem] = []
    for name in ("title", "street", "postcode"):
        if has_control_characters(getattr(values, name)):
            problems.append(Problem(name, "control_characters"))
    if has_control_characters(values.description, multiline=True):
        problems.append(Problem("description", "control_characters"))
    for name, limit in (("title", TITLE_MAX), ("street", STREET_MAX)):
        if not getattr(values, name) or len(getattr(values, name)) > limit:
            problems.append(Problem(name, "bad_" + name, {"max": limit}))
    if len(values.postcode) > POSTCODE_MAX:
        problems.append(Problem("postcode", "too_long", {"max": POSTCODE_MAX}))
    elif values.postcode and not POSTCODE_RE.fullmatch(values.postcode):
        # The office's check (listing_admin) too: an offer it would refuse to publish.
        problems.append(Problem("postcode", "bad_postcode"))
    if values.area_m2 is None or not 0 < values.area_m2 <= AREA_MAX:
        problems.append(Problem("area_m2", "bad_area", {"max": AREA_MAX}))
    if values.frontage_m is not None and not 0 < values.frontage_m <= FRONTAGE_MAX:
        problems.append(Problem("frontage_m", "bad_frontage"))
    if not FLOOR_MIN <= values.floor <= FLOOR_MAX:
        problems.append(Problem("floor", "unknown_choice"))
    for name in ("rent_cents", "service_charge_cents"):
        amount = getattr(values, name)
        if amount is not None and not 0 <= amount <= MONEY_MAX:
            problems.append(Problem(name, "bad_money"))
    if any(use not in LISTING_USES for use in values.uses):
        problems.append(Problem("uses", "unknown_choice"))
    if len(values.description) > DESCRIPTION_MAX:
        problems.append(Problem("description", "too_long", {"max": DESCRIPTION_MAX}))
    contact, name, email, phone = check_contact(
        name=values.owner_name, email=values.owner_email, phone=values.owner_phone,
        consent=values.consent, prefix="owner_")
    return problems + contact, name, email, phone


def submit_offer(*, values: OfferInput, now: datetime) -> Listing:
    """Store an owner's offer (status "submitted", source "owner", consent at ``now``)
    and queue the office's mail and the owner's confirmation; raise
    :class:`~app.services.editing.InvalidInput` and write nothing on bad input. Audited
    as ``listing.offer``."""
    problems, name, email, phone = check_offer(values)
    if problems:
        refuse(problems)
    begin_write()
    listing = Listing(
        title=values.title, street=values.street,
        postcode=values.postcode, area_m2=values.area_m2, frontage_m=values.frontage_m,
        floor=values.floor, rent_cents=values.rent_cents,
        service_charge_cents=values.service_charge_cents,
        available_from=values.available_from, temporary_use=values.temporary_use,
        rent_model="market", description=values.description.replace("\r\n", "\n"),
        status="submitted", source="owner", owner_name=name, owner_email=email,
        owner_phone=phone, owner_consent_at=now, confirmed_at=now, created_at=now,
        updated_at=now, uses=[ListingUse(use=use) for use in sorted(set(values.uses))])
    add_with_free_code(listing, now)
    audit(now, None, "listing.offer", listing.code)
    base = str(current_app.config["BASE_URL"])
    context = {"listing": listing, "uses": [USE_LABELS[item.use] for item in listing.uses],
               "floor": FLOOR_LABELS[listing.floor],
               "rent": money(listing.rent_cents) if listing.rent_cents is not None else "",
               "service_charge": money(listing.service_charge_cents)
               if listing.service_charge_cents is not None else "",
               "desk_link": f"{base}/buero/leerstand"}
    queue_mail(kind="listing_offer_office", to=recipient(),
               subject=f"Neues Raumangebot {listing.code}: {listing.title}",
               template="listing_offer_office", context=context, now=now, language="de")
    queue_mail(kind="listing_offer_received", to=email,
               subject=_("Ihr Raumangebot %(code)s", code=listing.code),
               template="listing_offer_received", context=context, now=now)
    db.session.commit()
    return listing
