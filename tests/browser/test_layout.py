"""Every page fits a phone: no sideways scrolling at 320 and 390 px; the scan page's
button above the fold; the header in one row; the footer at the bottom; the poster on A4."""

import io
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page
from pypdf import PdfReader

from .conftest import DESKTOP, PHONE, LiveServer
from .pages import ALL_PAGES, poster_page, scan_page, scan_page_with_card

SMALL_PHONE = {"width": 320, "height": 640}
MM_PER_POINT = 25.4 / 72


def assert_no_sideways_scrolling(page: Page) -> None:
    """The page is no wider than the window (and names what sticks out if it is).

    Measured once the page has loaded with its stylesheet: a scenario that ends with a
    form's navigation may hand over a document whose CSS is still on its way, and an
    unstyled table is wide on a loaded machine.
    """
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    if scroll_width > inner_width:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                .slice(0, 5).map((e) => e.outerHTML.slice(0, 120))"""
        )
        pytest.fail(f"{page.url}: {scroll_width} px wide at {inner_width}: {wide}")


@pytest.mark.browser
@pytest.mark.parametrize("scenario", list(ALL_PAGES), ids=list(ALL_PAGES))
def test_page_fits_a_phone(
    live_server: LiveServer, new_context: Callable[..., BrowserContext], scenario: str
) -> None:
    """No page scrolls sideways at 320 px, nor at 390 px."""
    page = ALL_PAGES[scenario](lambda: new_context(SMALL_PHONE), live_server)
    assert_no_sideways_scrolling(page)
    page.set_viewport_size(PHONE)
    assert_no_sideways_scrolling(page)


@pytest.mark.browser
@pytest.mark.parametrize("scenario", [scan_page, scan_page_with_card], ids=["new", "card"])
def test_stamp_button_is_above_the_fold_on_a_phone(
    live_server: LiveServer, new_context: Callable[..., BrowserContext], scenario: Callable
) -> None:
    page = scenario(lambda: new_context(PHONE), live_server)
    button = page.get_by_role("button", name="Stempel einsammeln").bounding_box()
    assert button is not None
    assert button["y"] + button["height"] <= PHONE["height"], button


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [SMALL_PHONE, PHONE, DESKTOP],
                         ids=lambda size: f"{size['width']}px")
def test_header_navigation_is_one_row(
    live_server: LiveServer, new_context: Callable[..., BrowserContext], viewport: dict
) -> None:
    page = new_context(viewport).new_page()
    page.goto(live_server.url("/geschaefte"))
    tops = page.locator(".nav > li").evaluate_all(
        "(items) => items.map((item) => Math.round(item.getBoundingClientRect().top))"
    )
    assert len(tops) == 4 and len(set(tops)) == 1, tops
    current = page.locator('.nav a[aria-current="page"]')
    assert current.inner_text() == "Geschäfte"


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/karte", "/gibt-es-nicht"])
def test_footer_sits_at_the_bottom_of_short_pages(
    live_server: LiveServer, new_context: Callable[..., BrowserContext], path: str
) -> None:
    page = new_context({"width": 1280, "height": 1400}).new_page()
    page.goto(live_server.url(path))
    bottom, height = page.evaluate(
        """() => [document.querySelector('.site-footer').getBoundingClientRect().bottom,
                  window.innerHeight]"""
    )
    assert abs(bottom - height) < 1, (bottom, height)


@pytest.mark.browser
def test_poster_page_prints_on_one_a4_sheet(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    """On a phone the sheet is scaled down, but printing gives exactly one A4 page."""
    page = poster_page(lambda: new_context(PHONE), live_server)
    sheet = page.locator(".sheet").bounding_box()
    assert sheet is not None and sheet["width"] <= PHONE["width"]
    page.emulate_media(media="print")
    reader = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert abs(float(box.width) * MM_PER_POINT - 210) < 0.5
    assert abs(float(box.height) * MM_PER_POINT - 297) < 0.5
    text = reader.pages[0].extract_text()
    assert "Hauptgewinn" in text and "/stempel" in text
