"""axe-core (WCAG 2.0 A/AA and 2.1 AA) finds nothing on any page, on a phone and a desktop."""

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect

from .conftest import DESKTOP, PHONE, LiveServer

AXE = Axe()
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}
UNKNOWN_TOKEN = "AAAAAAAAAAAAAAAAAAAAAA"

# A scenario gets a factory of fresh contexts (all with the test's viewport) and the
# server, and returns the page under test.
ContextFactory = Callable[[], BrowserContext]
Scenario = Callable[[ContextFactory, LiveServer], Page]


def open_path(path: str) -> Scenario:
    """A scenario that simply opens ``path`` in a new browser."""

    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        """Open the page at ``path``."""
        page = contexts().new_page()
        page.goto(live_server.url(path))
        return page

    return scenario


def service_page(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """Open the first service's detail page."""
    page = contexts().new_page()
    page.goto(live_server.url(f"/angebote/{live_server.service_slug}"))
    return page


def scan_page(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """Open a station's scan page with its big stamp button."""
    page = contexts().new_page()
    page.goto(live_server.url(f"/s/{live_server.stations[0].token}"))
    expect(page.get_by_role("button", name="Stempel einsammeln")).to_be_visible()
    return page


def stamp_once(context: BrowserContext, live_server: LiveServer, index: int = 0) -> Page:
    """Collect one stamp in ``context`` and land on the card page with its celebration."""
    page = context.new_page()
    page.goto(live_server.url(f"/s/{live_server.stations[index].token}"))
    page.get_by_role("button", name="Stempel einsammeln").click()
    page.wait_for_url(live_server.url("/karte"))
    expect(page.locator(".celebrate")).to_be_visible()
    return page


def celebrated_card(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The card page right after the first stamp, with the celebration."""
    return stamp_once(contexts(), live_server)


def plain_card(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The card page with one stamp, opened again (no celebration)."""
    page = stamp_once(contexts(), live_server)
    page.reload()
    expect(page.locator(".celebrate")).to_have_count(0)
    return page


def scan_page_already_stamped(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """A scan page for a shop this card already has a stamp from."""
    page = stamp_once(contexts(), live_server)
    page.goto(live_server.url(f"/s/{live_server.stations[0].token}"))
    expect(page.get_by_text("Hier hast du schon gestempelt")).to_be_visible()
    return page


def stamp_again_notice(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The card page after typing the code of a shop that already stamped this card."""
    page = stamp_once(contexts(), live_server)
    page.goto(live_server.url("/stempel"))
    page.get_by_label("Code vom Plakat").fill(live_server.stations[0].short_code)
    page.get_by_role("button", name="Stempel einsammeln").click()
    page.wait_for_url(live_server.url("/karte"))
    expect(page.get_by_text("hast du schon gestempelt")).to_be_visible()
    return page


def shops_with_card(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The shop directory seen by a browser with a stamped card (shows marks)."""
    page = stamp_once(contexts(), live_server)
    page.goto(live_server.url("/geschaefte"))
    return page


def code_form_with_error(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The short-code form submitted empty, showing its validation error."""
    page = contexts().new_page()
    page.goto(live_server.url("/stempel"))
    page.get_by_role("button", name="Stempel einsammeln").click()
    expect(page.locator("#code-fehler")).to_be_visible()
    return page


def recovery_link(context: BrowserContext, live_server: LiveServer) -> str:
    """Stamp a new card in ``context`` and return its recovery link."""
    page = stamp_once(context, live_server)
    link = page.locator("p.recovery-link a").get_attribute("href")
    assert link is not None
    page.close()
    return link


def recovery_confirmation(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The recovery page asking to open a card saved in another browser."""
    link = recovery_link(contexts(), live_server)
    page = contexts().new_page()
    page.goto(link)
    expect(page.get_by_role("button", name="Karte hier öffnen")).to_be_visible()
    return page


def recovery_replacing_card(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The recovery page in a browser that holds another card (with a warning notice)."""
    link = recovery_link(contexts(), live_server)
    here = contexts()
    page = stamp_once(here, live_server, index=1)
    page.goto(link)
    expect(page.get_by_text("In diesem Browser ist schon die Karte")).to_be_visible()
    return page


def restored_card(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The card page right after restoring a card, with its notice."""
    page = recovery_confirmation(contexts, live_server)
    page.get_by_role("button", name="Karte hier öffnen").click()
    page.wait_for_url(live_server.url("/karte"))
    expect(page.get_by_text("ist jetzt auch in diesem Browser")).to_be_visible()
    return page


def unknown_token(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The 404 page for a scan URL with an unknown token."""
    page = contexts().new_page()
    response = page.goto(live_server.url(f"/s/{UNKNOWN_TOKEN}"))
    assert response is not None
    assert response.status == 404
    return page


def poster_page(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The printable poster of one station."""
    page = contexts().new_page()
    page.goto(live_server.url(f"/s/{live_server.stations[2].token}/plakat"))
    expect(page.get_by_text("Scannen – Stempeln – Gewinnen")).to_be_visible()
    return page


def replaced_code(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The 410 page of a rotated station's old URL."""
    page = contexts().new_page()
    response = page.goto(live_server.url(f"/s/{live_server.retired_token}"))
    assert response is not None
    assert response.status == 410
    return page


SCENARIOS: dict[str, Scenario] = {
    "poster": poster_page,
    "replaced-code-410": replaced_code,
    "home": open_path("/"),
    "shops": open_path("/geschaefte"),
    "shops-with-card": shops_with_card,
    "code-form": open_path("/stempel"),
    "code-form-error": code_form_with_error,
    "scan": scan_page,
    "scan-already-stamped": scan_page_already_stamped,
    "card-celebration": celebrated_card,
    "card": plain_card,
    "card-stamp-again": stamp_again_notice,
    "card-none": open_path("/karte"),
    "recovery-confirmation": recovery_confirmation,
    "recovery-replacing-card": recovery_replacing_card,
    "card-restored": restored_card,
    "unknown-token-404": unknown_token,
    "services": open_path("/angebote"),
    "service": service_page,
    "rules": open_path("/teilnahmebedingungen"),
    "imprint": open_path("/impressum"),
    "privacy": open_path("/datenschutz"),
    "accessibility-statement": open_path("/barrierefreiheit"),
}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


def wait_for_animations(page: Page) -> None:
    """Let finite CSS animations (the stamp's pop) end, so axe sees the final state."""
    page.evaluate(
        """() => Promise.all(
            document.getAnimations()
                .filter((a) => a.effect.getComputedTiming().iterations !== Infinity)
                .map((a) => a.finished)
        )"""
    )


def describe(violations: list[dict]) -> str:
    """A developer-readable list of axe violations: rule, help, link and failing nodes."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}: {summary}")
            lines.append(f"      {node.get('html', '')[:200]}")
    return "\n".join(lines)


@pytest.mark.browser
@pytest.mark.parametrize("scenario", list(SCENARIOS), ids=list(SCENARIOS))
@pytest.mark.parametrize("viewport", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_page_has_no_axe_violations(
    live_server: LiveServer,
    new_context: Callable[..., BrowserContext],
    viewport: str,
    scenario: str,
) -> None:
    """axe-core reports no WCAG 2.1 AA violation on the page."""
    size = VIEWPORTS[viewport]
    page = SCENARIOS[scenario](lambda: new_context(size), live_server)
    wait_for_animations(page)
    results = AXE.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert not violations, (
        f"{len(violations)} axe violation(s) on {page.url} at {viewport}:\n" + describe(violations)
    )
