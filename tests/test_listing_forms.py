"""The Leerstandsbörse's public forms: owners offer a space (stored for review, never
public before staff publish it), founders leave a search profile (confirmed by mail, staff
told of matches). Bad input gets a German message and writes nothing."""

from datetime import UTC, date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Listing, ListingMatch, OutboxMail, SearchProfile
from app.services.demo import load_listings
from app.services.inquiries import recipient

from .helpers import FIRST_DAY, csrf_token
from .smtp import Mailbox

pytestmark = pytest.mark.usefixtures("freeze")

NOW = FIRST_DAY.astimezone(UTC)
YEAR = FIRST_DAY.year


def state() -> tuple[int, ...]:
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count()).select_from(model)) or 0
                 for model in (Listing, SearchProfile, ListingMatch, OutboxMail, AuditEvent))


def offer_values(client: FlaskClient, **overrides: str | list[str] | None
                 ) -> dict[str, str | list[str]]:
    page = client.get("/leerstand/anbieten")
    assert page.status_code == 200
    values: dict[str, str | list[str] | None] = {
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "title": "Ladenlokal mit Lager", "street": "Kirchstraße 9", "postcode": "45699",
        "area_m2": "1.200", "frontage_m": "6,5", "floor": "0", "rent": "1.250",
        "service_charge": "87,50", "available_from": "2027-01-15", "temporary_use": "y",
        "uses": ["retail", "popup"], "description": "Früher ein Schuhgeschäft.",
        "owner_name": "Heike Hermann", "owner_email": "Heike.Hermann@Example.org",
        "owner_phone": "02366 98765", "consent": "y"}
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def profile_values(client: FlaskClient, **overrides: str | list[str] | None
                   ) -> dict[str, str | list[str]]:
    page = client.get("/leerstand/suchprofil")
    assert page.status_code == 200
    values: dict[str, str | list[str] | None] = {
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "min_area_m2": "40", "max_area_m2": "100", "uses": ["retail"], "max_rent": "700",
        "temporary_only": "y", "message": "Unverpackt-Laden mit Café.",
        "name": "Lea Gründerin", "email": "lea@example.org", "phone": "", "consent": "y"}
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


# ---------------------------------------------------------------------------
# Owners' offers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_an_offer_is_stored_for_review_and_mailed(client: FlaskClient, app: Flask,
                                                  mailbox: Mailbox) -> None:
    with client.post("/leerstand/anbieten", data=offer_values(client)) as response:
        assert response.status_code == 303
        assert response.headers["Location"] == "/leerstand/anbieten/danke"
    [listing] = db.session.scalars(select(Listing))
    assert (listing.code, listing.status, listing.source) == (f"L-{YEAR}-01", "submitted",
                                                              "owner")
    assert (listing.area_m2, listing.frontage_m, listing.rent_cents,
            listing.service_charge_cents) == (1200, 6.5, 125000, 8750)
    assert listing.available_from == date(2027, 1, 15) and listing.temporary_use
    assert [item.use for item in listing.uses] == ["popup", "retail"]
    assert (listing.owner_name, listing.owner_email, listing.owner_phone) == (
        "Heike Hermann", "heike.hermann@example.org", "02366 98765")
    assert listing.owner_consent_at == NOW
    assert listing.photos == []

    [office] = mailbox.to(recipient())
    text = Mailbox.text(office)
    for value in (f"L-{YEAR}-01", "Kirchstraße 9", "1200 m²", "1.250 €", "87,50 €",
                  "Heike Hermann", "E-Mail: heike.hermann@example.org", "02366 98765",
                  "http://rallye.test/buero/leerstand"):
        assert value in text, value
    [confirmation] = mailbox.to("heike.hermann@example.org")
    assert "nie" in Mailbox.text(confirmation) and f"L-{YEAR}-01" in confirmation["Subject"]

    # Nothing of it is public before staff publish it.
    assert "Ladenlokal mit Lager" not in client.get("/leerstand").get_data(as_text=True)
    assert client.get(f"/leerstand/L-{YEAR}-01").status_code == 404
    thanks = client.get("/leerstand/anbieten/danke").get_data(as_text=True)
    assert "Vielen Dank für Ihr Angebot" in thanks and "Heike" not in thanks


def test_offers_continue_the_years_codes(client: FlaskClient, app: Flask) -> None:
    load_listings(NOW)
    db.session.commit()
    assert client.post("/leerstand/anbieten", data=offer_values(client)).status_code == 303
    assert db.session.scalar(select(func.max(Listing.code))) == f"L-{YEAR}-05"


def test_an_offer_needs_only_the_essentials(client: FlaskClient, app: Flask) -> None:
    values = offer_values(client, postcode="", frontage_m="", rent="", service_charge="",
                          available_from="", temporary_use=None, uses=None, description="",
                          owner_phone="", area_m2="45")
    assert client.post("/leerstand/anbieten", data=values).status_code == 303
    [listing] = db.session.scalars(select(Listing))
    assert listing.rent_cents is None and listing.available_from is None
    assert listing.uses == [] and not listing.temporary_use


@pytest.mark.parametrize(("overrides", "message"), [
    ({"title": ""}, "Bitte beschreiben Sie den Raum in wenigen Worten."),
    ({"street": ""}, "Bitte geben Sie die Adresse des Raums an."),
    ({"area_m2": ""}, "Bitte geben Sie die Fläche in Quadratmetern an."),
    ({"area_m2": "viel"}, "Bitte geben Sie die Fläche in ganzen Quadratmetern ein"),
    ({"area_m2": "85,5"}, "Bitte geben Sie die Fläche in ganzen Quadratmetern ein"),
    ({"area_m2": "0"}, "Bitte geben Sie eine Fläche zwischen 1 und"),
    ({"area_m2": "99999"}, "Bitte geben Sie eine Fläche zwischen 1 und"),
    ({"rent": "teuer"}, "Bitte geben Sie eine Zahl ein"),
    ({"rent": "-5"}, "Bitte geben Sie eine Zahl ein"),
    ({"frontage_m": "1000"}, "Bitte geben Sie die Breite in Metern an"),
    ({"frontage_m": "1" + "0" * 400}, "Bitte geben Sie eine Zahl ein"),  # no float overflow
    ({"rent": "1" + "0" * 30}, "Bitte geben Sie eine Zahl ein"),
    ({"floor": "9"}, "Keine gültige Auswahl."),
    ({"uses": ["casino"]}, "Bitte wählen Sie nur aus der Liste."),
    ({"available_from": "morgen"}, "Kein gültiges Datum."),
    ({"owner_name": ""}, "Bitte geben Sie Ihren Namen ein."),
    ({"owner_email": "heike@"}, "Das ist keine gültige E-Mail-Adresse."),
    ({"owner_phone": "ruf an"}, "Bitte geben Sie eine Telefonnummer nur mit Ziffern"),
    ({"owner_phone": "٠٢٣٦٦ ١٢٣٤٥"}, "Bitte geben Sie eine Telefonnummer nur mit Ziffern"),
    ({"postcode": "D-45699"}, "Bitte geben Sie die fünfstellige Postleitzahl an"),
    ({"description": "x" * 3001}, "Höchstens 3000 Zeichen."),
    ({"consent": None}, "Bitte stimmen Sie zu"),
    ({"title": "Laden\x00"}, "Steuerzeichen"),
    ({"description": "Hallo\x1b"}, "Steuerzeichen"),
    ({"csrf_token": "falsch"}, "Bitte laden Sie die Seite neu"),
])
def test_a_bad_offer_gets_a_message_and_writes_nothing(
        client: FlaskClient, app: Flask, mailbox: Mailbox,
        overrides: dict[str, str | None], message: str) -> None:
    values = offer_values(client, **overrides)
    before = state()
    with client.post("/leerstand/anbieten", data=values) as response:
        assert response.status_code == 400
        page = response.get_data(as_text=True)
    assert message in page
    assert state() == before
    assert mailbox.messages == []


def test_the_offer_form_says_what_happens_with_the_data(client: FlaskClient) -> None:
    page = client.get("/leerstand/anbieten").get_data(as_text=True)
    assert "Art. 6 Abs. 1 lit. e DSGVO" in page and "Verantwortlich ist die Stadt Herten" in page
    assert "nie Ihren Namen oder Ihre Kontaktdaten" in page and "12 Monate" in page
    assert 'name="csrf_token"' in page and 'type="file"' not in page


# ---------------------------------------------------------------------------
# Founders' search profiles
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_a_search_profile_is_saved_confirmed_and_matched(client: FlaskClient, app: Flask,
                                                         mailbox: Mailbox) -> None:
    load_listings(NOW)
    db.session.commit()
    with client.post("/leerstand/suchprofil", data=profile_values(client)) as response:
        assert response.status_code == 303
        assert response.headers["Location"] == "/leerstand/suchprofil/danke"
    profiles = list(db.session.scalars(select(SearchProfile).order_by(SearchProfile.id)))
    profile = profiles[-1]  # the demo has one already
    assert (profile.name, profile.email, profile.min_area_m2, profile.max_area_m2,
            profile.max_rent_cents, profile.temporary_only, profile.status) == (
        "Lea Gründerin", "lea@example.org", 40, 100, 70000, True, "active")
    assert [item.use for item in profile.uses] == ["retail"]
    assert profile.consent_at == NOW
    # The demo's 85 m² shop (retail, temporary, 590 €) fits; the café and the office don't.
    matched = db.session.scalars(select(ListingMatch.listing_id).where(
        ListingMatch.profile_id == profile.id)).all()
    codes = db.session.scalars(select(Listing.code).where(Listing.id.in_(matched))).all()
    assert codes == [f"L-{YEAR}-01"]
    [confirmation] = mailbox.to("lea@example.org")
    text = Mailbox.text(confirmation)
    assert "Guten Tag Lea Gründerin" in text and "ab 40 m²" in text and "bis 100 m²" in text
    assert "Einzelhandel" in text and "700 €" in text
    [office] = mailbox.to(recipient())
    assert f"L-{YEAR}-01" in office["Subject"]
    thanks = client.get("/leerstand/suchprofil/danke").get_data(as_text=True)
    assert "Vielen Dank für Ihr Suchprofil" in thanks and "lea@" not in thanks


def test_a_profile_without_wishes_is_fine(client: FlaskClient, app: Flask) -> None:
    values = profile_values(client, min_area_m2="", max_area_m2="", uses=None, max_rent="",
                            temporary_only=None, message="")
    assert client.post("/leerstand/suchprofil", data=values).status_code == 303
    [profile] = db.session.scalars(select(SearchProfile))
    assert profile.uses == [] and profile.min_area_m2 is None and profile.max_rent_cents is None


@pytest.mark.parametrize(("overrides", "message"), [
    ({"min_area_m2": "100", "max_area_m2": "40"}, "„Bis“ darf nicht kleiner sein als „von“."),
    ({"min_area_m2": "groß"}, "ganzen Quadratmetern"),
    ({"max_rent": "wenig"}, "Bitte geben Sie eine Zahl ein"),
    ({"uses": ["casino"]}, "Bitte wählen Sie nur aus der Liste."),
    ({"name": ""}, "Bitte geben Sie Ihren Namen ein."),
    ({"email": "lea@"}, "Das ist keine gültige E-Mail-Adresse."),
    ({"phone": "abends"}, "Bitte geben Sie eine Telefonnummer nur mit Ziffern"),
    ({"message": "x" * 3001}, "Höchstens 3000 Zeichen."),
    ({"message": "Idee\x00"}, "Steuerzeichen"),
    ({"consent": None}, "Bitte stimmen Sie zu"),
    ({"csrf_token": None}, "Bitte laden Sie die Seite neu"),
])
def test_a_bad_profile_gets_a_message_and_writes_nothing(
        client: FlaskClient, app: Flask, mailbox: Mailbox,
        overrides: dict[str, str | None], message: str) -> None:
    values = profile_values(client, **overrides)
    before = state()
    with client.post("/leerstand/suchprofil", data=values) as response:
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert state() == before
    assert mailbox.messages == []


@pytest.mark.parametrize("url", ["/leerstand/anbieten", "/leerstand/suchprofil"])
def test_the_forms_are_rate_limited(client: FlaskClient, app: Flask, url: str) -> None:
    app.config["RATELIMIT_INQUIRY"] = "2 per minute"
    values = (offer_values if url.endswith("anbieten") else profile_values)(client, consent=None)
    codes = [client.post(url, data=values).status_code for _ in range(3)]
    assert codes == [400, 400, 429]


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_offers_at_once_get_codes_of_their_own(app: Flask) -> None:
    from app.services import listing_offers

    from .test_concurrency import all_at_once

    def offer(i: int) -> str:
        return listing_offers.submit_offer(values=listing_offers.OfferInput(
            title=f"Laden {i}", street="Kirchstraße 9", postcode="", area_m2=50, floor=0,
            owner_name="Heike Hermann", owner_email=f"owner{i}@example.org",
            consent=True), now=NOW).code

    codes = all_at_once(app, offer, 6)
    assert sorted(codes) == [f"L-{YEAR}-{n:02d}" for n in range(1, 7)]
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 12
