"""The visitor's language: Accept-Language first, the header's switch (a cookie only after
the choice), dates in the chosen language, mails in the language a person booked in,
the back office in German, and posters in the shop's chosen language."""

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Appointment, AppointmentTopic, AuditEvent
from app.services import appointment_desk, events
from app.services.posters import posters_pdf
from app.services.printset import poster_for

from .conftest import IN_CI
from .event_builders import make_event
from .helpers import (
    BERLIN,
    SHOPKEEPER_PASSWORD,
    csrf_token,
    make_rally,
    make_shopkeeper,
    make_station,
)
from .smtp import Mailbox
from .test_appointment_views import MONDAY_9_PARAM, form_values
from .test_appointments import make_topic, office_week
from .test_auth import log_in
from .test_qr import decode

pytestmark = pytest.mark.usefixtures("freeze")


@pytest.fixture
def station(app: Flask):  # type: ignore[no-untyped-def]
    station = make_station(make_rally())
    db.session.commit()
    return station


def test_the_browsers_language_comes_first_and_sets_no_cookie(client: FlaskClient,
                                                               station) -> None:  # type: ignore[no-untyped-def]
    page = client.get(f"/s/{station.token}", headers={"Accept-Language": "tr-TR,tr;q=0.9"})
    html = page.get_data(as_text=True)
    assert '<html lang="tr">' in html
    with force_locale("tr"):
        assert _("Stempel einsammeln") in html
    assert "sprache=" not in page.headers.get("Set-Cookie", "")
    assert {"Accept-Language", "Cookie"} <= set(page.vary)
    english = client.get(f"/s/{station.token}", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="en">' in english.get_data(as_text=True)
    other = client.get(f"/s/{station.token}", headers={"Accept-Language": "fr, nl"})
    assert '<html lang="de">' in other.get_data(as_text=True)
    assert "Stempel einsammeln" in other.get_data(as_text=True)


def test_the_switch_remembers_the_choice_and_goes_back(client: FlaskClient, station) -> None:  # type: ignore[no-untyped-def]
    scan = f"/s/{station.token}"
    page = client.get(scan, headers={"Accept-Language": "tr"}).get_data(as_text=True)
    # Plain links, each named in its own language, the current one marked.
    assert (f'<a href="/sprache/en?next={scan}" hreflang="en" lang="en">English</a>'
            in page)
    assert 'hreflang="tr" lang="tr" aria-current="true">Türkçe</a>' in page
    response = client.get(f"/sprache/en?next={scan}", headers={"Accept-Language": "tr"})
    assert response.status_code == 303 and response.headers["Location"] == scan
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("sprache=en;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=31536000" in cookie
    # The choice now beats the browser's language.
    again = client.get(scan, headers={"Accept-Language": "tr"}).get_data(as_text=True)
    assert '<html lang="en">' in again
    back = client.get("/sprache/de?next=/karte")
    assert back.headers["Location"] == "/karte"
    assert '<html lang="de">' in client.get(scan, headers={"Accept-Language": "tr"}).text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil",
                                    "", "karte"])
def test_the_switch_only_goes_back_to_this_site(client: FlaskClient, target: str) -> None:
    response = client.get("/sprache/tr", query_string={"next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_an_unknown_language_sets_nothing(client: FlaskClient) -> None:
    response = client.get("/sprache/fr?next=/karte")
    assert response.status_code == 303 and "Set-Cookie" not in response.headers


def test_the_back_office_stays_german(app: Flask, client: FlaskClient) -> None:
    from .test_auth import PASSWORD, make_user

    make_user("staff", "team@herten.test")
    db.session.commit()
    client.set_cookie("sprache", "en")
    assert log_in(client, "team@herten.test", PASSWORD).status_code == 303
    page = client.get("/buero/", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="de">' in html
    assert 'class="wrap lang-switch"' not in html
    assert "Accept-Language" not in page.vary


def test_the_privacy_page_names_the_language_cookie(client: FlaskClient) -> None:
    page = client.get("/datenschutz").get_data(as_text=True)
    assert "Die gewählte Sprache (Cookie „sprache“)" in page and "365 Tage" in page


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------


def test_dates_follow_the_language_in_berlin_time(app: Flask, client: FlaskClient) -> None:
    event = make_event(starts_at=datetime(2026, 12, 9, 18, 0, tzinfo=BERLIN))
    db.session.commit()
    url = f"/veranstaltungen/{event.slug}"
    german = client.get(url).get_data(as_text=True)
    assert "Mittwoch, 9. Dezember 2026, 18:00–20:00 Uhr" in german
    english = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Wednesday 9 December 2026, 18:00–20:00" in english
    assert "Uhr" not in english.split("<main", 1)[1].split("</main>", 1)[0]
    turkish = client.get(url, headers={"Accept-Language": "tr"}).get_data(as_text=True)
    assert "9 Aralık 2026 Çarşamba, 18:00–20:00" in turkish


# ---------------------------------------------------------------------------
# Mails in the person's language
# ---------------------------------------------------------------------------


@pytest.fixture
def office(app: Flask) -> AppointmentTopic:
    office_week()
    topic = make_topic("kurzberatung", 30, name="Kurzberatung")
    db.session.commit()
    return topic


def test_a_booking_in_english_gets_english_mails_later_too(
        app: Flask, client: FlaskClient, runner, office: AppointmentTopic,  # type: ignore[no-untyped-def]
        mailbox: Mailbox) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = f"/termine/buchen?thema=kurzberatung&zeit={MONDAY_9_PARAM}"
    with client.post("/termine/buchen?thema=kurzberatung",
                     data=form_values(client, url)) as response:  # mails once it is closed
        assert response.status_code == 303
    [appointment] = db.session.scalars(select(Appointment))
    assert appointment.language == "en"
    [booked] = mailbox.to("anna@example.org")
    assert str(booked["Subject"]).strip() == ("Your appointment request: Kurzberatung on "
                                 "Monday 7 December 2026, 09:00–09:30")
    assert "Guten Tag" not in Mailbox.text(booked)
    [entry] = Calendar.from_ical(Mailbox.attachments(booked)["termin.ics"]).walk("VEVENT")
    assert str(entry["SUMMARY"]).startswith("Consultation: Kurzberatung")
    assert entry.decoded("DTSTART").astimezone(UTC) == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    # Staff confirm in the (German) back office; the person still reads English.
    mailbox.clear()
    with app.test_request_context("/buero/termine", headers={"Accept-Language": "de"}):
        assert appointment_desk.confirm(appointment.id, now=clock.utcnow(), actor_id=None)
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    [confirmed] = mailbox.to("anna@example.org")
    assert str(confirmed["Subject"]).strip().startswith("Your appointment is confirmed")


def test_an_event_registration_in_turkish_gets_turkish_mails_and_reminder(
        app: Flask, runner, freeze, mailbox: Mailbox) -> None:  # type: ignore[no-untyped-def]
    event = make_event(starts_at=datetime(2026, 12, 10, 18, 0, tzinfo=BERLIN))
    db.session.commit()
    now = clock.utcnow()
    with app.test_request_context("/", headers={"Accept-Language": "tr"}):
        registration = events.register(slug=event.slug, name="Ayşe Yılmaz",
                                       email="ayse@example.org", company="", consent=True,
                                       now=now)
    assert registration.language == "tr"
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    [confirmed] = mailbox.to("ayse@example.org")
    assert str(confirmed["Subject"]).strip().startswith("Kaydınız: ")
    assert "10 Aralık 2026 Perşembe" in str(confirmed["Subject"])
    mailbox.clear()
    # Two days before: the reminder, written by the periodic job (no request, German
    # by default), still in Turkish.
    freeze(datetime(2026, 12, 8, 20, 0, tzinfo=BERLIN))
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    [reminder] = mailbox.to("ayse@example.org")
    assert str(reminder["Subject"]).strip().startswith("Hatırlatma: ")


# ---------------------------------------------------------------------------
# Posters
# ---------------------------------------------------------------------------


def test_a_turkish_poster_renders_with_turkish_letters_and_scans(
        app: Flask, station, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    station.shop.poster_language = "tr"
    db.session.commit()
    poster = poster_for(station, "https://rallye.test", app.config["OFFICE"])
    data = posters_pdf([poster], "a4")
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    with force_locale("tr"):
        headline = _("Scannen – Stempeln – Gewinnen")
        typed = _("Kein QR-Scanner? Code eintippen auf")
    assert headline != "Scannen – Stempeln – Gewinnen"
    assert headline in text and typed in text
    assert {"ı", "ş"} <= set(text) or {"ğ", "ı"} <= set(text)
    assert "Scannen" not in text and "Teilnahmebedingungen" not in text
    if shutil.which("pdftoppm") is None:
        if IN_CI:
            pytest.fail("pdftoppm (poppler-utils) is missing in CI")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)
    assert decode(Image.open(next(tmp_path.glob("page*.png")))) == [poster.url]


def test_the_poster_font_has_every_turkish_letter() -> None:
    from fontTools.ttLib import TTFont

    from app.services.posters import FONT_DIR

    for name in ("SourceSansPro-Regular.ttf", "SourceSansPro-Black.ttf"):
        cmap = TTFont(str(FONT_DIR / name)).getBestCmap()
        assert all(ord(letter) in cmap for letter in "İıĞğŞşÇçÖöÜü"), name


def test_the_shop_chooses_its_poster_language(app: Flask, client: FlaskClient, station) -> None:  # type: ignore[no-untyped-def]
    keeper = make_shopkeeper(station.shop)
    db.session.commit()
    assert log_in(client, keeper.email, SHOPKEEPER_PASSWORD).status_code == 303
    portal = client.get("/laden/").get_data(as_text=True)
    assert re.search(r'<input checked[^>]* value="de">', portal)
    token = csrf_token(portal)
    bad = client.post("/laden/plakat-sprache", data={"csrf_token": token, "language": "fr"})
    assert bad.status_code == 400
    db.session.expire_all()
    assert station.shop.poster_language == "de"
    done = client.post("/laden/plakat-sprache", data={"csrf_token": token, "language": "tr"})
    assert done.status_code == 303
    db.session.expire_all()
    assert station.shop.poster_language == "tr"
    [audit] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "shop.poster_language"))
    assert re.search(r'<input checked[^>]* value="tr">', client.get("/laden/").text)
    poster = client.get(f"/s/{station.token}/plakat").get_data(as_text=True)
    assert '<html lang="tr">' in poster
    assert audit is not None
    pdf = client.get("/laden/plakat-a4.pdf")
    assert pdf.status_code == 200
    with force_locale("tr"):
        assert _("Scannen – Stempeln – Gewinnen") in PdfReader(io.BytesIO(pdf.data)).pages[
            0].extract_text()


@pytest.mark.parametrize(("language", "money", "distance"), [
    ("de", ("1.250 €", "87,50 €"), "1,2 km"),
    ("en", ("€1,250", "€87.50"), "1.2 km"),
    ("tr", ("€1.250", "€87,50"), "1,2 km"),
])
def test_numbers_follow_the_language(app: Flask, language: str, money: tuple[str, str],
                                     distance: str) -> None:
    from app.services.listings import money as euros
    from app.services.route import distance_label

    with app.test_request_context("/"), force_locale(language):
        assert (euros(125000), euros(8750)) == money
        assert distance_label(1200) == distance and distance_label(350) == "350 m"
