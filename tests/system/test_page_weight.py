"""Page weight on a phone: the scan page and the card page, everything included.

The shopper often stands in a shop with poor mobile data. Every byte of both pages
(HTML, CSS, images, anything else the browser fetches) is counted uncompressed, with
the browser's cache off, and all of it must come from the site itself.
"""

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request, Response

from .conftest import Server, SystemDb

PHONE = {"width": 390, "height": 844}
BUDGET = 50 * 1024


class Recorder:
    """Every request and response of a page, in order."""

    def __init__(self, page: Page) -> None:
        self.requests: list[Request] = []
        self.responses: list[Response] = []
        page.on("request", lambda request: self.requests.append(request))
        page.on("response", lambda response: self.responses.append(response))

    def weigh(self) -> dict[str, int]:
        """Uncompressed body bytes per URL (a redirect counts its Content-Length)."""
        sizes: dict[str, int] = {}
        for response in self.responses:
            assert response.status != 304, f"{response.url} came from the cache"
            if 300 <= response.status < 400:
                size = int(response.headers.get("content-length", "0"))
            else:
                size = len(response.body())
            key = f"{response.request.method} {response.url}"
            sizes[key] = sizes.get(key, 0) + size
        self.responses.clear()
        return sizes

    def foreign(self, origin: str) -> list[str]:
        """URLs of requests that left the site (data: URLs stay inside the page)."""
        return [
            request.url
            for request in self.requests
            if not request.url.startswith("data:") and origin_of(request.url) != origin
        ]


def origin_of(url: str) -> str:
    """scheme://host:port of ``url``."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    """A page in the session's Chromium at 390×844, German, with the HTTP cache off."""
    context = browser.new_context(viewport=PHONE, locale="de-DE", is_mobile=True)
    context.set_default_timeout(15_000)
    # Routing every request switches Playwright's HTTP cache off, so each page fetches
    # all it needs in full (no 304s that would hide a stylesheet's size).
    context.route("**/*", lambda route: route.continue_())
    try:
        yield context.new_page()
    finally:
        context.close()


def report(name: str, sizes: dict[str, int]) -> str:
    """A readable breakdown of one page's weight."""
    lines = [f"{name}: {sum(sizes.values())} bytes"]
    lines += [f"  {size:>7}  {url}" for url, size in sizes.items()]
    return "\n".join(lines)


@pytest.mark.browser
def test_scan_and_card_pages_stay_under_50_kb(
    server: Server, system_db: SystemDb, phone_page: Page
) -> None:
    origin = origin_of(server.base_url)
    recorder = Recorder(phone_page)

    phone_page.goto(f"{server.base_url}/s/{system_db.tokens[5]}", wait_until="networkidle")
    scan = recorder.weigh()

    phone_page.get_by_role("button", name="Stempel einsammeln").click()
    phone_page.wait_for_url("**/karte")
    phone_page.wait_for_load_state("networkidle")
    card = recorder.weigh()

    print(report("scan page", scan))
    print(report("card page", card))
    assert recorder.foreign(origin) == []
    assert any(url.endswith(".css") for url in scan), "the stylesheet was counted"
    assert any(url.startswith("POST ") for url in card), "the tap was counted"
    assert phone_page.get_by_text("Stempel").first.is_visible()
    assert sum(scan.values()) <= BUDGET, report("scan page", scan)
    assert sum(card.values()) <= BUDGET, report("card page", card)
