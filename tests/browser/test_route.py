"""The walking route and the compact shop list in a real browser: the plan is drawn,
the numbered list opens, the list of shops stays short on a phone.

With ``SCREENSHOT_DIR`` set, the pages are also saved as phone screenshots to look at.
"""

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from .conftest import PHONE, LiveServer
from .pages import shops_with_card, stamp_once

# /geschaefte was 14,168 px tall on a phone before its list became compact.
SHOPS_MAX_HEIGHT = 9000


def keep(page: Page, name: str) -> None:
    """Save a full-page screenshot when SCREENSHOT_DIR asks for it."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.browser
def test_card_shows_the_route_with_its_plan(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    page = stamp_once(new_context(PHONE), live_server)
    route = page.locator("section.route")
    expect(route.get_by_role("heading", name="Dein Rundgang")).to_be_visible()
    plan = route.get_by_role("img", name="Plan des Rundgangs")
    expect(plan).to_be_visible()
    box = plan.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    # 39 shops to go: the next five numbered, the rest dots on the line; the start is the
    # stamped shop.
    expect(route.locator(".plan-stop")).to_have_count(5)
    later = route.locator(".plan-later-dots").get_attribute("points") or ""
    assert len(later.split()) == len(live_server.stations) - 1 - 5  # one dot each
    expect(route.locator(".plan-stamped")).to_have_count(1)
    expect(route.get_by_text(f"Start: {live_server.stations[0].shop_name}")).to_be_visible()
    items = route.locator(".route-list > li")
    expect(items).to_have_count(5)  # open on the card page
    expect(items.first.locator(".open-now")).to_have_text(
        re.compile(r"^(Jetzt geöffnet · bis|Geschlossen · öffnet)"))
    route.scroll_into_view_if_needed()
    keep(page, "karte-route")

    # The whole walk, every stop numbered, is on the directory.
    route.get_by_role("link", name=re.compile(r"^Ganzer Rundgang mit allen 39")).click()
    page.wait_for_url(re.compile(r"/geschaefte#route-titel$"))
    full = page.locator("section.route")
    expect(full.locator(".plan-stop")).to_have_count(len(live_server.stations) - 1)
    full.get_by_text("Reihenfolge als Liste").click()
    expect(full.locator(".route-list > li")).to_have_count(len(live_server.stations) - 1)


@pytest.mark.browser
def test_shop_list_is_compact_and_searchable(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    page = shops_with_card(lambda: new_context(PHONE), live_server)
    height = page.evaluate("document.documentElement.scrollHeight")
    keep(page, "geschaefte")
    assert height < SHOPS_MAX_HEIGHT, height
    first = page.locator("li.shop").first
    expect(first.locator(".open-now")).to_be_visible()
    first.locator("summary").click()
    expect(first.get_by_text("Geöffnet:")).to_be_visible()
    page.get_by_label("Suche").fill("Fadenlauf")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.locator("li.shop")).to_have_count(1)
    expect(page.locator("li.shop h3")).to_contain_text("Modehaus Fadenlauf")
