"""Matching of listings and search profiles: by size and use (no uses take any), with
"temporary only" and the maximum rent honoured; staff told once per pair, even when both
sides call at once."""

from dataclasses import replace
from datetime import UTC, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.db import begin_write
from app.extensions import db
from app.models import (
    AuditEvent,
    Listing,
    ListingMatch,
    ListingUse,
    OutboxMail,
    SearchProfile,
    SearchProfileUse,
)
from app.services import listing_admin, listing_matches, mail
from app.services.inquiries import recipient

from .helpers import FIRST_DAY
from .smtp import Mailbox
from .test_concurrency import all_at_once

pytestmark = pytest.mark.usefixtures("freeze")

NOW = FIRST_DAY.astimezone(UTC)
YEAR = FIRST_DAY.year


def listing(number: int, *, area: int = 80, uses: tuple[str, ...] = ("retail",),
            status: str = "published", temporary: bool = False, rent: int | None = 50000,
            confirmed_days_ago: int = 0) -> Listing:
    confirmed = NOW - timedelta(days=confirmed_days_ago)
    row = Listing(code=f"L-{YEAR}-{number:02d}", title=f"Raum {number}",
                  street="Ewaldstraße 1", area_m2=area, status=status,
                  published_at=confirmed if status == "published" else None,
                  retired_at=NOW if status == "retired" else None,
                  temporary_use=temporary, rent_cents=rent, confirmed_at=confirmed,
                  owner_email="olga.geheim@example.org",
                  uses=[ListingUse(use=use) for use in uses])
    db.session.add(row)
    db.session.commit()
    return row


def profile(*, low: int | None = None, high: int | None = None,
            uses: tuple[str, ...] = (), status: str = "active", temporary: bool = False,
            max_rent: int | None = None, email: str = "lea@example.org") -> SearchProfile:
    row = SearchProfile(name="Lea Gründerin", email=email, min_area_m2=low,
                        max_area_m2=high, uses=[SearchProfileUse(use=use) for use in uses],
                        status=status, temporary_only=temporary, max_rent_cents=max_rent,
                        consent_at=NOW, created_at=NOW,
                        closed_at=NOW if status == "closed" else None)
    db.session.add(row)
    db.session.commit()
    return row


def pairs() -> list[tuple[int, int]]:
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(  # type: ignore[misc]
        select(ListingMatch.listing_id, ListingMatch.profile_id)
        .order_by(ListingMatch.listing_id, ListingMatch.profile_id))]


def match_mails() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.kind == "listing_match")) or 0


@pytest.mark.parametrize(("listing_args", "profile_args", "fits"), [
    ({"area": 80}, {"low": 50, "high": 100}, True),
    ({"area": 50}, {"low": 50, "high": 100}, True),  # bounds included
    ({"area": 100}, {"low": 50, "high": 100}, True),
    ({"area": 49}, {"low": 50}, False),
    ({"area": 101}, {"high": 100}, False),
    ({"area": 5000}, {}, True),  # no size: any size
    ({"uses": ("retail", "popup")}, {"uses": ("popup",)}, True),
    ({"uses": ("office",)}, {"uses": ("retail", "food")}, False),
    ({"uses": ("office",)}, {"uses": ()}, True),  # no uses: any use
    ({"uses": ()}, {"uses": ("retail",)}, False),
    ({"temporary": False}, {"temporary": True}, False),
    ({"temporary": True}, {"temporary": True}, True),
    ({"rent": 90000}, {"max_rent": 80000}, False),
    ({"rent": None}, {"max_rent": 80000}, True),  # "auf Anfrage" may fit
    ({"rent": 80000}, {"max_rent": 80000}, True),
])
def test_what_fits(app: Flask, listing_args: dict[str, object],
                   profile_args: dict[str, object], fits: bool) -> None:
    space = listing(1, **listing_args)  # type: ignore[arg-type]
    wanted = profile(**profile_args)  # type: ignore[arg-type]
    assert listing_matches.fits(space, wanted) is fits
    assert listing_matches.notify_for_profile(wanted, NOW) == int(fits)
    db.session.commit()
    assert pairs() == ([(space.id, wanted.id)] if fits else [])


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_staff_are_told_once_per_pair(app: Flask, mailbox: Mailbox) -> None:
    first, second = listing(1, area=60), listing(2, area=200)
    small = profile(high=100)
    anything = profile(email="ben@example.org")
    assert listing_matches.notify_for_listing(first, NOW) == 2
    db.session.commit()
    assert listing_matches.notify_for_listing(first, NOW) == 0  # again: nothing new
    assert listing_matches.notify_for_profile(small, NOW) == 0  # the pair is known
    assert listing_matches.notify_for_profile(anything, NOW) == 1  # the second listing
    db.session.commit()
    assert pairs() == [(first.id, small.id), (first.id, anything.id),
                       (second.id, anything.id)]
    mail.deliver(now=NOW)
    messages = mailbox.to(recipient())
    assert len(messages) == 3 == match_mails()
    text = Mailbox.text(messages[0])
    assert f"L-{YEAR}-01" in text and "Lea Gründerin" in text
    assert "E-Mail: lea@example.org" in text
    assert f"http://rallye.test/leerstand/L-{YEAR}-01" in text
    assert "olga.geheim@example.org" not in text  # the owner is not in it


@pytest.mark.parametrize(("status", "days"), [
    ("draft", 0), ("submitted", 0), ("retired", 0), ("rejected", 0), ("published", 91)])
def test_listings_not_public_match_nothing(app: Flask, status: str, days: int) -> None:
    space = listing(1, status=status, confirmed_days_ago=days)
    wanted = profile()
    assert listing_matches.notify_for_listing(space, NOW) == 0
    assert listing_matches.notify_for_profile(wanted, NOW) == 0
    assert pairs() == []


def test_closed_profiles_match_nothing(app: Flask) -> None:
    space = listing(1)
    closed = profile(status="closed")
    assert listing_matches.notify_for_profile(closed, NOW) == 0
    assert listing_matches.notify_for_listing(space, NOW) == 0
    assert pairs() == []


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_both_sides_at_once_give_one_row_and_one_mail(app: Flask) -> None:
    space_id, profile_id = listing(1).id, profile().id
    db.session.remove()

    def notify(i: int) -> int:
        begin_write()  # as the callers do: publishing a listing, saving a profile
        if i % 2:
            space = db.session.get(Listing, space_id)
            assert space is not None
            found = listing_matches.notify_for_listing(space, NOW)
        else:
            wanted = db.session.get(SearchProfile, profile_id)
            assert wanted is not None
            found = listing_matches.notify_for_profile(wanted, NOW)
        db.session.commit()
        return found

    results = all_at_once(app, notify, 8)
    assert sum(results) == 1, results
    assert pairs() == [(space_id, profile_id)]
    assert match_mails() == 1


def test_publishing_a_listing_tells_staff_of_its_matches(app: Flask) -> None:
    """The office's publish (listing_admin) runs the matching in its own transaction:
    the pair and the mail are committed with the status, and the audit counts them."""
    lea = profile(low=50, high=100, uses=("retail",))
    draft = listing(3, area=70, status="draft")
    listing_admin.publish(listing_id=draft.id, now=NOW, actor_id=None)
    db.session.rollback()  # nothing left open: what follows was committed by publish
    assert pairs() == [(draft.id, lea.id)]
    assert match_mails() == 1
    entry = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "listing.publish")).one()
    assert entry.details == {"matches": 1}


def test_a_listing_back_in_public_or_edited_to_fit_meets_the_profiles(app: Flask) -> None:
    """Confirming a hidden listing again, and editing a published one so that it fits,
    tell staff of the profiles saved meanwhile (once per pair, as always)."""
    stale = listing(4, area=80, confirmed_days_ago=100)
    lea = profile(low=50, high=100)
    assert pairs() == []  # hidden: the profile found nothing
    listing_admin.confirm(listing_id=stale.id, now=NOW, actor_id=None)
    assert pairs() == [(stale.id, lea.id)]

    big = listing(5, area=500)
    assert (big.id, lea.id) not in pairs()
    values = listing_admin.current_input(big)
    listing_admin.update_listing(listing_id=big.id, now=NOW, actor_id=None,
                                 values=replace(values, area_m2=80))
    assert (big.id, lea.id) in pairs()
    assert match_mails() == 2
    listing_admin.confirm(listing_id=big.id, now=NOW, actor_id=None)
    assert match_mails() == 2  # the pair is known
