"""axe-core (WCAG 2.0 A/AA and 2.1 AA) finds nothing on any page, on a phone and a desktop.

The pages are those of :mod:`tests.browser.pages`, public and back office alike.
"""

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page

from .conftest import DESKTOP, PHONE, LiveServer
from .pages import ALL_PAGES

AXE = Axe()
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}
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
@pytest.mark.parametrize("scenario", list(ALL_PAGES), ids=list(ALL_PAGES))
@pytest.mark.parametrize("viewport", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_page_has_no_axe_violations(
    live_server: LiveServer,
    new_context: Callable[..., BrowserContext],
    viewport: str,
    scenario: str,
) -> None:
    """axe-core reports no WCAG 2.1 AA violation on the page."""
    size = VIEWPORTS[viewport]
    page = ALL_PAGES[scenario](lambda: new_context(size), live_server)
    wait_for_animations(page)
    results = AXE.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert not violations, (
        f"{len(violations)} axe violation(s) on {page.url} at {viewport}:\n" + describe(violations)
    )
