"""CSV import of shops: Excel's dialects, a report naming every bad row, all or nothing."""

import io

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Shop, Station
from app.services.shop_import import ShopImportError, import_shops, read_rows, template_csv

from ..helpers import FIRST_DAY, csrf_token, make_rally, make_shop, make_station
from .conftest import count

both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)

HEADER = "name,slug,category,street,postcode,city,lat,lon,opening_hours,description,website"
GOOD = [
    "Bäckerei Korn,baeckerei-korn,Bäckerei,Kaiserstraße 3,45699,Herten,51.5951,7.1402,"
    "Mo–Sa 6–18 Uhr,Brot und Brötchen,www.korn.example",
    'Café Mitte,,Café,Markt 1,45699,Herten,,,,"Kaffee, Kuchen",',
    "Buchladen,buchladen,Bücher,Ewaldstraße 7,45699,Herten,51.6,7.14,,,https://buch.example",
]


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    """A CSV file with a header and ``rows``."""
    return ("\n".join([header, *rows]) + "\n").encode()


def bad_rows(data: bytes, rally_id: int) -> list:
    """The report of a refused import."""
    with pytest.raises(ShopImportError) as excinfo:
        import_shops(data=data, rally_id=rally_id, now=FIRST_DAY)
    assert excinfo.value.code == "bad_rows"
    return excinfo.value.context["rows"]


@both_databases
def test_a_good_file_creates_shops_and_stations(app) -> None:
    rally = make_rally()
    db.session.commit()
    result = import_shops(data=csv_bytes(*GOOD), rally_id=rally.id, now=FIRST_DAY,
                          filename="geschaefte.csv")
    assert (result.created, result.updated, result.stations_created) == (3, 0, 3)
    cafe = db.session.scalars(select(Shop).where(Shop.slug == "cafe-mitte")).one()
    assert cafe.description == "Kaffee, Kuchen" and cafe.lat is None
    korn = db.session.scalars(select(Shop).where(Shop.slug == "baeckerei-korn")).one()
    assert (korn.lat, korn.lon, korn.website) == (51.5951, 7.1402, "https://www.korn.example")
    assert count(Station) == 3
    event = db.session.scalars(select(AuditEvent)).one()
    assert event.action == "shops.import" and event.details["created"] == 3


@both_databases
def test_excel_semicolons_bom_crlf_and_decimal_commas(app) -> None:
    rally = make_rally()
    db.session.commit()
    text = HEADER.replace(",", ";") + "\r\n" + (
        "Eisdiele Venezia;eisdiele;Café;Markt 4;45699;Herten;51,5955;7,1415;;;\r\n"
    )
    data = text.encode("utf-8-sig")
    result = import_shops(data=data, rally_id=rally.id, now=FIRST_DAY)
    assert result.created == 1
    shop = db.session.scalars(select(Shop)).one()
    assert (shop.name, shop.lat, shop.lon) == ("Eisdiele Venezia", 51.5955, 7.1415)


@both_databases
def test_known_slugs_update_and_existing_stations_stay(app) -> None:
    rally = make_rally()
    old = make_shop(slug="buchladen", name="Alter Buchladen")
    station = make_station(rally, old)
    same_name = make_shop(slug="cafe-mitte", name="Café  Mitte")
    db.session.commit()
    token = station.token
    result = import_shops(data=csv_bytes(*GOOD), rally_id=rally.id, now=FIRST_DAY)
    assert (result.created, result.updated, result.stations_created) == (1, 2, 2)
    db.session.expire_all()
    assert db.session.get(Shop, old.id).name == "Buchladen"
    assert db.session.get(Shop, same_name.id).category == "Café"
    assert db.session.get(Station, station.id).token == token  # the poster stays valid
    assert count(Station) == 3


BAD_ROWS = {
    "missing name": (",leer,Café,Markt 1,45699,Herten,,,,,", "name", "missing"),
    "missing street": ("Laden,laden,Café,,45699,Herten,,,,,", "street", "missing"),
    "bad slug": ("Laden,Mein Laden!,Café,Markt 1,45699,Herten,,,,,", "slug", "bad_format"),
    "bad postcode": ("Laden,laden,Café,Markt 1,4569,Herten,,,,,", "postcode", "bad_format"),
    "latitude not a number": ("Laden,laden,Café,Markt 1,45699,Herten,abc,7.1,,,", "lat",
                              "bad_coordinate"),
    "latitude out of range": ("Laden,laden,Café,Markt 1,45699,Herten,95,7.1,,,", "lat",
                              "bad_coordinate"),
    "longitude out of range": ("Laden,laden,Café,Markt 1,45699,Herten,51.5,200,,,", "lon",
                               "bad_coordinate"),
    "only one coordinate": ("Laden,laden,Café,Markt 1,45699,Herten,51.5,,,,", "lon",
                            "half_coordinates"),
    "bad website": ("Laden,laden,Café,Markt 1,45699,Herten,,,,,ftp://x", "website", "bad_url"),
    "too few cells": ("Laden,laden,Café,Markt 1,45699,Herten", "row", "cell_count"),
    "too many cells": ("Laden,laden,Café,Markt 1,45699,Herten,,,,,,zu viel", "row",
                       "cell_count"),
    "duplicate slug in file": ("Noch ein Buchladen,buchladen,Bücher,Markt 2,45699,Herten,,,,,",
                               "slug", "duplicate_in_file"),
    "slug from name taken in database": ("Rathaus-Café,,Café,Markt 9,45699,Herten,,,,,",
                                         "slug", "derived_taken"),
    "name too long": ("L" * 121 + ",laden,Café,Markt 1,45699,Herten,,,,,", "name", "too_long"),
    "NUL in a street": ("Laden,laden,Café,Markt\x001,45699,Herten,,,,,", "street",
                        "control_characters"),
    "tab in a name": ("La\tden,laden,Café,Markt 1,45699,Herten,,,,,", "name",
                      "control_characters"),
    "escape in a description": ("Laden,laden,Café,Markt 1,45699,Herten,,,,Brot\x1b[31m,",
                                "description", "control_characters"),
    "C1 control in a website": ("Laden,laden,Café,Markt 1,45699,Herten,,,,,https://x\x85.de/",
                                "website", "control_characters"),
}


@both_databases
@pytest.mark.parametrize("kind", list(BAD_ROWS))
def test_each_bad_row_is_named_and_nothing_is_written(app, kind: str) -> None:
    row, field, code = BAD_ROWS[kind]
    rally = make_rally()
    make_shop(slug="rathaus-cafe", name="Ratskeller")
    db.session.commit()
    shops_before = count(Shop)
    report = bad_rows(csv_bytes(*GOOD, row), rally.id)
    assert [r.line for r in report] == [5]  # header is line 1, the bad row is the 4th row
    assert (field, code) in [(p.field, p.code) for p in report[0].problems]
    if code == "duplicate_in_file":
        assert report[0].problems[0].context["line"] == 4
    assert count(Shop) == shops_before and count(Station) == 0 and count(AuditEvent) == 0


@both_databases
def test_the_report_names_every_bad_row_with_true_line_numbers(app) -> None:
    rally = make_rally()
    db.session.commit()
    rows = [
        GOOD[0],
        "",  # blank lines are skipped but counted
        'Laden mit Zeilenumbruch,umbruch,Café,Markt 1,45699,Herten,,,,"Zeile eins\nZeile zwei",',
        ",ohne-name,Café,Markt 1,45699,Herten,,,,,",
        "Laden,laden,Café,Markt 1,45699,,x,,,,",
    ]
    report = bad_rows(csv_bytes(*rows), rally.id)
    assert [r.line for r in report] == [6, 7]
    assert {(p.field, p.code) for p in report[1].problems} == {
        ("city", "missing"), ("lat", "bad_coordinate"), ("lon", "half_coordinates")}
    assert count(Shop) == 0


@both_databases
@pytest.mark.parametrize(
    ("data", "code"),
    [
        ("name,slug\nBäckerei,baeckerei\n".encode("cp1252"), "not_utf8"),
        (b"", "empty"),
        (b"\xef\xbb\xbf\r\n", "empty"),
        (csv_bytes(header=HEADER), "no_rows"),
        (csv_bytes(GOOD[0], header=HEADER.replace(",website", "")), "missing_columns"),
        (csv_bytes(GOOD[0] + ",x", header=HEADER + ",telefon"), "unknown_columns"),
        (csv_bytes(GOOD[0] + ",x", header=HEADER + ",name"), "duplicate_columns"),
    ],
)
def test_unreadable_files_are_refused_whole(app, data: bytes, code: str) -> None:
    rally = make_rally()
    db.session.commit()
    with pytest.raises(ShopImportError) as excinfo:
        import_shops(data=data, rally_id=rally.id, now=FIRST_DAY)
    assert excinfo.value.code == code
    assert count(Shop) == 0 and count(AuditEvent) == 0


def test_header_names_ignore_case_order_and_trailing_empty_columns() -> None:
    header = "Website;NAME;slug;category;street;postcode;city;lat;lon;opening_hours;description;;"
    row = ";Laden;laden;Café;Markt 1;45699;Herten;;;;;;"
    rows = read_rows(f"{header}\n{row}\n".encode())
    assert rows[0].cells["name"] == "Laden" and rows[0].extra_cells == 0


def test_the_template_reads_back_as_one_good_row() -> None:
    rows = read_rows(template_csv())
    assert len(rows) == 1 and rows[0].cells["slug"] == "buchhandlung-am-markt"


# --- The upload page ---------------------------------------------------------------------


def upload(client: FlaskClient, rally_slug: str, data: bytes, name: str = "shops.csv"):
    """Post a file to the import form."""
    page = client.get(f"/buero/geschaefte/import?rally={rally_slug}")
    return client.post(
        f"/buero/geschaefte/import?rally={rally_slug}",
        data={"csrf_token": csrf_token(page.text), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_upload_a_good_file(staff_client: FlaskClient, rally_with_shops) -> None:
    rally, _stations = rally_with_shops
    new = "Eisdiele Venezia,,Café,Markt 4,45699,Herten,,,,,"
    response = upload(staff_client, rally.slug, csv_bytes(*GOOD, new))
    assert response.status_code == 303
    page = staff_client.get(response.headers["Location"])
    assert ("Import abgeschlossen: 1 Geschäfte neu angelegt, 3 aktualisiert, 1 neu in "
            "„Advents-Rallye“.") in page.text
    assert "Eisdiele Venezia" in page.text
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "shops.import")).one()
    assert event.details["file"] == "shops.csv"


def test_upload_a_bad_file_shows_the_report(staff_client: FlaskClient, rally_with_shops) -> None:
    rally, _stations = rally_with_shops
    before = count(Shop)
    response = upload(staff_client, rally.slug,
                      csv_bytes(GOOD[0], "Laden,laden,Café,Markt 1,45699,Herten,95,7,,,"))
    assert response.status_code == 400
    assert "Nichts importiert: eine Zeile ist fehlerhaft" in response.text
    assert "Zeile 3" in response.text
    assert "„95“ ist keine gültige geografische Breite" in response.text
    assert count(Shop) == before


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        ("Bäckerei".encode("cp1252"), "shops.csv", "nicht UTF-8-kodiert"),
        (csv_bytes(GOOD[0]), "shops.xlsx", "Bitte wählen Sie eine CSV-Datei (.csv)."),
        (b"name\nx\n", "shops.csv",
         "In der Kopfzeile fehlen Spalten: „slug“ (Kürzel), „category“ (Kategorie)"),
        (csv_bytes(GOOD[0] + ",x", header=HEADER + ",telefon"), "shops.csv",
         "Unbekannte Spalten in der Kopfzeile: „telefon“."),
    ],
)
def test_upload_refusals_are_400_in_german(staff_client: FlaskClient, rally_with_shops,
                                           data: bytes, name: str, message: str) -> None:
    rally, _stations = rally_with_shops
    response = upload(staff_client, rally.slug, data, name)
    assert response.status_code == 400
    assert message in response.text


LONG = "x" * 131_073  # one more than the csv module's default field limit


@both_databases
@pytest.mark.parametrize(
    ("rows", "line"),
    [
        ([GOOD[0], f"Laden,laden,Café,Markt 1,45699,Herten,,,,{LONG},"], 3),
        ([GOOD[0], '"Laden mit offenem Anführungszeichen,laden,Café', LONG, GOOD[1]], 3),
        (['"' + LONG + '"' + ",laden,Café,Markt 1,45699,Herten,,,,,"], 2),
    ],
    ids=["unquoted", "unclosed quote", "quoted"],
)
def test_a_field_beyond_the_csv_limit_names_its_row(app, rows: list[str], line: int) -> None:
    rally = make_rally()
    db.session.commit()
    with pytest.raises(ShopImportError) as excinfo:
        import_shops(data=csv_bytes(*rows), rally_id=rally.id, now=FIRST_DAY)
    assert excinfo.value.code == "field_too_large"
    assert excinfo.value.context == {"line": line, "max": 131_072}
    assert count(Shop) == 0 and count(AuditEvent) == 0


def test_upload_with_a_field_beyond_the_csv_limit(staff_client: FlaskClient,
                                                  rally_with_shops) -> None:
    rally, _stations = rally_with_shops
    before = count(Shop)
    response = upload(staff_client, rally.slug,
                      csv_bytes(GOOD[0], GOOD[1], f'Laden,"{LONG[:20]},Café', LONG))
    assert response.status_code == 400
    assert "Nichts importiert" in response.text
    assert "Zeile 4 lässt sich nicht lesen: Ein Feld ist länger als 131.072 Zeichen." in (
        response.text)
    assert "schließendes Anführungszeichen" in response.text
    assert count(Shop) == before


def test_the_report_names_fields_in_german(staff_client: FlaskClient, rally_with_shops) -> None:
    rally, _stations = rally_with_shops
    response = upload(staff_client, rally.slug, csv_bytes(
        "Laden,laden,Café,Markt 1,4569,,95,7,,,ftp://x",
        "Laden\x00zwei,laden-2,Café,Markt 2,45699,Herten,,,,,",
    ))
    assert response.status_code == 400
    text = response.text
    for label, column in [("Postleitzahl", "postcode"), ("Ort", "city"),
                          ("Geografische Breite", "lat"), ("Webseite", "website"),
                          ("Name", "name")]:
        assert f'{label} (Spalte <span class="column">{column}</span>):' in text
        assert f'<span class="column">{column}</span>:' not in text  # not the bare English
    assert "Bitte entfernen Sie Steuerzeichen aus diesem Feld" in text
    assert "Laden\ufffdzwei" in text and "\x00" not in text


def test_upload_without_a_file(staff_client: FlaskClient, rally_with_shops) -> None:
    rally, _stations = rally_with_shops
    page = staff_client.get(f"/buero/geschaefte/import?rally={rally.slug}")
    response = staff_client.post(f"/buero/geschaefte/import?rally={rally.slug}",
                                 data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 400
    assert "Bitte wählen Sie eine Datei aus." in response.text


def test_the_template_downloads(staff_client: FlaskClient) -> None:
    response = staff_client.get("/buero/geschaefte/import/vorlage.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbfname,slug,category")


@both_databases
def test_duplicates_are_named_even_in_rows_with_other_problems(app) -> None:
    rally = make_rally()
    db.session.commit()
    rows = [GOOD[2], "Buch Zwei,buchladen,Bücher,Markt 2,4569,Herten,,,,,"]
    report = bad_rows(csv_bytes(*rows), rally.id)
    assert {(p.field, p.code) for p in report[0].problems} == {
        ("postcode", "bad_format"), ("slug", "duplicate_in_file")}


@both_databases
def test_hours_in_the_text_format_become_data(app) -> None:
    rally = make_rally()
    db.session.commit()
    import_shops(data=csv_bytes(
        GOOD[0],
        'Laden,laden,Café,Markt 1,45699,Herten,,,"Mo-Fr 9-13 und 14-18, Sa 10-14",,',
        'Büro,buero,Dienst,Markt 2,45699,Herten,,,"Mo–Do 8–17 Uhr, nach Vereinbarung",,',
    ), rally_id=rally.id, now=FIRST_DAY)
    korn = db.session.scalars(select(Shop).where(Shop.slug == "baeckerei-korn")).one()
    assert [(h.weekday, h.opens, h.closes) for h in korn.hours] == [
        (day, 360, 1080) for day in range(6)]
    laden = db.session.scalars(select(Shop).where(Shop.slug == "laden")).one()
    # The text is written back in the house style, from the data.
    assert laden.opening_hours == "Mo–Fr 9–13 und 14–18, Sa 10–14 Uhr"
    assert len(laden.hours) == 11
    buero = db.session.scalars(select(Shop).where(Shop.slug == "buero")).one()
    assert buero.opening_hours == "Mo–Do 8–17 Uhr, nach Vereinbarung" and len(buero.hours) == 4
    # Importing again with other hours replaces them, without a clash of old and new rows.
    import_shops(data=csv_bytes("Laden,laden,Café,Markt 1,45699,Herten,,,Mo–Fr 9–18 Uhr,,"),
                 rally_id=rally.id, now=FIRST_DAY)
    db.session.expire_all()
    laden = db.session.scalars(select(Shop).where(Shop.slug == "laden")).one()
    assert [(h.weekday, h.opens, h.closes) for h in laden.hours] == [
        (day, 540, 1080) for day in range(5)]


def test_unreadable_hours_refuse_the_row_in_german(staff_client: FlaskClient,
                                                   rally_with_shops) -> None:
    rally, _stations = rally_with_shops
    before = count(Shop)
    response = upload(staff_client, rally.slug, csv_bytes(
        GOOD[0], "Laden,laden,Café,Markt 1,45699,Herten,,,immer offen,,",
        "Nacht,nacht,Bar,Markt 3,45699,Herten,,,Fr 22–2 Uhr,,"))
    assert response.status_code == 400
    assert "Nichts importiert" in response.text
    assert "„immer offen“ lässt sich nicht als Öffnungszeiten lesen" in response.text
    assert "„Fr 22–2 Uhr“ lässt sich nicht als Öffnungszeiten lesen" in response.text
    assert 'Öffnungszeiten (Spalte <span class="column">opening_hours</span>)' in response.text
    assert count(Shop) == before
