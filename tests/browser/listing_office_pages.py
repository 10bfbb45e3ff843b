"""The Leerstandsbörse's back-office pages (/buero/leerstand, /buero/suchprofile) in their
states, as scenarios for the page tests, on listings of their own.

The scenarios make their listings once per server (found again by title) and change
nothing else: the form scenarios send forms that are refused. So they may run in any
order and many times in a session, beside the demo's own listings.
"""

import io
from collections.abc import Callable
from datetime import timedelta

from PIL import Image as PILImage
from playwright.sync_api import BrowserContext, Page, expect
from pypdf import PdfWriter
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Listing, ListingMatch, SearchProfile, SearchProfileUse
from app.services import listing_admin, listing_media, listings
from app.services.listing_admin import ListingInput

from .backoffice_event_pages import logged_in
from .conftest import LiveServer
from .event_pages import live_app

# As in pages.py, which imports this module (so this one cannot import it).
ContextFactory = Callable[[], BrowserContext]
Scenario = Callable[[ContextFactory, LiveServer], Page]

LIST = "/buero/leerstand"
PUBLISHED = "Ladenlokal mit großem Schaufenster (Browsertest)"
OFFER = "Kleines Ladenlokal in der Ewaldstraße (Browsertest)"
FOUNDER = "Gina Gründerin (Browsertest)"


def photo(colour: tuple[int, int, int]) -> bytes:
    """A small photo-like PNG."""
    buffer = io.BytesIO()
    image = PILImage.new("RGB", (800, 600), colour)
    image.paste((240, 200, 80), (80, 120, 420, 560))
    image.save(buffer, "PNG")
    return buffer.getvalue()


def plan() -> bytes:
    """A one-page PDF."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scenario_listings(live_server: LiveServer) -> tuple[int, int]:
    """The ids of a published listing (two photos, a floor plan, stale for 65 days) and
    of an owner's offer waiting for review, made once per server; one search profile
    matched with the first."""
    with live_app(live_server).app_context():
        found = {row.title: row.id for row in db.session.scalars(
            select(Listing).where(Listing.title.in_((PUBLISHED, OFFER))))}
        if len(found) == 2:
            return found[PUBLISHED], found[OFFER]
        now = clock.utcnow()
        listing = listing_admin.create_listing(values=ListingInput(
            title=PUBLISHED, street="Hermannstraße 12", postcode="45699", area_m2=85,
            frontage_m=7.5, rent_cents=None, temporary_use=True, temporary_min_months=3,
            temporary_max_months=24, rent_model="programme", uses=("retail", "popup"),
            description="Helles Ladenlokal mit **großem Schaufenster**.",
            owner_name="Herta Haus", owner_email="herta.haus@example.org"),
            now=now, actor_id=None)
        for colour, alt in (((155, 28, 44), "Das Schaufenster von außen"),
                            ((40, 90, 120), "Der leere Verkaufsraum")):
            listing_media.add_photo(listing_id=listing.id, data=photo(colour), alt=alt,
                                    now=now, actor_id=None)
        listing_media.set_floor_plan(listing_id=listing.id, data=plan(),
                                     filename="grundriss.pdf", now=now, actor_id=None)
        listing_admin.publish(listing_id=listing.id, now=now - timedelta(days=65),
                              actor_id=None)
        offer = Listing(code=listings.next_code(now), title=OFFER,
                        street="Ewaldstraße 3", area_m2=45, status="submitted",
                        source="owner", owner_name="Otto Owner",
                        owner_email="otto.owner@example.org", owner_consent_at=now,
                        confirmed_at=now, created_at=now, updated_at=now)
        profile = SearchProfile(name=FOUNDER, email="gina@example.org", min_area_m2=50,
                                max_area_m2=120, message="Ein Unverpackt-Laden mit Café.",
                                consent_at=now, created_at=now)
        profile.uses = [SearchProfileUse(use="retail")]
        db.session.add_all([offer, profile])
        db.session.flush()
        db.session.add(ListingMatch(listing_id=listing.id, profile_id=profile.id,
                                    notified_at=now))
        db.session.commit()
        return listing.id, offer.id


def staff(path: Callable[[LiveServer], str], then: Callable[[Page], None] | None = None
          ) -> Scenario:
    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        target = path(live_server)
        page = logged_in(contexts, live_server)
        page.goto(live_server.url(target))
        if then is not None:
            then(page)
        return page

    return scenario


def listing_list(live_server: LiveServer) -> str:
    scenario_listings(live_server)
    return LIST


def published_edit(live_server: LiveServer) -> str:
    return f"{LIST}/{scenario_listings(live_server)[0]}"


def offer_edit(live_server: LiveServer) -> str:
    return f"{LIST}/{scenario_listings(live_server)[1]}"


def profiles(live_server: LiveServer) -> str:
    scenario_listings(live_server)
    return "/buero/suchprofile"


def shows_freshness(page: Page) -> None:
    expect(page.get_by_text("bestätigt vor 65 Tagen").first).to_be_visible()


def save_empty(page: Page) -> None:
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Bitte prüfen Sie Ihre Angaben")).to_be_visible()


def photo_without_alt(page: Page) -> None:
    page.get_by_label("Foto", exact=True).set_input_files(files=[{
        "name": "laden.png", "mimeType": "image/png", "buffer": photo((10, 10, 10))}])
    page.get_by_role("button", name="Foto hochladen").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Bitte beschreiben Sie das Foto in wenigen Worten").first
           ).to_be_visible()


BACKOFFICE_LISTING_PAGES: dict[str, Scenario] = {
    "staff-listings": staff(listing_list, shows_freshness),
    "staff-listings-submitted": staff(lambda s: listing_list(s) + "?status=submitted"),
    "staff-listing-edit": staff(published_edit),
    "staff-listing-photo-errors": staff(published_edit, photo_without_alt),
    "staff-listing-offer": staff(offer_edit),
    "staff-listing-new-errors": staff(lambda s: f"{LIST}/neu", save_empty),
    "staff-search-profiles": staff(profiles),
}
