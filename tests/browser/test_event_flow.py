"""On a phone: a person registers for an event, gets the mail with the calendar file,
opens the personal link from it and cancels; and a freed place goes from the waiting
list to the next person, who confirms it from the "Platz frei" mail."""

import re
import uuid
from collections.abc import Callable
from email.message import EmailMessage

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from ..smtp import Mailbox
from .conftest import PHONE, LiveServer
from .event_pages import new_event
from .test_appointments import wait_for_mail


def link_in(message: EmailMessage) -> str:
    """The personal link in a mail."""
    found = re.search(r"https?://\S+/veranstaltungen/anmeldung/[\w-]+", Mailbox.text(message))
    assert found, Mailbox.text(message)
    return found.group()


def register(page: Page, name: str, email: str) -> None:
    """Fill the registration form and send it."""
    page.get_by_label("Ihr Name").fill(name)
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Ich bin einverstanden").check()
    page.locator(".event-form button[type=submit]").click()


@pytest.mark.browser
def test_register_on_a_phone_then_cancel_from_the_mail(
    live_server: LiveServer, new_context: Callable[..., BrowserContext], mailbox: Mailbox
) -> None:
    slug = new_event(live_server, capacity=3)
    email = f"gruenderin-{uuid.uuid4().hex[:8]}@example.org"
    page = new_context(PHONE).new_page()
    page.goto(live_server.url("/veranstaltungen?fuer=gruenderinnen"))
    page.locator(f'a[href="/veranstaltungen/{slug}"]').click()
    expect(page.get_by_text("Noch 3 Plätze frei").first).to_be_visible()
    register(page, "Nora Netzwerk", email)
    expect(page.get_by_text("Vielen Dank, Sie sind angemeldet.")).to_be_visible()
    personal = page.url
    assert re.fullmatch(re.escape(live_server.url("/veranstaltungen/anmeldung/")) + r"[\w-]{32,}",
                        personal)

    [confirmed] = wait_for_mail(mailbox, email, 1)
    assert link_in(confirmed) == personal
    assert "veranstaltung.ics" in Mailbox.attachments(confirmed)

    link = new_context(PHONE).new_page()
    link.goto(personal)
    expect(link.get_by_text("Sie sind angemeldet. Wir freuen uns auf Sie.")).to_be_visible()
    link.get_by_role("link", name="Abmelden").click()
    expect(link.get_by_role("heading", name="Wirklich abmelden?")).to_be_visible()
    link.get_by_role("button", name="Ja, abmelden").click()
    expect(link.get_by_text("Sie sind abgemeldet.")).to_be_visible()
    expect(link.locator(".status")).to_have_text("Abgemeldet.")
    wait_for_mail(mailbox, email, 2)
    page.goto(live_server.url(f"/veranstaltungen/{slug}"))
    expect(page.get_by_text("Noch 3 Plätze frei").first).to_be_visible()


@pytest.mark.browser
def test_a_freed_place_goes_to_the_first_waiting_who_confirms_it(
    live_server: LiveServer, new_context: Callable[..., BrowserContext], mailbox: Mailbox
) -> None:
    slug = new_event(live_server, capacity=1)
    first_email = f"erste-{uuid.uuid4().hex[:8]}@example.org"
    second_email = f"zweite-{uuid.uuid4().hex[:8]}@example.org"
    first = new_context(PHONE).new_page()
    first.goto(live_server.url(f"/veranstaltungen/{slug}"))
    register(first, "Erika Erste", first_email)
    expect(first.get_by_text("Vielen Dank, Sie sind angemeldet.")).to_be_visible()

    second = new_context(PHONE).new_page()
    second.goto(live_server.url(f"/veranstaltungen/{slug}"))
    expect(second.get_by_text("Ausgebucht – Warteliste").first).to_be_visible()
    register(second, "Zoe Zweite", second_email)
    expect(second.get_by_text("auf der Warteliste an Stelle 1")).to_be_visible()
    [on_the_list] = wait_for_mail(mailbox, second_email, 1)
    assert "Warteliste" in on_the_list["Subject"]

    first.get_by_role("link", name="Abmelden").click()
    first.get_by_role("button", name="Ja, abmelden").click()
    expect(first.get_by_text("Sie sind abgemeldet.")).to_be_visible()

    offer = wait_for_mail(mailbox, second_email, 2)[-1]
    assert "Ein Platz ist frei" in offer["Subject"]
    phone = new_context(PHONE).new_page()
    phone.goto(link_in(offer))
    expect(phone.get_by_text("Für Sie ist ein Platz reserviert bis")).to_be_visible()
    phone.get_by_role("button", name="Platz bestätigen").click()
    expect(phone.get_by_text("Der Platz gehört Ihnen.")).to_be_visible()
    expect(phone.locator(".status")).to_have_text("Sie sind angemeldet. Wir freuen uns auf Sie.")
    confirmed = wait_for_mail(mailbox, second_email, 3)[-1]
    assert "Ihre Anmeldung" in confirmed["Subject"]
    assert "veranstaltung.ics" in Mailbox.attachments(confirmed)
