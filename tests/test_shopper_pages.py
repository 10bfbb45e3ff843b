"""Shopper pages show the database as it is now: renamed shops, new stamps, closed
stations, the calm page for a stamp already held; the staff header only for staff; links
under a script root; and the ``when`` filter's day and time."""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app import clock
from app.extensions import db
from app.models import Rally, Shop, Station, User
from app.services.users import create_user
from app.templating import when

from .helpers import AFTER_END, BERLIN, csrf_token, make_rally, make_shop, make_station

BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
STAMP_FORM = "Stempel einsammeln"
ALREADY = "Hier hast du schon gestempelt"
LOGOUT = "Abmelden"
Freeze = Callable[[datetime], None]


def tap(client: FlaskClient, token: str, **options: Any) -> TestResponse:
    """Open the scan page and press its button, as a phone would."""
    page = client.get(f"/s/{token}", **options)
    return client.post(f"/s/{token}", data={"csrf_token": csrf_token(page.text)}, **options)


def log_in(client: FlaskClient, user: User) -> None:
    """Put ``user`` into the client's session as a fresh login (as tests/backoffice do)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["auth_at"] = clock.utcnow().isoformat()


@pytest.fixture
def station(app: Flask, freeze: Freeze) -> Station:
    """A station of a running rally, with the clock on 1 December."""
    created = make_station(make_rally(name="Advents-Rallye"), make_shop(name="Buchladen Seite"))
    db.session.commit()
    return created


@BOTH_DATABASES
def test_scan_page_shows_changes_at_once(
    app: Flask, client: FlaskClient, station: Station, freeze: Freeze
) -> None:
    url = f"/s/{station.token}"
    assert "Buchladen Seite" in client.get(url).text
    shop = db.session.get(Shop, station.shop_id)
    rally = db.session.get(Rally, station.rally_id)
    assert shop is not None and rally is not None

    shop.name = "Buchhandlung Neu"
    db.session.commit()
    page = client.get(url).text
    assert "Buchhandlung Neu" in page and "Buchladen Seite" not in page

    shop.street, rally.name = "Kaiserstraße 7", "Winter-Rallye"
    db.session.commit()
    page = client.get(url).text
    assert "Kaiserstraße 7" in page and "Winter-Rallye" in page
    assert "Advents-Rallye" not in page

    station.active = False
    db.session.commit()
    closed = client.get(url)
    assert closed.status_code == 409
    assert "Hier wird gerade nicht gestempelt" in closed.text
    assert STAMP_FORM not in closed.text

    station.active = True
    rally.status = "draft"
    db.session.commit()
    assert client.get(url).status_code == 409

    rally.status = "published"
    db.session.commit()
    reopened = client.get(url)
    assert reopened.status_code == 200 and STAMP_FORM in reopened.text

    freeze(AFTER_END)
    ended = client.get(url)
    assert ended.status_code == 409 and "Die Rallye ist vorbei" in ended.text


@BOTH_DATABASES
def test_stamped_browser_gets_the_calm_page_others_the_button(app: Flask, station: Station) -> None:
    url = f"/s/{station.token}"
    stamper = app.test_client()
    assert STAMP_FORM in stamper.get(url).text
    assert tap(stamper, station.token).status_code == 303

    again = stamper.get(url)
    assert again.status_code == 200
    assert ALREADY in again.text
    assert STAMP_FORM not in again.text
    assert "<form" not in again.text and 'name="csrf_token"' not in again.text

    newcomer = app.test_client()
    fresh = newcomer.get(url)
    assert STAMP_FORM in fresh.text and ALREADY not in fresh.text
    assert newcomer.post(url, data={"csrf_token": csrf_token(fresh.text)}).status_code == 303
    assert ALREADY in newcomer.get(url).text

    # A card stamped elsewhere still gets the button here.
    rally = db.session.get(Rally, station.rally_id)
    assert rally is not None
    other = make_station(rally)
    db.session.commit()
    assert tap(stamper, other.token).status_code == 303
    assert STAMP_FORM in app.test_client().get(f"/s/{other.token}").text
    assert ALREADY in stamper.get(f"/s/{other.token}").text
    assert ALREADY in stamper.get(url).text


@pytest.mark.parametrize("staff_first", [True, False], ids=["staff-first", "visitor-first"])
def test_staff_header_never_reaches_visitors(
    app: Flask, station: Station, staff_first: bool
) -> None:
    user = create_user(email="team@buero.test", password="ein-langes-passwort-123",
                       role="staff", name="Team Büro")
    paths = [f"/s/{station.token}", "/", "/karte", "/geschaefte", "/stempel"]

    def visitor_sees_no_staff_header() -> None:
        for path in paths:
            page = app.test_client().get(path)
            assert page.status_code == 200, path
            assert LOGOUT not in page.text, path
            assert 'href="/buero' not in page.text, path

    if not staff_first:
        visitor_sees_no_staff_header()
    staff = app.test_client()
    log_in(staff, user)
    for path in paths:
        page = staff.get(path)
        assert page.status_code == 200, path
        assert LOGOUT in page.text, path
        assert 'href="/buero' in page.text, path
    scan = staff.get(paths[0]).text
    assert STAMP_FORM in scan
    visitor_sees_no_staff_header()

    # The staff page's token is the staff session's own: logging out with it works.
    logged_out = staff.post("/abmelden", data={"csrf_token": csrf_token(scan)})
    assert logged_out.status_code == 303
    assert LOGOUT not in staff.get(paths[0]).text


def test_pages_under_a_script_root_link_under_it(app: Flask, station: Station) -> None:
    url, token = f"/s/{station.token}", station.token
    plain = app.test_client().get(url).text
    assert f'action="/s/{token}"' in plain and 'href="/karte"' in plain

    browser = app.test_client()
    prefixed = browser.get(url, base_url="http://localhost/rallye")
    assert prefixed.status_code == 200
    text = prefixed.text
    assert f'action="/rallye/s/{token}"' in text
    assert 'href="/rallye/karte"' in text and 'href="/rallye/static/css/site.css"' in text
    assert 'href="/karte"' not in text and 'href="/static/' not in text
    posted = browser.post(
        url, data={"csrf_token": csrf_token(text)}, base_url="http://localhost/rallye"
    )
    assert posted.status_code == 303
    assert posted.headers["Location"].endswith("/rallye/karte")

    assert "/rallye/" not in app.test_client().get(url).text


def card_lists(html: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The card page's stamps (shop, when) and the shops still to visit."""
    stamped = html.split('id="gestempelt-titel"')[1].split('id="sichern-titel"')[0]
    stamps = re.findall(r'<span class="stamp-shop">([^<]*?) <span class="muted">([^<]*)</span>',
                        stamped)
    route = html.split('id="route-titel"')[1]
    to_visit = re.findall(r'(?:<span class="route-shop">|<li>)<strong>([^<]*)</strong>', route)
    return [(name, moment.strip()) for name, moment in stamps], to_visit


def card_page(client: FlaskClient) -> str:
    """The card page without the celebration of the last tap."""
    client.get("/karte")
    page = client.get("/karte")
    assert page.status_code == 200
    return page.text


@BOTH_DATABASES
def test_card_lists_follow_new_stamps_and_renames(
    app: Flask, client: FlaskClient, freeze: Freeze
) -> None:
    rally = make_rally()
    apotheke, baeckerei, cafe = (
        make_station(rally, make_shop(name=name))
        for name in ("Apotheke Alt", "Bäckerei Korn", "Café Crema")
    )
    db.session.commit()

    assert tap(client, apotheke.token).status_code == 303
    stamps, to_visit = card_lists(card_page(client))
    assert stamps == [("Apotheke Alt", "1. Dezember, 09:00 Uhr")]
    assert to_visit == ["Bäckerei Korn", "Café Crema"]

    freeze(datetime(2026, 12, 2, 14, 30, tzinfo=BERLIN))
    assert tap(client, baeckerei.token).status_code == 303
    stamps, to_visit = card_lists(card_page(client))
    assert stamps == [("Apotheke Alt", "1. Dezember, 09:00 Uhr"),
                      ("Bäckerei Korn", "2. Dezember, 14:30 Uhr")]
    assert to_visit == ["Café Crema"]

    for station, name in ((apotheke, "Apotheke Neu"), (cafe, "Café Neu")):
        shop = db.session.get(Shop, station.shop_id)
        assert shop is not None
        shop.name = name
    db.session.commit()
    page = card_page(client)
    stamps, to_visit = card_lists(page)
    assert stamps == [("Apotheke Neu", "1. Dezember, 09:00 Uhr"),
                      ("Bäckerei Korn", "2. Dezember, 14:30 Uhr")]
    assert to_visit == ["Café Neu"]
    assert "Apotheke Alt" not in page and "Café Crema" not in page

    cafe.active = False
    db.session.commit()
    page = card_page(client)
    assert card_lists(page)[1] == []
    assert "Du hast schon in allen Geschäften gestempelt" in page

    # Another browser's card shows its own stamps, not the first one's items.
    other = app.test_client()
    assert tap(other, baeckerei.token).status_code == 303
    stamps, to_visit = card_lists(card_page(other))
    assert stamps == [("Bäckerei Korn", "2. Dezember, 14:30 Uhr")]
    assert to_visit == ["Apotheke Neu"]


@pytest.mark.parametrize(
    ("moment", "day", "time"),
    [
        (datetime(2026, 12, 1, 8, 5, tzinfo=UTC), "1. Dezember", "09:05"),
        (datetime(2026, 7, 1, 8, 5, tzinfo=UTC), "1. Juli", "10:05"),
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "1. Januar", "00:30"),
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "29. März", "01:59"),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "29. März", "03:00"),
        (datetime(2026, 10, 25, 0, 59, tzinfo=UTC), "25. Oktober", "02:59"),
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), "25. Oktober", "02:00"),
        (datetime(2026, 5, 3, 22, 0, tzinfo=ZoneInfo("America/New_York")), "4. Mai", "04:00"),
    ],
    ids=["winter", "summer", "new-year", "before-dst", "dst", "before-winter", "winter-time",
         "other-zone"],
)
def test_when_day_and_time(app: Flask, moment: datetime, day: str, time: str) -> None:
    with app.test_request_context():
        assert when(moment, "day") == day
        assert when(moment, "time") == time
        assert when(None, "day") == "" and when(None, "time") == ""


def test_home_page_shows_the_rally_days(client: FlaskClient, station: Station) -> None:
    page = client.get("/").text
    assert "1. Dezember – 24. Dezember" in page
