"""The office's texts: the Leichte Sprache page and /buero/texte in their states, as
scenarios for the page tests.

Only the history scenario writes: once per server it saves the contact block twice (the
demo's text again), so that the page has older versions with their restore buttons.
"""

from playwright.sync_api import Page, expect

from app import clock
from app.extensions import db
from app.services import office_texts

from .conftest import LiveServer
from .news_pages import ContextFactory, Scenario, live_app, open_path, staff

LIST = "/buero/texte"


def preview_text(page: Page) -> None:
    """Type a text with a heading and press "Vorschau"."""
    page.get_by_label("Text", exact=True).fill("## Neu im Januar\n\nMit **Imbiss**.")
    page.get_by_role("button", name="Vorschau", exact=True).click()
    expect(page.locator("#vorschau h2", has_text="Neu im Januar")).to_be_visible()


def submit_empty(page: Page) -> None:
    """Send the form without its title: a message at the field and a summary."""
    page.get_by_label("Überschrift").fill("")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".error-summary")).to_be_visible()


def with_history(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The contact block's page with older versions, one of them opened."""
    with live_app(live_server).app_context():
        if len(office_texts.history("block:contact")) < 3:
            current = office_texts.office_text(
                "contact", live_app(live_server).config["OFFICE"])
            for body in ("Dienstags auch im Rathaus.", current.body):
                office_texts.save_block(
                    key="contact", values=office_texts.TextInput(current.title, body),
                    now=clock.utcnow(), actor_id=None)
        db.session.remove()
    page = staff(f"{LIST}/contact")(contexts, live_server)
    page.get_by_text("Text dieser Fassung zeigen").first.click()
    expect(page.get_by_role("button", name="Diese Fassung wiederherstellen").first).to_be_visible()
    return page


TEXT_PAGES: dict[str, Scenario] = {
    "easy-language": open_path("/leichte-sprache"),
}

BACKOFFICE_TEXT_PAGES: dict[str, Scenario] = {
    "bo-texts": staff(LIST),
    "bo-text-edit": staff(f"{LIST}/imprint"),
    "bo-text-preview": staff(f"{LIST}/easy_language", preview_text),
    "bo-text-errors": staff(f"{LIST}/home_intro", submit_empty),
    "bo-text-history": with_history,
}
