"""Founders' search profiles in the back office: the active ones with the listings they
were matched with (ListingMatch), and closing a profile once it is done.

The profiles come in through the public form (app.services.listing_matches tells staff of
each new match); here staff only read them and close them. Closing is audited without
the founder's contact.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..db import begin_write
from ..extensions import db
from ..models import Listing, ListingMatch, SearchProfile
from .editing import EditError, audit, existing


@dataclass(frozen=True)
class ProfileMatches:
    """A profile and the listings it was matched with, newest match first."""

    profile: SearchProfile
    matches: list[tuple[Listing, datetime]]


def profiles_with_matches(status: str = "active") -> list[ProfileMatches]:
    """The profiles of ``status`` (newest first), each with its matched listings."""
    profiles = list(db.session.scalars(
        select(SearchProfile).where(SearchProfile.status == status)
        .options(selectinload(SearchProfile.uses))
        .order_by(SearchProfile.created_at.desc(), SearchProfile.id.desc())))
    found: dict[int, list[tuple[Listing, datetime]]] = {p.id: [] for p in profiles}
    if profiles:
        rows = db.session.execute(
            select(ListingMatch.profile_id, Listing, ListingMatch.notified_at)
            .join(Listing, Listing.id == ListingMatch.listing_id)
            .where(ListingMatch.profile_id.in_(list(found)))
            .order_by(ListingMatch.notified_at.desc(), Listing.code))
        for profile_id, listing, notified_at in rows:
            found[profile_id].append((listing, notified_at))
    return [ProfileMatches(profile, found[profile.id]) for profile in profiles]


def close_profile(*, profile_id: int, now: datetime, actor_id: int | None) -> SearchProfile:
    """Close an active profile (the founder found a space or withdrew): no more
    matches. Audited as ``search_profile.close``."""
    begin_write()
    profile = existing(SearchProfile, profile_id, "unknown_search_profile")
    db.session.refresh(profile, with_for_update=True)
    if profile.status != "active":
        db.session.rollback()
        raise EditError("already_closed")
    profile.status = "closed"
    profile.closed_at = now
    audit(now, actor_id, "search_profile.close", f"Suchprofil {profile.id}")
    db.session.commit()
    return profile
