"""A whole campaign in the browser: a shopper enters, staff add a prize, seal, run, print.

axe-core checks every page visited, staff pages at desktop width, shopper pages on a phone.
"""

import re
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect

from .conftest import DESKTOP, PHONE, LiveServer

AXE = Axe()
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}
PRIZE = "Adventskorb vom Wochenmarkt"


def assert_accessible(page: Page) -> None:
    """No axe-core violation on the page as it is now."""
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    details = [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    assert not violations, f"{page.url}: {details}"


def stamp_and_enter(page: Page, live_server: LiveServer) -> str:
    """Collect ten stamps, enter the draw, and return the card code."""
    for station in live_server.stations[10:20]:
        page.goto(live_server.url(f"/s/{station.token}"))
        page.get_by_role("button", name="Stempel einsammeln").click()
        page.wait_for_url(live_server.url("/karte"))
    expect(page.get_by_role("heading", name="Stempel 10!")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Jetzt an der Verlosung teilnehmen").click()
    assert_accessible(page)
    page.get_by_label("Dein Name").fill("Erika Musterfrau")
    page.get_by_label("E-Mail-Adresse oder Telefonnummer").fill("erika@example.org")
    page.get_by_label("Ich bin mindestens 16 Jahre alt.").check()
    page.get_by_label("Ich akzeptiere die Teilnahmebedingungen").check()
    page.get_by_role("button", name="Jetzt teilnehmen").click()
    page.wait_for_url(live_server.url("/karte"))
    expect(page.get_by_text("Du nimmst an der Verlosung teil.")).to_be_visible()
    assert_accessible(page)
    code = page.locator("strong.card-code").inner_text()
    return code


def staff_login(page: Page, live_server: LiveServer) -> None:
    """Log the demo staff account in through the login form."""
    page.goto(live_server.url("/buero/"))
    expect(page).to_have_url(re.compile(r"/anmelden"))
    assert_accessible(page)
    page.get_by_label("E-Mail-Adresse").fill(live_server.staff_email)
    page.get_by_label("Passwort").fill(live_server.staff_password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(live_server.url("/buero/"))
    assert_accessible(page)


@pytest.mark.browser
def test_campaign_from_entry_to_protocol(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    shopper = new_context(PHONE).new_page()
    code = stamp_and_enter(shopper, live_server)

    staff = new_context(DESKTOP).new_page()
    staff_login(staff, live_server)
    staff.goto(live_server.url(f"/buero/rallyes/{live_server.rally_id}"))
    assert_accessible(staff)
    prizes = staff.get_by_label("Preise")
    prizes.fill((prizes.input_value() + "\n" + PRIZE).strip())
    staff.get_by_role("button", name="Speichern").click()
    expect(staff.get_by_text("Bitte")).to_have_count(0)

    # Ten stamps in seconds is faster than walking: the card waits in the review queue,
    # and only a cleared card takes part in the draw.
    staff.goto(live_server.url("/buero/pruefen"))
    assert_accessible(staff)
    review = staff.locator(f"#karte-{code}")
    expect(review.get_by_text("km/h zwischen").first).to_be_visible()
    review.get_by_label("Notiz").fill("Browser-Test: in Ordnung")
    review.get_by_role("button", name="Geprüft, in Ordnung").click()
    expect(staff.get_by_text(f"Die Karte {code} ist geprüft und in Ordnung.")).to_be_visible()
    assert_accessible(staff)

    staff.goto(live_server.url("/buero/ziehungen"))
    assert_accessible(staff)
    staff.get_by_label(PRIZE, exact=False).check()
    # A named drand round is due minutes later; this flow seals without a beacon and,
    # the demo rally still taking entries, has to say why.
    staff.get_by_role("button", name="Versiegeln").click()
    expect(staff.get_by_text("bitte begründen Sie das")).to_be_visible()
    assert_accessible(staff)
    staff.get_by_label(PRIZE, exact=False).check()
    staff.get_by_label("Ohne öffentlichen Zufallswert").check()
    staff.get_by_label("Begründung").fill("Probelauf im Browser-Test")
    staff.get_by_role("button", name="Versiegeln").click()
    expect(staff.get_by_text("Die Ziehung ist versiegelt")).to_be_visible()
    assert_accessible(staff)
    staff.get_by_role("button", name="Jetzt ziehen").click()
    expect(staff.get_by_text("Bitte bestätigen Sie")).to_be_visible()
    staff.get_by_label("Ich habe verstanden").check()
    staff.get_by_role("button", name="Jetzt ziehen").click()
    expect(staff.get_by_text("Gezogen!")).to_be_visible()
    expect(staff.get_by_role("cell", name=code)).to_be_visible()
    assert_accessible(staff)
    staff.get_by_role("link", name="Ziehungsprotokoll").click()
    expect(staff.get_by_role("heading", name="Ziehungsprotokoll")).to_be_visible()
    assert_accessible(staff)

    shopper.goto(live_server.url("/karte"))
    expect(shopper.get_by_text(f"Du hast gewonnen: {PRIZE}!")).to_be_visible()
    assert_accessible(shopper)
    shopper.goto(live_server.url("/ziehungen"))
    expect(shopper.get_by_text(code)).to_be_visible()
    assert_accessible(shopper)
    shopper.get_by_role("link", name="So prüfst du diese Ziehung nach").first.click()
    expect(shopper.get_by_role("heading", name="Warum niemand das Ergebnis beeinflussen kann")
           ).to_be_visible()
    expect(shopper.get_by_text("Probelauf im Browser-Test")).to_be_visible()
    assert_accessible(shopper)
    shopper.get_by_text("Technische Angaben zum Nachrechnen").click()
    expect(shopper.get_by_text("draw verify", exact=False)).to_be_visible()
    assert_accessible(shopper)
