"""The Nachfolgebörse's pages (/nachfolge, /buero/nachfolge, /buero/anfragen) in their
states, as scenarios for the page tests, on the demo's profiles.

The inquiry scenarios add inquiries to the live server's database; nothing here changes
a profile, so the scenarios may run in any order and many times in a session.
"""

from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from app import clock
from app.clock import local
from app.services import inquiries, successors

from .backoffice_event_pages import logged_in
from .conftest import LiveServer
from .event_pages import live_app

# As in pages.py, which imports this module (so this one cannot import it).
ContextFactory = Callable[[], BrowserContext]
Scenario = Callable[[ContextFactory, LiveServer], Page]


def code(number: int) -> str:
    """The demo's profile ``number`` (1 bakery, 2 fashion, 3 optician, 4 the draft)."""
    return f"N-{local(clock.utcnow()).year}-{number:02d}"


def public(path: str | Callable[[], str], status: int = 200) -> Scenario:
    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        page = contexts().new_page()
        response = page.goto(live_server.url(path if isinstance(path, str) else path()))
        assert response is not None and response.status == status
        return page

    return scenario


def fill_inquiry(page: Page, *, name: str = "Jana Neumann") -> None:
    page.get_by_label("Ihr Name").fill(name)
    page.get_by_label("E-Mail-Adresse").fill("jana.neumann@example.org")
    page.get_by_label("Telefon (freiwillig)").fill("0170 1234567")
    page.get_by_label("Ihre Nachricht").fill("Ich bin Bäckermeisterin und suche einen Betrieb.")
    page.get_by_label("Ich bin einverstanden").check()
    page.get_by_role("button", name="Anfrage senden").click()
    page.wait_for_load_state()


def inquiry_errors(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The form sent without a name and with a bad phone: the messages at the fields."""
    page = contexts().new_page()
    page.goto(live_server.url(f"/nachfolge/{code(1)}"))
    page.get_by_label("Telefon (freiwillig)").fill("abends")
    page.get_by_role("button", name="Anfrage senden").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Bitte geben Sie Ihren Namen ein.")).to_be_visible()
    expect(page.get_by_text("Telefonnummer nur mit Ziffern")).to_be_visible()
    return page


def thanks(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The thank-you page after an inquiry about the bakery."""
    page = contexts().new_page()
    page.goto(live_server.url(f"/nachfolge/{code(1)}"))
    fill_inquiry(page)
    page.wait_for_url(live_server.url(f"/nachfolge/{code(1)}/danke"))
    expect(page.get_by_role("heading", name="Vielen Dank für Ihre Anfrage")).to_be_visible()
    return page


def staff(path: str | Callable[[], str], then: Callable[[Page], None] | None = None
          ) -> Scenario:
    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        page = logged_in(contexts, live_server)
        page.goto(live_server.url(path if isinstance(path, str) else path()))
        if then is not None:
            then(page)
        return page

    return scenario


def edit_first(page: Page) -> None:
    page.get_by_role("link", name=code(1), exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_label("Inhaber/in: Name (nie öffentlich)")).to_be_visible()


def save_without_title(page: Page) -> None:
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Bitte prüfen Sie Ihre Angaben")).to_be_visible()


def inquiries_page(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The inquiries with at least one open and one handled."""
    with live_app(live_server).app_context():
        profile = successors.by_code(code(2))
        assert profile is not None
        for handled in (False, True):
            inquiry = inquiries.submit(
                subject_kind="successor", subject_id=profile.id, name="Max Interessent",
                email="max.interessent@example.org", phone="", consent=True,
                message="Ich würde das Geschäft gern ansehen.\nAm liebsten vormittags.",
                now=clock.utcnow())
            if handled:
                inquiries.update(inquiry_id=inquiry.id, note="Angerufen.", handled=True,
                                 now=clock.utcnow(), actor_id=None)
    return staff("/buero/anfragen")(contexts, live_server)


SUCCESSOR_PAGES: dict[str, Scenario] = {
    "successors": public("/nachfolge"),
    "successors-filtered": public("/nachfolge?branche=food"),
    "successors-none": public("/nachfolge?branche=hospitality&lage=bertlich"),
    "successor": public(lambda: f"/nachfolge/{code(1)}"),
    "successor-errors": inquiry_errors,
    "successor-thanks": thanks,
}
BACKOFFICE_SUCCESSOR_PAGES: dict[str, Scenario] = {
    "staff-successors": staff("/buero/nachfolge"),
    "staff-successor-edit": staff("/buero/nachfolge", edit_first),
    "staff-successor-new-errors": staff("/buero/nachfolge/neu", save_without_title),
    "staff-inquiries": inquiries_page,
}
