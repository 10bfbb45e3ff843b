"""The Advent calendar in the back office: create the doors, edit one with a picture,
refusals in German with nothing stored, the preview."""

import io
import os
from datetime import date

from flask.testing import FlaskClient
from PIL import Image as PILImage
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, stream_encode_multipart

from app.extensions import db
from app.models import AdventDoor, AuditEvent, Image, Rally, Station

from ..helpers import csrf_token, make_shop
from ..test_advent import jpeg_with_metadata
from .conftest import count

LIST = "/buero/adventskalender"


def create_doors(client: FlaskClient, rally: Rally) -> None:
    """Press "24 Türchen anlegen" on the list page."""
    page = client.get(f"{LIST}?rally={rally.slug}")
    response = client.post(f"/buero/adventskalender/{rally.slug}/anlegen",
                           data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 303


def door_of(rally: Rally, number: int) -> AdventDoor:
    """Door ``number`` of ``rally``, fresh from the database."""
    db.session.expire_all()
    return db.session.scalars(select(AdventDoor).where(
        AdventDoor.rally_id == rally.id, AdventDoor.number == number)).one()


def upload(data: bytes, filename: str) -> FileStorage:
    """A file as the browser sends it from a file input."""
    return FileStorage(stream=io.BytesIO(data), filename=filename)


def post_door(client: FlaskClient, door: AdventDoor, data: dict[str, object]) -> TestResponse:
    """Send the door's form as multipart, built in memory.

    (The test client would spool a large body to a temporary file that it never closes.)
    """
    stream, _length, boundary = stream_encode_multipart(data, use_tempfile=False)
    return client.post(f"/buero/adventskalender/tuerchen/{door.id}", data=stream.getvalue(),
                       content_type=f"multipart/form-data; boundary={boundary}")


def door_form(client: FlaskClient, door: AdventDoor, **overrides: object) -> dict[str, object]:
    """A valid submission of the door's edit form (with its CSRF token)."""
    page = client.get(f"/buero/adventskalender/tuerchen/{door.id}")
    assert page.status_code == 200
    data: dict[str, object] = {
        "csrf_token": csrf_token(page.text),
        "opens_on": door.opens_on.isoformat(),
        "title": "Post für die Liebsten",
        "body": "Karten aus **Recyclingpapier**.",
        "image_alt": "",
        "shop_id": "0",
        "offer": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_list_creates_24_doors_once(
    staff_client: FlaskClient, rally_with_shops: tuple[Rally, list[Station]]
) -> None:
    rally, _stations = rally_with_shops
    page = staff_client.get(LIST)
    assert page.status_code == 200
    assert "Diese Rallye hat noch keinen Adventskalender" in page.text
    assert staff_client.get(f"/buero/adventskalender/{rally.slug}/anlegen").status_code == 405
    create_doors(staff_client, rally)
    listed = staff_client.get(LIST).text
    assert "Der Adventskalender von „Advents-Rallye“ hat jetzt 24 Türchen." in listed
    assert listed.count("/buero/adventskalender/tuerchen/") == 24
    assert "Türchen 24" in listed and "24.12.2026" in listed
    assert "offen" in listed and "geschlossen" in listed  # frozen on 1 December
    # A second press (an old tab) adds nothing.
    response = staff_client.post(f"/buero/adventskalender/{rally.slug}/anlegen",
                                 data={"csrf_token": csrf_token(listed)})
    assert response.status_code == 303
    assert "hat schon einen Adventskalender" in staff_client.get(LIST).text
    assert count(AdventDoor) == 24


def test_editing_a_door_with_a_picture(
    staff_client: FlaskClient, rally_with_shops: tuple[Rally, list[Station]]
) -> None:
    rally, stations = rally_with_shops
    create_doors(staff_client, rally)
    door = door_of(rally, 2)
    shop = stations[1].shop
    data = door_form(staff_client, door, shop_id=str(shop.id), offer="Ein Kaffee gratis",
                     daily_draw="y", image_alt="Rote Karten auf einem Tisch",
                     picture=upload(jpeg_with_metadata((3000, 2000)), "karten.jpg"))
    response = post_door(staff_client, door, data)
    assert response.status_code == 303
    saved = door_of(rally, 2)
    assert (saved.title, saved.shop_id, saved.offer, saved.daily_draw) == (
        "Post für die Liebsten", shop.id, "Ein Kaffee gratis", True)
    assert saved.image is not None and (saved.image.width, saved.image.height) == (1200, 800)
    stored = PILImage.open(io.BytesIO(saved.image.data))
    assert stored.format == "WEBP" and len(stored.getexif()) == 0
    assert b"Kamerawerk" not in saved.image.data
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "advent.edit")).one()
    assert "image_id" in event.details["changed"]
    page = staff_client.get(f"/buero/adventskalender/tuerchen/{door.id}").text
    assert f"/bilder/{saved.image.id}-{saved.image.sha256[:12]}.webp" in page
    assert "Bild entfernen" in page
    # "Bild entfernen" takes the picture off the door (the stored picture may stay).
    data = door_form(staff_client, saved, remove_picture="y", image_alt="")
    assert staff_client.post(f"/buero/adventskalender/tuerchen/{door.id}",
                             data=data).status_code == 303
    assert door_of(rally, 2).image_id is None


def test_a_phone_photo_above_the_forms_limit_is_accepted(
    staff_client: FlaskClient, rally_with_shops: tuple[Rally, list[Station]]
) -> None:
    """The app takes 2 MB for other forms; a picture may have up to 8 MB."""
    rally, _stations = rally_with_shops
    create_doors(staff_client, rally)
    door = door_of(rally, 1)
    noise = PILImage.frombytes("RGB", (1100, 1100), os.urandom(1100 * 1100 * 3))
    photo = io.BytesIO()
    noise.save(photo, format="PNG")
    assert photo.tell() > 3 * 1024 * 1024
    data = door_form(staff_client, door, image_alt="Rauschen",
                     picture=upload(photo.getvalue(), "foto.png"))
    response = post_door(staff_client, door, data)
    assert response.status_code == 303
    assert door_of(rally, 1).image is not None
    too_big = door_form(staff_client, door, image_alt="Zu groß",
                        picture=upload(b"\xff" * (9 * 1024 * 1024), "riesig.jpg"))
    response = post_door(staff_client, door, too_big)
    assert response.status_code == 413
    assert "Die gesendeten Daten sind zu groß." in response.text


def test_bad_input_is_refused_in_german_and_nothing_is_stored(
    staff_client: FlaskClient, rally_with_shops: tuple[Rally, list[Station]]
) -> None:
    rally, _stations = rally_with_shops
    create_doors(staff_client, rally)
    door = door_of(rally, 3)
    other = make_shop(name="Anderswo")
    db.session.commit()
    cases = [
        ({"title": ""}, "Bitte geben Sie einen Titel ein."),
        ({"opens_on": "2026-13-45"}, "Bitte geben Sie ein Datum ein, z. B. 07.12.2026."),
        ({"opens_on": "2026-11-30"}, "Das Datum muss in der Laufzeit der Rallye liegen, vom "
                                     "01.12.2026 bis zum 24.12.2026."),
        ({"shop_id": str(other.id)}, "Keine gültige Auswahl"),
        ({"offer": "Rabatt"}, "Ein Angebot des Tages braucht ein Geschäft des Tages."),
        ({"title": "x" * 121}, "Höchstens 120 Zeichen."),
        ({"picture": upload(jpeg_with_metadata(), "karte.jpg")},
         "Bitte beschreiben Sie das Bild in wenigen Worten (Alternativtext)."),
        ({"picture": upload(b"Hallo", "brief.txt"), "image_alt": "Ein Brief"},
         "Bitte wählen Sie ein Foto im Format JPEG, PNG oder WebP."),
        ({"picture": upload(b"Hallo, kein Bild", "foto.jpg"), "image_alt": "Ein Foto"},
         "Diese Datei ist kein Bild im Format JPEG, PNG oder WebP."),
        ({"picture": upload(jpeg_with_metadata((800, 600))[:1500], "halb.jpg"),
          "image_alt": "Ein halbes Foto"},
         "Das Bild ist beschädigt oder unvollständig und lässt sich nicht lesen."),
    ]
    for overrides, message in cases:
        data = door_form(staff_client, door, **overrides)
        response = post_door(staff_client, door, data)
        assert response.status_code == 400, overrides
        assert message in response.text, overrides
        assert "Bitte prüfen Sie Ihre Angaben" in response.text
        unchanged = door_of(rally, 3)
        assert (unchanged.title, unchanged.opens_on, unchanged.image_id, unchanged.offer) == (
            "Türchen 3", date(2026, 12, 3), None, ""), overrides
    assert count(Image) == 0
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "advent.edit")).first() is None


def test_the_preview_shows_the_door_as_visitors_will_without_saving(
    staff_client: FlaskClient, rally_with_shops: tuple[Rally, list[Station]]
) -> None:
    rally, stations = rally_with_shops
    create_doors(staff_client, rally)
    door = door_of(rally, 10)  # closed until 10 December: the preview works before
    shop = stations[0].shop
    data = door_form(staff_client, door, title="Vorschau-Titel", body="Mit **Zimt**.",
                     shop_id=str(shop.id), offer="Zimtsterne zum halben Preis",
                     daily_draw="y", aktion="vorschau")
    response = staff_client.post(f"/buero/adventskalender/tuerchen/{door.id}", data=data)
    assert response.status_code == 200
    preview = response.text.split('id="vorschau"')[1]
    assert "Vorschau-Titel" in preview and "Mit <strong>Zimt</strong>." in preview
    assert shop.name in preview and "Zimtsterne zum halben Preis" in preview
    assert "Tagesverlosung" in preview
    assert 'value="Vorschau-Titel"' in response.text  # the form keeps what was typed
    assert door_of(rally, 10).title == "Türchen 10"
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "advent.edit")).first() is None
