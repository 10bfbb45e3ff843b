"""The Leerstandsbörse's public pages (/leerstand, one listing, the owners' offer form,
the founders' search profile form) in their states, as scenarios for the page tests, on
the demo's listings.

The form scenarios add inquiries, offers and profiles to the live server's database;
nothing here changes a published listing, so the scenarios may run in any order and many
times in a session.
"""

from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from app import clock
from app.clock import local

from .conftest import LiveServer

# As in pages.py, which imports this module (so this one cannot import it).
ContextFactory = Callable[[], BrowserContext]
Scenario = Callable[[ContextFactory, LiveServer], Page]


def code(number: int) -> str:
    """The demo's listing ``number`` (1 the shop in the programme, 2 the café, 3 the
    office, 4 an owner's offer waiting)."""
    return f"L-{local(clock.utcnow()).year}-{number:02d}"


def public(path: str | Callable[[], str], status: int = 200) -> Scenario:
    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        page = contexts().new_page()
        response = page.goto(live_server.url(path if isinstance(path, str) else path()))
        assert response is not None and response.status == status
        return page

    return scenario


def inquiry_thanks(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The thank-you page after an inquiry about the shop."""
    page = contexts().new_page()
    page.goto(live_server.url(f"/leerstand/{code(1)}"))
    page.get_by_label("Ihr Name").fill("Jana Neumann")
    page.get_by_label("E-Mail-Adresse").fill("jana.neumann@example.org")
    page.get_by_label("Ihre Nachricht").fill("Ich möchte den Laden ansehen.")
    page.get_by_label("Ich bin einverstanden").check()
    page.get_by_role("button", name="Anfrage senden").click()
    page.wait_for_url(live_server.url(f"/leerstand/{code(1)}/danke"))
    expect(page.get_by_role("heading", name="Vielen Dank für Ihre Anfrage")).to_be_visible()
    return page


def inquiry_errors(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The inquiry sent empty: the messages at the fields."""
    page = contexts().new_page()
    page.goto(live_server.url(f"/leerstand/{code(2)}"))
    page.get_by_role("button", name="Anfrage senden").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Bitte geben Sie Ihren Namen ein.")).to_be_visible()
    return page


def offer_errors(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The offer sent with a bad area and no name: the messages at the fields."""
    page = contexts().new_page()
    page.goto(live_server.url("/leerstand/anbieten"))
    page.get_by_label("Fläche in m²").fill("viel")
    page.get_by_role("button", name="Angebot senden").click()
    page.wait_for_load_state()
    expect(page.get_by_text("in ganzen Quadratmetern ein")).to_be_visible()
    return page


def offer_thanks(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """An owner's offer sent: the thank-you page."""
    page = contexts().new_page()
    page.goto(live_server.url("/leerstand/anbieten"))
    page.get_by_label("Kurz: Was für ein Raum?").fill("Laden mit Lager")
    page.get_by_label("Straße und Hausnummer").fill("Kirchstraße 9")
    page.get_by_label("Fläche in m²").fill("70")
    page.get_by_label("Einzelhandel").check()
    page.get_by_label("Ihr Name").fill("Heike Hermann")
    page.get_by_label("E-Mail-Adresse").fill("heike.hermann@example.org")
    page.get_by_label("Ich bin einverstanden").check()
    page.get_by_role("button", name="Angebot senden").click()
    page.wait_for_url(live_server.url("/leerstand/anbieten/danke"))
    expect(page.get_by_role("heading", name="Vielen Dank für Ihr Angebot")).to_be_visible()
    return page


def profile_thanks(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """A founder's search profile saved: the thank-you page."""
    page = contexts().new_page()
    page.goto(live_server.url("/leerstand/suchprofil"))
    page.get_by_label("Fläche von (m², freiwillig)").fill("40")
    page.get_by_label("Pop-up und Ausstellung").check()
    page.get_by_label("Ihr Name").fill("Lea Gründerin")
    page.get_by_label("E-Mail-Adresse").fill("lea@example.org")
    page.get_by_label("Ich bin einverstanden").check()
    page.get_by_role("button", name="Suchprofil speichern").click()
    page.wait_for_url(live_server.url("/leerstand/suchprofil/danke"))
    expect(page.get_by_role("heading", name="Vielen Dank für Ihr Suchprofil")).to_be_visible()
    return page


def profile_errors(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The profile with "bis" below "von" and no consent: the messages."""
    page = contexts().new_page()
    page.goto(live_server.url("/leerstand/suchprofil"))
    page.get_by_label("Fläche von (m², freiwillig)").fill("100")
    page.get_by_label("Fläche bis (m², freiwillig)").fill("40")
    page.get_by_role("button", name="Suchprofil speichern").click()
    page.wait_for_load_state()
    expect(page.get_by_text("darf nicht kleiner sein")).to_be_visible()
    return page


LISTING_PAGES: dict[str, Scenario] = {
    "listings": public("/leerstand"),
    "listings-filtered": public("/leerstand?flaeche_von=50&zwischennutzung=1"),
    "listings-bad-filter": public("/leerstand?flaeche_von=viel&frei_bis=morgen"),
    "listings-none": public("/leerstand?flaeche_von=5000"),
    "listing": public(lambda: f"/leerstand/{code(1)}"),
    "listing-on-request": public(lambda: f"/leerstand/{code(2)}"),
    "listing-errors": inquiry_errors,
    "listing-thanks": inquiry_thanks,
    "listing-offer": public("/leerstand/anbieten"),
    "listing-offer-errors": offer_errors,
    "listing-offer-thanks": offer_thanks,
    "search-profile": public("/leerstand/suchprofil"),
    "search-profile-errors": profile_errors,
    "search-profile-thanks": profile_thanks,
}
