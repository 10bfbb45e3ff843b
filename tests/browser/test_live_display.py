"""A shopkeeper on a phone: portal, live mode on, the counter display; its screenshot
scans to a URL that stamps a card in another browser.

axe-core checks every page the shopkeeper visits.
"""

import io
import re
from collections.abc import Callable

import pytest
import zxingcpp
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect

from .conftest import PHONE, LiveServer

AXE = Axe()
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}


def assert_accessible(page: Page) -> None:
    """No axe-core violation on the page as it is now."""
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    details = [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    assert not violations, f"{page.url}: {details}"


def scanned(page: Page) -> list[str]:
    """What zxing-cpp reads in a screenshot of the whole page."""
    image = Image.open(io.BytesIO(page.screenshot(full_page=True)))
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [result.text for result in found]


def live_display_stamps(page: Page, live_server: LiveServer,
                        new_context: Callable[..., BrowserContext]) -> str:
    """From the portal: switch to live mode, read the counter display's QR from a
    screenshot and stamp a card with it in another browser; return the scanned URL."""
    page.get_by_role("link", name="Live-Modus einschalten …").click()
    expect(page.get_by_role("heading", name="Live-Modus einschalten?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Ja, Live-Modus einschalten").click()
    page.wait_for_url(live_server.url("/laden/live"))
    expect(page.locator(".live-countdown")).to_be_visible()  # the script runs
    if int(page.locator(".live-seconds").inner_text()) < 5:
        # About to change: let the display show its next code first.
        page.wait_for_timeout(6000)
        page.wait_for_load_state()
        expect(page.locator(".live-countdown")).to_be_visible()
    assert_accessible(page)
    digits = page.locator(".live-code").inner_text().replace(" ", "")
    assert re.fullmatch(r"\d{6}", digits), digits

    found = scanned(page)
    assert len(found) == 1, found
    url = found[0]
    assert re.fullmatch(re.escape(live_server.base_url) + r"/s/[A-Za-z0-9_-]{22}\?code=" + digits,
                        url), url

    shopper = new_context(PHONE).new_page()
    shopper.goto(url)
    assert_accessible(shopper)
    shopper.get_by_role("button", name="Stempel einsammeln").click()
    shopper.wait_for_url(live_server.url("/karte"))
    expect(shopper.locator(".celebrate")).to_be_visible()
    shop_name = page.locator("#live-titel").inner_text().removeprefix("Hier stempeln: ")
    expect(shopper.locator("main")).to_contain_text(shop_name)

    return url


@pytest.mark.browser
def test_counter_display_stamps_a_card_in_another_browser(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    page = new_context(PHONE).new_page()
    page.goto(live_server.url("/anmelden"))
    page.get_by_label("E-Mail-Adresse").fill(live_server.flow_shopkeeper_email)
    page.get_by_label("Passwort").fill(live_server.shopkeeper_password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(live_server.url("/laden/"))
    expect(page.get_by_role("heading", name="Stempel pro Tag")).to_be_visible()
    expect(page.get_by_role("link", name="Mein Geschäft")).to_have_attribute(
        "aria-current", "page")
    assert_accessible(page)

    url = live_display_stamps(page, live_server, new_context)

    # The same URL without its code, as the printed poster has it, stamps nothing.
    poster = new_context(PHONE).new_page()
    response = poster.goto(url.split("?")[0])
    assert response is not None and response.status == 409
    expect(poster.get_by_role("heading", name="Scanne den Code an der Kasse")).to_be_visible()
