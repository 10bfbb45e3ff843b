"""The Leerstandsbörse's office side as services: validation with nothing written,
codes, publish/confirm/retire/reject, audit events, photos and the floor-plan PDF check,
the freshness reminder with a frozen clock, the window poster's QR code."""

import io
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, date, timedelta
from pathlib import Path

import pytest
import zxingcpp
from flask import Flask
from flask.testing import FlaskCliRunner
from PIL import Image
from pypdf import PdfReader, PdfWriter
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Listing, ListingPhoto, ListingUse, OutboxMail
from app.services import listing_admin, listing_freshness, listing_media, listings
from app.services.editing import EditError, InvalidInput
from app.services.images import MAX_BYTES
from app.services.listing_admin import ListingInput
from app.services.posters import ListingPoster, listing_poster_pdf

from .conftest import IN_CI
from .helpers import FIRST_DAY
from .smtp import Mailbox
from .test_concurrency import all_at_once

NOW = FIRST_DAY.astimezone(UTC)
YEAR = FIRST_DAY.year
both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgres"],
                                         indirect=True)
VALUES = ListingInput(
    title="Ladenlokal am Markt", street="Hermannstraße 10", postcode="45699",
    latitude=51.5965, longitude=7.1431, area_m2=85, frontage_m=6.5, floor=0,
    rent_cents=85_000, service_charge_cents=12_000, available_from=date(2027, 1, 1),
    temporary_use=True, temporary_min_months=3, temporary_max_months=24,
    rent_model="programme", uses=("retail", "popup"), description="Ein **heller** Laden.",
    internal_note="Schlüssel beim Nachbarn.", owner_name="Herta Haus",
    owner_email="Herta.Haus@example.org", owner_phone="02366 55555")


def make_listing(**overrides: object) -> Listing:
    return listing_admin.create_listing(values=replace(VALUES, **overrides), now=NOW,  # type: ignore[arg-type]
                                        actor_id=None)


def listing_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(Listing)) or 0


def actions() -> list[tuple[str, str]]:
    return [(row.action, row.subject) for row in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("listing.%"))
        .order_by(AuditEvent.id))]


def png_bytes(size: tuple[int, int] = (40, 30), colour: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---------------------------------------------------------------------------
# Create, edit, codes
# ---------------------------------------------------------------------------


@both_databases
def test_create_allocates_codes_per_year_and_audits(app: Flask) -> None:
    first = make_listing()
    second = make_listing(title="Zweites Ladenlokal")
    assert (first.code, second.code) == (f"L-{YEAR}-01", f"L-{YEAR}-02")
    assert (first.status, first.source, first.owner_email) == (
        "draft", "office", "herta.haus@example.org")
    assert [row.use for row in first.uses] == ["popup", "retail"]
    assert (first.rent_cents, first.latitude, first.temporary_max_months) == (85_000, 51.5965, 24)
    next_year = listing_admin.create_listing(values=VALUES, now=NOW + timedelta(days=40),
                                             actor_id=None)
    assert next_year.code == f"L-{YEAR + 1}-01"
    assert actions() == [("listing.create", first.code), ("listing.create", second.code),
                         ("listing.create", next_year.code)]


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"title": ""}, "title", "bad_title"),
    ({"title": "x" * 121}, "title", "bad_title"),
    ({"street": ""}, "street", "bad_street"),
    ({"postcode": "4569"}, "postcode", "bad_postcode"),
    ({"latitude": None}, "latitude", "point_incomplete"),
    ({"longitude": None}, "longitude", "point_incomplete"),
    ({"latitude": 91.0}, "latitude", "bad_latitude"),
    ({"longitude": -181.0}, "longitude", "bad_longitude"),
    ({"area_m2": None}, "area_m2", "missing_area"),
    ({"area_m2": 0}, "area_m2", "bad_area"),
    ({"frontage_m": 0.0}, "frontage_m", "bad_frontage"),
    ({"floor": 6}, "floor", "unknown_choice"),
    ({"rent_cents": -1}, "rent_cents", "bad_money"),
    ({"service_charge_cents": -5}, "service_charge_cents", "bad_money"),
    ({"rent_model": "free"}, "rent_model", "unknown_choice"),
    ({"temporary_min_months": 12, "temporary_max_months": 6}, "temporary_max_months",
     "months_reversed"),
    ({"temporary_min_months": 0}, "temporary_min_months", "bad_months"),
    ({"temporary_use": False, "rent_model": "market"}, "temporary_use",
     "months_without_temporary_use"),
    ({"temporary_use": False, "temporary_min_months": None, "temporary_max_months": None},
     "rent_model", "programme_is_temporary"),
    ({"uses": ()}, "uses", "missing_uses"),
    ({"uses": ("casino",)}, "uses", "unknown_choice"),
    ({"owner_email": "kein-at"}, "owner_email", "bad_email"),
    ({"owner_phone": "abends"}, "owner_phone", "bad_phone"),
    ({"title": "Laden\x1b"}, "title", "control_characters"),
    ({"description": "x" * 6001}, "description", "too_long"),
])
def test_create_refuses_bad_input_and_writes_nothing(
        app: Flask, overrides: dict[str, object], field: str, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        make_listing(**overrides)
    assert (field, code) in [(p.field, p.code) for p in caught.value.problems]
    assert listing_rows() == 0 and actions() == []


def test_rent_on_request_and_no_coordinates_are_fine(app: Flask) -> None:
    listing = make_listing(rent_cents=None, service_charge_cents=None, latitude=None,
                           longitude=None, temporary_use=False, temporary_min_months=None,
                           temporary_max_months=None, rent_model="market")
    assert (listing.rent_cents, listing.latitude, listing.longitude) == (None, None, None)


def test_edit_names_changed_fields_not_their_values(app: Flask) -> None:
    listing = make_listing()
    listing_admin.update_listing(
        listing_id=listing.id, values=replace(VALUES, owner_phone="", uses=("retail",),
                                              rent_cents=None),
        now=NOW + timedelta(hours=1), actor_id=None)
    db.session.expire_all()
    assert (listing.owner_phone, listing.rent_cents, [u.use for u in listing.uses]) == (
        "", None, ["retail"])
    assert listing.code == f"L-{YEAR}-01" and listing.updated_at == NOW + timedelta(hours=1)
    [edit] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "listing.edit"))
    assert edit.details == {"fields": ["owner_phone", "rent_cents", "uses"], "matches": 0}
    assert "55555" not in str(edit.details)
    with pytest.raises(InvalidInput):
        listing_admin.update_listing(listing_id=listing.id, values=replace(VALUES, title=""),
                                     now=NOW, actor_id=None)
    db.session.expire_all()
    assert listing.title == "Ladenlokal am Markt"
    with pytest.raises(EditError) as caught:
        listing_admin.update_listing(listing_id=9999, values=VALUES, now=NOW, actor_id=None)
    assert caught.value.code == "unknown_listing"


# ---------------------------------------------------------------------------
# Status changes
# ---------------------------------------------------------------------------


def owner_offer() -> Listing:
    """An owner's offer as the public form leaves it: submitted, with consent."""
    listing = Listing(code=listings.next_code(NOW), title="Laden im Angebot",
                      street="Ewaldstraße 3", area_m2=60, status="submitted", source="owner",
                      owner_name="Otto Owner", owner_email="otto@example.org",
                      owner_consent_at=NOW, confirmed_at=NOW - timedelta(days=5),
                      created_at=NOW, updated_at=NOW)
    db.session.add(listing)
    db.session.commit()
    return listing


@both_databases
def test_publish_confirms_and_clears_the_reminder(app: Flask) -> None:
    listing = make_listing()
    later = NOW + timedelta(days=3)
    listing_admin.publish(listing_id=listing.id, now=later, actor_id=None)
    db.session.expire_all()
    assert (listing.status, listing.published_at, listing.confirmed_at, listing.reminded_at) \
        == ("published", later, later, None)
    with pytest.raises(EditError) as caught:
        listing_admin.publish(listing_id=listing.id, now=later, actor_id=None)
    assert caught.value.code == "already_published"
    [publish] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "listing.publish"))
    assert publish.details == {"matches": 0}


def test_confirm_retire_reject_and_their_refusals(app: Flask) -> None:
    listing = make_listing()
    with pytest.raises(EditError) as caught:
        listing_admin.confirm(listing_id=listing.id, now=NOW, actor_id=None)
    assert caught.value.code == "not_published"
    listing_admin.publish(listing_id=listing.id, now=NOW, actor_id=None)
    db.session.execute(
        Listing.__table__.update().values(reminded_at=NOW + timedelta(days=61)))
    db.session.commit()
    listing_admin.confirm(listing_id=listing.id, now=NOW + timedelta(days=62), actor_id=None)
    db.session.expire_all()
    assert (listing.confirmed_at, listing.reminded_at) == (NOW + timedelta(days=62), None)
    listing_admin.retire(listing_id=listing.id, now=NOW + timedelta(days=70), actor_id=None)
    db.session.expire_all()
    assert (listing.status, listing.retired_at) == ("retired", NOW + timedelta(days=70))
    with pytest.raises(EditError) as caught:
        listing_admin.retire(listing_id=listing.id, now=NOW, actor_id=None)
    assert caught.value.code == "not_retirable"
    with pytest.raises(EditError) as caught:
        listing_admin.reject(listing_id=listing.id, now=NOW, actor_id=None)
    assert caught.value.code == "not_submitted"

    offer = owner_offer()
    listing_admin.reject(listing_id=offer.id, now=NOW, actor_id=None)
    db.session.expire_all()
    assert offer.status == "rejected"
    with pytest.raises(EditError) as caught:
        listing_admin.publish(listing_id=offer.id, now=NOW, actor_id=None)
    assert caught.value.code == "rejected"
    assert [action for action, _ in actions()] == [
        "listing.create", "listing.publish", "listing.confirm", "listing.retire",
        "listing.reject"]


def test_an_owner_offer_is_published_by_staff(app: Flask) -> None:
    offer = owner_offer()
    offer.uses = [ListingUse(use="crafts")]
    db.session.commit()
    listing_admin.publish(listing_id=offer.id, now=NOW, actor_id=None)
    db.session.expire_all()
    assert (offer.status, offer.source, offer.confirmed_at) == ("published", "owner", NOW)


# ---------------------------------------------------------------------------
# Photos
# ---------------------------------------------------------------------------


def jpeg_with_gps() -> bytes:
    """A JPEG whose EXIF names a camera and a GPS position (Herten)."""
    exif = Image.Exif()
    exif[0x010F] = "Kamerahersteller"  # Make
    exif[0x0131] = "Geheime Software"  # Software
    gps = {1: "N", 2: (51.0, 35.0, 47.0), 3: "E", 4: (7.0, 8.0, 34.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(out, format="JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825), "test JPEG has GPS"
    return data


@both_databases
def test_photos_are_cleaned_need_alt_text_and_reorder(app: Flask) -> None:
    listing = make_listing()
    with pytest.raises(InvalidInput) as caught:
        listing_media.add_photo(listing_id=listing.id, data=png_bytes(), alt="  ", now=NOW,
                                actor_id=None)
    assert [(p.field, p.code) for p in caught.value.problems] == [("alt", "missing_alt")]

    first = listing_media.add_photo(listing_id=listing.id, data=jpeg_with_gps(),
                                    alt="Schaufenster", now=NOW, actor_id=None)
    stored = Image.open(io.BytesIO(first.image.data))
    assert stored.format == "WEBP"
    assert not stored.getexif() and "exif" not in stored.info and "xmp" not in stored.info
    assert b"Kamerahersteller" not in first.image.data and b"GPS" not in first.image.data

    second = listing_media.add_photo(listing_id=listing.id, data=png_bytes(colour="red"),
                                     alt="Verkaufsraum", now=NOW, actor_id=None)
    third = listing_media.add_photo(listing_id=listing.id, data=png_bytes(colour="blue"),
                                    alt="Lager", now=NOW, actor_id=None)
    listing_media.move_photo(listing_id=listing.id, photo_id=third.id, step=-1, now=NOW,
                             actor_id=None)
    db.session.expire_all()
    assert [p.alt for p in listing.photos] == ["Schaufenster", "Lager", "Verkaufsraum"]
    with pytest.raises(EditError) as caught:
        listing_media.move_photo(listing_id=listing.id, photo_id=first.id, step=-1, now=NOW,
                                 actor_id=None)
    assert caught.value.code == "cannot_move"
    listing_media.remove_photo(listing_id=listing.id, photo_id=second.id, now=NOW,
                               actor_id=None)
    listing_media.update_photo_alt(listing_id=listing.id, photo_id=third.id,
                                   alt="Lagerraum hinten", now=NOW, actor_id=None)
    db.session.expire_all()
    assert [p.alt for p in listing.photos] == ["Schaufenster", "Lagerraum hinten"]
    assert [a for a, _ in actions()].count("listing.photo_add") == 3


@pytest.mark.parametrize(("data", "code"), [
    (b"", "empty"),
    (b"<html><body>Kein Bild</body></html>", "not_an_image"),  # named .jpg by the uploader
    (b"%PDF-1.4\n", "not_an_image"),
    (png_bytes()[:60], "unreadable"),
    (b"\x89PNG" + b"0" * (MAX_BYTES + 1), "too_large"),
])
def test_photos_refused_by_content(app: Flask, data: bytes, code: str) -> None:
    listing = make_listing()
    with pytest.raises(InvalidInput) as caught:
        listing_media.add_photo(listing_id=listing.id, data=data, alt="Foto", now=NOW,
                                actor_id=None)
    assert [(p.field, p.code) for p in caught.value.problems] == [("photo", code)]
    assert db.session.scalar(select(func.count()).select_from(ListingPhoto)) == 0


def test_a_decompression_bomb_is_refused(app: Flask) -> None:
    """A small PNG that would unpack into 100 megapixels."""
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG", optimize=True)
    assert len(out.getvalue()) < 200_000
    listing = make_listing()
    with pytest.raises(InvalidInput) as caught:
        listing_media.add_photo(listing_id=listing.id, data=out.getvalue(), alt="Bombe",
                                now=NOW, actor_id=None)
    assert [p.code for p in caught.value.problems] == ["too_many_pixels"]


def test_at_most_eight_photos(app: Flask) -> None:
    listing = make_listing()
    for n in range(listing_media.PHOTOS_MAX):
        listing_media.add_photo(listing_id=listing.id, data=png_bytes(colour=(n * 20, 0, 0)),  # type: ignore[arg-type]
                                alt=f"Foto {n}", now=NOW, actor_id=None)
    with pytest.raises(InvalidInput) as caught:
        listing_media.add_photo(listing_id=listing.id, data=png_bytes(colour="white"),
                                alt="Eins zu viel", now=NOW, actor_id=None)
    assert [p.code for p in caught.value.problems] == ["too_many_photos"]


# ---------------------------------------------------------------------------
# Floor plan
# ---------------------------------------------------------------------------


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt("geheim")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(("data", "code"), [
    (b"", "empty"),
    (png_bytes(), "not_a_pdf"),  # a picture named grundriss.pdf
    (b"<html>%PDF-1.4</html>", "not_a_pdf"),
    (b"%PDF-1.7\nnur Text, kein PDF\n", "broken_pdf"),
    (pdf_bytes()[:200], "broken_pdf"),  # cut off
    (encrypted_pdf(), "encrypted"),
    (b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024), "too_large"),
    (pdf_bytes(21), "too_many_pages"),
])
def test_floor_plan_refused_by_content(app: Flask, data: bytes, code: str) -> None:
    listing = make_listing()
    with pytest.raises(EditError) as caught:
        listing_media.set_floor_plan(listing_id=listing.id, data=data,
                                     filename="grundriss.pdf", now=NOW, actor_id=None)
    assert caught.value.code == code
    db.session.expire_all()
    assert listing.floor_plan is None and listing.floor_plan_name == ""


@both_databases
def test_floor_plan_stored_replaced_and_removed(app: Flask) -> None:
    listing = make_listing()
    assert listing_media.set_floor_plan(listing_id=listing.id, data=pdf_bytes(2),
                                        filename="C:\\Plans\\Erdgeschoss Plan.PDF", now=NOW,
                                        actor_id=None) == 2
    db.session.expire_all()
    assert listing.floor_plan_name == "Erdgeschoss-Plan.pdf"
    assert listing_admin.floor_plan_of(listing) == pdf_bytes(2)
    listing_media.remove_floor_plan(listing_id=listing.id, now=NOW, actor_id=None)
    db.session.expire_all()
    assert listing_admin.floor_plan_of(listing) is None
    with pytest.raises(EditError) as caught:
        listing_media.remove_floor_plan(listing_id=listing.id, now=NOW, actor_id=None)
    assert caught.value.code == "no_floor_plan"
    assert [a for a, _ in actions()][-2:] == ["listing.floor_plan", "listing.floor_plan_remove"]


# ---------------------------------------------------------------------------
# Freshness with a frozen clock
# ---------------------------------------------------------------------------


def reminders() -> list[OutboxMail]:
    return list(db.session.scalars(select(OutboxMail).where(
        OutboxMail.kind == "listing_reminder").order_by(OutboxMail.id)))


@both_databases
def test_freshness_reminds_once_per_confirmation(
        app: Flask, runner: FlaskCliRunner, freeze, mailbox: Mailbox) -> None:
    listing = make_listing()
    listing_admin.publish(listing_id=listing.id, now=NOW, actor_id=None)
    other = make_listing(title="Noch ein Entwurf")  # drafts are never due

    freeze(NOW + timedelta(days=59))
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    assert reminders() == [] and mailbox.messages == []

    freeze(NOW + timedelta(days=61))
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    [mail] = reminders()
    assert mail.recipient == app.config["OFFICE"]["email"]
    [message] = mailbox.to(app.config["OFFICE"]["email"])
    assert listing.code in message["Subject"]
    text = Mailbox.text(message)
    assert "vor 61 Tagen" in text and f"http://rallye.test/buero/leerstand/{listing.id}" in text
    html = Mailbox.html(message)
    assert listing.code in html and f"/buero/leerstand/{listing.id}" in html
    assert "Noch frei" in text and "nicht mehr öffentlich" in text
    for body in (text, html):
        assert "Herta" not in body and "herta.haus" not in body  # the owner stays out
    db.session.expire_all()
    assert listing.reminded_at == NOW + timedelta(days=61)

    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    freeze(NOW + timedelta(days=95))
    assert listing_freshness.process_due(NOW + timedelta(days=95)) == []
    assert len(reminders()) == 1 and len(mailbox.messages) == 1

    confirmed = NOW + timedelta(days=96)
    listing_admin.confirm(listing_id=listing.id, now=confirmed, actor_id=None)
    assert listing_freshness.process_due(confirmed + timedelta(days=59)) == []
    assert listing_freshness.process_due(confirmed + timedelta(days=61)) == [listing.id]
    assert len(reminders()) == 2
    assert all(listing.code in m.subject and other.code not in m.subject for m in reminders())


def test_freshness_states(app: Flask) -> None:
    listing = make_listing()
    assert listing_freshness.freshness(listing, NOW + timedelta(days=59, hours=23)).state \
        == "fresh"
    assert listing_freshness.freshness(listing, NOW + timedelta(days=60)) == \
        listing_freshness.Freshness(60, "due")
    assert listing_freshness.freshness(listing, NOW + timedelta(days=90)).state == "due"
    assert listing_freshness.freshness(
        listing, NOW + timedelta(days=90, minutes=1)).state == "hidden"


# ---------------------------------------------------------------------------
# The window poster
# ---------------------------------------------------------------------------


def test_the_window_poster_scans_to_the_listing(tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        if IN_CI:
            pytest.fail("pdftoppm (poppler-utils) is missing in CI")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    url = "https://innenstadt-herten.de/leerstand/L-2026-04"
    data = listing_poster_pdf(ListingPoster(
        headline="Zu vermieten / Zwischennutzung möglich", title="Ladenlokal am Markt",
        facts="85 m² · Erdgeschoss · Hermannstraße 10", url=url, code="L-2026-04",
        phone="02366 9360621", office_lines=("Nutzungsmanagement Innenstadt Herten",
                                             "nutzungsmanagement@innenstadt-herten.de")))
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (
        210, 297)
    text = " ".join(reader.pages[0].extract_text().split())
    for words in ("Zu vermieten / Zwischennutzung möglich", "Ladenlokal am Markt", "85 m²",
                  "02366 9360621"):
        assert words in text, words
    (tmp_path / "poster.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(tmp_path / "poster.pdf"),
                    str(tmp_path / "page")], check=True)
    page = Image.open(next(tmp_path.glob("page*.png")))
    found = zxingcpp.read_barcodes(page, formats=zxingcpp.BarcodeFormat.QRCode)
    assert [result.text for result in found] == [url]


@both_databases
def test_freshness_runs_at_once_remind_once(app: Flask) -> None:
    """Four ``outbox send`` runs at the same moment: each due listing is claimed once."""
    for n in range(3):
        listing = make_listing(title=f"Laden {n}")
        listing_admin.publish(listing_id=listing.id, now=NOW, actor_id=None)
    db.session.remove()

    later = NOW + timedelta(days=61)
    results = all_at_once(app, lambda _i: listing_freshness.process_due(later), 4)

    assert sorted(i for run in results for i in run) == [1, 2, 3]  # type: ignore[attr-defined]
    assert len(reminders()) == 3


def test_an_incomplete_owner_offer_is_not_published(app: Flask) -> None:
    offer = owner_offer()  # the public form's offer names no use yet
    with pytest.raises(EditError) as caught:
        listing_admin.publish(listing_id=offer.id, now=NOW, actor_id=None)
    assert caught.value.code == "incomplete" and caught.value.context == {"fields": ["uses"]}
    db.session.expire_all()
    assert offer.status == "submitted" and actions() == []


def test_the_badge_and_the_public_pages_agree_at_the_boundary(app: Flask) -> None:
    """Exactly 90 days after the confirmation the listing still shows and the badge says
    so; a second later both call it hidden."""
    row = Listing(code="L-2026-50", title="Eckladen", street="Markt 5", area_m2=60,
                  status="published", published_at=NOW, confirmed_at=NOW)
    db.session.add(row)
    db.session.commit()
    boundary = NOW + timedelta(days=90)
    assert listings.is_public(row, boundary)
    assert listing_freshness.freshness(row, boundary).state == "due"
    later = boundary + timedelta(seconds=1)
    assert not listings.is_public(row, later)
    assert listing_freshness.freshness(row, later).state == "hidden"
