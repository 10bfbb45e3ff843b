"""Telling staff when a public listing fits a founder's search profile.

A listing fits a profile by size and use: its area lies within the profile's "from" and
"to" (either may be open), and it suits one of the profile's uses (a profile without
uses takes any). What the profile states beyond that is honoured too: "temporary use
only" needs a listing open to it, and a maximum rent excludes a listing whose stated rent
is higher ("Miete auf Anfrage" may still fit).

Staff are told once per pair, whichever of publishing the listing and saving the profile
comes first: the pair's row in ``listing_matches`` is inserted with ON CONFLICT DO
NOTHING, so two calls at the same moment insert one row and queue one mail. Both
functions work in the caller's open transaction; the caller commits.
"""

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Listing, ListingMatch, SearchProfile
from .inquiries import recipient
from .listings import USE_LABELS, is_public, money, public_view, published
from .mail import queue_mail

INSERT: dict[str, Any] = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


def fits(listing: Listing, profile: SearchProfile) -> bool:
    """Whether ``listing`` fits ``profile`` (see the module's docstring)."""
    if profile.min_area_m2 is not None and listing.area_m2 < profile.min_area_m2:
        return False
    if profile.max_area_m2 is not None and listing.area_m2 > profile.max_area_m2:
        return False
    wanted = {item.use for item in profile.uses}
    if wanted and not wanted & {item.use for item in listing.uses}:
        return False
    if profile.temporary_only and not listing.temporary_use:
        return False
    return not (profile.max_rent_cents is not None and listing.rent_cents is not None
                and listing.rent_cents > profile.max_rent_cents)


def _insert_pair(listing: Listing, profile: SearchProfile, now: datetime) -> bool:
    """Record the pair unless it is known; whether it is new.

    RETURNING yields the key only for a new row (rowcount is not reliable for ON CONFLICT
    across drivers)."""
    insert = INSERT[db.engine.dialect.name]
    statement = (insert(ListingMatch)
                 .values(listing_id=listing.id, profile_id=profile.id, notified_at=now)
                 .on_conflict_do_nothing(index_elements=["listing_id", "profile_id"])
                 .returning(ListingMatch.listing_id))
    return db.session.execute(statement).scalar() is not None


def _tell_staff(listing: Listing, profile: SearchProfile, now: datetime) -> None:
    base = str(current_app.config["BASE_URL"])
    queue_mail(kind="listing_match", to=recipient(),
               subject=f"Suchprofil passt zu {listing.code}", language="de",
               template="listing_match",
               context={"listing": public_view(listing), "profile": profile,
                        "uses": [USE_LABELS[item.use] for item in profile.uses],
                        "max_rent": money(profile.max_rent_cents)
                        if profile.max_rent_cents is not None else "",
                        "public_link": f"{base}/leerstand/{listing.code}",
                        "desk_link": f"{base}/buero/suchprofile"},
               now=now)


def _notify(pairs: list[tuple[Listing, SearchProfile]], now: datetime) -> int:
    new = 0
    for listing, profile in pairs:
        if fits(listing, profile) and _insert_pair(listing, profile, now):
            _tell_staff(listing, profile, now)
            new += 1
    return new


def notify_for_listing(listing: Listing, now: datetime) -> int:
    """Record and mail staff every new pair of ``listing`` (if public at ``now``) with an
    active profile it fits; the number of new pairs. Call it when a listing is published
    (or confirmed again), before committing."""
    if not is_public(listing, now):
        return 0
    profiles = db.session.scalars(
        select(SearchProfile).where(SearchProfile.status == "active")
        .options(selectinload(SearchProfile.uses)).order_by(SearchProfile.id))
    return _notify([(listing, profile) for profile in profiles], now)


def notify_for_profile(profile: SearchProfile, now: datetime) -> int:
    """Record and mail staff every new pair of ``profile`` (if active) with a public
    listing it fits; the number of new pairs. Call it when a profile is saved, before
    committing."""
    if profile.status != "active":
        return 0
    return _notify([(listing, profile) for listing in published(now)], now)
