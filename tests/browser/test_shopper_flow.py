"""The shopper's way through the rally in a real browser on a phone-sized screen."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from .conftest import PHONE, DemoStation, LiveServer

UNKNOWN_TOKEN = "AAAAAAAAAAAAAAAAAAAAAA"


def record_requests(page: Page) -> list[str]:
    """Collect the URL of every request ``page`` makes from now on."""
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


def assert_first_party(urls: list[str], live_server: LiveServer) -> None:
    """Fail if any request went anywhere but the live server."""
    assert urls, "the page made no requests at all"
    foreign = [url for url in urls if not url.startswith(live_server.base_url + "/")]
    assert not foreign, f"third-party requests: {foreign}"


def collect_stamp(page: Page, live_server: LiveServer, station: DemoStation, count: int) -> None:
    """Open ``station``'s scan page, tap the button and check the celebration on /karte."""
    page.goto(live_server.url(f"/s/{station.token}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(station.shop_name)
    page.get_by_role("button", name="Stempel einsammeln").click()
    page.wait_for_url(live_server.url("/karte"))
    expect(page.get_by_role("heading", name=f"Stempel {count}!")).to_be_visible()
    expect(page.locator(".celebrate")).to_contain_text(station.shop_name)


@pytest.mark.browser
def test_three_stamps_then_recover_card_in_another_browser(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    """Scan three shops, see a repeat refused, check the API, restore the card elsewhere."""
    first, second, third = live_server.stations[:3]
    page = new_context(PHONE).new_page()
    urls = record_requests(page)

    collect_stamp(page, live_server, first, 1)
    collect_stamp(page, live_server, second, 2)
    collect_stamp(page, live_server, third, 3)

    page.goto(live_server.url(f"/s/{first.token}"))
    expect(page.get_by_text("Hier hast du schon gestempelt")).to_be_visible()
    expect(page.get_by_role("button", name="Stempel einsammeln")).to_have_count(0)

    response = page.request.get(live_server.url("/api/v1/card"))
    assert response.ok, response.status
    body = response.json()
    assert body["stamp_count"] == 3
    assert {stamp["shop"] for stamp in body["stamps"]} == {
        first.shop_slug,
        second.shop_slug,
        third.shop_slug,
    }
    assert body["goal"] == 10
    assert body["qualified"] is False

    page.goto(live_server.url("/karte"))
    card_code = page.locator("strong.card-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", card_code), card_code
    assert body["code"] == card_code
    expect(page.get_by_text("3 von 10 Stempeln")).to_be_visible()
    link = page.locator("p.recovery-link a").get_attribute("href")
    assert link is not None
    assert link.startswith(live_server.url(f"/karte/wiederherstellen/{card_code}/")), link

    other = new_context(PHONE).new_page()
    other_urls = record_requests(other)
    other.goto(live_server.url("/karte"))
    expect(other.get_by_role("heading", name="Du hast noch keine Stempelkarte")).to_be_visible()
    other.goto(link)
    expect(other.get_by_role("heading", name="Karte wiederherstellen")).to_be_visible()
    other.get_by_role("button", name="Karte hier öffnen").click()
    other.wait_for_url(live_server.url("/karte"))
    expect(other.locator("strong.card-code")).to_have_text(card_code)
    expect(other.get_by_text("3 von 10 Stempeln")).to_be_visible()
    for station in (first, second, third):
        expect(other.locator("ol.stamp-list")).to_contain_text(station.shop_name)

    assert_first_party(urls, live_server)
    assert_first_party(other_urls, live_server)


@pytest.mark.browser
def test_typed_short_code_in_lower_case_collects_a_stamp(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    """Typing a poster's short code in lower case stamps the card like a scan does."""
    station = live_server.stations[3]
    page = new_context(PHONE).new_page()
    urls = record_requests(page)

    page.goto(live_server.url("/stempel"))
    page.get_by_label("Code vom Plakat").fill(station.short_code.lower())
    page.get_by_role("button", name="Stempel einsammeln").click()
    page.wait_for_url(live_server.url("/karte"))
    expect(page.get_by_role("heading", name="Stempel 1!")).to_be_visible()
    expect(page.locator(".celebrate")).to_contain_text(station.shop_name)

    assert_first_party(urls, live_server)


@pytest.mark.browser
def test_empty_short_code_shows_an_error(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    """Submitting the code form empty stays on the form and names the problem."""
    page = new_context(PHONE).new_page()
    page.goto(live_server.url("/stempel"))
    page.get_by_role("button", name="Stempel einsammeln").click()
    expect(page.locator("#code-fehler")).to_be_visible()
    expect(page.get_by_label("Code vom Plakat")).to_have_attribute("aria-invalid", "true")


@pytest.mark.browser
def test_unknown_token_shows_german_not_found_page(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    """A scan URL with an unknown token answers 404 with a German explanation."""
    page = new_context(PHONE).new_page()
    response = page.goto(live_server.url(f"/s/{UNKNOWN_TOKEN}"))
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="Diesen Code kennen wir nicht")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "de")
