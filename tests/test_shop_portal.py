"""The shop portal: figures against hand-counted stamps, downloads that scan, code
replacement, profile edits, live mode and its counter display, and the CLI."""

import io
import math
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Card, Shop, Stamp, Station, User
from app.services import live_codes
from app.services.shop_stats import Period, Standing, shop_figures, standing

from .conftest import IN_CI
from .helpers import (
    BERLIN,
    SHOPKEEPER_PASSWORD,
    csrf_token,
    make_rally,
    make_shop,
    make_shopkeeper,
    make_station,
)
from .test_auth import log_in, make_user
from .test_qr import decode, decode_png, decode_svg

BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
BASE_URL = "http://rallye.test"  # tests.conftest.base_config
# Tuesday of the rally's second week, in the afternoon (Berlin).
NOW = datetime(2026, 12, 8, 15, 30, 10, tzinfo=BERLIN)


def card_at(rally_id: int, when: datetime, first_station_id: int | None = None) -> Card:
    """A card made at ``when``, started at ``first_station_id``."""
    card = Card(rally_id=rally_id, code=f"T{next(CARD_CODES):03d}-ABCD", created_at=when,
                first_station_id=first_station_id)
    db.session.add(card)
    db.session.flush()
    return card


CARD_CODES = iter(range(1000))


def stamp(card: Card, station: Station, when: datetime) -> None:
    """A stamp of ``card`` at ``station`` at ``when``."""
    db.session.add(Stamp(rally_id=card.rally_id, card_id=card.id, station_id=station.id,
                         created_at=when, source="qr"))


@dataclass
class Portal:
    """A shop with its station, its shopkeeper, and the other shops of the rally."""

    station: Station
    keeper: User
    others: list[Station]


@pytest.fixture
def portal(app: Flask, freeze: Callable[[datetime], None]) -> Portal:
    """Stamps counted by hand (Berlin time):

    ours: 1 Dec 23:30, 2 Dec 00:15 (still 1 Dec in UTC), 7 Dec 10:05 (Monday),
    8 Dec 10:45 and 14:00 (today) -> 5 stamps; cards started here: 1 Dec, 7 Dec, 8 Dec.
    other active shops: 0, 1, 2, 3, 10 stamps; an inactive one 20 (left out of the median).
    """
    freeze(NOW)
    rally = make_rally()
    ours = make_station(rally)
    others = [make_station(rally) for _ in range(5)]
    inactive = make_station(rally, active=False)
    elsewhere = others[0]
    moments = [
        (datetime(2026, 12, 1, 23, 30, tzinfo=BERLIN), True),
        (datetime(2026, 12, 2, 0, 15, tzinfo=BERLIN), False),
        (datetime(2026, 12, 7, 10, 5, tzinfo=BERLIN), True),
        (datetime(2026, 12, 8, 10, 45, tzinfo=BERLIN), True),
        (datetime(2026, 12, 8, 14, 0, tzinfo=BERLIN), False),
    ]
    start = datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN)
    for when, started_here in moments:
        card = card_at(rally.id, when if started_here else start,
                       ours.id if started_here else elsewhere.id)
        stamp(card, ours, when)
    extra = [card_at(rally.id, start) for _ in range(20)]
    for station, count in zip(others, (0, 1, 2, 3, 10), strict=True):
        for card in extra[:count]:
            stamp(card, station, start)
    for card in extra:
        stamp(card, inactive, start)
    db.session.commit()
    return Portal(station=ours, keeper=make_shopkeeper(ours.shop), others=[*others, inactive])


@pytest.fixture
def keeper_client(client: FlaskClient, portal: Portal) -> FlaskClient:
    """The test client, logged in as the portal's shopkeeper."""
    assert log_in(client, portal.keeper.email, SHOPKEEPER_PASSWORD).status_code == 303
    return client


# --- figures ----------------------------------------------------------------------------


@BOTH_DATABASES
def test_figures_match_the_hand_count(portal: Portal) -> None:
    figures = shop_figures(portal.station.id, now=NOW)
    assert figures is not None
    assert figures.today == Period(stamps=2, new_cards=1)
    assert figures.week == Period(stamps=3, new_cards=2)
    assert figures.rally == Period(stamps=5, new_cards=3)
    per_day = {item.day.day: item.stamps for item in figures.days}
    assert list(per_day) == list(range(1, 9))  # the rally's days up to today
    assert per_day == {1: 1, 2: 1, 3: 0, 4: 0, 5: 0, 6: 0, 7: 1, 8: 2}
    assert {hour: n for hour, n in enumerate(figures.hours) if n} == {0: 1, 10: 2, 14: 1, 23: 1}
    # Median of the active shops' totals 0, 1, 2, 3, 5 (ours), 10 is 2.5.
    assert figures.standing == Standing(stamps=5, median=2.5, shops=6, verdict="above")


def test_summer_time_hours_and_days_are_local(app: Flask) -> None:
    """In summer Berlin is UTC+2: 22:30 UTC on 10 June is 00:30 on 11 June."""
    rally = make_rally(starts_at=datetime(2027, 6, 1, tzinfo=BERLIN),
                       ends_at=datetime(2027, 6, 30, tzinfo=BERLIN),
                       entry_closes_at=datetime(2027, 6, 30, tzinfo=BERLIN))
    station = make_station(rally)
    when = datetime(2027, 6, 10, 22, 30, tzinfo=UTC)
    stamp(card_at(rally.id, when, station.id), station, when)
    db.session.commit()
    figures = shop_figures(station.id, now=datetime(2027, 6, 11, 12, 0, tzinfo=BERLIN))
    assert figures is not None
    assert figures.hours[0] == 1 and sum(figures.hours) == 1
    assert {item.day: item.stamps for item in figures.days if item.stamps} == {
        date(2027, 6, 11): 1}
    assert figures.today == Period(stamps=1, new_cards=1)


@pytest.mark.parametrize(("totals", "expected"), [
    ([4, 0, 1, 2, 3], None),  # four others: too few to show a median
    ([3, 1, 2, 4, 5], Standing(stamps=3, median=3.0, shops=5, verdict="level")),
    ([0, 1, 2, 4, 5], Standing(stamps=0, median=2.0, shops=5, verdict="below")),
    ([40, 0, 0, 0, 39, 41], Standing(stamps=40, median=19.5, shops=6, verdict="above")),
])
def test_standing_against_the_median(app: Flask, totals: list[int],
                                     expected: Standing | None) -> None:
    rally = make_rally()
    stations = [make_station(rally) for _ in totals]
    if expected is None:
        stations[-1].active = False
    cards = [card_at(rally.id, NOW) for _ in range(max(totals))]
    for station, count in zip(stations, totals, strict=True):
        for card in cards[:count]:
            stamp(card, station, NOW)
    db.session.commit()
    assert standing(stations[0]) == expected


@BOTH_DATABASES
def test_portal_shows_the_figures_and_no_other_shop(keeper_client: FlaskClient,
                                                    portal: Portal) -> None:
    page = keeper_client.get("/laden/")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    text = page.text
    assert portal.station.shop.name in text
    assert "über der Mitte der 6 teilnehmenden Geschäfte" in text
    assert "hat 2,5 Stempel" in text
    assert re.search(r"Dienstag, 8\. Dezember \(heute\)</th><td class=\"num\">2<", text)
    assert re.search(r"10–11 Uhr</th><td class=\"num\">2<", text)
    for other in portal.others:
        assert other.shop.name not in text
        assert other.token not in text and other.short_code not in text
    assert portal.station.token not in text  # the token is only inside the downloads
    assert 'class="chart chart-fluid"' in text and "style=" not in text


def test_portal_suggests_live_mode_when_the_code_looks_shared(keeper_client: FlaskClient,
                                                              portal: Portal) -> None:
    """The fraud signal's station hint reaches the shopkeeper, with the way out."""
    assert "Ist Ihr Code im Umlauf?" not in keeper_client.get("/laden/").text
    station = db.session.get(Station, portal.station.id)
    assert station is not None
    station.shared_suspected_at = NOW
    db.session.commit()
    page = keeper_client.get("/laden/").text
    assert "Ist Ihr Code im Umlauf?" in page and 'href="/laden/modus"' in page
    station.mode = "live"
    db.session.commit()
    assert "Ist Ihr Code im Umlauf?" not in keeper_client.get("/laden/").text


def test_portal_without_a_station(client: FlaskClient, app: Flask, freeze) -> None:
    keeper = make_shopkeeper(make_shop())
    log_in(client, keeper.email, SHOPKEEPER_PASSWORD)
    page = client.get("/laden/")
    assert page.status_code == 200
    assert "nimmt gerade an keiner Rallye teil" in page.text
    for url in ("/laden/live", "/laden/plakat-a4.pdf", "/laden/qr-code.png", "/laden/modus",
                "/laden/code-ersetzen"):
        assert client.get(url).status_code == 404, url
    assert client.get("/laden/angaben").status_code == 200


def test_portal_follows_the_current_rally(client: FlaskClient, app: Flask, freeze) -> None:
    """Of a shop's stations, the portal shows the one in the rally running now."""
    freeze(NOW)
    shop = make_shop()
    old = make_rally(starts_at=datetime(2025, 12, 1, tzinfo=BERLIN),
                     ends_at=datetime(2025, 12, 24, tzinfo=BERLIN),
                     entry_closes_at=datetime(2025, 12, 24, tzinfo=BERLIN), name="Alt")
    make_station(old, shop)
    running = make_rally(name="Laufend")
    make_station(running, shop)
    db.session.commit()
    log_in(client, make_shopkeeper(shop).email, SHOPKEEPER_PASSWORD)
    assert '<p class="eyebrow">Laufend</p>' in client.get("/laden/").text


# --- downloads --------------------------------------------------------------------------


def station_url(station: Station) -> str:
    """What the station's printed code must encode."""
    return f"{BASE_URL}/s/{station.token}"


@pytest.mark.parametrize(("url", "mimetype", "name"), [
    ("/laden/qr-code.svg", "image/svg+xml", "qr-{slug}.svg"),
    ("/laden/qr-code.png", "image/png", "qr-{slug}.png"),
    ("/laden/qr-code-mit-emblem.png", "image/png", "qr-{slug}-emblem.png"),
])
def test_qr_downloads_scan_to_the_station(keeper_client: FlaskClient, portal: Portal,
                                          url: str, mimetype: str, name: str) -> None:
    response = keeper_client.get(url)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Cache-Control"] == "no-store"
    filename = name.format(slug=portal.station.shop.slug)
    assert f"attachment; filename={filename}" in response.headers["Content-Disposition"]
    found = decode_svg(response.data) if url.endswith(".svg") else decode_png(response.data)
    assert found == [station_url(portal.station)]


@pytest.mark.parametrize(("paper", "size"), [("a4", (595, 842)), ("a5", (420, 595))])
def test_poster_pdfs(keeper_client: FlaskClient, portal: Portal, tmp_path: Path,
                     paper: str, size: tuple[int, int]) -> None:
    response = keeper_client.get(f"/laden/plakat-{paper}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == size
    assert portal.station.short_code[:3] in reader.pages[0].extract_text()
    if shutil.which("pdftoppm") is None:
        if IN_CI:
            pytest.fail("pdftoppm (poppler-utils) is missing in CI")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(response.data)
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)
    assert decode(Image.open(next(tmp_path.glob("page*.png")))) == [station_url(portal.station)]


# --- code replacement, profile, live mode -----------------------------------------------


def staff_shop_page(app: Flask, shop: Shop) -> str:
    """The shop's back-office page as a staff member sees it."""
    staff_client = app.test_client()
    staff = make_user("staff")
    assert log_in(staff_client, staff.email).status_code == 303
    page = staff_client.get(f"/buero/geschaefte/{shop.id}")
    assert page.status_code == 200
    return page.text


@BOTH_DATABASES
def test_replacing_the_code(app: Flask, keeper_client: FlaskClient, portal: Portal) -> None:
    station = portal.station
    old_token, old_code, old_secret = station.token, station.short_code, station.live_secret
    page = keeper_client.get("/laden/code-ersetzen")
    assert "Ihre gedruckten Plakate funktionieren danach nicht mehr" in page.text
    assert keeper_client.post("/laden/code-ersetzen").status_code == 400
    assert db.session.get(Station, station.id).token == old_token  # type: ignore[union-attr]
    response = keeper_client.post("/laden/code-ersetzen",
                                  data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/laden/")
    db.session.expire_all()
    rotated = db.session.get(Station, station.id)
    assert rotated is not None
    assert (rotated.token != old_token and rotated.short_code != old_code
            and rotated.live_secret != old_secret)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "station.rotate")
                               ).one()
    assert event.actor_id == portal.keeper.id
    assert event.details["old_short_code"] == old_code
    assert keeper_client.get(f"/s/{old_token}").status_code == 410
    assert rotated.short_code in keeper_client.get("/laden/").text
    staff_view = staff_shop_page(app, rotated.shop)
    assert "Letzter Codewechsel" in staff_view and portal.keeper.name in staff_view
    assert f"Code ersetzt ({old_code} → {rotated.short_code})" in staff_view


def input_value(html: str, name: str) -> str | None:
    """The value of the form's input ``name`` (a time field of the week), or None."""
    match = re.search(rf'<input[^>]*name="{name}"[^>]*type="time" value="([^"]*)"', html)
    return match.group(1) if match else None


@BOTH_DATABASES
def test_editing_the_profile(app: Flask, keeper_client: FlaskClient, portal: Portal) -> None:
    shop = portal.station.shop
    old_hours = shop.opening_hours
    page = keeper_client.get("/laden/angaben")
    assert page.status_code == 200 and old_hours in page.text
    # The helper's shop has its hours as text only: the week is empty, the text its note.
    assert input_value(page.text, "tue_1_opens") == ""
    assert 'value="Mo–Fr 9–18 Uhr"' in page.text
    tuesday_to_saturday = {f"{day}_1_{end}": time for day in ("tue", "wed", "thu", "fri", "sat")
                           for end, time in (("opens", "10:00"), ("closes", "18:00"))}
    response = keeper_client.post("/laden/angaben", data={
        "csrf_token": csrf_token(page.text), **tuesday_to_saturday, "hours_note": "",
        "website": "www.laden.test", "description": shop.description,
        "name": "Ein anderer Name",  # not the shop's to change: ignored
    })
    assert response.status_code == 303
    db.session.expire_all()
    saved = db.session.get(Shop, shop.id)
    assert saved is not None
    assert (saved.opening_hours, saved.website) == ("Di–Sa 10–18 Uhr", "https://www.laden.test")
    assert saved.name != "Ein anderer Name"
    assert [(h.weekday, h.opens, h.closes) for h in saved.hours] == [
        (day, 600, 1080) for day in range(1, 6)]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "shop.profile")
                               ).one()
    assert event.actor_id == portal.keeper.id and event.subject == shop.slug
    assert event.details["changes"] == {
        "opening_hours": {"old": old_hours, "new": "Di–Sa 10–18 Uhr"},
        "website": {"old": "", "new": "https://www.laden.test"},
    }
    # Saving again without a change records nothing.
    page = keeper_client.get("/laden/angaben")
    assert input_value(page.text, "sat_1_closes") == "18:00"
    assert input_value(page.text, "mon_1_opens") == ""
    keeper_client.post("/laden/angaben", data={
        "csrf_token": csrf_token(page.text), **tuesday_to_saturday,
        "website": "https://www.laden.test", "description": shop.description})
    assert len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "shop.profile")).all()) == 1
    staff_view = staff_shop_page(app, saved)
    assert "Änderungen durch das Geschäft" in staff_view
    assert "Öffnungszeiten: „Mo–Fr 9–18 Uhr“ → „Di–Sa 10–18 Uhr“" in staff_view


@pytest.mark.parametrize(("fields", "message"), [
    ({"website": "keine adresse"}, "Bitte geben Sie eine Webadresse"),
    ({"hours_note": "x" * 201}, "Öffnungszeiten und Hinweis sind zusammen zu lang"),
    ({"description": "x" * 4001}, "Höchstens 4000 Zeichen."),
    ({"hours_note": "Mo\x00Di"}, "Steuerzeichen"),
    ({"mon_1_closes": "08:30"}, "muss nach der Öffnungszeit liegen"),
    ({"mon_1_closes": ""}, "Bitte geben Sie beide Zeiten an"),
    ({"mon_1_opens": "neun"}, "„neun“ ist keine Uhrzeit"),
    ({"mon_2_opens": "11:00", "mon_2_closes": "15:00"}, "überschneidet sich"),
])
def test_profile_refusals(keeper_client: FlaskClient, portal: Portal,
                          fields: dict[str, str], message: str) -> None:
    shop = portal.station.shop
    before = (shop.opening_hours, [(h.weekday, h.opens, h.closes) for h in shop.hours])
    page = keeper_client.get("/laden/angaben")
    data = {"csrf_token": csrf_token(page.text), "mon_1_opens": "09:00",
            "mon_1_closes": "12:00", "website": "", "description": "", **fields}
    response = keeper_client.post("/laden/angaben", data=data)
    assert response.status_code == 400
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "shop.profile")).first() is None
    db.session.expire_all()
    saved = db.session.get(Shop, shop.id)
    assert saved is not None
    assert (saved.opening_hours, [(h.weekday, h.opens, h.closes) for h in saved.hours]) == before


@BOTH_DATABASES
def test_switching_to_live_mode_and_back(keeper_client: FlaskClient, portal: Portal) -> None:
    page = keeper_client.get("/laden/modus")
    assert "Im Live-Modus stempelt nur noch der Code auf einem Bildschirm" in page.text
    token = csrf_token(page.text)
    assert keeper_client.post("/laden/modus", data={"csrf_token": token,
                                                    "mode": "kaputt"}).status_code == 400
    response = keeper_client.post("/laden/modus", data={"csrf_token": token, "mode": "live"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/laden/live")
    db.session.expire_all()
    assert db.session.get(Station, portal.station.id).mode == "live"  # type: ignore[union-attr]
    assert keeper_client.get(f"/s/{portal.station.token}").status_code == 409
    page = keeper_client.get("/laden/modus")
    assert "Live-Modus ausschalten?" in page.text
    keeper_client.post("/laden/modus", data={"csrf_token": csrf_token(page.text),
                                             "mode": "printed"})
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "station.mode")
                                .order_by(AuditEvent.id)).all()
    assert [(e.details["old"], e.details["new"], e.actor_id) for e in events] == [
        ("printed", "live", portal.keeper.id), ("live", "printed", portal.keeper.id)]


def test_display_in_printed_mode_explains_how_to_switch(keeper_client: FlaskClient,
                                                        portal: Portal) -> None:
    page = keeper_client.get("/laden/live")
    assert page.status_code == 200
    assert "Live-Modus einschalten" in page.text
    assert "Refresh" not in page.headers
    assert "live-code" not in page.text


QR_SVG_RE = re.compile(r"<svg role=\"img\".*?</svg>", re.DOTALL)


@BOTH_DATABASES
def test_counter_display_shows_the_code_that_stamps(app: Flask, keeper_client: FlaskClient,
                                                    portal: Portal) -> None:
    station = portal.station
    station.mode = "live"
    db.session.commit()
    page = keeper_client.get("/laden/live")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    left = live_codes.seconds_left(NOW)
    assert page.headers["Refresh"] == str(math.floor(left) + 1)  # 20 s to the next step
    code = live_codes.live_code(station.live_secret, live_codes.current_step(NOW))
    assert f'{code[:3]}<span class="live-code-gap"> </span>{code[3:]}' in page.text
    assert station.live_secret not in page.text
    assert '<script src="/static/js/live-display.js" defer></script>' in page.text
    assert "<script>" not in page.text and "http-equiv" not in page.text
    svg = QR_SVG_RE.search(page.text)
    assert svg is not None
    document = svg.group(0).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    url = f"{BASE_URL}/s/{station.token}?code={code}"
    assert decode_svg(document.encode()) == [url]
    # The URL stamps a card in another browser.
    shopper = app.test_client()
    scan = shopper.get(url.removeprefix(BASE_URL))
    assert scan.status_code == 200
    response = shopper.post(f"/s/{station.token}",
                            data={"csrf_token": csrf_token(scan.text), "code": code})
    assert response.status_code == 303
    assert db.session.scalars(select(Stamp.source).where(Stamp.station_id == station.id)
                              .order_by(Stamp.id.desc())).first() == "live"
    with keeper_client.get("/static/js/live-display.js") as script:
        assert script.status_code == 200 and script.mimetype == "text/javascript"


def test_counter_display_of_a_rally_not_running(client: FlaskClient, portal: Portal,
                                                freeze: Callable[[datetime], None]) -> None:
    portal.station.mode = "live"
    db.session.commit()
    freeze(datetime(2026, 12, 25, 10, 0, tzinfo=BERLIN))
    log_in(client, portal.keeper.email, SHOPKEEPER_PASSWORD)
    page = client.get("/laden/live")
    assert page.status_code == 200
    assert "Die Rallye ist vorbei" in page.text and "live-code" not in page.text
    assert page.headers["Refresh"] == "60"


# --- command line -----------------------------------------------------------------------


def test_cli_station_mode(runner, portal: Portal) -> None:
    station = portal.station
    result = runner.invoke(args=["station", "mode", station.shop.slug, "live",
                                 "--rally", station.rally.slug])
    assert result.exit_code == 0, result.output
    assert "stempelt nur noch mit dem Code der Live-Anzeige" in result.output
    db.session.expire_all()
    assert db.session.get(Station, station.id).mode == "live"  # type: ignore[union-attr]
    result = runner.invoke(args=["station", "mode", station.shop.slug, "printed"])
    assert result.exit_code == 0, result.output
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "station.mode")
                                ).all()
    assert [(e.details["new"], e.actor_id) for e in events] == [("live", None),
                                                               ("printed", None)]


@pytest.mark.parametrize(("args", "message", "code"), [
    (["station", "mode", "gibt-es-nicht", "live"], "Diesen Laden gibt es nicht.", 1),
    (["station", "mode", "{slug}", "live", "--rally", "nein"], "Diese Rallye gibt es nicht.", 1),
    (["station", "mode", "{slug}", "bunt"], "Invalid value", 2),
])
def test_cli_station_mode_refuses(runner, portal: Portal, args: list[str], message: str,
                                  code: int) -> None:
    filled = [arg.format(slug=portal.station.shop.slug) for arg in args]
    result = runner.invoke(args=filled)
    assert result.exit_code == code
    assert message in result.output
    assert db.session.get(Station, portal.station.id).mode == "printed"  # type: ignore[union-attr]
