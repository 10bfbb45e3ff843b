"""The public event pages in their states, as scenarios for the page tests.

The scenarios run many times in a session (both viewports, axe and the layout tests):
each one that registers creates an event of its own in the live server's database, so
that the demo's events and the other scenarios keep their places.
"""

import uuid
from collections.abc import Callable
from datetime import datetime, time, timedelta

from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect

from app import clock
from app.clock import BERLIN, local
from app.extensions import db
from app.models import Event, EventAudience
from app.services import events as event_service

from .conftest import LiveServer

# As in pages.py, which imports this module (so this one cannot import it).
ContextFactory = Callable[[], BrowserContext]
Scenario = Callable[[ContextFactory, LiveServer], Page]

DIGITAL_LINK = "https://video.innenstadt-herten.example/test-fuehrung"


def live_app(live_server: LiveServer) -> Flask:
    """The live server's app, to write the scenario's own data."""
    assert live_server.accounts is not None
    return live_server.accounts.app


def new_event(live_server: LiveServer, *, capacity: int = 10, digital: bool = False,
              taken_by: int = 0, waiting: int = 0) -> str:
    """A published event in nine days with ``taken_by`` people registered (and
    ``waiting`` more on its waiting list); its slug."""
    now = clock.utcnow()
    starts_at = datetime.combine(local(now).date() + timedelta(days=9), time(18, 0),
                                 tzinfo=BERLIN)
    with live_app(live_server).app_context():
        title = ("Digitale Führung: Hinter den Kulissen der Rösterei" if digital
                 else "Netzwerkabend für Gründerinnen")
        event = Event(
            slug=event_service.make_slug(title + " " + uuid.uuid4().hex[:6], starts_at),
            kind="tour_digital" if digital else "networking", status="published",
            title=title, summary="Kennenlernen, austauschen, Kontakte knüpfen.",
            description="Wir treffen uns **nach Ladenschluss**.\n\n- Begrüßung\n- Austausch",
            starts_at=starts_at, ends_at=starts_at + timedelta(hours=2),
            registration_closes_at=starts_at - timedelta(days=1),
            place="" if digital else "Kaiserstraße 12, 45699 Herten",
            online_url=DIGITAL_LINK if digital else "", capacity=capacity,
            audiences=[EventAudience(audience="founders_women")])
        db.session.add(event)
        db.session.commit()
        slug = event.slug
        for n in range(taken_by + waiting):
            event_service.register(slug=slug, name=f"Gast {n}",
                                   email=f"gast-{n}-{uuid.uuid4().hex[:6]}@example.org",
                                   consent=True, now=now)
        db.session.remove()
    return slug


def offered_token(live_server: LiveServer) -> str:
    """The personal token of someone offered a freed place."""
    slug = new_event(live_server, capacity=1)
    now = clock.utcnow()
    with live_app(live_server).app_context():
        first = event_service.register(slug=slug, name="Erste", consent=True, now=now,
                                       email=f"erste-{uuid.uuid4().hex[:6]}@example.org")
        second = event_service.register(slug=slug, name="Zweite", consent=True, now=now,
                                        email=f"zweite-{uuid.uuid4().hex[:6]}@example.org")
        token = second.token
        event_service.cancel(token=first.token, now=now)
        db.session.remove()
    return token


def open_path(path: str, status: int = 200) -> Scenario:
    """A scenario that opens ``path`` anew and expects ``status``."""

    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        page = contexts().new_page()
        response = page.goto(live_server.url(path))
        assert response is not None and response.status == status
        return page

    return scenario


def detail(contexts: ContextFactory, live_server: LiveServer, **options: int) -> Page:
    page = contexts().new_page()
    page.goto(live_server.url("/veranstaltungen/" + new_event(live_server, **options)))
    expect(page.get_by_role("heading", name="Anmeldung")).to_be_visible()
    return page


def detail_full(contexts: ContextFactory, live_server: LiveServer) -> Page:
    page = detail(contexts, live_server, capacity=2, taken_by=2, waiting=1)
    expect(page.get_by_role("button", name="Auf die Warteliste")).to_be_visible()
    return page


def fill_and_register(page: Page, email: str | None = None) -> None:
    """Fill the form with valid details and send it."""
    page.get_by_label("Ihr Name").fill("Nora Netzwerk")
    page.get_by_label("E-Mail-Adresse").fill(email or f"nora-{uuid.uuid4().hex[:8]}@example.org")
    page.get_by_label("Unternehmen (freiwillig)").fill("Blumen Nora")
    page.get_by_label("Ich bin einverstanden").check()
    page.locator(".event-form button[type=submit]").click()


def form_errors(contexts: ContextFactory, live_server: LiveServer) -> Page:
    page = detail(contexts, live_server)
    page.get_by_label("E-Mail-Adresse").fill("nora@")
    page.get_by_role("button", name="Jetzt anmelden").click()
    expect(page.locator(".field.has-error")).to_have_count(3)  # name, address, consent
    return page


def registered(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """A confirmed participant of a digital tour: the online link is on the page."""
    page = detail(contexts, live_server, digital=True)
    fill_and_register(page)
    expect(page.get_by_text("Vielen Dank, Sie sind angemeldet.")).to_be_visible()
    expect(page.get_by_role("link", name=DIGITAL_LINK)).to_be_visible()
    return page


def waiting(contexts: ContextFactory, live_server: LiveServer) -> Page:
    page = detail(contexts, live_server, capacity=1, taken_by=1)
    fill_and_register(page)
    expect(page.get_by_text("an Stelle 1")).to_be_visible()
    return page


def offered(contexts: ContextFactory, live_server: LiveServer) -> Page:
    page = contexts().new_page()
    page.goto(live_server.url("/veranstaltungen/anmeldung/" + offered_token(live_server)))
    expect(page.get_by_role("button", name="Platz bestätigen")).to_be_visible()
    return page


def cancel_confirm(contexts: ContextFactory, live_server: LiveServer) -> Page:
    page = detail(contexts, live_server)
    fill_and_register(page)
    page.get_by_role("link", name="Abmelden").click()
    expect(page.get_by_role("button", name="Ja, abmelden")).to_be_visible()
    return page


def cancelled(contexts: ContextFactory, live_server: LiveServer) -> Page:
    page = cancel_confirm(contexts, live_server)
    page.get_by_role("button", name="Ja, abmelden").click()
    expect(page.get_by_text("Sie sind abgemeldet.")).to_be_visible()
    return page


def links_errors(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """"Link vergessen?" sent with an address that cannot be one."""
    page = contexts().new_page()
    page.goto(live_server.url("/veranstaltungen/meine-anmeldungen"))
    page.get_by_label("E-Mail-Adresse").fill("anna@")
    page.get_by_role("button", name="Links schicken").click()
    expect(page.get_by_text("Das ist keine gültige E-Mail-Adresse.")).to_be_visible()
    return page


def links_sent(contexts: ContextFactory, live_server: LiveServer) -> Page:
    page = contexts().new_page()
    page.goto(live_server.url("/veranstaltungen/meine-anmeldungen"))
    page.get_by_label("E-Mail-Adresse").fill(f"links-{uuid.uuid4().hex[:8]}@example.org")
    page.get_by_role("button", name="Links schicken").click()
    expect(page.get_by_role("heading", name="Schauen Sie in Ihr Postfach")).to_be_visible()
    return page


EVENT_PAGES: dict[str, Scenario] = {
    "events": open_path("/veranstaltungen"),
    "events-filtered": open_path("/veranstaltungen?art=fuehrung-vor-ort"),
    "events-archive": open_path("/veranstaltungen/archiv"),
    "event-detail": detail,
    "event-detail-full": detail_full,
    "event-form-errors": form_errors,
    "event-registered": registered,
    "event-waiting": waiting,
    "event-offered": offered,
    "event-cancel-confirm": cancel_confirm,
    "event-cancelled": cancelled,
    "event-unknown-404": open_path("/veranstaltungen/anmeldung/" + "A" * 32, 404),
    "event-links": open_path("/veranstaltungen/meine-anmeldungen"),
    "event-links-errors": links_errors,
    "event-links-sent": links_sent,
}
