"""Staff invite a shopkeeper on the shop's page; the shopkeeper sets a password on a
phone, lands in the portal, switches to live mode, and the counter display's code
stamps a card in another browser (then the shop goes back to its printed poster).
"""

import re
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect

from .conftest import DESKTOP, PHONE, LiveServer
from .pages import invite_on_shop_page
from .test_live_display import live_display_stamps

AXE = Axe()
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}
EMAIL = "filialleitung@laden.example"
PASSWORD = "Zimtstern Laterne Fahrrad"


def assert_accessible(page: Page) -> None:
    """No axe-core violation on the page as it is now."""
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    details = [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    assert not violations, f"{page.url}: {details}"


@pytest.mark.browser
def test_staff_invite_and_the_shopkeeper_sets_a_password(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    office = new_context(DESKTOP)
    office.grant_permissions(["clipboard-read", "clipboard-write"],
                             origin=live_server.base_url)
    staff = office.new_page()
    staff.goto(live_server.url("/anmelden"))
    staff.get_by_label("E-Mail-Adresse").fill(live_server.staff_email)
    staff.get_by_label("Passwort").fill(live_server.staff_password)
    staff.get_by_role("button", name="Anmelden").click()
    staff.wait_for_url(live_server.url("/buero/"))
    staff.goto(live_server.url(f"/buero/geschaefte/{live_server.shop_id}"))
    expect(staff.get_by_role("heading", name="Zugänge für das Geschäft")).to_be_visible()

    link = invite_on_shop_page(staff, EMAIL)
    assert link.startswith(live_server.url("/einladung/"))
    assert staff.url.endswith("#zugaenge")
    # The copy button (JavaScript) puts exactly the link on the clipboard.
    staff.get_by_role("button", name="Link kopieren").click()
    expect(staff.get_by_text("Kopiert ✓")).to_be_visible()
    assert staff.evaluate("navigator.clipboard.readText()") == link
    assert_accessible(staff)

    shopkeeper = new_context(PHONE).new_page()
    shopkeeper.goto(link)
    expect(shopkeeper.get_by_role("heading", name="einrichten")).to_be_visible()
    expect(shopkeeper.get_by_label("E-Mail-Adresse (Ihr Anmeldename)")).to_have_value(EMAIL)
    assert_accessible(shopkeeper)
    shopkeeper.get_by_label("Neues Passwort").fill(PASSWORD)
    shopkeeper.get_by_label("Passwort wiederholen").fill(PASSWORD)
    shopkeeper.get_by_role("button", name="Passwort speichern und anmelden").click()
    shopkeeper.wait_for_url(live_server.url("/laden/"))
    expect(shopkeeper.get_by_role("heading", name="Stempel pro Tag")).to_be_visible()
    assert_accessible(shopkeeper)
    response = shopkeeper.goto(live_server.url("/buero/"))
    assert response is not None and response.status == 403  # logged in, as a shopkeeper

    shopkeeper.goto(live_server.url("/laden/"))
    live_display_stamps(shopkeeper, live_server, new_context)
    shopkeeper.goto(live_server.url("/laden/modus"))
    shopkeeper.get_by_role("button", name="Ja, Live-Modus ausschalten").click()
    shopkeeper.wait_for_url(re.compile(re.escape(live_server.url("/laden/")) + ".*"))

    again = shopkeeper.goto(link)
    assert again is not None and again.status == 410
    expect(shopkeeper.get_by_role("heading", name="schon benutzt")).to_be_visible()

    staff.goto(live_server.url(f"/buero/geschaefte/{live_server.shop_id}"))
    account = staff.locator("#zugaenge li", has_text=EMAIL).first
    expect(account.get_by_text("aktiv")).to_be_visible()
    expect(staff.get_by_role("textbox", name="Einladungslink")).to_have_count(0)  # shown once only
