"""The legal pages and the rules preview in a browser: no sideways scrolling, no axe finding."""

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from .conftest import LiveServer
from .test_layout import assert_no_sideways_scrolling
from .test_staff_flow import assert_accessible, staff_login

LEGAL_PAGES = ("/teilnahmebedingungen", "/impressum", "/datenschutz", "/barrierefreiheit")
NARROW = ({"width": 320, "height": 640}, {"width": 390, "height": 844})


@pytest.mark.browser
@pytest.mark.parametrize("viewport", NARROW, ids=lambda size: f"{size['width']}px")
def test_legal_pages_fit_a_phone(
    live_server: LiveServer, new_context: Callable[..., BrowserContext], viewport: dict
) -> None:
    page = new_context(viewport).new_page()
    for path in LEGAL_PAGES:
        page.goto(live_server.url(path))
        assert_no_sideways_scrolling(page)


@pytest.mark.browser
@pytest.mark.parametrize("viewport", NARROW, ids=lambda size: f"{size['width']}px")
def test_the_rules_preview_shows_the_rendered_text_and_saves_nothing(
    live_server: LiveServer, new_context: Callable[..., BrowserContext], viewport: dict
) -> None:
    page = new_context(viewport).new_page()
    staff_login(page, live_server)
    page.goto(live_server.url(f"/buero/rallyes/{live_server.rally_id}"))
    rules = page.get_by_label("Teilnahmebedingungen")
    saved = rules.input_value()
    rules.fill("## Vorschau-Test\n\nEin <script>alert(1)</script> Absatz.")
    page.get_by_role("button", name="Vorschau").click()
    preview = page.locator("#vorschau")
    expect(preview.get_by_role("heading", name="Vorschau-Test")).to_be_visible()
    expect(preview).to_contain_text("<script>alert(1)</script>")  # shown as text
    expect(preview).to_be_in_viewport()  # the page jumped to it
    assert_no_sideways_scrolling(page)
    assert_accessible(page)
    page.goto(live_server.url("/teilnahmebedingungen"))
    expect(page.get_by_text("Vorschau-Test")).to_have_count(0)
    assert "Vorschau-Test" not in saved
