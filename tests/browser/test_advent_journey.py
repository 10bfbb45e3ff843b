"""Issue 18's whole story on a phone, on the demo: today's door from the home page, its
featured shop, a stamp that lands on the card, a route for the rest, the card offline,
and tomorrow's door still shut."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from app.demo_data import ADVENT_DOORS_DEMO

from .conftest import PHONE, LiveServer
from .pages import stamp_once
from .test_offline_card import wait_for_worker


@pytest.mark.browser
def test_todays_door_a_stamp_a_route_and_the_card_offline(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    today, tomorrow = ADVENT_DOORS_DEMO[0], ADVENT_DOORS_DEMO[1]
    context = new_context(PHONE)
    page = context.new_page()
    page.goto(live_server.url("/"))
    page.get_by_role("link", name=re.compile(r"^Heute hinter Türchen 1:")).click()
    page.wait_for_url(live_server.url("/adventskalender/1"))
    expect(page.get_by_role("heading", name=today["title"])).to_be_visible()
    expect(page.get_by_text("Geschäft des Tages")).to_be_visible()
    expect(page.get_by_text(today["offer"])).to_be_visible()

    # The door's shop is the fixture's live-mode station; the shopper stamps elsewhere.
    page.close()
    page = stamp_once(context, live_server, index=12)
    shop = live_server.stations[12].shop_name
    expect(page.locator(".slot.is-new")).to_have_count(1)
    expect(page.locator(".slots").first).to_contain_text(f"Stempel 1 von 10: {shop}")
    expect(page.get_by_role("heading", name="Dein Rundgang")).to_be_visible()
    expect(page.locator(".route-list li")).to_have_count(5)
    expect(page.get_by_role("img", name="Plan des Rundgangs")).to_be_visible()
    expect(page.get_by_text(f"Start: {shop}, dein letzter Stempel")).to_be_visible()

    wait_for_worker(page)
    context.set_offline(True)
    page.reload()
    expect(page.locator(".offline-note")).to_be_visible()
    expect(page.locator(".slot.is-stamped")).to_have_count(1)
    context.set_offline(False)

    response = page.goto(live_server.url("/adventskalender/2"))
    assert response is not None and response.status == 404
    expect(page.get_by_text("Noch ein bisschen Geduld")).to_be_visible()
    html = page.content()
    assert tomorrow["title"] not in html and tomorrow["offer"] not in html
