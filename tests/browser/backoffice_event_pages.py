"""The events pages of the back office (/buero/veranstaltungen) in their states, as
scenarios for the page tests, on the demo's events.

Nothing here changes the demo's events (the cancel scenario only opens the confirmation),
so the scenarios may run in any order and many times in a session.
"""

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from .conftest import LiveServer

# As in pages.py, which imports this module (so this one cannot import it).
ContextFactory = Callable[[], BrowserContext]
Scenario = Callable[[ContextFactory, LiveServer], Page]

LIST = "/buero/veranstaltungen"
EVENT_ID = re.compile(r"/buero/veranstaltungen/(\d+)/")


def logged_in(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """A page with the demo staff logged in (as pages.staff_page does)."""
    page = contexts().new_page()
    page.goto(live_server.url("/anmelden"))
    page.get_by_label("E-Mail-Adresse").fill(live_server.staff_email)
    page.get_by_label("Passwort").fill(live_server.staff_password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(live_server.url("/buero/"))
    return page


def event_id(page: Page, live_server: LiveServer, table: str, *, waiting: bool = False
             ) -> str:
    """The id of the first demo event in the list's table ``table`` ("kommend" or
    "vergangen"), or of the first one with people waiting."""
    page.goto(live_server.url(LIST))
    rows = page.locator(f'[aria-labelledby="{table}-titel"] tbody tr')
    if waiting:
        rows = rows.filter(has_not=page.locator("td.num", has_text=re.compile(r"^0$")))
    href = rows.first.locator("th a").get_attribute("href") or ""
    match = EVENT_ID.search(href)
    assert match, href
    return match.group(1)


def event_page(suffix: str, table: str = "kommend", *, waiting: bool = False,
               then: Callable[[Page], None] | None = None) -> Scenario:
    """A scenario opening ``/buero/veranstaltungen/<id><suffix>`` for a demo event."""

    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        page = logged_in(contexts, live_server)
        number = event_id(page, live_server, table, waiting=waiting)
        response = page.goto(live_server.url(f"{LIST}/{number}{suffix}"))
        assert response is not None and response.status == 200
        if then is not None:
            then(page)
        return page

    return scenario


def open_list_page(path: str, then: Callable[[Page], None] | None = None) -> Scenario:
    """A scenario opening a page of the events that names no event."""

    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        page = logged_in(contexts, live_server)
        response = page.goto(live_server.url(path))
        assert response is not None and response.status == 200
        if then is not None:
            then(page)
        return page

    return scenario


def submit_empty(page: Page) -> None:
    """Send the new-event form empty: messages at the fields and in a summary."""
    page.get_by_label("Titel").fill("")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".error-summary")).to_be_visible()


def shows_people(page: Page) -> None:
    expect(page.get_by_role("heading", name=re.compile("Warteliste"))).to_be_visible()


def shows_check_in(page: Page) -> None:
    expect(page.locator(".checkin-count")).to_be_visible()


def printed(page: Page) -> None:
    """The check-in list as it prints."""
    page.emulate_media(media="print")


BACKOFFICE_EVENT_PAGES: dict[str, Scenario] = {
    "bo-events": open_list_page(LIST),
    "bo-event-new": open_list_page(f"{LIST}/neu"),
    "bo-event-new-errors": open_list_page(f"{LIST}/neu", submit_empty),
    "bo-event-edit": event_page(""),
    "bo-event-preview": event_page("/vorschau"),
    "bo-event-cancel": event_page("/absagen"),
    "bo-event-registrations": event_page("/anmeldungen", waiting=True, then=shows_people),
    "bo-event-checkin": event_page("/einlass", "vergangen", then=shows_check_in),
    "bo-event-checkin-list": event_page("/einlassliste", "vergangen"),
    "bo-event-checkin-list-print": event_page("/einlassliste", "vergangen", then=printed),
    "bo-event-report": open_list_page(f"{LIST}/bericht"),
}
