"""The public appointment pages in their states, as scenarios for the page tests.

Each booking scenario takes the first free time of a topic of its own where it can, so
that the scenarios, run many times in a session, leave each other times to book.
"""

import uuid
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from .conftest import LiveServer

# As in pages.py, which imports this module (so this one cannot import it).
ContextFactory = Callable[[], BrowserContext]
Scenario = Callable[[ContextFactory, LiveServer], Page]


def open_path(path: str, status: int = 200) -> Scenario:
    """A scenario that opens ``path`` anew and expects ``status``."""

    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        page = contexts().new_page()
        response = page.goto(live_server.url(path))
        assert response is not None and response.status == status
        return page

    return scenario


def booking_form(page: Page, live_server: LiveServer, topic: str = "kurzberatung") -> None:
    """Open the topic's free times and tap the first one."""
    page.goto(live_server.url(f"/termine?thema={topic}"))
    page.locator(".times a").first.click()
    expect(page.get_by_role("heading", name="Termin buchen")).to_be_visible()


def fill_and_book(page: Page, email: str | None = None) -> None:
    """Fill the form with valid details and send it."""
    page.get_by_label("Ihr Name").fill("Anna Beispiel")
    page.get_by_label("E-Mail-Adresse").fill(email or f"anna-{uuid.uuid4().hex[:8]}@example.org")
    page.get_by_label("Ich bin einverstanden").check()
    page.get_by_role("button", name="Termin buchen").click()


def booked(page: Page, live_server: LiveServer, topic: str = "sonstiges") -> None:
    """Book the topic's first free time and land on the personal page."""
    booking_form(page, live_server, topic)
    fill_and_book(page)
    expect(page.get_by_role("heading", name="Ihr Termin")).to_be_visible()


def new_page(contexts: ContextFactory) -> Page:
    """A page in a fresh browser context."""
    return contexts().new_page()


def form(contexts: ContextFactory, live_server: LiveServer) -> Page:
    page = new_page(contexts)
    booking_form(page, live_server)
    return page


def form_errors(contexts: ContextFactory, live_server: LiveServer) -> Page:
    page = form(contexts, live_server)
    page.get_by_label("E-Mail-Adresse").fill("anna@")
    page.get_by_role("button", name="Termin buchen").click()
    expect(page.locator(".field.has-error")).to_have_count(2)  # name and consent
    return page


def taken(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """Two people chose one time; the second to send it hears "gerade vergeben"."""
    page = new_page(contexts)
    booking_form(page, live_server, "leerstand")
    other = new_page(contexts)
    other.goto(page.url)
    fill_and_book(other)
    expect(other.get_by_role("heading", name="Ihr Termin")).to_be_visible()
    fill_and_book(page)
    expect(page.get_by_text("Diese Zeit ist gerade vergeben.")).to_be_visible()
    return page


def personal_page(contexts: ContextFactory, live_server: LiveServer) -> Page:
    page = new_page(contexts)
    booked(page, live_server)
    return page


def move_list(contexts: ContextFactory, live_server: LiveServer) -> Page:
    page = personal_page(contexts, live_server)
    page.get_by_role("link", name="Termin verschieben").click()
    expect(page.get_by_role("heading", name="Termin verschieben")).to_be_visible()
    return page


def move_confirm(contexts: ContextFactory, live_server: LiveServer) -> Page:
    page = move_list(contexts, live_server)
    page.locator(".times a").last.click()
    expect(page.get_by_role("button", name="Jetzt verschieben")).to_be_visible()
    return page


def cancel_confirm(contexts: ContextFactory, live_server: LiveServer) -> Page:
    page = personal_page(contexts, live_server)
    page.get_by_role("link", name="Termin absagen").click()
    expect(page.get_by_role("button", name="Ja, Termin absagen")).to_be_visible()
    return page


def cancelled(contexts: ContextFactory, live_server: LiveServer) -> Page:
    page = cancel_confirm(contexts, live_server)
    page.get_by_role("button", name="Ja, Termin absagen").click()
    expect(page.get_by_text("Ihr Termin ist abgesagt.")).to_be_visible()
    return page


APPOINTMENT_PAGES: dict[str, Scenario] = {
    "appointments": open_path("/termine"),
    "appointment-times": open_path("/termine?thema=kurzberatung"),
    "appointment-form": form,
    "appointment-form-errors": form_errors,
    "appointment-taken-409": taken,
    "appointment-booked": personal_page,
    "appointment-move": move_list,
    "appointment-move-confirm": move_confirm,
    "appointment-cancel": cancel_confirm,
    "appointment-cancelled": cancelled,
    "appointment-unknown-404": open_path("/termine/" + "A" * 32, 404),
    "appointment-service-cta": open_path("/angebote/unternehmensnachfolge"),
}
