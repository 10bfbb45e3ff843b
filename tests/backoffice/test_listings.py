"""The Leerstandsbörse in the back office: the form with German numbers and German
refusals (nothing written), photo and floor-plan uploads refused by their content (and a
photo above the app's 2 MB request limit accepted), status buttons by POST with CSRF,
freshness badges, the poster download, the search profiles; GET changes nothing."""

import io
import os
from datetime import UTC, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from pypdf import PdfWriter
from sqlalchemy import select, update
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, stream_encode_multipart

from app.extensions import db
from app.models import (
    AuditEvent,
    Inquiry,
    Listing,
    ListingMatch,
    ListingPhoto,
    SearchProfile,
    SearchProfileUse,
)
from app.models import Image as StoredImage
from app.services import listing_admin, listing_media, listings

from ..helpers import FIRST_DAY, csrf_token
from .conftest import count

LIST = "/buero/leerstand"
NEW = "/buero/leerstand/neu"
PROFILES = "/buero/suchprofile"
YEAR = FIRST_DAY.year
NOW = FIRST_DAY.astimezone(UTC)


def token(client: FlaskClient, path: str = LIST) -> str:
    return csrf_token(client.get(path).text)


def listing_form(client: FlaskClient, path: str = NEW, **overrides: object
                 ) -> dict[str, object]:
    values: dict[str, object] = {
        "csrf_token": token(client, path), "title": "Ladenlokal am Markt",
        "street": "Hermannstraße 10", "postcode": "45699", "latitude": "51,5965",
        "longitude": "7,1431", "area_m2": "85", "frontage_m": "6,5", "floor": "0",
        "rent": "1.250,50", "service_charge": "120", "available_from": "2027-01-01",
        "temporary_use": "y", "temporary_min_months": "3", "temporary_max_months": "24",
        "rent_model": "programme", "uses": ["retail", "popup"],
        "description": "Ein **heller** Laden.", "owner_name": "Herta Haus",
        "owner_email": "herta.haus@example.org", "owner_phone": "02366 55555",
        "internal_note": "Schlüssel beim Nachbarn.",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def only_listing() -> Listing:
    db.session.expire_all()
    [listing] = db.session.scalars(select(Listing))
    return listing


def created(client: FlaskClient, **overrides: object) -> Listing:
    response = client.post(NEW, data=listing_form(client, **overrides))
    assert response.status_code == 303, response.text
    return only_listing()


def listing_audits() -> int:
    return len(list(db.session.scalars(select(AuditEvent.id).where(
        AuditEvent.action.like("listing.%")))))


def snapshot() -> list[tuple[object, ...]]:
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(select(
        Listing.code, Listing.status, Listing.updated_at, Listing.confirmed_at,
        Listing.floor_plan_name).order_by(Listing.id))] + [
        (count(ListingPhoto), listing_audits())]


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(out, format="PNG")
    return out.getvalue()


def pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(client: FlaskClient, path: str, listing: Listing, **data: object) -> TestResponse:
    """Send a form with files as multipart, built in memory (the test client would spool
    a large body to a temporary file that it never closes)."""
    data["csrf_token"] = token(client, f"{LIST}/{listing.id}")
    for key, value in data.items():
        if isinstance(value, tuple):
            data[key] = FileStorage(stream=value[0], filename=value[1])
    stream, _length, boundary = stream_encode_multipart(data, use_tempfile=False)
    return client.post(path, data=stream.getvalue(),
                       content_type=f"multipart/form-data; boundary={boundary}")


# ---------------------------------------------------------------------------
# The form
# ---------------------------------------------------------------------------


def test_staff_create_a_draft_with_german_numbers(staff_client: FlaskClient) -> None:
    listing = created(staff_client)
    assert (listing.code, listing.status, listing.source) == (f"L-{YEAR}-01", "draft", "office")
    assert (listing.rent_cents, listing.service_charge_cents) == (125_050, 12_000)
    assert (listing.latitude, listing.longitude, listing.frontage_m) == (51.5965, 7.1431, 6.5)
    assert [u.use for u in listing.uses] == ["popup", "retail"]
    assert listing.temporary_use and listing.rent_model == "programme"
    page = staff_client.get(f"{LIST}/{listing.id}").text
    assert "Herta Haus" in page and "1250,5" in page and "Schlüssel beim Nachbarn." in page
    listing_page = staff_client.get(LIST).text
    assert listing.code in listing_page and "1.250,50 €" in listing_page

    edit = f"{LIST}/{listing.id}"
    response = staff_client.post(edit, data=listing_form(
        staff_client, edit, rent="", latitude="", longitude="", owner_phone=""))
    assert response.status_code == 303
    listing = only_listing()
    assert (listing.rent_cents, listing.latitude, listing.owner_phone) == (None, None, "")
    assert "auf Anfrage" in staff_client.get(LIST).text
    [edited] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "listing.edit"))
    assert edited.details == {"fields": ["latitude", "longitude", "owner_phone", "rent_cents"],
                              "matches": 0}


@pytest.mark.parametrize(("overrides", "message"), [
    ({"title": ""}, "Bitte geben Sie eine Überschrift ein"),
    ({"street": ""}, "Bitte geben Sie Straße und Hausnummer ein"),
    ({"area_m2": ""}, "Bitte geben Sie die Fläche in m² an."),
    ({"area_m2": "groß"}, "Bitte geben Sie eine ganze Zahl ein"),
    ({"rent": "viel"}, "Bitte geben Sie einen Betrag in Euro ein"),
    ({"rent": "-5"}, "Bitte geben Sie einen Betrag ab 0 € ein."),
    ({"rent": "1e30"}, "Bitte geben Sie einen Betrag in Euro ein"),  # no InvalidOperation
    ({"rent": "1e400"}, "Bitte geben Sie einen Betrag in Euro ein"),
    ({"service_charge": "9" * 32}, "Bitte geben Sie einen Betrag in Euro ein"),
    ({"frontage_m": "1e300"}, "Bitte geben Sie"),
    ({"longitude": ""}, "Bitte geben Sie beide Koordinaten an oder keine."),
    ({"latitude": "Norden"}, "Bitte geben Sie den Breitengrad als Zahl ein"),
    ({"temporary_min_months": "12", "temporary_max_months": "6"},
     "Die Höchstdauer darf nicht kürzer sein als die Mindestdauer."),
    ({"uses": None}, "Bitte kreuzen Sie mindestens eine Nutzung an."),
    ({"temporary_use": None}, "Das Förderprogramm gilt nur für eine Zwischennutzung."),
    ({"owner_email": "kein-at"}, "Das ist keine gültige E-Mail-Adresse."),
    ({"available_from": "bald"}, "Bitte geben Sie ein Datum ein"),
])
def test_bad_input_gets_a_german_message_and_writes_nothing(
        staff_client: FlaskClient, overrides: dict[str, object], message: str) -> None:
    response = staff_client.post(NEW, data=listing_form(staff_client, **overrides))
    assert response.status_code == 400
    assert message in response.text
    assert "Bitte prüfen Sie Ihre Angaben" in response.text
    assert count(Listing) == 0 and listing_audits() == 0


def test_the_preview_renders_markdown_and_saves_nothing(staff_client: FlaskClient) -> None:
    data = listing_form(staff_client, description="## Lage\n<script>alert(1)</script>")
    data["aktion"] = "vorschau"
    response = staff_client.post(NEW, data=data)
    assert response.status_code == 200
    assert "<h2>Lage</h2>" in response.text and "<script>alert" not in response.text
    assert count(Listing) == 0


def test_without_csrf_nothing_is_written(staff_client: FlaskClient) -> None:
    data = listing_form(staff_client)
    del data["csrf_token"]
    assert staff_client.post(NEW, data=data).status_code == 400
    assert count(Listing) == 0
    listing = created(staff_client)
    before = snapshot()
    for action in ("veroeffentlichen", "bestaetigen", "zurueckziehen", "ablehnen",
                   "grundriss/entfernen"):
        response = staff_client.post(f"{LIST}/{listing.id}/{action}")
        assert response.status_code == 400, action
    response = staff_client.post(f"{LIST}/{listing.id}/fotos", data={
        "photo": (io.BytesIO(png()), "foto.png"), "alt": "Foto"},
        content_type="multipart/form-data")
    assert response.status_code == 400
    response = staff_client.post(f"{LIST}/{listing.id}/grundriss", data={
        "plan": (io.BytesIO(pdf()), "plan.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert snapshot() == before


# ---------------------------------------------------------------------------
# Status buttons, freshness badges
# ---------------------------------------------------------------------------


def press(client: FlaskClient, listing: Listing, action: str, **extra: str):  # noqa: ANN201
    return client.post(f"{LIST}/{listing.id}/{action}",
                       data={"csrf_token": token(client), **extra})


def age(listing: Listing, *, days: int) -> None:
    """Let ``days`` pass since the last confirmation (the login stays fresh)."""
    db.session.execute(update(Listing).where(Listing.id == listing.id).values(
        confirmed_at=NOW - timedelta(days=days)))
    db.session.commit()


def test_publish_confirm_retire_by_post(staff_client: FlaskClient) -> None:
    listing = created(staff_client)
    response = press(staff_client, listing, "veroeffentlichen")
    assert response.status_code == 303
    assert response.headers["Location"] == f"{LIST}/{listing.id}"
    assert only_listing().status == "published"
    page = staff_client.get(LIST).text
    assert "heute bestätigt" in page and "Noch frei" in page

    age(listing, days=61)
    page = staff_client.get(LIST).text
    assert "bestätigt vor 61 Tagen" in page and 'class="status stale"' in page
    assert "ausgeblendet" not in page
    age(listing, days=91)
    page = staff_client.get(LIST).text
    assert "bestätigt vor 91 Tagen" in page and "ausgeblendet" in page

    response = press(staff_client, listing, "bestaetigen", zurueck="liste")
    assert response.headers["Location"] == f"{LIST}#anzeige-{listing.id}"
    assert only_listing().confirmed_at == NOW
    assert "heute bestätigt" in staff_client.get(LIST).text

    press(staff_client, listing, "zurueckziehen")
    assert only_listing().status == "retired"
    follow = press(staff_client, listing, "bestaetigen")
    assert follow.status_code == 303
    assert "Nur eine veröffentlichte Anzeige lässt sich bestätigen." in staff_client.get(
        f"{LIST}/{listing.id}").text
    assert [row.action for row in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("listing.%"))
        .order_by(AuditEvent.id))] == [
        "listing.create", "listing.publish", "listing.confirm", "listing.retire"]


def test_the_moderation_queue_publishes_or_rejects_owner_offers(
        staff_client: FlaskClient) -> None:
    for title in ("Laden eins", "Laden zwei"):
        db.session.add(Listing(code=listings.next_code(NOW), title=title,
                               street="Ewaldstraße 3", area_m2=60, status="submitted",
                               source="owner", owner_name="Otto Owner",
                               owner_email="otto@example.org", owner_consent_at=NOW))
        db.session.commit()
    page = staff_client.get(LIST).text
    assert "2 Angebote von Eigentümern warten auf Ihre Prüfung." in page
    queue = staff_client.get(f"{LIST}?status=submitted").text
    assert "Laden eins" in queue and "Laden zwei" in queue
    first, second = db.session.scalars(select(Listing).order_by(Listing.id))
    assert "Angebot ablehnen" in staff_client.get(f"{LIST}/{first.id}").text
    press(staff_client, first, "veroeffentlichen")  # no use named yet
    assert "Die Anzeige ist noch unvollständig." in staff_client.get(
        f"{LIST}/{first.id}").text
    edit = f"{LIST}/{first.id}"
    assert staff_client.post(edit, data=listing_form(
        staff_client, edit, title="Laden eins", temporary_use=None, rent_model="market",
        temporary_min_months=None, temporary_max_months=None)).status_code == 303
    press(staff_client, first, "veroeffentlichen")
    press(staff_client, second, "ablehnen")
    db.session.expire_all()
    assert (first.status, second.status) == ("published", "rejected")
    assert staff_client.get(f"{LIST}?status=erfunden").status_code == 404


def test_get_pages_change_nothing(staff_client: FlaskClient) -> None:
    listing = created(staff_client)
    press(staff_client, listing, "veroeffentlichen")
    listing_media.set_floor_plan(listing_id=listing.id, data=pdf(), filename="plan.pdf",
                                 now=NOW, actor_id=None)
    before = snapshot()
    for path in (LIST, NEW, f"{LIST}/{listing.id}", f"{LIST}/{listing.id}/grundriss.pdf",
                 f"{LIST}/{listing.id}/plakat.pdf", f"{LIST}?status=published", PROFILES,
                 f"{LIST}/{listing.id}/veroeffentlichen", f"{LIST}/{listing.id}/bestaetigen"):
        assert staff_client.get(path).status_code in (200, 405), path
    assert snapshot() == before


# ---------------------------------------------------------------------------
# Photos
# ---------------------------------------------------------------------------


def test_a_photo_above_the_request_limit_is_accepted(staff_client: FlaskClient,
                                                     app: Flask) -> None:
    listing = created(staff_client)
    noise = Image.frombytes("RGB", (1100, 1000), os.urandom(1100 * 1000 * 3))
    out = io.BytesIO()
    noise.save(out, format="PNG")
    big = out.getvalue()
    assert app.config["MAX_CONTENT_LENGTH"] < len(big) < 8 * 1024 * 1024
    response = upload(staff_client, f"{LIST}/{listing.id}/fotos", listing,
                      photo=(io.BytesIO(big), "laden.png"), alt="Das Schaufenster")
    assert response.status_code == 303, response.text
    assert response.headers["Location"] == f"{LIST}/{listing.id}#fotos"
    [photo] = only_listing().photos
    assert photo.alt == "Das Schaufenster" and photo.image.mime == "image/webp"
    assert max(photo.image.width, photo.image.height) <= 1200
    page = staff_client.get(f"{LIST}/{listing.id}").text
    assert 'alt="Das Schaufenster"' in page and "Fotos (1 von höchstens 8)" in page
    # Elsewhere the app's own 2 MB limit still holds.
    response = staff_client.post(NEW, data=listing_form(staff_client, description="x" * 3_000_000))
    assert response.status_code == 413


@pytest.mark.parametrize(("content", "name", "alt", "message"), [
    (b"<html><script>alert(1)</script></html>", "foto.jpg", "Foto",
     "Diese Datei ist kein Foto im Format JPEG, PNG oder WebP."),
    (b"Nur Text, kein Bild", "foto.png", "Foto",
     "Diese Datei ist kein Foto im Format JPEG, PNG oder WebP."),
    (png(), "foto.gif", "Foto", "Bitte wählen Sie ein Foto im Format JPEG, PNG oder WebP."),
    (png(), "foto.png", "", "Bitte beschreiben Sie das Foto in wenigen Worten"),
    (None, "", "Foto", "Bitte wählen Sie ein Foto aus."),
])
def test_a_bad_photo_is_refused_with_a_german_message(
        staff_client: FlaskClient, content: bytes | None, name: str, alt: str,
        message: str) -> None:
    listing = created(staff_client)
    before = snapshot()
    photo = (io.BytesIO(content), name) if content is not None else (io.BytesIO(b""), "")
    response = upload(staff_client, f"{LIST}/{listing.id}/fotos", listing, photo=photo,
                      alt=alt)
    assert response.status_code == 400
    assert message in response.text
    assert snapshot() == before


def test_an_oversized_photo_is_refused(staff_client: FlaskClient) -> None:
    listing = created(staff_client)
    before = snapshot()
    response = upload(staff_client, f"{LIST}/{listing.id}/fotos", listing,
                      photo=(io.BytesIO(b"\x89PNG" + b"0" * (9 * 1024 * 1024)), "riesig.png"),
                      alt="Zu groß")
    assert response.status_code == 413
    assert "Die gesendeten Daten sind zu groß." in response.text
    assert snapshot() == before


def test_photos_reorder_and_remove(staff_client: FlaskClient) -> None:
    listing = created(staff_client)
    for n, alt in enumerate(("Außen", "Innen")):
        assert upload(staff_client, f"{LIST}/{listing.id}/fotos", listing,
                      photo=(io.BytesIO(png((60 + n, 40))), "f.png"),
                      alt=alt).status_code == 303
    first, second = only_listing().photos
    response = staff_client.post(f"{LIST}/{listing.id}/fotos/{second.id}/verschieben",
                                 data={"csrf_token": token(staff_client), "richtung": "vor"})
    assert response.status_code == 303
    assert [p.alt for p in only_listing().photos] == ["Innen", "Außen"]
    assert staff_client.post(f"{LIST}/{listing.id}/fotos/{second.id}/verschieben",
                             data={"csrf_token": token(staff_client),
                                   "richtung": "quer"}).status_code == 400
    staff_client.post(f"{LIST}/{listing.id}/fotos/{first.id}/text",
                      data={"csrf_token": token(staff_client),
                            f"foto{first.id}-alt": "Die Fassade"})
    staff_client.post(f"{LIST}/{listing.id}/fotos/{second.id}/entfernen",
                      data={"csrf_token": token(staff_client)})
    assert [p.alt for p in only_listing().photos] == ["Die Fassade"]
    other = listing_admin.create_listing(values=listing_admin.ListingInput(
        title="Anderer Laden", street="Markt 2", area_m2=40, uses=("retail",)), now=NOW,
        actor_id=None)
    response = staff_client.post(f"{LIST}/{other.id}/fotos/{first.id}/entfernen",
                                 data={"csrf_token": token(staff_client)})
    assert response.status_code == 303
    assert "Dieses Foto gibt es nicht (mehr)." in staff_client.get(f"{LIST}/{other.id}").text
    db.session.expire_all()
    assert [p.alt for p in db.session.get_one(Listing, listing.id).photos] == ["Die Fassade"]


# ---------------------------------------------------------------------------
# Floor plan, poster
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "message"), [
    (png(), "Diese Datei ist kein PDF, auch wenn sie so heißt."),
    (b"%PDF-1.7\nabgeschnitten", "Das PDF ist beschädigt oder unvollständig"),
    (None, "Bitte wählen Sie eine PDF-Datei aus."),
])
def test_a_bad_floor_plan_is_refused(staff_client: FlaskClient, content: bytes | None,
                                     message: str) -> None:
    listing = created(staff_client)
    before = snapshot()
    plan = (io.BytesIO(content), "grundriss.pdf") if content is not None else (
        io.BytesIO(b""), "")
    response = upload(staff_client, f"{LIST}/{listing.id}/grundriss", listing, plan=plan)
    assert response.status_code == 400
    assert message in response.text
    assert snapshot() == before


def test_a_floor_plan_is_stored_and_downloaded(staff_client: FlaskClient) -> None:
    listing = created(staff_client)
    assert staff_client.get(f"{LIST}/{listing.id}/grundriss.pdf").status_code == 404
    response = upload(staff_client, f"{LIST}/{listing.id}/grundriss", listing,
                      plan=(io.BytesIO(pdf()), "Grundriss EG.pdf"))
    assert response.status_code == 303
    download = staff_client.get(f"{LIST}/{listing.id}/grundriss.pdf")
    assert download.status_code == 200 and download.data == pdf()
    assert download.mimetype == "application/pdf"
    assert "Grundriss-EG.pdf" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "no-store"


def test_the_poster_is_for_published_listings(staff_client: FlaskClient) -> None:
    listing = created(staff_client)
    response = staff_client.get(f"{LIST}/{listing.id}/plakat.pdf")
    assert response.status_code == 303
    assert "sobald die Anzeige veröffentlicht ist" in staff_client.get(
        f"{LIST}/{listing.id}").text
    press(staff_client, listing, "veroeffentlichen")
    response = staff_client.get(f"{LIST}/{listing.id}/plakat.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert f"plakat-{listing.code}.pdf" in response.headers["Content-Disposition"]
    age(listing, days=91)  # hidden: a printed code would lead nowhere
    response = staff_client.get(f"{LIST}/{listing.id}/plakat.pdf")
    assert response.status_code == 303
    assert "nicht bestätigt und deshalb ausgeblendet" in staff_client.get(
        f"{LIST}/{listing.id}").text
    assert "Öffentliche Seite ansehen" not in staff_client.get(f"{LIST}/{listing.id}").text


# ---------------------------------------------------------------------------
# Search profiles
# ---------------------------------------------------------------------------


def test_search_profiles_show_their_matches_and_close(staff_client: FlaskClient) -> None:
    listing = created(staff_client)
    profile = SearchProfile(name="Gina Gründerin", email="gina@example.org",
                            min_area_m2=50, max_area_m2=120, message="Unverpackt-Laden",
                            consent_at=NOW, created_at=NOW)
    profile.uses = [SearchProfileUse(use="retail")]
    closed = SearchProfile(name="Karl Kein", email="karl@example.org", consent_at=NOW,
                           status="closed", closed_at=NOW)
    db.session.add_all([profile, closed])
    db.session.flush()
    db.session.add(ListingMatch(listing_id=listing.id, profile_id=profile.id, notified_at=NOW))
    db.session.commit()
    page = staff_client.get(PROFILES).text
    assert "Gina Gründerin" in page and "Unverpackt-Laden" in page and "50 bis 120 m²" in page
    assert "Einzelhandel" in page and listing.code in page and "Karl Kein" not in page
    response = staff_client.post(f"{PROFILES}/{profile.id}/schliessen",
                                 data={"csrf_token": token(staff_client, PROFILES)})
    assert response.status_code == 303
    db.session.expire_all()
    assert (profile.status, profile.closed_at) == ("closed", NOW)
    assert "Gina Gründerin" not in staff_client.get(PROFILES).text
    staff_client.post(f"{PROFILES}/{profile.id}/schliessen",
                      data={"csrf_token": token(staff_client, PROFILES)})
    assert "schon geschlossen" in staff_client.get(PROFILES).text
    assert staff_client.post(f"{PROFILES}/9999/schliessen",
                             data={"csrf_token": token(staff_client, PROFILES)}
                             ).status_code == 404
    [event] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "search_profile.close"))
    assert "gina" not in str(event.subject).lower()


def test_the_navigation_links_the_listings(staff_client: FlaskClient) -> None:
    page = staff_client.get(PROFILES).text
    assert f'<a href="{LIST}" aria-current="page">Leerstand</a>' in page


def test_an_inquiry_about_a_listing_links_to_it_in_the_inquiries(
        staff_client: FlaskClient) -> None:
    listing = created(staff_client)
    db.session.add(Inquiry(subject_kind="listing", subject_id=listing.id,
                           subject_ref=listing.code, name="Lea Gründerin",
                           email="lea@example.org", message="Ist der Laden noch frei?",
                           consent_at=NOW))
    db.session.commit()
    page = staff_client.get("/buero/anfragen").text
    assert f'href="{LIST}/{listing.id}"' in page
    assert f"{listing.code} – {listing.title}" in page


def test_an_id_beyond_the_database_is_not_found(staff_client: FlaskClient) -> None:
    assert staff_client.get(f"{LIST}/99999999999999999999").status_code == 404
    assert staff_client.get("/buero/suchprofile").status_code == 200


def test_listing_photos_are_public_only_with_their_listing(
        app: Flask, staff_client: FlaskClient) -> None:
    """A draft's photo: staff see it uncached, nobody else; published: anyone, cached
    for an hour; never under the shared /bilder/ URL; removed: its picture is gone."""
    listing = created(staff_client)
    upload(staff_client, f"{LIST}/{listing.id}/fotos", listing,
           photo=(io.BytesIO(png((70, 40))), "f.png"), alt="Außen")
    [photo] = only_listing().photos
    digest = photo.image.sha256[:12]
    url = f"/leerstand/{listing.code}/fotos/{photo.id}-{digest}.webp"
    shared = f"/bilder/{photo.image_id}-{digest}.webp"
    assert url in staff_client.get(f"{LIST}/{listing.id}").text
    anonymous = app.test_client()
    assert anonymous.get(url).status_code == 404  # a draft
    seen = staff_client.get(url)
    assert seen.status_code == 200 and seen.mimetype == "image/webp"
    assert "no-store" in seen.headers["Cache-Control"]
    press(staff_client, listing, "veroeffentlichen")
    public = anonymous.get(url)
    assert public.status_code == 200 and public.data == photo.image.data
    assert public.headers["Cache-Control"] == "public, max-age=3600"
    assert anonymous.get(shared).status_code == 404
    assert anonymous.get(url.replace(digest, "0" * 12)).status_code == 404
    assert anonymous.get(url.replace(listing.code, "L-2026-99")).status_code == 404
    age(listing, days=91)
    assert anonymous.get(url).status_code == 404  # stale: hidden with its listing
    image_id = photo.image_id
    staff_client.post(f"{LIST}/{listing.id}/fotos/{photo.id}/entfernen",
                      data={"csrf_token": token(staff_client)})
    db.session.expire_all()
    assert db.session.get(StoredImage, image_id) is None
