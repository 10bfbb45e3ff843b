"""Staff on a phone: next week's request is confirmed on the desk, the person gets the
mail with the calendar entry, and a note is kept."""

import time
from collections.abc import Callable
from email.message import EmailMessage

import pytest
from icalendar import Calendar
from playwright.sync_api import BrowserContext, expect

from ..smtp import Mailbox
from .conftest import PHONE, LiveServer
from .pages import staff_page


def wait_for_mail(mailbox: Mailbox, address: str) -> list[EmailMessage]:
    """The mails to ``address`` once one has arrived (they go out after the response)."""
    for _ in range(100):
        found = mailbox.to(address)
        if found:
            return found
        time.sleep(0.05)
    return []


@pytest.mark.browser
def test_staff_confirm_next_weeks_request(
    live_server: LiveServer, new_context: Callable[..., BrowserContext], mailbox: Mailbox
) -> None:
    page = staff_page("/buero/termine")(lambda: new_context(PHONE), live_server)
    page.get_by_role("link", name="Nächste Woche →").click()
    booking = page.locator(".booking", has_text="Nina Vogel")
    expect(booking).to_contain_text("angefragt")
    booking.get_by_role("button", name="Bestätigen").click()
    expect(page.locator(".flash-list")).to_contain_text("Der Termin ist bestätigt")
    booking = page.locator(".booking", has_text="Nina Vogel")
    expect(booking).to_contain_text("bestätigt")
    expect(booking.get_by_role("button", name="Bestätigen")).to_have_count(0)

    [message] = wait_for_mail(mailbox, "nina@example.org")
    assert "/termine/" in Mailbox.text(message)
    [ics] = Mailbox.attachments(message).values()
    assert Calendar.from_ical(ics)["METHOD"] == "PUBLISH"

    booking.locator("summary", has_text="Notiz hinzufügen").click()
    booking.get_by_label("Notiz des Büros").fill("Förderprogramm NRW mitbringen.")
    booking.get_by_role("button", name="Notiz speichern").click()
    expect(page.locator(".booking", has_text="Nina Vogel")).to_contain_text(
        "Förderprogramm NRW mitbringen.")
