"""A person books a consultation on a phone, gets the mail with the calendar file,
opens the personal link from it, moves the appointment and cancels it."""

import re
import time
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from ..smtp import Mailbox
from .conftest import PHONE, LiveServer
from .test_shopkeeper_invite import assert_accessible


def wait_for_mail(mailbox: Mailbox, address: str, count: int) -> list:  # type: ignore[type-arg]
    """The mails to ``address`` once ``count`` have arrived (the server sends them after
    its response)."""
    for _ in range(300):
        found = mailbox.to(address)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{count} mails to {address} expected, got {len(mailbox.to(address))}")


@pytest.mark.browser
def test_book_on_a_phone_then_move_and_cancel_from_the_mail(
    live_server: LiveServer, new_context: Callable[..., BrowserContext], mailbox: Mailbox
) -> None:
    email = f"gruenderin-{uuid.uuid4().hex[:8]}@example.org"
    page = new_context(PHONE).new_page()
    page.goto(live_server.url("/angebote/unternehmensnachfolge"))
    page.get_by_role("link", name="Termin online buchen").click()
    expect(page.get_by_role("heading", name="Beratungstermin buchen")).to_be_visible()
    expect(page.get_by_text("Unternehmensnachfolge, 60 Minuten")).to_be_visible()
    first = page.locator(".times a").first
    chosen = first.inner_text()
    first.click()
    page.get_by_label("Ihr Name").fill("Nora Nachfolge")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Telefon (freiwillig)").fill("0171 2345678")
    page.get_by_label("Ich bin einverstanden").check()
    page.get_by_role("button", name="Termin buchen").click()
    expect(page.get_by_text("Vielen Dank, Ihre Anfrage ist da.")).to_be_visible()
    assert chosen.split()[-1] in page.locator(".appointment-facts").inner_text()
    personal = page.url
    assert re.fullmatch(re.escape(live_server.url("/termine/")) + r"[\w-]{32,}", personal)

    [booked] = wait_for_mail(mailbox, email, 1)
    text = Mailbox.text(booked)
    assert personal in text and "Guten Tag Nora Nachfolge" in text
    assert "termin.ics" in Mailbox.attachments(booked)

    link = new_context(PHONE).new_page()
    link.goto(personal)
    expect(link.get_by_text("Angefragt")).to_be_visible()
    link.get_by_role("link", name="Termin verschieben").click()
    link.locator(".times a").nth(1).click()
    link.get_by_role("button", name="Jetzt verschieben").click()
    expect(link.get_by_text("Ihr Termin ist verschoben.")).to_be_visible()
    assert link.url == personal
    moved = wait_for_mail(mailbox, email, 2)[1]
    assert "verschoben" in moved["Subject"]

    link.get_by_role("link", name="Termin absagen").click()
    assert_accessible(link)
    link.get_by_role("button", name="Ja, Termin absagen").click()
    expect(link.get_by_text("Ihr Termin ist abgesagt.")).to_be_visible()
    expect(link.get_by_role("link", name="Termin absagen")).to_have_count(0)
    cancelled = wait_for_mail(mailbox, email, 3)[2]
    assert "abgesagt" in cancelled["Subject"]
    assert b"METHOD:CANCEL" in Mailbox.attachments(cancelled)["termin.ics"]
