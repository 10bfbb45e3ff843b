"""Every public, back-office and portal page in its states, as scenarios the browser tests
share.

A scenario gets a factory of fresh browser contexts (all with the test's viewport) and the
live server, and returns the page under test. ``PUBLIC`` and ``BACK_OFFICE`` together are
the list that the accessibility test (axe) and the layout test (no sideways scrolling)
walk through (with ``SHOP_PORTAL``); a new page belongs here.
"""

import csv
import io
import re
import uuid
from collections.abc import Callable

import pyotp
from playwright.sync_api import BrowserContext, Page, expect

from .conftest import ACCOUNT_PASSWORD, LiveServer

UNKNOWN_TOKEN = "AAAAAAAAAAAAAAAAAAAAAA"

ContextFactory = Callable[[], BrowserContext]
Scenario = Callable[[ContextFactory, LiveServer], Page]


def open_path(path: str | Callable[[LiveServer], str]) -> Scenario:
    """A scenario that simply opens ``path`` (or the path made from the server) anew."""

    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        """Open the page."""
        page = contexts().new_page()
        page.goto(live_server.url(path if isinstance(path, str) else path(live_server)))
        return page

    return scenario


def stamp_once(context: BrowserContext, live_server: LiveServer, index: int = 0) -> Page:
    """Collect one stamp in ``context`` and land on the card page with its celebration."""
    page = context.new_page()
    page.goto(live_server.url(f"/s/{live_server.stations[index].token}"))
    page.get_by_role("button", name="Stempel einsammeln").click()
    page.wait_for_url(live_server.url("/karte"))
    expect(page.locator(".celebrate")).to_be_visible()
    return page


def scan_page(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """A station's scan page with its big stamp button, in a browser without a card."""
    page = contexts().new_page()
    page.goto(live_server.url(f"/s/{live_server.stations[0].token}"))
    expect(page.get_by_role("button", name="Stempel einsammeln")).to_be_visible()
    return page


def scan_page_with_card(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """A scan page in a browser whose card has a stamp: it shows the progress."""
    page = stamp_once(contexts(), live_server)
    page.goto(live_server.url(f"/s/{live_server.stations[1].token}"))
    expect(page.get_by_text("Stempel 1 von")).to_be_visible()
    return page


def card_link_mail(address: str) -> Scenario:
    """The card page's "Link per E-Mail schicken" sent with ``address``: the confirmation,
    or the form again with its message."""

    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        """Stamp once, then send the card link."""
        page = stamp_once(contexts(), live_server)
        page.get_by_label("Link per E-Mail schicken").fill(address)
        page.get_by_role("button", name="Link schicken").click()
        page.wait_for_load_state()
        return page

    return scenario


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


def stamps(context: BrowserContext, live_server: LiveServer, count: int) -> Page:
    """Collect ``count`` stamps (stations 10 onwards) in ``context``; end on the card."""
    page = context.new_page()
    for station in live_server.stations[10:10 + count]:
        page.goto(live_server.url(f"/s/{station.token}"))
        page.get_by_role("button", name="Stempel einsammeln").click()
        page.wait_for_url(live_server.url("/karte"))
    return page


def goal_reached_card(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The card page with the goal reached (ten stamps), not entered yet, seen again."""
    page = stamps(contexts(), live_server, 10)
    page.reload()
    expect(page.get_by_role("link", name="Jetzt an der Verlosung teilnehmen")).to_be_visible()
    return page


def entered_card(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The card page of a card that entered the draw, right after entering (the notice)."""
    page = entry_form(contexts, live_server)
    page.get_by_label("Dein Name").fill("Erika Musterfrau")
    # One entry per contact: each run of the scenario enters under an address of its own.
    contact = f"erika-{uuid.uuid4().hex}@example.org"
    page.get_by_label("E-Mail-Adresse oder Telefonnummer").fill(contact)
    page.get_by_label("Ich bin mindestens 16 Jahre alt.").check()
    page.get_by_label("Ich akzeptiere die Teilnahmebedingungen").check()
    page.get_by_role("button", name="Jetzt teilnehmen").click()
    page.wait_for_url(live_server.url("/karte"))
    expect(page.get_by_text("Du nimmst an der Verlosung teil.")).to_be_visible()
    return page


def full_card(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The card page of a card with a stamp from every shop (opened by its recovery link)."""
    page = contexts().new_page()
    page.goto(live_server.url(live_server.full_card_path))
    page.get_by_role("button", name="Karte hier öffnen").click()
    page.wait_for_url(live_server.url("/karte"))
    page.reload()
    expect(page.get_by_text("Geschäfte gestempelt – stark!")).to_be_visible()
    return page


def entry_form(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The entry form of a card that reached the goal (ten stamps)."""
    page = stamps(contexts(), live_server, 10)
    page.get_by_role("link", name="Jetzt an der Verlosung teilnehmen").click()
    expect(page.get_by_role("button", name="Jetzt teilnehmen")).to_be_visible()
    return page


def entry_form_with_errors(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The entry form sent empty: every field says what is missing."""
    page = entry_form(contexts, live_server)
    page.get_by_role("button", name="Jetzt teilnehmen").click()
    expect(page.get_by_text("Bitte prüfe die markierten Angaben.")).to_be_visible()
    return page


def entry_form_too_early(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The entry form of a card that still needs stamps."""
    page = stamp_once(contexts(), live_server)
    page.goto(live_server.url("/karte/teilnahme"))
    expect(page.get_by_text("Dir fehlen noch")).to_be_visible()
    return page


def shops_with_card(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The shop directory seen by a browser with a stamped card (shows marks)."""
    page = stamp_once(contexts(), live_server)
    page.goto(live_server.url("/geschaefte"))
    return page


def shops_not_visited(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The directory filtered to the shops this card has not visited, through its form."""
    page = stamp_once(contexts(), live_server)
    page.goto(live_server.url("/geschaefte"))
    page.get_by_label("Nur Geschäfte, die ich noch nicht besucht habe").check()
    page.get_by_role("button", name="Anzeigen").click()
    expect(page).to_have_url(re.compile(r"offen=y"))
    return page


def shops_details_open(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The directory with the route's list and a shop's details opened."""
    page = contexts().new_page()
    page.goto(live_server.url("/geschaefte"))
    page.get_by_text("Reihenfolge als Liste").click()
    page.locator("li.shop summary").first.click()
    expect(page.locator("li.shop details[open]")).to_have_count(1)
    return page


def card_route_list(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The card page with the route's next stops listed (open there from the start)."""
    page = stamp_once(contexts(), live_server)
    page.goto(live_server.url("/karte"))
    expect(page.locator(".route-list li")).to_have_count(5)
    expect(page.get_by_role("link", name=re.compile(r"^Ganzer Rundgang mit allen"))).to_be_visible()
    return page


def shops_search_error(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The directory with a search that is too long (400 with a message at the field)."""
    page = contexts().new_page()
    page.goto(live_server.url("/geschaefte?suche=" + "x" * 101))
    expect(page.locator("#suche-fehler")).to_be_visible()
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


def merge_offer(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The recovery page in a browser that holds another card: merge the two, or switch."""
    link = recovery_link(contexts(), live_server)
    page = stamp_once(contexts(), live_server, index=1)
    page.goto(link)
    expect(page.get_by_role("heading", name="Du hast zwei Stempelkarten")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Karten zusammenlegen \("))).to_be_visible()
    return page


def merged_cards(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The card page right after merging two cards, with its notice."""
    page = merge_offer(contexts, live_server)
    page.get_by_role("button", name=re.compile(r"^Karten zusammenlegen \(")).click()
    page.wait_for_url(live_server.url("/karte"))
    expect(page.get_by_text("Deine Karten sind jetzt eine: 2 Stempel.")).to_be_visible()
    return page


def enter_the_draw(page: Page, live_server: LiveServer) -> None:
    """From a card page with the goal reached, enter the draw (with a contact of its own)."""
    page.get_by_role("link", name="Jetzt an der Verlosung teilnehmen").click()
    page.get_by_label("Dein Name").fill("Mia Zweikarte")
    page.get_by_label("E-Mail-Adresse oder Telefonnummer").fill(
        f"mia-{uuid.uuid4().hex[:12]}@example.org")
    page.get_by_label("Ich bin mindestens 16 Jahre alt.").check()
    page.get_by_label("Ich akzeptiere die Teilnahmebedingungen").check()
    page.get_by_role("button", name="Jetzt teilnehmen").click()
    page.wait_for_url(live_server.url("/karte"))
    expect(page.get_by_text("Du nimmst an der Verlosung teil.")).to_be_visible()


def merge_refused(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The merge refused with a 409: this browser's card entered the draw (in another tab)
    after the offer was shown, and the card of the link (the demo's winner) entered too."""
    context = contexts()
    card_tab = stamps(context, live_server, 10)
    page = context.new_page()
    page.goto(live_server.url(live_server.winner_recovery_path))
    button = page.get_by_role("button", name=re.compile(r"^Karten zusammenlegen \("))
    expect(button).to_be_visible()
    enter_the_draw(card_tab, live_server)
    with page.expect_response(lambda response: "/zusammenlegen" in response.url) as answer:
        button.click()
    assert answer.value.status == 409
    expect(page.get_by_text("Beide Karten nehmen schon an der Verlosung teil")).to_be_visible()
    return page


def restored_card(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The card page right after restoring a card, with its notice."""
    page = recovery_confirmation(contexts, live_server)
    page.get_by_role("button", name="Karte hier öffnen").click()
    page.wait_for_url(live_server.url("/karte"))
    expect(page.get_by_text("ist jetzt auch in diesem Browser")).to_be_visible()
    return page


def bad_recovery(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """A recovery link that is wrong (404)."""
    page = contexts().new_page()
    response = page.goto(live_server.url("/karte/wiederherstellen/ABCD-EFGH/falsch"))
    assert response is not None and response.status == 404
    return page


def with_status(path: str, status: int) -> Scenario:
    """A scenario that opens ``path`` and expects ``status``."""

    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        """Open the page and check its status."""
        page = contexts().new_page()
        response = page.goto(live_server.url(path))
        assert response is not None and response.status == status
        return page

    return scenario


def replaced_code(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The 410 page of a rotated station's old URL."""
    page = contexts().new_page()
    response = page.goto(live_server.url(f"/s/{live_server.retired_token}"))
    assert response is not None and response.status == 410
    return page


def poster_page(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The printable poster of one station."""
    page = contexts().new_page()
    page.goto(live_server.url(f"/s/{live_server.stations[2].token}/plakat"))
    expect(page.get_by_text("Scannen – Stempeln – Gewinnen")).to_be_visible()
    return page


def login_error(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The login form after a wrong password, with its message."""
    page = contexts().new_page()
    page.goto(live_server.url("/anmelden"))
    page.get_by_label("E-Mail-Adresse").fill("niemand@example.org")
    page.get_by_label("Passwort").fill("falsch-falsch-falsch")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.locator(".notice.alert, .error").first).to_be_visible()
    return page


# --- shopkeepers' invitations (staff make the link on a shop's page) ----------------------

INVITED_EMAIL = "inhaberin@laden.example"


def invite_on_shop_page(page: Page, email: str = INVITED_EMAIL) -> str:
    """On a shop's page in the back office, invite ``email``; return the link shown."""
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_role("button", name="Einladung per E-Mail schicken").click()
    link = page.get_by_role("textbox", name="Einladungslink").input_value()
    assert "/einladung/" in link, link
    return link


def invitation_link(contexts: ContextFactory, live_server: LiveServer,
                    email: str = INVITED_EMAIL) -> str:
    """A fresh invitation link for the demo's shop, made by staff in a browser of its own."""
    page = staff_page(lambda server: f"/buero/geschaefte/{server.shop_id}")(
        contexts, live_server)
    link = invite_on_shop_page(page, email)
    page.close()
    return link


def invitation_form(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The page where an invited shopkeeper chooses a password (nothing used up yet)."""
    link = invitation_link(contexts, live_server)
    page = contexts().new_page()
    page.goto(link)
    expect(page.get_by_role("button", name="Passwort speichern und anmelden")).to_be_visible()
    return page


def invitation_weak_password(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The invitation form after a common password: the field says why and what to do."""
    page = invitation_form(contexts, live_server)
    page.get_by_label("Neues Passwort").fill("Passwort1234!")
    page.get_by_label("Passwort wiederholen").fill("Passwort1234!")
    page.get_by_role("button", name="Passwort speichern und anmelden").click()
    expect(page.get_by_text("zu leicht zu erraten")).to_be_visible()
    return page


def invitation_used(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """An invitation link opened again after its password was set (410)."""
    page = invitation_form(contexts, live_server)
    link = page.url
    page.get_by_label("Neues Passwort").fill("Kerze Fahrrad Mondschein")
    page.get_by_label("Passwort wiederholen").fill("Kerze Fahrrad Mondschein")
    page.get_by_role("button", name="Passwort speichern und anmelden").click()
    page.wait_for_url(live_server.url("/laden/"))
    used = contexts().new_page()
    response = used.goto(link)
    assert response is not None and response.status == 410
    return used


PUBLIC: dict[str, Scenario] = {
    "home": open_path("/"),
    "shops": open_path("/geschaefte"),
    "shops-with-card": shops_with_card,
    "shops-not-visited": shops_not_visited,
    "shops-search-error": shops_search_error,
    "shops-details-open": shops_details_open,
    "card-route-list": card_route_list,
    "code-form": open_path("/stempel"),
    "code-form-error": code_form_with_error,
    "scan": scan_page,
    "scan-with-card": scan_page_with_card,
    "scan-already-stamped": scan_page_already_stamped,
    "card-celebration": celebrated_card,
    "card": plain_card,
    "card-stamp-again": stamp_again_notice,
    "card-none": open_path("/karte"),
    "card-link-mailed": card_link_mail("anna@example.org"),
    "card-link-mail-error": card_link_mail("keine-adresse"),
    "card-goal-reached": goal_reached_card,
    "card-entered": entered_card,
    "card-all-shops": full_card,
    "offline": open_path("/offline"),
    "entry-too-early": entry_form_too_early,
    "entry-form": entry_form,
    "entry-form-errors": entry_form_with_errors,
    "recovery-confirmation": recovery_confirmation,
    "merge-offer": merge_offer,
    "merge-refused-409": merge_refused,
    "card-merged": merged_cards,
    "card-restored": restored_card,
    "recovery-bad-link": bad_recovery,
    "unknown-token-404": with_status(f"/s/{UNKNOWN_TOKEN}", 404),
    "replaced-code-410": replaced_code,
    "not-found-404": with_status("/gibt-es-nicht", 404),
    "poster": poster_page,
    "services": open_path("/angebote"),
    "service": open_path(lambda server: f"/angebote/{server.service_slug}"),
    "draws": open_path("/ziehungen"),
    "draw": open_path(lambda server: f"/ziehungen/{server.draw_id}"),
    "rules": open_path("/teilnahmebedingungen"),
    "imprint": open_path("/impressum"),
    "privacy": open_path("/datenschutz"),
    "accessibility-statement": open_path("/barrierefreiheit"),
    "login": open_path("/anmelden"),
    "login-error": login_error,
    "invitation": invitation_form,
    "invitation-weak-password": invitation_weak_password,
    "invitation-used-410": invitation_used,
    "invitation-unknown-404": with_status("/einladung/" + "A" * 43, 404),
    # The demo's calendar starts today: door 1 is today's, door 2 opens tomorrow.
    "advent-calendar": open_path("/adventskalender"),
    "advent-door": open_path("/adventskalender/1"),
    "advent-door-closed-404": with_status("/adventskalender/2", 404),
}


# --- own accounts: forgotten password, password change, two-factor log-in -----------------


def forgot_password_sent(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The answer to the forgotten-password form (the same for every address)."""
    page = contexts().new_page()
    page.goto(live_server.url("/passwort-vergessen"))
    page.get_by_label("E-Mail-Adresse").fill("niemand@example.org")
    page.get_by_role("button", name="Link schicken").click()
    expect(page.get_by_text("Wenn es ein Konto mit dieser E-Mail-Adresse gibt")).to_be_visible()
    return page


def forgot_password_error(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The forgotten-password form sent without an address."""
    page = contexts().new_page()
    page.goto(live_server.url("/passwort-vergessen"))
    page.get_by_role("button", name="Link schicken").click()
    expect(page.locator(".error").first).to_be_visible()
    return page


def reset_form(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The page of a reset link of a fresh account (nothing used up by opening it)."""
    assert live_server.accounts is not None
    path = live_server.accounts.reset_path(live_server.accounts.new_staff())
    page = contexts().new_page()
    page.goto(live_server.url(path))
    expect(page.get_by_role("button", name="Neues Passwort speichern")).to_be_visible()
    return page


def reset_weak_password(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The reset form after a common password: the field says why."""
    page = reset_form(contexts, live_server)
    page.get_by_label("Neues Passwort", exact=True).fill("Passwort1234!")
    page.get_by_label("Passwort wiederholen", exact=True).fill("Passwort1234!")
    page.get_by_role("button", name="Neues Passwort speichern").click()
    expect(page.get_by_text("zu leicht zu erraten")).to_be_visible()
    return page


def log_in_as(contexts: ContextFactory, live_server: LiveServer, email: str) -> Page:
    """A new page logged in with ``email`` and the fresh accounts' password."""
    page = contexts().new_page()
    page.goto(live_server.url("/anmelden"))
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(ACCOUNT_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    return page


def enrolment_page(contexts: ContextFactory, live_server: LiveServer) -> tuple[Page, str]:
    """A fresh staff account on its enrolment page with the QR code; page and address."""
    assert live_server.accounts is not None
    email = live_server.accounts.new_staff()
    page = log_in_as(contexts, live_server, email)
    page.wait_for_url(live_server.url("/buero/"))
    page.goto(live_server.url("/buero/konto/zwei-faktor"))
    page.get_by_role("button", name="Einrichtung beginnen").click()
    expect(page.locator(".totp-qr svg")).to_be_visible()
    return page, email


def enrolment(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The enrolment page: QR code, secret, code form."""
    return enrolment_page(contexts, live_server)[0]


def enrol(page: Page) -> str:
    """Confirm the enrolment on ``page`` with the app's code; the secret."""
    secret = page.locator(".totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code aus der App").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Einschalten").click()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    return secret


def enrolment_wrong_code(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The enrolment page after a wrong code."""
    page = enrolment(contexts, live_server)
    page.get_by_label("Code aus der App").fill("000000")
    page.get_by_role("button", name="Einschalten").click()
    expect(page.locator(".error").first).to_be_visible()
    return page


def recovery_codes(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The ten recovery codes, shown once after the enrolment."""
    page = enrolment(contexts, live_server)
    enrol(page)
    return page


def login_code(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The login's second step of an account with two-factor log-in."""
    page, email = enrolment_page(contexts, live_server)
    enrol(page)
    second = log_in_as(contexts, live_server, email)
    second.wait_for_url(live_server.url("/anmelden/code"))
    return second


def login_wrong_code(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The second step after a wrong code."""
    page = login_code(contexts, live_server)
    page.get_by_label("Code", exact=True).fill("000000")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.locator(".notice.alert")).to_be_visible()
    return page


def two_factor_off(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The page to switch two-factor log-in off (right after the login: fresh)."""
    page = recovery_codes(contexts, live_server)
    page.goto(live_server.url("/buero/konto/zwei-faktor/aus"))
    expect(page.get_by_role("button", name="Ausschalten")).to_be_visible()
    return page


def weak_new_password(page: Page, live_server: LiveServer) -> None:
    """Send the password form with the right current password and a common new one.

    (Not a wrong current password: the form does not get the device cookie, so each
    would count against the demo account from this address and soon lock out the
    other scenarios' logins.)"""
    shop = "/laden/" in page.url
    current = live_server.shopkeeper_password if shop else live_server.staff_password
    page.get_by_label("Bisheriges Passwort", exact=True).fill(current)
    page.get_by_label("Neues Passwort", exact=True).fill("Passwort1234!")
    page.get_by_label("Passwort wiederholen", exact=True).fill("Passwort1234!")
    page.get_by_role("button", name="Passwort ändern").click()
    expect(page.get_by_text("zu leicht zu erraten")).to_be_visible()


ACCOUNTS_PUBLIC: dict[str, Scenario] = {
    "forgot-password": open_path("/passwort-vergessen"),
    "forgot-password-sent": forgot_password_sent,
    "forgot-password-error": forgot_password_error,
    "reset-password": reset_form,
    "reset-password-weak": reset_weak_password,
    "reset-unknown-404": with_status("/passwort-neu/" + "A" * 43, 404),
    "login-code": login_code,
    "login-code-wrong": login_wrong_code,
}
PUBLIC.update(ACCOUNTS_PUBLIC)


# --- the back office, as the demo's staff member -----------------------------------------


def staff_page(path: str | Callable[[LiveServer], str],
               then: Callable[[Page, LiveServer], None] | None = None) -> Scenario:
    """A scenario that logs the demo staff in, opens ``path`` and optionally acts there."""

    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        """Log in, open the page, do what the scenario does there."""
        page = contexts().new_page()
        page.goto(live_server.url("/anmelden"))
        page.get_by_label("E-Mail-Adresse").fill(live_server.staff_email)
        page.get_by_label("Passwort").fill(live_server.staff_password)
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(live_server.url("/buero/"))
        page.goto(live_server.url(path if isinstance(path, str) else path(live_server)))
        if then is not None:
            then(page, live_server)
        return page

    return scenario


def submit_empty_rally(page: Page, live_server: LiveServer) -> None:
    """Send the new-rally form without a name: errors at the fields and in a summary."""
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".error-summary")).to_be_visible()


def submit_empty_shop(page: Page, live_server: LiveServer) -> None:
    """Send the new-shop form empty."""
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".error-summary")).to_be_visible()


def import_bad_rows(page: Page, live_server: LiveServer) -> None:
    """Upload a CSV file whose rows have mistakes: the report names each row."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    writer.writerow(["name", "slug", "category", "street", "postcode", "city", "lat", "lon",
                     "opening_hours", "description", "website"])
    writer.writerow(["Ein sehr langer Geschäftsname für die Fehlerliste", "", "", "Markt 1",
                     "4569", "Herten", "91", "", "", "", "keine-adresse"])
    writer.writerow(["", "mode", "Mode", "", "45699", "", "", "", "", "", ""])
    page.get_by_label("CSV-Datei").set_input_files(
        files=[{"name": "geschaefte.csv", "mimeType": "text/csv",
                "buffer": text.getvalue().encode("utf-8")}]
    )
    page.get_by_role("button", name="Prüfen und importieren").click()
    expect(page.locator(".report")).to_be_visible()


def look_up_winner(page: Page, live_server: LiveServer) -> None:
    """Look the draw's winning card up by its code."""
    page.get_by_label("Kartencode").fill(live_server.winner_code)
    page.get_by_role("button", name="Suchen").click()
    expect(page.locator("#karte-titel")).to_be_visible()


def look_up_nonsense(page: Page, live_server: LiveServer) -> None:
    """Look up something that is no card code: the message at the field."""
    page.get_by_label("Kartencode").fill("nicht-so")
    page.get_by_role("button", name="Suchen").click()
    expect(page.locator("#code-fehler")).to_be_visible()


def invite_shopkeeper(page: Page, live_server: LiveServer) -> None:
    """Invite a shopkeeper on the shop's page: the link box and the open invitation."""
    invite_on_shop_page(page, "kollegin@laden.example")
    expect(page.get_by_text("Offene Einladungen")).to_be_visible()


def invite_then_outbox(page: Page, live_server: LiveServer) -> None:
    """Invite a shopkeeper (a mail that goes out), then open the outbox, where the demo's
    failed mail waits too. The address of "bo-shop-invited": the shop keeps one open
    invitation, whichever scenario runs first."""
    invite_on_shop_page(page, "kollegin@laden.example")
    page.goto(live_server.url("/buero/post"))
    expect(page.get_by_role("button", name="Erneut senden").first).to_be_visible()


def invite_bad_address(page: Page, live_server: LiveServer) -> None:
    """Invite something that is no e-mail address: the message at the field."""
    page.get_by_label("E-Mail-Adresse").fill("kein-at-zeichen")
    page.get_by_role("button", name="Einladung per E-Mail schicken").click()
    expect(page.locator("#email-fehler")).to_be_visible()


def seal_without_prizes(page: Page, live_server: LiveServer) -> None:
    """Try to seal a draw with nothing ticked: the form says what is missing."""
    page.get_by_role("button", name="Versiegeln").click()
    expect(page.locator(".error, .notice.alert").first).to_be_visible()


def privacy_delete_check(page: Page, live_server: LiveServer) -> None:
    """Ask to delete a shopkeeper's data: the confirmation step lists what would go."""
    page.get_by_label("E-Mail-Adresse").fill(live_server.shopkeeper_email)
    page.get_by_role("button", name="Löschen …").click()
    expect(page.get_by_role("button", name="Endgültig löschen")).to_be_visible()


def privacy_bad_address(page: Page, live_server: LiveServer) -> None:
    """Ask for an export of something that is no address: the message at the field."""
    page.get_by_label("E-Mail-Adresse").fill("kein-at-zeichen")
    page.get_by_role("button", name="Auskunft herunterladen").click()
    expect(page.locator("#email-fehler")).to_be_visible()


def a_flagged_card(contexts: ContextFactory, live_server: LiveServer) -> None:
    """Stamp two shops of the demo within a second: faster than walking, so flagged."""
    context = contexts()
    stamp_once(context, live_server, index=3).close()
    stamp_once(context, live_server, index=38).close()


def review_queue(then: Callable[[Page, LiveServer], None] | None = None) -> Scenario:
    """The review queue with at least one card flagged for speed."""

    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        """Flag a card, then open the queue as staff."""
        a_flagged_card(contexts, live_server)
        page = staff_page("/buero/pruefen", then)(contexts, live_server)
        expect(page.locator(".review-card").first).to_be_visible()
        return page

    return scenario


def exclude_without_note(page: Page, live_server: LiveServer) -> None:
    """Press "exclude" on the first card without a note: the message at its field."""
    page.locator(".review-card").first.get_by_role(
        "button", name="Von der Verlosung ausschließen").click()
    expect(page.locator(".decision .error").first).to_be_visible()


def open_first_door(page: Page, live_server: LiveServer) -> None:
    """From the calendar's list, open door 1's edit page."""
    page.locator("table a").first.click()
    expect(page.get_by_role("heading", name="Türchen 1 bearbeiten")).to_be_visible()


def preview_first_door(page: Page, live_server: LiveServer) -> None:
    """Open door 1 and press "Vorschau": the door as visitors see it, below the form."""
    open_first_door(page, live_server)
    page.get_by_label("Titel", exact=True).fill("Ein neuer Titel")
    page.get_by_role("button", name="Vorschau").click()
    expect(page.locator("#vorschau")).to_contain_text("Ein neuer Titel")


def save_door_without_title(page: Page, live_server: LiveServer) -> None:
    """Open door 1 and save it without a title: the message at the field."""
    open_first_door(page, live_server)
    page.get_by_label("Titel", exact=True).fill("")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".error-summary")).to_be_visible()


def merged_card_lookup(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """Staff look up the code of a card retired by a merge: it points to the survivor."""
    page = merge_offer(contexts, live_server)
    both = set(page.locator(".merge-cards .card-code").all_inner_texts())
    page.get_by_role("button", name=re.compile(r"^Karten zusammenlegen \(")).click()
    page.wait_for_url(live_server.url("/karte"))
    (retired,) = both - {page.locator("strong.card-code").inner_text()}
    staff = staff_page(f"/buero/karten?code={retired}")(contexts, live_server)
    expect(staff.get_by_text("Zusammengelegt mit")).to_be_visible()
    return staff


def open_decline(page: Page, live_server: LiveServer) -> None:
    """Open the first booking's "Absagen …" with its message field."""
    page.locator(".booking-more summary").first.click()
    expect(page.locator(".booking-more textarea").first).to_be_visible()


def save_week_off_grid(page: Page, live_server: LiveServer) -> None:
    """Send the office's week with a Monday that starts off the 15-minute grid."""
    page.get_by_label("Montag, Zeit 1: von").fill("09:10")
    page.get_by_role("button", name="Woche speichern").click()
    expect(page.locator(".error-summary")).to_be_visible()


def add_topic_without_name(page: Page, live_server: LiveServer) -> None:
    """Send the new-topic form without a name."""
    page.get_by_role("button", name="Thema anlegen").click()
    expect(page.locator(".error-summary")).to_be_visible()


def add_closure_backwards(page: Page, live_server: LiveServer) -> None:
    """Send a closure that ends before it starts."""
    page.get_by_label("Geschlossen vom").fill("2027-01-08")
    page.get_by_label("bis einschließlich").fill("2027-01-04")
    page.get_by_role("button", name="Schließung eintragen").click()
    expect(page.locator(".error-summary")).to_be_visible()


BACK_OFFICE: dict[str, Scenario] = {
    "bo-dashboard": staff_page("/buero/"),
    "bo-rallies": staff_page("/buero/rallyes"),
    "bo-rally-form": staff_page(lambda server: f"/buero/rallyes/{server.rally_id}"),
    "bo-rally-new-errors": staff_page("/buero/rallyes/neu", submit_empty_rally),
    "bo-shops": staff_page("/buero/geschaefte"),
    "bo-shop-form": staff_page(lambda server: f"/buero/geschaefte/{server.shop_id}"),
    "bo-shop-new-errors": staff_page("/buero/geschaefte/neu", submit_empty_shop),
    "bo-shop-invited": staff_page(lambda server: f"/buero/geschaefte/{server.shop_id}",
                                  invite_shopkeeper),
    "bo-shop-invite-error": staff_page(lambda server: f"/buero/geschaefte/{server.shop_id}",
                                       invite_bad_address),
    "bo-station-rotate": staff_page(
        lambda server: f"/buero/stationen/{server.station_id}/neuer-code"),
    "bo-import": staff_page("/buero/geschaefte/import"),
    "bo-import-report": staff_page("/buero/geschaefte/import", import_bad_rows),
    "bo-cards": staff_page("/buero/karten"),
    "bo-card-found": staff_page("/buero/karten", look_up_winner),
    "bo-card-error": staff_page("/buero/karten", look_up_nonsense),
    "bo-card-merged": merged_card_lookup,
    "bo-review": review_queue(),
    "bo-review-error": review_queue(exclude_without_note),
    "bo-draws": staff_page("/buero/ziehungen"),
    "bo-draws-error": staff_page("/buero/ziehungen", seal_without_prizes),
    "bo-draw": staff_page(lambda server: f"/buero/ziehungen/{server.draw_id}"),
    "bo-draw-protocol": staff_page(lambda server: f"/buero/ziehungen/{server.draw_id}/protokoll"),
    "bo-reauthenticate": staff_page("/anmelden/bestaetigen"),
    "bo-staff-on-home": staff_page("/"),
    "bo-advent": staff_page("/buero/adventskalender"),
    "bo-advent-door": staff_page("/buero/adventskalender", open_first_door),
    "bo-advent-preview": staff_page("/buero/adventskalender", preview_first_door),
    "bo-advent-door-errors": staff_page("/buero/adventskalender", save_door_without_title),
    "bo-privacy": staff_page("/buero/datenschutz"),
    "bo-privacy-delete-check": staff_page("/buero/datenschutz", privacy_delete_check),
    "bo-privacy-error": staff_page("/buero/datenschutz", privacy_bad_address),
    "bo-account": staff_page("/buero/konto"),
    "bo-account-errors": staff_page("/buero/konto", weak_new_password),
    "bo-two-factor": staff_page("/buero/konto/zwei-faktor"),
    "bo-two-factor-enrol": enrolment,
    "bo-two-factor-wrong-code": enrolment_wrong_code,
    "bo-two-factor-codes": recovery_codes,
    "bo-two-factor-off": two_factor_off,
    "bo-appointments": staff_page("/buero/termine"),
    "bo-appointments-decline": staff_page("/buero/termine", open_decline),
    "bo-appointment-week": staff_page("/buero/termine/einstellungen"),
    "bo-appointment-week-errors": staff_page("/buero/termine/einstellungen", save_week_off_grid),
    "bo-appointment-topics": staff_page("/buero/termine/einstellungen/themen"),
    "bo-appointment-topics-error": staff_page("/buero/termine/einstellungen/themen",
                                              add_topic_without_name),
    "bo-appointment-closures": staff_page("/buero/termine/einstellungen/schliessungen"),
    "bo-appointment-closures-error": staff_page("/buero/termine/einstellungen/schliessungen",
                                                add_closure_backwards),
    "bo-outbox": staff_page(lambda server: f"/buero/geschaefte/{server.shop_id}",
                            invite_then_outbox),
}

# --- the shop portal, as the demo's shopkeepers ------------------------------------------


def shop_page(path: str, then: Callable[[Page, LiveServer], None] | None = None,
              live: bool = False) -> Scenario:
    """A scenario that logs a shopkeeper in (of the shop in live mode with ``live``), opens
    ``path`` and optionally acts there."""

    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        """Log in, open the page, do what the scenario does there."""
        page = contexts().new_page()
        page.goto(live_server.url("/anmelden"))
        email = live_server.live_shopkeeper_email if live else live_server.shopkeeper_email
        page.get_by_label("E-Mail-Adresse").fill(email)
        page.get_by_label("Passwort").fill(live_server.shopkeeper_password)
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(live_server.url("/laden/"))
        if path != "/laden/":
            page.goto(live_server.url(path))
        if then is not None:
            then(page, live_server)
        return page

    return scenario


def submit_bad_profile(page: Page, live_server: LiveServer) -> None:
    """Send the profile form with a web address that is none: errors at the field."""
    page.get_by_label("Webseite (optional)").fill("keine adresse")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".error-summary")).to_be_visible()


def submit_bad_hours(page: Page, live_server: LiveServer) -> None:
    """Send the week with a Monday that closes before it opens and a half interval."""
    page.get_by_label("Montag: öffnet").fill("18:00")
    page.get_by_label("Montag: schließt").fill("09:00")
    page.get_by_label("Dienstag, zweite Zeit: öffnet").fill("15:00")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".week-time.has-error")).to_have_count(2)


def counter_display(page: Page, live_server: LiveServer) -> None:
    """Wait until the display's script shows its countdown."""
    expect(page.locator(".live-countdown")).to_be_visible()


def live_scan(query: str) -> Scenario:
    """The scan page of the live shop's station without a valid code (409)."""

    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        """Open the poster's URL (with ``query``) and check the refusal."""
        page = contexts().new_page()
        response = page.goto(live_server.url(f"/s/{live_server.live_token}{query}"))
        assert response is not None and response.status == 409
        return page

    return scenario


SHOP_PORTAL: dict[str, Scenario] = {
    "shop-portal": shop_page("/laden/"),
    "shop-portal-live": shop_page("/laden/", live=True),
    "shop-rotate": shop_page("/laden/code-ersetzen"),
    "shop-mode-on": shop_page("/laden/modus"),
    "shop-mode-off": shop_page("/laden/modus", live=True),
    "shop-profile": shop_page("/laden/angaben"),
    "shop-profile-errors": shop_page("/laden/angaben", submit_bad_profile),
    "shop-profile-hours-errors": shop_page("/laden/angaben", submit_bad_hours),
    "shop-display-printed": shop_page("/laden/live"),
    "shop-display": shop_page("/laden/live", counter_display, live=True),
    "scan-live-poster": live_scan(""),
    "scan-live-stale": live_scan("?code=abcdef"),
    "shop-account": shop_page("/laden/konto"),
    "shop-account-errors": shop_page("/laden/konto", weak_new_password),
}

# The appointment pages (/termine) live in their own module; imported here, at the end,
# because that module builds on this one's helpers.
from .appointment_pages import APPOINTMENT_PAGES  # noqa: E402

PUBLIC.update(APPOINTMENT_PAGES)
from .event_pages import EVENT_PAGES  # noqa: E402

PUBLIC.update(EVENT_PAGES)

# The events pages of the back office (/buero/veranstaltungen), likewise.
from .backoffice_event_pages import BACKOFFICE_EVENT_PAGES  # noqa: E402

BACK_OFFICE.update(BACKOFFICE_EVENT_PAGES)

# The Nachfolgebörse and the inquiries (/nachfolge, /buero/nachfolge, /buero/anfragen).
from .successor_pages import BACKOFFICE_SUCCESSOR_PAGES, SUCCESSOR_PAGES  # noqa: E402

PUBLIC.update(SUCCESSOR_PAGES)
BACK_OFFICE.update(BACKOFFICE_SUCCESSOR_PAGES)

ALL_PAGES: dict[str, Scenario] = {**PUBLIC, **BACK_OFFICE, **SHOP_PORTAL}

# The news pages (/aktuelles and /buero/aktuelles), likewise.
from .news_pages import BACKOFFICE_NEWS_PAGES, NEWS_PAGES  # noqa: E402

PUBLIC.update(NEWS_PAGES)
BACK_OFFICE.update(BACKOFFICE_NEWS_PAGES)
ALL_PAGES.update({**NEWS_PAGES, **BACKOFFICE_NEWS_PAGES})

# The office's texts (issue 21): the Leichte Sprache page and /buero/texte.
from .text_pages import BACKOFFICE_TEXT_PAGES, TEXT_PAGES  # noqa: E402

PUBLIC.update(TEXT_PAGES)
BACK_OFFICE.update(BACKOFFICE_TEXT_PAGES)
ALL_PAGES.update({**TEXT_PAGES, **BACKOFFICE_TEXT_PAGES})

# The Leerstandsbörse's back-office pages (/buero/leerstand, /buero/suchprofile), likewise.
from .listing_office_pages import BACKOFFICE_LISTING_PAGES  # noqa: E402

BACK_OFFICE.update(BACKOFFICE_LISTING_PAGES)
ALL_PAGES.update(BACKOFFICE_LISTING_PAGES)

# The Leerstandsbörse's public pages (/leerstand), likewise.
from .listing_pages import LISTING_PAGES  # noqa: E402

PUBLIC.update(LISTING_PAGES)
ALL_PAGES.update(LISTING_PAGES)

# The sign-language pages (/gebaerdensprache and /buero/gebaerdensprache), likewise.
from .dgs_pages import BACKOFFICE_DGS_PAGES, DGS_PAGES  # noqa: E402

PUBLIC.update(DGS_PAGES)
BACK_OFFICE.update(BACKOFFICE_DGS_PAGES)
ALL_PAGES.update({**DGS_PAGES, **BACKOFFICE_DGS_PAGES})

# The survey pages of businesses (/umfragen, issue 23, part A: answering), likewise.
from .survey_pages import SURVEY_PAGES  # noqa: E402

PUBLIC.update(SURVEY_PAGES)
ALL_PAGES.update(SURVEY_PAGES)

# A survey's invitations (issue 23, part D: /buero/umfragen/<id>/einladungen), likewise.
from .survey_invitation_pages import BACKOFFICE_SURVEY_INVITATION_PAGES  # noqa: E402

BACK_OFFICE.update(BACKOFFICE_SURVEY_INVITATION_PAGES)
ALL_PAGES.update(BACKOFFICE_SURVEY_INVITATION_PAGES)

# The survey editor (issue 23, part B: /buero/umfragen), likewise.
from .backoffice_survey_pages import BACKOFFICE_SURVEY_PAGES  # noqa: E402

BACK_OFFICE.update(BACKOFFICE_SURVEY_PAGES)
ALL_PAGES.update(BACKOFFICE_SURVEY_PAGES)

# A survey's results and report (/buero/umfragen/<id>/ergebnisse, issue 23 part C).
from .survey_result_pages import SURVEY_RESULT_PAGES  # noqa: E402

BACK_OFFICE.update(SURVEY_RESULT_PAGES)
ALL_PAGES.update(SURVEY_RESULT_PAGES)
