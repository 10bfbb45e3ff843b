"""The public site in English and Turkish: axe finds nothing, nothing scrolls sideways at
320 px, ``<html lang>`` names the language; and the header's switch takes a Turkish
browser to English on the same page.

The German scenarios of :mod:`tests.browser.pages` run unchanged: their contexts come
from :func:`translated_contexts`, whose pages look the German names a scenario clicks
and waits for (``get_by_role(name=...)``, ``get_by_label``, ``get_by_text``) up in the
app's own catalogue. A German name the catalogue does not translate fails the scenario,
so a page that still shows German cannot pass here.

``LANG_SHOTS=/some/dir`` saves a full-page screenshot of every phone-sized page there.
"""

import os
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

import app

from .conftest import DESKTOP, PHONE, LiveServer
from .pages import PUBLIC
from .test_accessibility import AXE, AXE_OPTIONS, describe, wait_for_animations
from .test_layout import SMALL_PHONE, assert_no_sideways_scrolling

TRANSLATIONS = Path(app.__file__).parent / "translations"
# Each language's browser: Playwright's locale (navigator.language) and the header the
# app reads (Playwright would send the locale alone; a real browser adds fallbacks).
BROWSERS = {
    "en": ("en-GB", "en-GB,en;q=0.9"),
    "tr": ("tr-TR", "tr-TR,tr;q=0.9"),
}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
SCENARIOS = [
    "home", "scan", "card-celebration", "card", "entry-form", "entry-form-errors",
    "appointments", "appointment-form", "events", "event-detail", "advent-calendar",
    "advent-door", "privacy", "listings",
]


@cache
def catalogue(language: str) -> Catalog:
    """The language's message catalogue, read from its .po file (the app's own)."""
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def translate(language: str, german: str) -> str:
    """The catalogue's translation of the German ``german``; fails if there is none."""
    message = catalogue(language).get(german)
    assert message is not None and message.string and not message.fuzzy, (
        f"no {language} translation of {german!r} in the catalogue"
    )
    assert isinstance(message.string, str), german  # a plural form is looked up by hand
    return message.string


class TranslatedPage:
    """A page whose text lookups take German names and search for their translation.

    Everything else is the wrapped Playwright page's; ``page`` is that page itself.
    """

    def __init__(self, page: Page, language: str) -> None:
        self.page = page
        self.language = language

    def get_by_role(self, role: Any, *, name: str | None = None, **options: Any) -> Locator:
        """The role's element named with the translation of ``name``."""
        if isinstance(name, str):
            name = translate(self.language, name)
        return self.page.get_by_role(role, name=name, **options)

    def get_by_label(self, text: str, **options: Any) -> Locator:
        """The field labelled with the translation of ``text``."""
        return self.page.get_by_label(translate(self.language, text), **options)

    def get_by_text(self, text: str, **options: Any) -> Locator:
        """The element showing the translation of ``text``."""
        return self.page.get_by_text(translate(self.language, text), **options)

    def __getattr__(self, name: str) -> Any:
        """Anything else: the page's own (goto, locator, wait_for_url, url, ...)."""
        return getattr(self.page, name)


class TranslatedContext:
    """A browser context whose new pages are :class:`TranslatedPage`."""

    def __init__(self, context: BrowserContext, language: str) -> None:
        self.context = context
        self.language = language

    def new_page(self) -> TranslatedPage:
        """A new page of the context, translating its lookups."""
        return TranslatedPage(self.context.new_page(), self.language)

    def __getattr__(self, name: str) -> Any:
        """Anything else: the context's own (cookies, close, ...)."""
        return getattr(self.context, name)


def real_page(page: Any) -> Page:
    """The Playwright page behind what a scenario returned."""
    return page.page if isinstance(page, TranslatedPage) else page


@pytest.fixture
def language_context(browser: Browser) -> Iterator[Callable[[str, dict[str, int]], BrowserContext]]:
    """A factory of fresh contexts of an English or Turkish browser, closed after the test.

    ``language_context("tr", PHONE)`` is a plain context (the flow test's);
    :func:`translated_contexts` wraps it for the German scenarios.
    """
    contexts: list[BrowserContext] = []

    def make(language: str, viewport: dict[str, int]) -> BrowserContext:
        """Open a context with the language's locale and Accept-Language."""
        locale, accept = BROWSERS[language]
        context = browser.new_context(viewport=viewport, locale=locale,
                                      extra_http_headers={"Accept-Language": accept})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def translated_contexts(make: Callable[[str, dict[str, int]], BrowserContext], language: str,
                        viewport: dict[str, int]) -> Callable[[], Any]:
    """A scenario's context factory: the language's browser, translating lookups."""
    return lambda: TranslatedContext(make(language, viewport), language)


@pytest.mark.browser
@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("language", list(BROWSERS))
def test_page_in_language(
    live_server: LiveServer,
    language_context: Callable[[str, dict[str, int]], BrowserContext],
    language: str,
    viewport: str,
    scenario: str,
) -> None:
    """The page speaks the browser's language, axe finds nothing, and on a phone it does
    not scroll sideways at 390 px nor at 320 px."""
    contexts = translated_contexts(language_context, language, VIEWPORTS[viewport])
    page = real_page(PUBLIC[scenario](contexts, live_server))
    expect(page.locator("html")).to_have_attribute("lang", language)
    wait_for_animations(page)
    results = AXE.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert not violations, (
        f"{len(violations)} axe violation(s) on {page.url} ({language}, {viewport}):\n"
        + describe(violations)
    )
    if viewport == "phone":
        assert_no_sideways_scrolling(page)
        shots = os.environ.get("LANG_SHOTS")
        screenshot(page, shots, f"{language}-{scenario}")
        page.set_viewport_size(SMALL_PHONE)
        assert_no_sideways_scrolling(page)
        screenshot(page, shots, f"{language}-{scenario}-320px")


def screenshot(page: Page, folder: str | None, name: str) -> None:
    """Save a full-page screenshot as ``folder/name.png`` if ``folder`` is given."""
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def language_cookie(context: BrowserContext) -> str | None:
    """The value of the switch's ``sprache`` cookie in ``context``, if it is set."""
    values = [cookie.get("value") for cookie in context.cookies()
              if cookie.get("name") == "sprache"]
    return values[0] if values else None


@pytest.mark.browser
def test_turkish_browser_switches_to_english_and_stamps(
    live_server: LiveServer,
    language_context: Callable[[str, dict[str, int]], BrowserContext],
) -> None:
    """Accept-Language picks Turkish without a cookie; the switch's "English" comes back
    to the same scan page in English, remembers it, and the stamp is told in English."""
    station = live_server.stations[3]
    scan_url = live_server.url(f"/s/{station.token}")
    context = language_context("tr", PHONE)
    page = context.new_page()
    page.goto(scan_url)
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    collect = translate("tr", "Stempel einsammeln")
    assert collect != "Stempel einsammeln"
    expect(page.get_by_role("button", name=collect)).to_be_visible()
    assert language_cookie(context) is None

    page.locator(".lang-switch").get_by_role("link", name="English").click()
    page.wait_for_url(scan_url)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert language_cookie(context) == "en"

    page.get_by_role("button", name=translate("en", "Stempel einsammeln")).click()
    page.wait_for_url(live_server.url("/karte"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    celebration = page.locator(".celebrate")
    expect(celebration).to_contain_text(translate("en", "Stempel %(count)s!") % {"count": 1})
    expect(celebration).to_contain_text(
        translate("en", "Danke für deinen Besuch bei %(shop)s.") % {"shop": station.shop_name})
    expect(page.get_by_role("heading", name=translate("en", "Meine Stempelkarte"))).to_be_visible()
