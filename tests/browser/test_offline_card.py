"""The card on a phone without network: the service worker keeps this browser's card
page and shows it offline with a note; a scan page offline says that stamping needs the
network. The stamp that has just landed is the one that plays the animation."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError

from .conftest import PHONE, LiveServer
from .pages import stamp_once

# Resolves to true once the worker's cache holds a card page at the page's own URL
# (``kept``), or holds none (``!kept``); false if that does not happen within 10 s.
CARD_COPY = """async (kept) => {
  for (let i = 0; i < 100; i += 1) {
    const copy = await caches.match(location.href, { cacheName: "rallye-card" });
    const isCard = copy ? (await copy.text()).includes("stamp-card") : false;
    if (isCard === kept) { return true; }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}"""


def wait_for_worker(page: Page) -> None:
    """Wait until the service worker is active and holds the card page."""
    assert page.evaluate("navigator.serviceWorker.ready.then((r) => r.active.state)") in (
        "activating", "activated")
    assert page.evaluate(CARD_COPY, True), "the worker kept no copy of the card"


@pytest.mark.browser
def test_the_card_is_there_offline_and_stamping_says_it_needs_the_network(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    context = new_context(PHONE)
    page = stamp_once(context, live_server, index=31)
    shop = live_server.stations[31].shop_name
    wait_for_worker(page)
    expect(page.locator(".offline-note")).to_be_hidden()

    context.set_offline(True)
    page.reload()
    note = page.locator(".offline-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Du bist offline – das ist der Stand von")
    assert page.locator("html").get_attribute("data-offline") == ""
    expect(page.locator(".slot.is-stamped")).to_have_count(1)
    expect(page.locator(".slots").first).to_contain_text(f"Stempel 1 von 10: {shop}")
    expect(page.locator(".celebrate")).to_be_hidden()  # the copy is not a new stamp
    assert page.locator(".qr-figure img").evaluate("(img) => img.complete && img.naturalWidth > 0")

    page.goto(live_server.url(f"/s/{live_server.stations[32].token}"))
    expect(page.get_by_role("heading", name="Du bist offline")).to_be_visible()
    expect(page.get_by_text("Zum Stempeln brauchst du Internet. Versuch es gleich noch einmal.")
           ).to_be_visible()
    page.goto(live_server.url("/stempel"))
    expect(page.get_by_text("Zum Stempeln brauchst du Internet.")).to_be_visible()

    # Staff pages are not the worker's: offline they fail as without it.
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        page.goto(live_server.url("/anmelden"))

    # Back online, the scan page comes from the server again, and so does the card.
    context.set_offline(False)
    page.goto(live_server.url(f"/s/{live_server.stations[32].token}"))
    expect(page.get_by_role("button", name="Stempel einsammeln")).to_be_visible()
    page.goto(live_server.url("/karte"))
    expect(page.locator(".offline-note")).to_be_hidden()


@pytest.mark.browser
def test_a_browser_without_a_card_keeps_no_copy(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    """The card page of a browser without a card tells the worker to forget: offline,
    /karte then shows the offline page, not an old card."""
    context = new_context(PHONE)
    page = stamp_once(context, live_server, index=33)
    wait_for_worker(page)
    context.clear_cookies()  # the card is forgotten in this browser
    page.reload()
    expect(page.get_by_text("Du hast noch keine Stempelkarte")).to_be_visible()
    assert page.evaluate(CARD_COPY, False), "the worker still holds the old card"
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="Du bist offline")).to_be_visible()
    expect(page.locator(".stamp-card")).to_have_count(0)


@pytest.mark.browser
def test_the_new_stamp_is_the_one_that_lands(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    context = new_context(PHONE)
    stamp_once(context, live_server, index=34).close()
    page = stamp_once(context, live_server, index=35)
    new = page.locator(".slot.is-new")
    expect(new).to_have_count(1)
    expect(new).to_contain_text(f"Stempel 2 von 10: {live_server.stations[35].shop_name}")
    animation = new.locator(".stamp-ink").evaluate("(svg) => getComputedStyle(svg).animationName")
    assert animation == "stamp-press"
    page.reload()  # seen again, nothing lands
    expect(page.locator(".slot.is-new")).to_have_count(0)
    expect(page.locator(".slot.is-stamped")).to_have_count(2)


@pytest.mark.browser
def test_no_animation_for_reduced_motion(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    context = new_context(PHONE)
    page = stamp_once(context, live_server, index=36)
    page.emulate_media(reduced_motion="reduce")
    svg = page.locator(".slot.is-new .stamp-ink")
    assert svg.evaluate("(svg) => getComputedStyle(svg).animationName") == "none"


@pytest.mark.browser
def test_link_kopieren_copies_the_recovery_link(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    context = new_context(PHONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"],
                              origin=live_server.base_url)
    page = stamp_once(context, live_server, index=38)
    link = page.locator("#karten-link").get_attribute("href")
    assert link is not None and "/karte/wiederherstellen/" in link
    page.get_by_role("button", name="Link kopieren").click()
    expect(page.locator("#karten-link-status")).to_have_text("Link kopiert")
    assert page.evaluate("navigator.clipboard.readText()") == link
    # "Teilen" shows only where the browser can share.
    can_share = page.evaluate("typeof navigator.share === 'function'")
    expect(page.get_by_role("button", name="Teilen")).to_have_count(1 if can_share else 0)


@pytest.mark.browser
def test_without_javascript_the_link_is_there_and_no_button(
    live_server: LiveServer, browser: Browser
) -> None:
    context = browser.new_context(viewport=PHONE, locale="de-DE", java_script_enabled=False)
    try:
        page = stamp_once(context, live_server, index=39)
        expect(page.locator("#karten-link")).to_be_visible()
        expect(page.locator("#karten-link")).to_contain_text("/karte/wiederherstellen/")
        expect(page.locator(".keep-buttons button")).to_have_count(2)
        for button in page.locator(".keep-buttons button").all():
            expect(button).to_be_hidden()
        expect(page.locator(".offline-note")).to_be_hidden()
    finally:
        context.close()
