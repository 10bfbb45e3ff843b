"""Freshness of the Leerstandsbörse: a listing nobody confirmed for 60 days reminds the
office once, and after 90 days the public pages no longer show it (app.services.listings
reads ``confirmed_at``), so a stale entry disappears without anyone having to act.

``process_due`` runs with ``flask outbox send`` every minute: it claims each due listing
by setting ``reminded_at`` in one UPDATE (two runs at once remind once) and queues one
mail to the office. Confirming ("noch frei") clears ``reminded_at``; the next reminder
comes 60 days after that confirmation.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from ..db import begin_write
from ..extensions import db
from ..models import Listing
from .editing import audit
from .inquiries import recipient
from .listings import FRESH_DAYS, HIDE_DAYS, fresh_since
from .mail import queue_mail


@dataclass(frozen=True)
class Freshness:
    """How long ago a listing was confirmed, and what follows from it."""

    days: int
    state: str  # "fresh", "due" (remind, still public), "hidden" (no longer public)


def freshness(listing: Listing, now: datetime) -> Freshness:
    """Days since the last confirmation: "due" from 60 days, "hidden" once the public no
    longer sees it (more than 90 days: the same test as the public pages')."""
    age = now - listing.confirmed_at
    days = age.days
    if listing.confirmed_at < fresh_since(now):
        return Freshness(days, "hidden")
    if age >= timedelta(days=FRESH_DAYS):
        return Freshness(days, "due")
    return Freshness(days, "fresh")


def process_due(now: datetime) -> list[int]:
    """Queue one reminder to the office for each published listing unconfirmed for 60
    days that has had none since its last confirmation; commit; return their ids."""
    begin_write()
    due = list(db.session.scalars(
        select(Listing.id).where(
            Listing.status == "published",
            Listing.reminded_at.is_(None),
            Listing.confirmed_at <= now - timedelta(days=FRESH_DAYS),
        ).order_by(Listing.confirmed_at, Listing.id)))
    reminded: list[int] = []
    base = str(current_app.config["BASE_URL"])
    for listing_id in due:
        claimed = db.session.execute(
            update(Listing)
            .where(Listing.id == listing_id, Listing.reminded_at.is_(None))
            .values(reminded_at=now).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        listing = db.session.get_one(Listing, listing_id, populate_existing=True)
        state = freshness(listing, now)
        queue_mail(
            kind="listing_reminder", to=recipient(),
            subject=f"Noch frei? {listing.code} – {listing.title}", language="de",
            template="listing_reminder",
            context={"listing": listing, "days": state.days,
                     "hidden": state.state == "hidden", "hide_days": HIDE_DAYS,
                     "hides_on": listing.confirmed_at + timedelta(days=HIDE_DAYS),
                     "desk_link": f"{base}/buero/leerstand/{listing.id}",
                     "public_link": f"{base}/leerstand/{listing.code}"},
            now=now)
        audit(now, None, "listing.remind", listing.code, days=state.days)
        reminded.append(listing_id)
    db.session.commit()
    return reminded
