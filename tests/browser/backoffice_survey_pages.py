"""The survey editor's pages of the back office (/buero/umfragen, issue 23 part B) as
scenarios for the page tests.

The demo may have no survey yet, so the scenarios that need one make a fresh draft
through the pages themselves (its slug gets -2, -3 … when run again): they may run in
any order and many times in a session.
"""

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from .backoffice_event_pages import logged_in
from .conftest import LiveServer

ContextFactory = Callable[[], BrowserContext]
Scenario = Callable[[ContextFactory, LiveServer], Page]

LIST = "/buero/umfragen"
QUESTIONS = (
    ("one", "Haben Sie eine eigene Website?", "Ja\nNein\nIn Arbeit", "1"),
    ("many", "Welche Themen interessieren Sie für Schulungen?",
     "Online-Marketing\nKassensysteme\nSoziale Medien", "1"),
    ("scale", "Wie zufrieden sind Sie mit der Parksituation?", "", "2"),
    ("long", "Was wünschen Sie sich von der Innenstadt?", "", "2"),
)


def new_survey(page: Page, live_server: LiveServer) -> str:
    """Make a draft survey with four questions on two pages; its edit page's path."""
    page.goto(live_server.url(f"{LIST}/neu"))
    page.get_by_label("Titel").fill("Bedarfsabfrage Innenstadt (Test)")
    page.get_by_label("Einleitung").fill("Was **brauchen** Sie? Das Ausfüllen dauert "
                                         "etwa fünf Minuten.")
    page.get_by_label("Beginn: Datum").fill("2026-12-01")
    page.get_by_label("Beginn: Uhrzeit").fill("08:00")
    page.get_by_label("Ende: Datum").fill("2026-12-21")
    page.get_by_label("Ende: Uhrzeit").fill("18:00")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url(re.compile(r"/buero/umfragen/\d+"))
    path = re.sub(r"#.*$", "", page.url.removeprefix(live_server.url("")))
    for kind, prompt, options, number in QUESTIONS:
        page.locator("#neu-kind").select_option(kind)
        page.locator("#neu-prompt").fill(prompt)
        page.locator("#neu-options").fill(options)
        page.locator("#neu-page").fill(number)
        page.get_by_role("button", name="Frage hinzufügen").click()
        expect(page.locator(".flash-list")).to_contain_text("hinzugefügt")
    return path


def with_survey(suffix: str = "", then: Callable[[Page], None] | None = None) -> Scenario:
    """A scenario opening a fresh survey's page ``<edit path><suffix>``."""

    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        page = logged_in(contexts, live_server)
        path = new_survey(page, live_server)
        response = page.goto(live_server.url(path + suffix))
        assert response is not None and response.status == 200
        if then is not None:
            then(page)
        return page

    return scenario


def open_page(path: str, then: Callable[[Page], None] | None = None) -> Scenario:
    """A scenario opening a survey page that names no survey."""

    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        page = logged_in(contexts, live_server)
        response = page.goto(live_server.url(path))
        assert response is not None and response.status == 200
        if then is not None:
            then(page)
        return page

    return scenario


def submit_empty(page: Page) -> None:
    """Send the new-survey form empty: messages at the fields and in a summary."""
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".error-summary")).to_be_visible()


def open_first_question(page: Page) -> None:
    """Unfold the first question's edit form."""
    page.locator(".survey-question-edit summary").first.click()
    expect(page.locator(".survey-question-edit form").first).to_be_visible()


def shows_preview(page: Page) -> None:
    expect(page.get_by_text("Seite 2 von 2")).to_be_visible()


def bad_question(page: Page) -> None:
    """A scale question with options: refused with the messages on the page."""
    page.locator("#neu-kind").select_option("scale")
    page.locator("#neu-prompt").fill("Wie finden Sie die Beleuchtung?")
    page.locator("#neu-options").fill("gut\nschlecht")
    page.get_by_role("button", name="Frage hinzufügen").click()
    expect(page.locator(".error-summary")).to_be_visible()


BACKOFFICE_SURVEY_PAGES: dict[str, Scenario] = {
    "bo-surveys": open_page(LIST),
    "bo-survey-new-errors": open_page(f"{LIST}/neu", submit_empty),
    "bo-survey-edit": with_survey(),
    "bo-survey-edit-question": with_survey(then=open_first_question),
    "bo-survey-question-errors": with_survey(then=bad_question),
    "bo-survey-preview": with_survey("/vorschau", then=shows_preview),
}
