"""Shops and stations: forms, adding to a rally, switching off, new codes, downloads."""

import io
import re
import zipfile

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, RetiredToken, Shop, Station, User
from app.services import shops as shop_service
from app.services import stations as station_service
from app.services.editing import EditError, InvalidInput, slugify

from ..helpers import FIRST_DAY, csrf_token, make_rally, make_shop, make_station
from .conftest import count

both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


def shop_data(html: str, **overrides: str) -> dict[str, str]:
    """A valid shop form submission."""
    data = {
        "csrf_token": csrf_token(html),
        "name": "Blumen Röhr",
        "slug": "",
        "category": "Blumen",
        "street": "Kaiserstraße 12",
        "postcode": "45699",
        "city": "Herten",
        "lat": "51,5961",
        "lon": "7,1398",
        "opening_hours": "Mo–Fr 8–18 Uhr",
        "website": "www.blumen-roehr.example",
        "description": "Sträuße und Gestecke.",
    }
    data.update(overrides)
    return data


def test_create_a_shop_that_joins_the_rally(staff_client: FlaskClient, rally_with_shops) -> None:
    rally, _stations = rally_with_shops
    page = staff_client.get(f"/buero/geschaefte/neu?rally={rally.slug}")
    assert "nimmt gleich an Advents-Rallye teil" in page.text
    response = staff_client.post(f"/buero/geschaefte/neu?rally={rally.slug}",
                                 data=shop_data(page.text))
    assert response.status_code == 303
    shop = db.session.scalars(select(Shop).where(Shop.slug == "blumen-roehr")).one()
    assert (shop.lat, shop.lon, shop.website) == (51.5961, 7.1398,
                                                  "https://www.blumen-roehr.example")
    station = db.session.scalars(select(Station).where(Station.shop_id == shop.id)).one()
    assert station.rally_id == rally.id and station.active
    listing = staff_client.get(response.headers["Location"])
    assert "„Blumen Röhr“ ist angelegt und nimmt an Advents-Rallye teil." in listing.text
    assert station.short_code in listing.text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Bitte geben Sie einen Namen ein."),
        ({"category": " "}, "Bitte geben Sie eine Kategorie ein"),
        ({"postcode": "4569"}, "Die Postleitzahl besteht aus fünf Ziffern"),
        ({"lat": "Nord"}, "„Nord“ ist keine gültige geografische Breite"),
        ({"lon": ""}, "Die geografische Länge fehlt"),
        ({"website": "blumen"}, "Bitte geben Sie eine Webadresse"),
        ({"slug": "cafe-mitte"}, "Das Kürzel „cafe-mitte“ hat schon ein anderes Geschäft."),
        ({"name": "Café Mitte"}, "Das Kürzel „cafe-mitte“ hat schon ein anderes Geschäft."),
        ({"slug": "Café"}, "Das Kürzel darf nur Kleinbuchstaben"),
        ({"name": "x" * 121}, "Höchstens 120 Zeichen."),
        ({"mon_1_opens": "18:00", "mon_1_closes": "09:00"}, "muss nach der Öffnungszeit liegen"),
        ({"tue_1_opens": "09:00", "tue_1_closes": "13:00", "tue_2_opens": "12:00",
          "tue_2_closes": "18:00"}, "überschneidet sich mit der ersten"),
        ({"sat_1_opens": "10:00"}, "Bitte geben Sie beide Zeiten an"),
    ],
)
def test_invalid_shop_forms_answer_400_and_write_nothing(
    staff_client: FlaskClient, rally_with_shops, overrides: dict[str, str], message: str
) -> None:
    rally, _stations = rally_with_shops
    shops, stations, events = count(Shop), count(Station), count(AuditEvent)
    page = staff_client.get(f"/buero/geschaefte/neu?rally={rally.slug}")
    response = staff_client.post(f"/buero/geschaefte/neu?rally={rally.slug}",
                                 data=shop_data(page.text, **overrides))
    assert response.status_code == 400
    assert message in response.text
    assert (count(Shop), count(Station), count(AuditEvent)) == (shops, stations, events)


def test_edit_a_shop(staff_client: FlaskClient, rally_with_shops) -> None:
    rally, stations = rally_with_shops
    shop = stations[0].shop
    page = staff_client.get(f"/buero/geschaefte/{shop.id}?rally={rally.slug}")
    assert 'value="51,5955"' in page.text  # German decimal comma
    response = staff_client.post(
        f"/buero/geschaefte/{shop.id}?rally={rally.slug}",
        data=shop_data(page.text, name="Bäckerei Korn & Söhne", slug=shop.slug),
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Shop, shop.id).name == "Bäckerei Korn & Söhne"
    assert count(Station) == 3  # editing never adds a station
    refused = staff_client.post(f"/buero/geschaefte/{shop.id}",
                                data=shop_data(page.text, slug="buchladen"))
    assert refused.status_code == 400
    assert "„buchladen“ hat schon ein anderes Geschäft" in refused.text


def time_input(html: str, name: str) -> str | None:
    """The value of the week form's time input ``name``."""
    found = re.search(rf'<input[^>]*name="{name}"[^>]*type="time" value="([^"]*)"', html)
    return found.group(1) if found else None


def test_the_shop_form_edits_hours_as_a_week(staff_client: FlaskClient,
                                             rally_with_shops) -> None:
    _rally, stations = rally_with_shops
    shop = stations[0].shop
    url = f"/buero/geschaefte/{shop.id}"
    page = staff_client.get(url)
    # A shop with its hours as text only: an empty week, the text as the note.
    assert time_input(page.text, "mon_1_opens") == ""
    assert 'name="hours_note" type="text" value="Mo–Fr 9–18 Uhr"' in page.text
    assert page.text.count('type="time"') == 28
    week = {f"{day}_1_{end}": value for day in ("mon", "tue", "wed", "thu", "fri")
            for end, value in (("opens", "09:30"), ("closes", "18:30"))}
    response = staff_client.post(url, data=shop_data(
        page.text, slug=shop.slug, **week, sat_1_opens="10:00", sat_1_closes="16:00",
        hours_note="und nach Vereinbarung"))
    assert response.status_code == 303
    db.session.expire_all()
    saved = db.session.get(Shop, shop.id)
    assert saved is not None
    assert saved.opening_hours == "Mo–Fr 9:30–18:30, Sa 10–16 Uhr, und nach Vereinbarung"
    assert [(h.weekday, h.opens, h.closes) for h in saved.hours] == [
        *((day, 570, 1110) for day in range(5)), (5, 600, 960)]
    page = staff_client.get(url)
    assert time_input(page.text, "fri_1_closes") == "18:30"
    assert time_input(page.text, "sun_1_opens") == ""
    assert 'name="hours_note" type="text" value="und nach Vereinbarung"' in page.text
    # Overlapping times: refused at the field, the saved hours stay as they were.
    refused = staff_client.post(url, data=shop_data(
        page.text, slug=shop.slug, **week, mon_2_opens="12:00", mon_2_closes="20:00"))
    assert refused.status_code == 400
    assert "Montag, zweite Zeit: öffnet: Die zweite Zeit überschneidet sich" in refused.text
    db.session.expire_all()
    again = db.session.get(Shop, shop.id)
    assert again is not None and len(again.hours) == 6
    assert again.opening_hours == saved.opening_hours


def test_add_an_existing_shop_to_the_rally(staff_client: FlaskClient, rally_with_shops) -> None:
    rally, stations = rally_with_shops
    other = make_shop(name="Optik Klar")
    db.session.commit()
    page = staff_client.get(f"/buero/geschaefte?rally={rally.slug}")
    assert "Optik Klar" in page.text
    response = staff_client.post(f"/buero/geschaefte/teilnahme?rally={rally.slug}",
                                 data={"csrf_token": csrf_token(page.text),
                                       "shop_id": str(other.id)})
    assert response.status_code == 303
    assert db.session.scalars(select(Station).where(Station.shop_id == other.id)).one()
    # A shop that already takes part is no choice any more.
    again = staff_client.post(f"/buero/geschaefte/teilnahme?rally={rally.slug}",
                              data={"csrf_token": csrf_token(page.text),
                                    "shop_id": str(stations[0].shop_id)})
    assert again.status_code == 400
    assert "Keine gültige Auswahl" in again.text
    assert count(Station) == 4


def test_deactivate_and_reactivate_a_station(staff_client: FlaskClient, client: FlaskClient,
                                             rally_with_shops, staff_user: User) -> None:
    rally, stations = rally_with_shops
    station = stations[0]
    page = staff_client.get(f"/buero/geschaefte?rally={rally.slug}")
    token = csrf_token(page.text)
    response = staff_client.post(f"/buero/stationen/{station.id}/deaktivieren",
                                 data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#station-{station.id}")
    db.session.expire_all()
    assert not db.session.get(Station, station.id).active
    assert client.get(f"/s/{station.token}").status_code == 409  # no stamps any more
    listing = staff_client.get(f"/buero/geschaefte?rally={rally.slug}")
    assert "ist deaktiviert" in listing.text and "Aktivieren" in listing.text
    staff_client.post(f"/buero/stationen/{station.id}/aktivieren", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Station, station.id).active
    actions = list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.actor_id == staff_user.id).order_by(AuditEvent.id)))
    assert actions == ["station.deactivate", "station.activate"]


def test_station_actions_need_a_csrf_token(staff_client: FlaskClient, rally_with_shops) -> None:
    _rally, stations = rally_with_shops
    assert staff_client.post(f"/buero/stationen/{stations[0].id}/deaktivieren").status_code == 400
    assert staff_client.post(f"/buero/stationen/{stations[0].id}/neuer-code").status_code == 400
    db.session.expire_all()
    assert db.session.get(Station, stations[0].id).active
    assert count(RetiredToken) == 0


def test_rotate_a_code(staff_client: FlaskClient, client: FlaskClient, rally_with_shops,
                       staff_user: User) -> None:
    rally, stations = rally_with_shops
    station = stations[1]
    old_token, old_code = station.token, station.short_code
    page = staff_client.get(f"/buero/stationen/{station.id}/neuer-code")
    assert "Neuen Code für „Café Mitte“ erzeugen?" in page.text
    assert old_code in page.text
    response = staff_client.post(f"/buero/stationen/{station.id}/neuer-code",
                                 data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 303
    db.session.expire_all()
    rotated = db.session.get(Station, station.id)
    assert rotated.token != old_token and rotated.short_code != old_code
    assert client.get(f"/s/{old_token}").status_code == 410
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "station.rotate")).one()
    assert event.actor_id == staff_user.id and event.details["old_short_code"] == old_code
    listing = staff_client.get(response.headers["Location"])
    assert f"Neuer Code für „Café Mitte“: {rotated.short_code}" in listing.text


def test_zip_of_qr_codes(staff_client: FlaskClient, rally_with_shops) -> None:
    rally, stations = rally_with_shops
    stations[2].active = False
    db.session.commit()
    response = staff_client.get(f"/buero/plakate/{rally.slug}.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert f"qr-codes-{rally.slug}.zip" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    names = set(zipfile.ZipFile(io.BytesIO(response.data)).namelist())
    assert names == {f"{slug}{suffix}" for slug in ("baeckerei-korn", "cafe-mitte")
                     for suffix in (".svg", ".png", "-branded.png")}
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.read("cafe-mitte.svg").startswith(b"<?xml")
    assert archive.read("cafe-mitte.png").startswith(b"\x89PNG")


@pytest.mark.parametrize(("query", "width_mm"), [("", 210), ("?format=a5", 148),
                                                 ("?format=A4", 210)])
def test_pdf_of_all_posters(staff_client: FlaskClient, rally_with_shops, query: str,
                            width_mm: int) -> None:
    rally, _stations = rally_with_shops
    response = staff_client.get(f"/buero/plakate/{rally.slug}.pdf{query}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    pdf = PdfReader(io.BytesIO(response.data))
    assert len(pdf.pages) == 3
    assert round(float(pdf.pages[0].mediabox.width) / 72 * 25.4) == width_mm


def test_unknown_paper_is_400(staff_client: FlaskClient, rally_with_shops) -> None:
    rally, _stations = rally_with_shops
    assert staff_client.get(f"/buero/plakate/{rally.slug}.pdf?format=a3").status_code == 400


def test_downloads_without_active_stations_explain_themselves(staff_client: FlaskClient) -> None:
    rally = make_rally(slug="leer")
    db.session.commit()
    for path in ("/buero/plakate/leer.zip", "/buero/plakate/leer.pdf"):
        response = staff_client.get(path)
        assert response.status_code == 303
        page = staff_client.get(response.headers["Location"])
        assert "keine aktiven Geschäfte" in page.text
    assert rally.id


# --- The services on both databases ------------------------------------------------------


@both_databases
def test_add_station_refuses_a_second_station(app) -> None:
    rally = make_rally()
    shop = make_shop()
    db.session.commit()
    station = station_service.add_station(rally_id=rally.id, shop_id=shop.id, now=FIRST_DAY)
    assert len(station.token) >= 22 and len(station.short_code) == 6
    with pytest.raises(EditError) as excinfo:
        station_service.add_station(rally_id=rally.id, shop_id=shop.id, now=FIRST_DAY)
    assert excinfo.value.code == "already_in_rally"
    assert count(Station) == 1
    assert [e.action for e in db.session.scalars(select(AuditEvent))] == ["station.create"]


@both_databases
def test_set_station_active_is_audited_once(app) -> None:
    station = make_station(make_rally())
    db.session.commit()
    station_service.set_station_active(station_id=station.id, active=False, now=FIRST_DAY)
    station_service.set_station_active(station_id=station.id, active=False, now=FIRST_DAY)
    assert count(AuditEvent) == 1
    with pytest.raises(EditError) as excinfo:
        station_service.set_station_active(station_id=999, active=True, now=FIRST_DAY)
    assert excinfo.value.code == "unknown_station"


@both_databases
def test_save_shop_refuses_a_taken_slug_and_writes_nothing(app) -> None:
    make_shop(slug="korn", name="Korn")
    db.session.commit()
    raw = {"name": "Korn", "category": "Bäckerei", "street": "Markt 1", "postcode": "45699",
           "city": "Herten"}
    with pytest.raises(InvalidInput) as excinfo:
        shop_service.save_shop(shop_id=None, raw=raw, now=FIRST_DAY)
    assert [(p.field, p.code) for p in excinfo.value.problems] == [("name", "slug_taken")]
    assert count(Shop) == 1 and count(AuditEvent) == 0
    shop = shop_service.save_shop(shop_id=None, raw={**raw, "slug": "korn-2"}, now=FIRST_DAY)
    assert shop.slug == "korn-2"


def test_slugify_speaks_german() -> None:
    slug = slugify("Bäckerei Müller & Söhne – Straße 5")
    assert slug == "baeckerei-mueller-soehne-strasse-5"
    assert slugify("Café Crème") == "cafe-creme"
    assert slugify("!!!") == ""
