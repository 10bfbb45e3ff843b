"""The Advent calendar: pictures without metadata, doors that open at Berlin midnight and
show nothing before, the public pages, and the demo's 24 doors."""

import io
import struct
import zlib
from datetime import date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import ExifTags, ImageCms
from PIL import Image as PILImage
from sqlalchemy import func, select

from app.clock import BERLIN
from app.extensions import db
from app.models import AdventDoor, AuditEvent, Draw, Image, Rally, Station
from app.services import advent, images
from app.services.advent import AdventError, DoorInput, DoorShut
from app.services.cards import create_card
from app.services.demo import load_demo
from app.services.editing import InvalidInput
from app.services.images import ImageError

from .helpers import make_rally, make_shop, make_station

both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)

LAST_MINUTE_OF_NOVEMBER = datetime(2026, 11, 30, 23, 59, tzinfo=BERLIN)
FIRST_OF_DECEMBER = datetime(2026, 12, 1, 0, 0, tzinfo=BERLIN)
NOON_FIRST = datetime(2026, 12, 1, 12, 0, tzinfo=BERLIN)


# --- Pictures ------------------------------------------------------------------------------


def jpeg_with_metadata(size: tuple[int, int] = (300, 200), orientation: int = 1) -> bytes:
    """A JPEG with a GPS position, camera make, an ICC profile, XMP and a comment."""
    picture = PILImage.new("RGB", size, (200, 30, 40))
    exif = PILImage.Exif()
    exif[ExifTags.Base.Make] = "Kamerawerk"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 35.0, 44.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (7.0, 8.0, 29.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    picture.save(out, format="JPEG", exif=exif.tobytes(), icc_profile=icc,
                 xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>Geheimort</x:xmpmeta>",
                 comment=b"Aufgenommen in der Hermannstrasse")
    return out.getvalue()


def png(size: tuple[int, int], mode: str = "RGB") -> bytes:
    """A plain PNG of ``size``."""
    out = io.BytesIO()
    colour = {"L": 128, "RGBA": (10, 120, 60, 100)}.get(mode, (10, 120, 60))
    PILImage.new(mode, size, colour).save(out, format="PNG")
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG file that claims ``width`` × ``height`` pixels (a decompression bomb's
    header: the pixels would be made only when decoding)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        """One PNG chunk with its CRC."""
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload)))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


def test_a_cleaned_picture_keeps_no_metadata_and_stands_upright(app: Flask) -> None:
    original = jpeg_with_metadata(orientation=6)  # "rotate 90°": a portrait photo
    assert b"Kamerawerk" in original and b"Geheimort" in original
    cleaned, width, height = images.clean_picture(original)
    picture = PILImage.open(io.BytesIO(cleaned))
    assert picture.format == "WEBP"
    assert (width, height) == picture.size == (200, 300)  # turned upright
    assert len(picture.getexif()) == 0
    assert not {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment"} & set(picture.info)
    for secret in (b"Kamerawerk", b"Geheimort", b"Hermannstrasse", b"GPS", b"Exif"):
        assert secret not in cleaned


def test_a_big_picture_is_made_smaller(app: Flask) -> None:
    cleaned, width, height = images.clean_picture(png((4000, 3000)))
    assert (width, height) == (1200, 900)
    assert PILImage.open(io.BytesIO(cleaned)).size == (1200, 900)


def test_a_small_picture_keeps_its_size_and_transparency(app: Flask) -> None:
    cleaned, width, height = images.clean_picture(png((300, 120), mode="RGBA"))
    assert (width, height) == (300, 120)
    assert PILImage.open(io.BytesIO(cleaned)).mode == "RGBA"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"Das ist ein Brief, kein Bild.\n" * 50, "not_an_image"),
        (b"GIF89a" + b"\x00" * 200, "not_an_image"),  # an image, but not one of ours
        (jpeg_with_metadata((800, 600))[:1500], "unreadable"),  # cut off in the middle
        (png_header_only(30_000, 30_000), "too_many_pixels"),  # Pillow's own bomb limit
        (png_header_only(8_000, 6_000), "too_many_pixels"),  # 48 MP: above ours
        (b"\xff\xd8" + b"\x00" * (images.MAX_BYTES + 1), "too_large"),
    ],
    ids=["empty", "text", "gif", "truncated", "bomb", "too-many-pixels", "too-large"],
)
def test_what_is_no_usable_picture_is_refused(app: Flask, data: bytes, code: str) -> None:
    with pytest.raises(ImageError) as refused:
        images.store_picture(data)
    assert refused.value.code == code
    assert db.session.scalar(select(func.count()).select_from(Image)) == 0


@both_databases
def test_the_same_picture_is_stored_once(app: Flask) -> None:
    data = jpeg_with_metadata()
    first = images.store_picture(data)
    db.session.commit()
    second = images.store_picture(data)
    assert first.id == second.id
    assert db.session.scalar(select(func.count()).select_from(Image)) == 1


def test_a_picture_is_served_under_its_digest_for_good(app: Flask, client: FlaskClient) -> None:
    image = images.store_picture(jpeg_with_metadata())
    db.session.commit()
    url = f"/bilder/{image.id}-{image.sha256[:12]}.webp"
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/webp"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.data == image.data
    digest = image.sha256[:12]
    for wrong in (f"/bilder/{image.id}-{'0' * 12}.webp", f"/bilder/{image.id}-{digest}.jpg",
                  f"/bilder/{image.id + 1}-{digest}.webp",
                  f"/bilder/{image.id}-{digest[:11]}.webp"):
        assert client.get(wrong).status_code == 404, wrong


# --- Doors: the service -----------------------------------------------------------------------


def calendar_rally(**overrides: object) -> tuple[Rally, list[Station]]:
    """A rally of 1 to 24 December with two shops and its 24 doors."""
    rally = make_rally(**overrides)
    stations = [make_station(rally, make_shop(name=name, slug=slug))
                for name, slug in (("Papeterie Feder", "papeterie-feder"),
                                   ("Café Kranz", "cafe-kranz"))]
    db.session.commit()
    advent.create_calendar(rally_id=rally.id, now=NOON_FIRST, actor_id=None)
    return rally, stations


def door(rally: Rally, number: int) -> AdventDoor:
    """Door ``number`` of ``rally``."""
    db.session.expire_all()
    return db.session.scalars(select(AdventDoor).where(
        AdventDoor.rally_id == rally.id, AdventDoor.number == number)).one()


def door_input(**overrides: object) -> DoorInput:
    """A valid door (on 2 December, no shop)."""
    values: dict[str, object] = {
        "opens_on": date(2026, 12, 2), "title": "Post für die Liebsten", "body": "Karten.",
        "image_alt": "", "shop_id": None, "offer": "", "daily_draw": False,
    }
    values.update(overrides)
    return DoorInput(**values)  # type: ignore[arg-type]


def fill(rally: Rally, number: int, **overrides: object) -> AdventDoor:
    """Save door ``number`` with ``door_input(**overrides)`` on its default day."""
    overrides.setdefault("opens_on", advent.default_day(rally, number))
    return advent.edit_door(door_id=door(rally, number).id, values=door_input(**overrides),
                            picture=None, remove_picture=False, now=NOON_FIRST, actor_id=None)


@both_databases
def test_a_calendar_has_24_doors_from_the_first_day(app: Flask) -> None:
    rally, _stations = calendar_rally()
    doors = advent.doors_of(rally.id)
    assert [d.number for d in doors] == list(range(1, 25))
    assert doors[0].opens_on == date(2026, 12, 1)
    assert doors[23].opens_on == date(2026, 12, 24)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "advent.create"))
    assert [event.subject for event in events] == [rally.slug]
    with pytest.raises(AdventError) as refused:
        advent.create_calendar(rally_id=rally.id, now=NOON_FIRST, actor_id=None)
    assert refused.value.code == "calendar_exists"
    assert len(advent.doors_of(rally.id)) == 24


def test_a_calendar_follows_the_rallys_local_start_day(app: Flask) -> None:
    # 1 December 00:30 in Berlin is still 30 November in UTC.
    rally = make_rally(starts_at=datetime(2026, 12, 1, 0, 30, tzinfo=BERLIN))
    db.session.commit()
    advent.create_calendar(rally_id=rally.id, now=NOON_FIRST, actor_id=None)
    assert door(rally, 1).opens_on == date(2026, 12, 1)


def test_door_one_opens_at_berlin_midnight(app: Flask) -> None:
    rally, _stations = calendar_rally()
    first = door(rally, 1)
    assert not advent.is_open(first, LAST_MINUTE_OF_NOVEMBER)
    assert advent.is_open(first, FIRST_OF_DECEMBER)
    assert advent.today_door(rally.id, LAST_MINUTE_OF_NOVEMBER) is None
    today = advent.today_door(rally.id, FIRST_OF_DECEMBER)
    assert today is not None and today.number == 1
    assert isinstance(advent.visible_door(rally.id, 1, LAST_MINUTE_OF_NOVEMBER), DoorShut)


def test_door_24_opens_on_christmas_eve(app: Flask) -> None:
    rally, _stations = calendar_rally()
    last = door(rally, 24)
    assert not advent.is_open(last, datetime(2026, 12, 23, 23, 59, 59, tzinfo=BERLIN))
    assert advent.is_open(last, datetime(2026, 12, 24, 0, 0, tzinfo=BERLIN))
    today = advent.today_door(rally.id, datetime(2026, 12, 24, 13, 0, tzinfo=BERLIN))
    assert today is not None and today.number == 24
    assert advent.today_door(rally.id, datetime(2026, 12, 25, 10, 0, tzinfo=BERLIN)) is None


def test_editing_a_door_saves_it_and_audits_what_changed(app: Flask) -> None:
    rally, stations = calendar_rally()
    shop = stations[0].shop
    saved = fill(rally, 2, shop_id=shop.id, offer="10 % auf Weihnachtskarten", daily_draw=True)
    assert (saved.title, saved.shop_id, saved.offer, saved.daily_draw) == (
        "Post für die Liebsten", shop.id, "10 % auf Weihnachtskarten", True)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "advent.edit")).one()
    assert event.subject == f"{rally.slug} #2"
    assert event.details["changed"] == ["body", "daily_draw", "offer", "shop_id", "title"]


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"title": ""}, "title", "missing"),
        ({"title": "x" * 121}, "title", "too_long"),
        ({"opens_on": None}, "opens_on", "missing"),
        ({"opens_on": date(2026, 11, 30)}, "opens_on", "outside_rally"),
        ({"opens_on": date(2026, 12, 25)}, "opens_on", "outside_rally"),
        ({"body": "x" * 20_001}, "body", "too_long"),
        ({"offer": "Rabatt"}, "offer", "offer_without_shop"),
        ({"offer": "x" * 301, "shop_id": "ours"}, "offer", "too_long"),
        ({"shop_id": "other"}, "shop_id", "not_in_rally"),
        ({"image_alt": "x" * 201}, "image_alt", "too_long"),
    ],
)
def test_a_bad_door_is_refused_and_nothing_is_stored(
    app: Flask, overrides: dict[str, object], field: str, code: str
) -> None:
    rally, stations = calendar_rally()
    other = make_shop(name="Anderswo")  # a shop that is in no station of the rally
    db.session.commit()
    if overrides.get("shop_id") == "ours":
        overrides["shop_id"] = stations[0].shop_id
    elif overrides.get("shop_id") == "other":
        overrides["shop_id"] = other.id
    before = door(rally, 2)
    with pytest.raises(InvalidInput) as refused:
        advent.edit_door(door_id=before.id, values=door_input(**overrides), picture=None,
                         remove_picture=False, now=NOON_FIRST, actor_id=None)
    assert [(p.field, p.code) for p in refused.value.problems] == [(field, code)]
    after = door(rally, 2)
    assert (after.title, after.opens_on, after.offer, after.shop_id) == (
        "Türchen 2", date(2026, 12, 2), "", None)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "advent.edit")) == 0


@both_databases
def test_a_picture_needs_its_alt_text_and_a_bad_one_is_refused(app: Flask) -> None:
    rally, _stations = calendar_rally()
    target = door(rally, 3)
    for picture, alt, expected in (
        (jpeg_with_metadata(), "", ("image_alt", "missing_alt")),
        (b"kein Bild", "Ein Bild", ("picture", "not_an_image")),
    ):
        with pytest.raises(InvalidInput) as refused:
            advent.edit_door(door_id=target.id, values=door_input(
                opens_on=date(2026, 12, 3), image_alt=alt), picture=picture,
                remove_picture=False, now=NOON_FIRST, actor_id=None)
        assert [(p.field, p.code) for p in refused.value.problems] == [expected]
        assert db.session.scalar(select(func.count()).select_from(Image)) == 0
    saved = advent.edit_door(door_id=target.id, values=door_input(
        opens_on=date(2026, 12, 3), image_alt="Rote Weihnachtskarten"),
        picture=jpeg_with_metadata(), remove_picture=False, now=NOON_FIRST, actor_id=None)
    assert saved.image is not None and b"Kamerawerk" not in saved.image.data
    # Keeping the picture still needs its text; removing it clears the text.
    with pytest.raises(InvalidInput):
        advent.edit_door(door_id=target.id, values=door_input(opens_on=date(2026, 12, 3)),
                         picture=None, remove_picture=False, now=NOON_FIRST, actor_id=None)
    removed = advent.edit_door(door_id=target.id, values=door_input(
        opens_on=date(2026, 12, 3), image_alt="Rote Weihnachtskarten"), picture=None,
        remove_picture=True, now=NOON_FIRST, actor_id=None)
    assert (removed.image_id, removed.image_alt) == (None, "")


# --- The public pages -------------------------------------------------------------------------


def test_a_closed_door_says_wait_and_opens_at_midnight(
    app: Flask, client: FlaskClient, freeze
) -> None:
    rally, _stations = calendar_rally()
    fill(rally, 1, title="Zimtsterne aus dem Ofen", body="Es duftet nach **Zimt**.")
    freeze(LAST_MINUTE_OF_NOVEMBER)
    closed = client.get("/adventskalender/1")
    assert closed.status_code == 404
    assert "Noch ein bisschen Geduld" in closed.text
    assert "Zimtsterne" not in closed.text and "Zimt" not in closed.text
    grid = client.get("/adventskalender")
    assert grid.status_code == 200
    assert 'href="/adventskalender/1"' not in grid.text and "Zimtsterne" not in grid.text
    freeze(FIRST_OF_DECEMBER)
    opened = client.get("/adventskalender/1")
    assert opened.status_code == 200
    assert "Zimtsterne aus dem Ofen" in opened.text
    assert "Es duftet nach <strong>Zimt</strong>." in opened.text
    grid = client.get("/adventskalender")
    assert 'href="/adventskalender/1" aria-current="date"' in grid.text
    assert 'href="/adventskalender/2"' not in grid.text
    assert client.get("/adventskalender/25").status_code == 404
    assert client.get("/adventskalender/0").status_code == 404


def test_the_calendar_on_christmas_eve_has_every_door_open(
    app: Flask, client: FlaskClient, freeze
) -> None:
    rally, _stations = calendar_rally()
    fill(rally, 24, title="Frohe Weihnachten")
    freeze(datetime(2026, 12, 23, 23, 59, tzinfo=BERLIN))
    assert client.get("/adventskalender/24").status_code == 404
    freeze(datetime(2026, 12, 24, 9, 0, tzinfo=BERLIN))
    grid = client.get("/adventskalender").text
    assert all(f'href="/adventskalender/{n}"' in grid for n in range(1, 25))
    assert "Heute hinter Türchen 24:" in client.get("/").text
    assert "Frohe Weihnachten" in client.get("/adventskalender/24").text


def test_an_open_door_shows_its_shop_offer_picture_and_the_days_draw(
    app: Flask, client: FlaskClient, freeze
) -> None:
    rally, stations = calendar_rally()
    shop = stations[0].shop
    target = door(rally, 1)
    advent.edit_door(
        door_id=target.id,
        values=door_input(opens_on=date(2026, 12, 1), title="Post für die Liebsten",
                          body="<script>alert(1)</script> [Karten](javascript:alert(1))",
                          image_alt="Rote Karten auf einem Tisch", shop_id=shop.id,
                          offer="10 % auf Weihnachtskarten", daily_draw=True),
        picture=jpeg_with_metadata(), remove_picture=False, now=NOON_FIRST, actor_id=None)
    freeze(NOON_FIRST)
    page = client.get("/adventskalender/1").text
    saved = door(rally, 1)
    assert saved.image is not None
    assert f'src="/bilder/{saved.image.id}-{saved.image.sha256[:12]}.webp"' in page
    assert 'alt="Rote Karten auf einem Tisch"' in page
    assert "Papeterie Feder" in page and "10 % auf Weihnachtskarten" in page
    assert f'href="/geschaefte#geschaeft-{shop.slug}"' in page
    assert f'id="geschaeft-{shop.slug}"' in client.get("/geschaefte").text
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page
    assert 'href="javascript' not in page
    assert "Tagesverlosung" in page and "/ziehungen/" not in page.split("<main")[1].split(
        "</main>")[0]
    draw = Draw(rally_id=rally.id, kind="daily", title="Tagesziehung 1.12.2026",
                day=date(2026, 12, 1), status="run", pool_text="", pool_hash="0" * 64,
                pool_size=0, seed_hex="1" * 64, commitment="2" * 64, sealed_at=NOON_FIRST,
                run_at=NOON_FIRST)
    db.session.add(draw)
    db.session.commit()
    assert f'href="/ziehungen/{draw.id}"' in client.get("/adventskalender/1").text


def test_todays_door_is_on_the_home_and_card_pages(
    app: Flask, client: FlaskClient, freeze
) -> None:
    rally, _stations = calendar_rally()
    fill(rally, 1, title="Zimtsterne aus dem Ofen")
    freeze(NOON_FIRST)
    _card, secret = create_card(rally, NOON_FIRST)
    db.session.commit()
    home = client.get("/").text
    assert 'href="/adventskalender/1"' in home
    assert "Heute hinter Türchen 1:" in home and "Zimtsterne aus dem Ofen" in home
    client.set_cookie(app.config["CARD_COOKIE_NAME"], secret)
    card = client.get("/karte").text
    assert "Heute hinter Türchen 1:" in card and "Zimtsterne aus dem Ofen" in card


def test_a_rally_without_doors_has_no_calendar(app: Flask, client: FlaskClient, freeze) -> None:
    rally = make_rally(name="Blumenmarkt")
    make_station(rally)
    db.session.commit()
    freeze(NOON_FIRST)
    assert client.get("/adventskalender").status_code == 404
    assert client.get("/adventskalender/1").status_code == 404
    _card, secret = create_card(rally, NOON_FIRST)
    db.session.commit()
    client.set_cookie(app.config["CARD_COOKIE_NAME"], secret)
    for path in ("/", "/karte", "/geschaefte", "/teilnahmebedingungen"):
        response = client.get(path)
        assert response.status_code == 200
        assert "adventskalender" not in response.text.lower(), path
        assert "Türchen" not in response.text, path


def public_get_paths(app: Flask) -> list[str]:
    """Every public GET page without path parameters, and the 24 doors."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.arguments:
            continue
        if rule.endpoint.split(".")[0] in ("backoffice", "shop", "static"):
            continue
        paths.append(rule.rule)
    return sorted(paths) + [f"/adventskalender/{n}" for n in range(1, 25)]


@both_databases
def test_no_response_reveals_a_closed_door(app: Flask, client: FlaskClient, freeze) -> None:
    rally, stations = calendar_rally()
    fill(rally, 1, title="Offenes Türchen", shop_id=stations[1].shop_id, offer="Kaffee gratis")
    secret_door = door(rally, 2)
    advent.edit_door(
        door_id=secret_door.id,
        values=door_input(title="Geheimer Titel Zwei", body="Geheimer Text hinter Türchen zwei",
                          image_alt="Geheime Bildbeschreibung", shop_id=stations[0].shop_id,
                          offer="Geheimes Angebot 50 Prozent", daily_draw=True),
        picture=jpeg_with_metadata(), remove_picture=False, now=NOON_FIRST, actor_id=None)
    image = door(rally, 2).image
    assert image is not None
    secrets = ["Geheimer Titel Zwei", "Geheimer Text", "Geheime Bildbeschreibung",
               "Geheimes Angebot", f"/bilder/{image.id}-", image.sha256[:12]]
    freeze(NOON_FIRST)
    _card, card_secret = create_card(rally, NOON_FIRST)
    db.session.commit()
    client.set_cookie(app.config["CARD_COOKIE_NAME"], card_secret)
    paths = public_get_paths(app)
    assert {"/", "/karte", "/geschaefte", "/adventskalender", "/api/v1/shops",
            "/api/v1/card"} <= set(paths)
    seen = 0
    for path in paths:
        response = client.get(path)
        if response.status_code >= 500:
            pytest.fail(f"{path}: {response.status_code}")
        body = response.get_data(as_text=True)
        response.close()  # a file response (the service worker) holds its file open
        for secret in secrets:
            assert secret not in body, f"{path} reveals {secret!r}"
        seen += 1
    assert seen == len(paths)
    assert "Offenes Türchen" in client.get("/adventskalender/1").text  # the test can see


# --- The demo ------------------------------------------------------------------------------


def test_the_demo_fills_24_doors_once(app: Flask, tmp_path: Path) -> None:
    summary = load_demo(datetime(2026, 12, 1, 8, 0, tzinfo=BERLIN), tmp_path)
    doors = advent.doors_of(summary.rally.id)
    assert len(doors) == 24
    assert doors[0].opens_on == advent.first_day(summary.rally) == date(2026, 12, 1)
    assert [d.opens_on for d in doors] == [advent.default_day(summary.rally, n)
                                          for n in range(1, 25)]
    assert all(d.shop is not None and d.title and d.body and d.offer for d in doors)
    assert len({d.shop_id for d in doors}) == 24
    assert sum(d.daily_draw for d in doors) >= 5
    assert any("10 % auf Weihnachtskarten" == d.offer for d in doors)
    stations = {s.shop_id for s in db.session.scalars(
        select(Station).where(Station.rally_id == summary.rally.id))}
    assert {d.shop_id for d in doors} <= stations
    load_demo(datetime(2026, 12, 2, 8, 0, tzinfo=BERLIN), tmp_path)
    assert db.session.scalar(select(func.count()).select_from(AdventDoor)) == 24
