"""The Leerstandsbörse in public: the list with its filters and plan, one listing with
its inquiry, freshness, moderation (nothing unpublished or stale is public; the owner's
contact never is), the owners' offer form and the founders' search profile form."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import demo_data
from app.extensions import db
from app.models import (
    AuditEvent,
    Inquiry,
    Listing,
    ListingUse,
    OutboxMail,
    SearchProfile,
)
from app.services import listings
from app.services.demo import load_listings

from .helpers import FIRST_DAY, csrf_token
from .smtp import Mailbox

pytestmark = pytest.mark.usefixtures("freeze")

NOW = FIRST_DAY.astimezone(UTC)
YEAR = FIRST_DAY.year
SHOP, CAFE, OFFICE_ROOM, OFFER = (f"L-{YEAR}-0{n}" for n in range(1, 5))
# What must never be public: every owner's contact and every internal note of the demo.
SECRETS = [value for item in demo_data.LISTINGS
           for value in (item["owner_name"], item["owner_email"], item["owner_phone"],
                         item["internal_note"]) if value]


@pytest.fixture
def demo(app: Flask) -> None:
    """The demo's listings: three published, one owner's offer waiting."""
    load_listings(NOW)
    db.session.commit()


def add_listing(code: str, *, status: str = "published", confirmed: datetime = NOW,
                uses: tuple[str, ...] = ("retail",), **values: Any) -> Listing:
    """A listing with sensible defaults, committed."""
    fields: dict[str, Any] = {
        "title": f"Raum {code}", "street": "Ewaldstraße 1", "area_m2": 80,
        "rent_cents": 50000, "latitude": 51.5965, "longitude": 7.1430,
        "owner_name": "Olga Geheim", "owner_email": "olga.geheim@example.org",
        "owner_phone": "02366 123456", "internal_note": "Nur intern: Olga verhandelt.",
        **values}
    listing = Listing(code=code, status=status, confirmed_at=confirmed,
                      published_at=confirmed if status == "published" else None,
                      retired_at=NOW if status == "retired" else None,
                      created_at=confirmed, updated_at=confirmed,
                      uses=[ListingUse(use=use) for use in uses], **fields)
    db.session.add(listing)
    db.session.commit()
    return listing


def assert_no_secrets(text: str, extra: tuple[str, ...] = ()) -> None:
    for value in (*SECRETS, *extra):
        assert value not in text, value


def state() -> tuple[int, ...]:
    """Rows that a request could write, fresh from the database."""
    db.session.expire_all()
    counts = [db.session.scalar(select(func.count()).select_from(model)) or 0
              for model in (Inquiry, OutboxMail, Listing, SearchProfile, AuditEvent)]
    updated = db.session.scalar(select(func.max(Listing.updated_at)))
    return (*counts, hash(updated))


def inquiry_values(client: FlaskClient, code: str, **overrides: str | None) -> dict[str, str]:
    page = client.get(f"/leerstand/{code}")
    assert page.status_code == 200
    values: dict[str, str | None] = {
        "csrf_token": csrf_token(page.get_data(as_text=True)), "name": "Jana Neumann",
        "email": "jana.neumann@example.org", "phone": "0170 1234567",
        "message": "Ich möchte dort einen Unverpackt-Laden eröffnen.", "consent": "y"}
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def page_of(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


# ---------------------------------------------------------------------------
# The list, its filters and plan
# ---------------------------------------------------------------------------


@pytest.mark.usefixtures("demo")
def test_the_list_shows_published_listings_with_their_facts(client: FlaskClient) -> None:
    page = page_of(client, "/leerstand")
    for code in (SHOP, CAFE, OFFICE_ROOM):
        assert code in page
    assert OFFER not in page and "Kirchstraße" not in page
    assert "Ladenlokal mit großem Schaufenster" in page and "Ewaldstraße 18" in page
    assert "85 m²" in page and "590 € kalt im Monat" in page
    assert "Miete auf Anfrage" in page  # the café
    assert page.count("Zwischennutzung möglich") == 2
    assert "Stand: 26.11.2026" in page  # the shop, confirmed five days ago
    assert 'alt="Schaufenster eines leeren Ladenlokals mit heller Fassade"' in page
    assert_no_secrets(page)


@pytest.mark.usefixtures("demo")
def test_the_plan_numbers_the_listings_like_the_list(client: FlaskClient) -> None:
    page = page_of(client, "/leerstand")
    assert '<svg class="plan"' in page and "Plan der freien Räume" in page
    svg = page.split('<svg class="plan"')[1].split("</svg>")[0]
    for number in (1, 2, 3):
        assert f'text-anchor="middle">{number}</text>' in svg
        assert f'id="raum-{number}"' in page
    assert "<script" not in svg and "<a " not in svg


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(("query", "shown", "hidden"), [
    ("flaeche_von=50", [SHOP, CAFE], [OFFICE_ROOM]),
    ("flaeche_bis=90", [SHOP, OFFICE_ROOM], [CAFE]),
    ("flaeche_von=50&flaeche_bis=100", [SHOP], [CAFE, OFFICE_ROOM]),
    ("miete_bis=400", [OFFICE_ROOM, CAFE], [SHOP]),  # the café: "auf Anfrage"
    ("zwischennutzung=1", [SHOP, OFFICE_ROOM], [CAFE]),
    (f"frei_bis={date(2026, 12, 31).isoformat()}", [SHOP, OFFICE_ROOM], [CAFE]),
    (f"frei_bis={date(2027, 2, 1).isoformat()}", [SHOP, CAFE, OFFICE_ROOM], []),
    ("flaeche_von=1.000", [], [SHOP, CAFE, OFFICE_ROOM]),
])
def test_the_list_filters(client: FlaskClient, query: str, shown: list[str],
                          hidden: list[str]) -> None:
    page = page_of(client, f"/leerstand?{query}")
    assert all(code in page for code in shown)
    assert not any(code in page for code in hidden)
    if not shown:
        assert "Dazu gibt es gerade keinen freien Raum." in page


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("query", [
    "flaeche_von=viel", "flaeche_bis=-5", "miete_bis=1e9", "frei_bis=morgen",
    "frei_bis=2026-02-30", "flaeche_von=99999999999999999999", "miete_bis=%EF%BC%91",
    "flaeche_von=10&flaeche_bis=5",
])
def test_bad_filter_values_are_ignored_with_a_note(client: FlaskClient, query: str) -> None:
    page = page_of(client, f"/leerstand?{query}")
    assert "Diese Angaben konnten wir nicht lesen" in page
    assert SHOP in page


@pytest.mark.usefixtures("demo")
def test_the_filter_form_keeps_its_values_and_works_without_javascript(
        client: FlaskClient) -> None:
    page = page_of(client, "/leerstand?flaeche_von=50&zwischennutzung=1")
    assert 'method="get"' in page and 'action="/leerstand"' in page
    assert 'name="flaeche_von" inputmode="numeric" value="50"' in page
    assert 'value="1" checked' in page
    assert "<details class=\"filters\" open>" in page


def test_an_empty_exchange_says_so(client: FlaskClient) -> None:
    page = page_of(client, "/leerstand")
    assert "Gerade sind keine Räume in der Börse." in page
    assert "<svg" not in page.split("<main")[1]


# ---------------------------------------------------------------------------
# One listing
# ---------------------------------------------------------------------------


@pytest.mark.usefixtures("demo")
def test_the_detail_page_shows_the_facts_and_not_the_owner(client: FlaskClient) -> None:
    response = client.get(f"/leerstand/{SHOP}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    for text in ("<dl class=\"facts", "Erdgeschoss", "7,5 m", "120 € im Monat",
                 "6 bis 24 Monate", "Förderprogramm der Stadt: 20 % der früheren Miete",
                 "höchstens 70 %", "bis 300 m²", "Einzelhandel", "Pop-up und Ausstellung",
                 "Zuletzt bestätigt", "26.11.2026", "<li>Lager und Teeküche</li>",
                 "Art. 6 Abs. 1 lit. e DSGVO", "Verantwortlich ist die Stadt Herten",
                 'href="/datenschutz#leerstand"'):
        assert text in page, text
    assert "Grundriss" not in page  # none uploaded
    assert_no_secrets(page)


def test_the_floor_plan_downloads_as_pdf(client: FlaskClient, app: Flask) -> None:
    add_listing(f"L-{YEAR}-01", floor_plan=b"%PDF-1.4\n%%EOF\n", floor_plan_name="plan.pdf")
    add_listing(f"L-{YEAR}-02")
    page = page_of(client, f"/leerstand/L-{YEAR}-01")
    assert f'href="/leerstand/L-{YEAR}-01/grundriss.pdf"' in page
    response = client.get(f"/leerstand/L-{YEAR}-01/grundriss.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert "attachment" in response.headers["Content-Disposition"]
    assert client.get(f"/leerstand/L-{YEAR}-02/grundriss.pdf").status_code == 404


def test_markdown_of_a_listing_is_sanitised(client: FlaskClient, app: Flask) -> None:
    add_listing(f"L-{YEAR}-01", description="## Lage\n\n<script>alert(1)</script>"
                "[klick](javascript:alert(1)) <img src=x onerror=alert(1)>")
    page = page_of(client, f"/leerstand/L-{YEAR}-01")
    assert "<h2>Lage</h2>" in page
    assert "<script>alert(1)" not in page and 'href="javascript:' not in page


# ---------------------------------------------------------------------------
# Freshness and moderation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "public"), [(89, True), (90, True), (91, False)])
def test_a_listing_unconfirmed_for_more_than_90_days_is_hidden(
        client: FlaskClient, app: Flask, days: int, public: bool) -> None:
    code = f"L-{YEAR}-01"
    add_listing(code, confirmed=NOW - timedelta(days=days), title="Alter Raum",
                floor_plan=b"%PDF-1.4\n", floor_plan_name="plan.pdf")
    assert ("Alter Raum" in page_of(client, "/leerstand")) is public
    expected = 200 if public else 404
    for url in (f"/leerstand/{code}", f"/leerstand/{code}/danke",
                f"/leerstand/{code}/grundriss.pdf"):
        assert client.get(url).status_code == expected, url
    assert listings.FRESH_DAYS == 60 and listings.HIDE_DAYS == 90


@pytest.mark.parametrize("status", ["submitted", "draft", "rejected", "retired"])
def test_listings_not_published_are_not_public(client: FlaskClient, app: Flask,
                                               status: str) -> None:
    code = f"L-{YEAR}-01"
    add_listing(code, status=status, title="Geheimer Raum", floor_plan=b"%PDF-1.4\n",
                floor_plan_name="plan.pdf")
    assert "Geheimer Raum" not in page_of(client, "/leerstand")
    for url in (f"/leerstand/{code}", f"/leerstand/{code}/danke",
                f"/leerstand/{code}/grundriss.pdf"):
        assert client.get(url).status_code == 404, url
    assert client.get("/leerstand/L-1999-99").status_code == 404
    assert client.get("/leerstand/kein-code").status_code == 404


@pytest.mark.usefixtures("demo")
def test_no_public_page_names_an_owner(client: FlaskClient) -> None:
    for url in ("/leerstand", f"/leerstand/{SHOP}", f"/leerstand/{CAFE}",
                f"/leerstand/{OFFICE_ROOM}", f"/leerstand/{SHOP}/danke",
                "/leerstand/anbieten", "/leerstand/suchprofil", "/leerstand?flaeche_von=1",
                "/", "/datenschutz"):
        assert_no_secrets(page_of(client, url))


@pytest.mark.usefixtures("demo")
def test_gets_change_nothing(client: FlaskClient) -> None:
    before = state()
    for url in ("/leerstand", f"/leerstand/{SHOP}", f"/leerstand/{SHOP}/danke",
                f"/leerstand/{OFFER}", "/leerstand?flaeche_von=x", "/leerstand/anbieten",
                "/leerstand/anbieten/danke", "/leerstand/suchprofil",
                "/leerstand/suchprofil/danke"):
        client.get(url)
    assert state() == before


def test_the_footer_links_the_exchange(client: FlaskClient) -> None:
    assert 'href="/leerstand"' in page_of(client, "/datenschutz")


# ---------------------------------------------------------------------------
# The inquiry about a listing
# ---------------------------------------------------------------------------


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_an_inquiry_reaches_the_office_and_confirms_to_the_person(
        client: FlaskClient, app: Flask, mailbox: Mailbox) -> None:
    with client.post(f"/leerstand/{SHOP}", data=inquiry_values(client, SHOP)) as response:
        assert response.status_code == 303
        assert response.headers["Location"] == f"/leerstand/{SHOP}/danke"
    [inquiry] = db.session.scalars(select(Inquiry))
    shop = listings.by_code(SHOP)
    assert shop is not None
    assert (inquiry.subject_kind, inquiry.subject_id, inquiry.subject_ref) == (
        "listing", shop.id, SHOP)
    assert inquiry.consent_at == NOW

    [office] = mailbox.to(app.config["OFFICE"]["email"])
    assert SHOP in office["Subject"] and "Leerstandsbörse" in office["Subject"]
    text = Mailbox.text(office)
    for value in (SHOP, "Jana Neumann", "jana.neumann@example.org", "0170 1234567",
                  "Unverpackt-Laden", f"http://rallye.test/leerstand/{SHOP}",
                  "Kontakt zu den Eigentümern"):
        assert value in text, value
    assert mailbox.to(shop.owner_email) == []  # never straight to the owner

    [confirmation] = mailbox.to("jana.neumann@example.org")
    assert SHOP in confirmation["Subject"]
    for body in (Mailbox.text(confirmation), Mailbox.html(confirmation)):
        assert SHOP in body and "Guten Tag Jana Neumann" in body
        assert "Eigentümer" in body
        assert_no_secrets(body)

    thanks = page_of(client, f"/leerstand/{SHOP}/danke")
    assert "Vielen Dank für Ihre Anfrage" in thanks and SHOP in thanks
    assert "jana.neumann@example.org" not in thanks
    assert_no_secrets(thanks)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(("overrides", "message"), [
    ({"name": ""}, "Bitte geben Sie Ihren Namen ein."),
    ({"email": "jana@"}, "Das ist keine gültige E-Mail-Adresse."),
    ({"phone": "ruf mich an"}, "Bitte geben Sie eine Telefonnummer nur mit Ziffern"),
    ({"message": "x" * 3001}, "höchstens 3000 Zeichen"),
    ({"consent": None}, "Bitte stimmen Sie zu"),
    ({"name": "Jana\x00"}, "Steuerzeichen"),
    ({"csrf_token": "falsch"}, "Bitte laden Sie die Seite neu"),
])
def test_a_bad_inquiry_gets_a_german_message_and_stores_nothing(
        client: FlaskClient, app: Flask, mailbox: Mailbox,
        overrides: dict[str, str | None], message: str) -> None:
    values = inquiry_values(client, SHOP, **overrides)
    before = state()
    with client.post(f"/leerstand/{SHOP}", data=values) as response:
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert state() == before
    assert mailbox.messages == []


@pytest.mark.usefixtures("demo")
def test_no_inquiry_about_a_listing_that_went_stale(client: FlaskClient, app: Flask,
                                                    freeze: Any) -> None:
    values = inquiry_values(client, SHOP)
    freeze(NOW + timedelta(days=86))  # confirmed 5 days before NOW: now 91 days ago
    before = state()
    assert client.post(f"/leerstand/{SHOP}", data=values).status_code == 404
    assert state() == before


@pytest.mark.usefixtures("demo")
def test_the_inquiry_post_is_rate_limited(client: FlaskClient, app: Flask) -> None:
    app.config["RATELIMIT_INQUIRY"] = "2 per minute"
    values = inquiry_values(client, SHOP, name="")
    codes = [client.post(f"/leerstand/{SHOP}", data=values).status_code for _ in range(3)]
    assert codes == [400, 400, 429]


# ---------------------------------------------------------------------------
# Words and numbers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("cents", "text"), [
    (0, "0 €"), (59000, "590 €"), (125000, "1.250 €"), (8750, "87,50 €"),
    (123456789, "1.234.567,89 €")])
def test_money_is_written_the_german_way(cents: int, text: str) -> None:
    assert listings.money(cents) == text


@pytest.mark.parametrize(("typed", "parsed"), [
    ("850", (850, 0)), ("1.250", (1250, 0)), ("87,50", (87, 50)), ("12,5", (12, 50)),
    (" 90 € ", (90, 0)), ("1,250", None), ("12.5", None), ("-5", None), ("1e3", None),
    ("", None), ("٣", None)])
def test_amounts_are_read_the_german_way(typed: str, parsed: tuple[int, int] | None) -> None:
    from app.office.listing_forms import parse_amount

    assert parse_amount(typed) == parsed


def test_filters_are_read_from_the_query() -> None:
    filters, ignored = listings.parse_filters({
        "flaeche_von": "50", "flaeche_bis": "1.200", "miete_bis": "800",
        "zwischennutzung": "1", "frei_bis": "2027-03-01"})
    assert filters == listings.Filters(min_area=50, max_area=1200, max_rent_cents=80000,
                                       temporary=True, available_by=date(2027, 3, 1))
    assert ignored == [] and filters.active
    assert listings.parse_filters({}) == (listings.Filters(), [])
