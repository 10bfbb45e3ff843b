"""The render caches (whole scan pages, list items, header and footer, URLs) and the
``when`` filter's hand-made day and time formats."""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask, template_rendered, url_for
from flask.testing import FlaskClient
from flask_babel import format_datetime
from flask_wtf.csrf import generate_csrf
from jinja2 import ChoiceLoader, DictLoader
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.test import TestResponse

from app import clock, rendercache
from app.extensions import db
from app.models import Card, Rally, Shop, Station, User
from app.rendercache import CSRF_HOLE, Memo, cached_url_for, fragment, fragments, render_page
from app.services.cards import StationLine
from app.services.records import ShopInfo
from app.services.users import create_user
from app.templating import when

from .helpers import (
    AFTER_END,
    BERLIN,
    csrf_token,
    make_entry,
    make_rally,
    make_shop,
    make_station,
)

BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
STAMP_FORM = "Stempel einsammeln"
ALREADY = "Hier hast du schon gestempelt"
LOGOUT = "Abmelden"
Freeze = Callable[[datetime], None]


@contextmanager
def rendered_templates(app: Flask) -> Iterator[list[str]]:
    """The names of the templates ``render_template`` renders inside the block."""
    names: list[str] = []

    def record(_sender: Flask, template: Any, **_extra: Any) -> None:
        names.append(template.name)

    with template_rendered.connected_to(record, app):
        yield names


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


# --- the scan page, rendered once per station and state -----------------------------------


@BOTH_DATABASES
def test_scan_page_is_shared_but_its_csrf_token_is_not(app: Flask, station: Station) -> None:
    url = f"/s/{station.token}"
    first_browser, second_browser = app.test_client(), app.test_client()
    first = first_browser.get(url)
    with rendered_templates(app) as names:
        second = second_browser.get(url)
    assert first.status_code == second.status_code == 200
    assert "rally/scan.html" not in names  # the second visitor got the stored page
    first_token, second_token = csrf_token(first.text), csrf_token(second.text)
    assert first_token != second_token
    assert CSRF_HOLE not in first.text and CSRF_HOLE not in second.text
    assert first.text.replace(first_token, "TOKEN") == second.text.replace(second_token, "TOKEN")
    assert "Buchladen Seite" in second.text and STAMP_FORM in second.text
    # Each browser's token is its own and works.
    for browser, token in ((second_browser, second_token), (first_browser, first_token)):
        posted = browser.post(url, data={"csrf_token": token})
        assert posted.status_code == 303
        assert posted.headers["Location"].endswith("/karte")
    assert app.test_client().post(url, data={"csrf_token": first_token}).status_code == 400


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
    assert STAMP_FORM in stamper.get(url).text  # the button page is now stored
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
    assert CSRF_HOLE not in scan and STAMP_FORM in scan
    visitor_sees_no_staff_header()

    # The staff page's token is the staff session's own: logging out with it works.
    logged_out = staff.post("/abmelden", data={"csrf_token": csrf_token(scan)})
    assert logged_out.status_code == 303
    assert LOGOUT not in staff.get(paths[0]).text


def test_pages_under_a_script_root_link_under_it(app: Flask, station: Station) -> None:
    url, token = f"/s/{station.token}", station.token
    plain = app.test_client().get(url).text  # stores page, header and URLs at the root
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


@pytest.mark.usefixtures("freeze")
def test_full_page_memo_stays_bounded_and_right(app: Flask) -> None:
    pages: Memo = app.extensions["rallye_render"]["pages"]
    pages.size = 2
    rally = make_rally()
    stations = [make_station(rally, make_shop(name=f"Geschäft Nr. {n}")) for n in range(5)]
    db.session.commit()
    for _round in range(2):
        for n, station in enumerate(stations):
            page = app.test_client().get(f"/s/{station.token}").text
            assert f"Geschäft Nr. {n}" in page
            assert len(pages.items) <= 2


# --- the card page's list items -----------------------------------------------------------


def card_lists(html: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The card page's stamps (shop, when) and the shops still to visit."""
    stamped = html.split('id="gestempelt-titel"')[1].split('id="sichern-titel"')[0]
    stamps = re.findall(r'<li>.*?<span>([^<]*)</span> <span class="muted">([^<]*)</span>', stamped)
    to_visit: list[str] = []
    if 'id="offen-titel"' in html:
        to_visit = re.findall(r"<li><strong>([^<]*)</strong>", html.split('id="offen-titel"')[1])
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
    with rendered_templates(app) as names:
        client.get("/karte")
    assert "rally/_station_item.html" not in names  # Café Crema's item was stored
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
    assert "Noch zu besuchen" not in page

    # Another browser's card shows its own stamps, not the first one's items.
    other = app.test_client()
    assert tap(other, baeckerei.token).status_code == 303
    stamps, to_visit = card_lists(card_page(other))
    assert stamps == [("Bäckerei Korn", "2. Dezember, 14:30 Uhr")]
    assert to_visit == ["Apotheke Neu"]


# --- the card page, rendered once per tally ---------------------------------------------

CARD_CODE_RE = re.compile(r'class="card-code">([^<]+)<')


def card_code(html: str) -> str:
    """The card number a card page shows."""
    match = CARD_CODE_RE.search(html)
    assert match, "no card number on the page"
    return match.group(1)


def with_notice(client: FlaskClient, notice: tuple[str, object] | None) -> FlaskClient:
    """Give the client the notice cookie a tap or an entry would leave (or none)."""
    if notice is None:
        client.delete_cookie("hinweis", path="/karte")
    else:
        client.set_cookie("hinweis", "{}.{}".format(*notice), path="/karte")
    return client


def fresh_then_stored(
    app: Flask, client: FlaskClient, notice: tuple[str, object] | None = None
) -> tuple[str, str, list[str]]:
    """The card page rendered afresh (page memo emptied), then again with the memo
    filled; and the templates the second request rendered."""
    app.extensions["rallye_render"]["pages"].items.clear()
    fresh = with_notice(client, notice).get("/karte")
    with rendered_templates(app) as names:
        stored = with_notice(client, notice).get("/karte")
    assert fresh.status_code == stored.status_code == 200
    return fresh.text, stored.text, names


def test_cards_with_the_same_numbers_share_one_rendering(app: Flask, freeze: Freeze) -> None:
    rally = make_rally()
    stations = [make_station(rally, make_shop(name=name))
                for name in ("Apotheke", "Bäckerei", "Café", "Drogerie")]
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    for station in stations[:2]:
        assert tap(first, station.token).status_code == 303
    freeze(datetime(2026, 12, 3, 16, 45, tzinfo=BERLIN))
    for station in stations[2:]:
        assert tap(second, station.token).status_code == 303
    assert "Danke für deinen Besuch bei Bäckerei." in first.get("/karte").text
    with rendered_templates(app) as names:
        celebration = second.get("/karte").text
    assert "rally/card.html" not in names  # the first card's celebration, filled in
    assert "rally/_card_notice.html" in names  # with its own notices
    assert "Stempel 2!" in celebration
    assert "Danke für deinen Besuch bei Drogerie." in celebration
    assert "Besuch bei Bäckerei" not in celebration

    first_page = first.get("/karte").text
    with rendered_templates(app) as names:
        second_page = second.get("/karte").text
    assert "rally/card.html" not in names  # the first card's rendering, filled in

    # ... with the second card's own number, link, stamps and shops to visit.
    first_code, second_code = card_code(first_page), card_code(second_page)
    assert first_code != second_code
    assert first_code not in second_page
    assert f"/karte/qr/{second_code}.svg" in second_page
    assert f"/karte/wiederherstellen/{second_code}/" in second_page
    assert card_lists(second_page) == (
        [("Café", "3. Dezember, 16:45 Uhr"), ("Drogerie", "3. Dezember, 16:45 Uhr")],
        ["Apotheke", "Bäckerei"],
    )
    fresh, stored, _names = fresh_then_stored(app, second)
    assert fresh == stored == second_page


def test_stamps_in_one_minute_at_one_shop_share_their_line(
    app: Flask, freeze: Freeze, station: Station
) -> None:
    first, second = app.test_client(), app.test_client()
    freeze(datetime(2026, 12, 1, 12, 0, 5, tzinfo=BERLIN))
    assert tap(first, station.token).status_code == 303
    first.get("/karte")
    freeze(datetime(2026, 12, 1, 12, 0, 50, tzinfo=BERLIN))
    assert tap(second, station.token).status_code == 303
    with rendered_templates(app) as names:
        page = second.get("/karte").text
    assert "rally/_stamp_item.html" not in names  # the first card's line, 45 s earlier
    assert card_lists(page)[0] == [("Buchladen Seite", "1. Dezember, 12:00 Uhr")]
    freeze(datetime(2026, 12, 1, 12, 1, 0, tzinfo=BERLIN))
    assert tap(first, make_second_station(station).token).status_code == 303
    with rendered_templates(app) as names:
        page = first.get("/karte").text
    assert names.count("rally/_stamp_item.html") == 1  # a new minute, a new line
    assert card_lists(page)[0] == [("Buchladen Seite", "1. Dezember, 12:00 Uhr"),
                                   ("Zweiter Laden", "1. Dezember, 12:01 Uhr")]


def make_second_station(station: Station) -> Station:
    """Another station in the rally of ``station``."""
    rally = db.session.get(Rally, station.rally_id)
    assert rally is not None
    second = make_station(rally, make_shop(name="Zweiter Laden"))
    db.session.commit()
    return second


def test_stored_card_pages_equal_fresh_ones_in_every_state(
    app: Flask, client: FlaskClient, freeze: Freeze
) -> None:
    rally = make_rally(stamp_goal=3)
    names = ("Müller & <Söhne>", "Bäckerei", "Café", "Drogerie")
    stations = [make_station(rally, make_shop(name=name)) for name in names]
    db.session.commit()

    def same_both_ways(notice: tuple[str, object] | None = None) -> str:
        fresh, stored, rendered = fresh_then_stored(app, client, notice)
        assert "rally/card.html" not in rendered
        assert stored == fresh
        return stored

    assert tap(client, stations[0].token).status_code == 303
    page = same_both_ways(("stamp-new", stations[0].id))
    assert "Danke für deinen Besuch bei Müller &amp; &lt;Söhne&gt;." in page
    assert "<Söhne>" not in page
    page = same_both_ways(("stamp-again", stations[0].id))
    assert "Bei Müller &amp; &lt;Söhne&gt; hast du schon gestempelt." in page
    assert "Noch 2 Stempel, dann kannst du" in same_both_ways()

    for station in stations[1:3]:
        assert tap(client, station.token).status_code == 303
    page = same_both_ways()
    assert "Jetzt an der Verlosung teilnehmen" in page
    assert card_lists(page)[1] == ["Drogerie"]

    assert tap(client, stations[3].token).status_code == 303
    page = same_both_ways(("stamp-new", stations[3].id))
    assert "Stempel 4!" in page
    assert "Noch zu besuchen" not in page

    freeze(AFTER_END)
    assert "Die Teilnahme an der Verlosung ist geschlossen." in same_both_ways()


def test_an_entered_card_is_rendered_afresh(
    app: Flask, client: FlaskClient, station: Station
) -> None:
    assert tap(client, station.token).status_code == 303
    code = card_code(card_page(client))
    card = db.session.scalars(select(Card).where(Card.code == code)).one()
    make_entry(card)
    db.session.commit()
    fresh, again, rendered = fresh_then_stored(app, client)
    assert "rally/card.html" in rendered  # its entry and wins are its own
    assert fresh == again
    assert "Du bist im Lostopf." in again


@pytest.fixture
def hole_page(app: Flask) -> Flask:
    """The app with one more template, whose ``a`` and ``b`` are printed as they are."""
    app.jinja_env.loader = ChoiceLoader([
        DictLoader({"holes.html": "<p>{{ a }}</p><div>{{ b }}</div><i>{{ n }}</i>"}),
        app.jinja_env.loader,  # type: ignore[list-item]
    ])
    return app


def test_holes_are_filled_escaped_unless_markup(hole_page: Flask) -> None:
    with hole_page.test_request_context("/"):
        with rendered_templates(hole_page) as names:
            first = render_page("holes.html", ("k",), {"a": "<x>", "b": Markup("<b>1</b>")}, n=1)
            second = render_page("holes.html", ("k",), {"a": "y & z", "b": Markup("<b>2</b>")}, n=1)
        assert names == ["holes.html"]  # one rendering, two fillings
    assert first == "<p>&lt;x&gt;</p><div><b>1</b></div><i>1</i>"
    assert second == "<p>y &amp; z</p><div><b>2</b></div><i>1</i>"


def test_a_hole_twice_and_the_csrf_token_are_filled_each_time(app: Flask) -> None:
    app.jinja_env.loader = ChoiceLoader([
        DictLoader({"twice.html": "{{ a }}|{{ csrf_token() }}|{{ a }}|{{ b }}"}),
        app.jinja_env.loader,  # type: ignore[list-item]
    ])
    with app.test_request_context("/"):
        token = generate_csrf()
        # A value that spells another hole's placeholder is text, not a hole.
        page = render_page("twice.html", ("k",), {"a": "1", "b": rendercache.hole("a")})
        assert page == f"1|{token}|1|{rendercache.hole('a')}"
        assert render_page("twice.html", ("k",), {"a": "<2>", "b": ""}) == (
            f"&lt;2&gt;|{token}|&lt;2&gt;|"
        )


def test_no_key_means_a_fresh_rendering_with_the_values(hole_page: Flask) -> None:
    with hole_page.test_request_context("/"):
        with rendered_templates(hole_page) as names:
            pages = [render_page("holes.html", None, {"a": "<x>", "b": "b"}, n=n) for n in (1, 1)]
        assert names == ["holes.html", "holes.html"]
    assert pages == ["<p>&lt;x&gt;</p><div>b</div><i>1</i>"] * 2


def shop_info(name: str) -> ShopInfo:
    """A shop record as the card page's queries return it."""
    return ShopInfo(name=name, slug="laden", street="Hermannstraße 1", postcode="45699",
                    city="Herten")


def test_fragments_render_each_record_once(app: Flask) -> None:
    apotheke = StationLine(1, shop_info("Apotheke"))
    baeckerei = StationLine(2, shop_info("Bäckerei"))
    with app.test_request_context("/karte"):
        with rendered_templates(app) as names:
            both = str(fragments("rally/_station_item.html", "station", [apotheke, baeckerei]))
        assert names == ["rally/_station_item.html"] * 2
        assert re.findall(r"<li><strong>([^<]*)</strong>", both) == ["Apotheke", "Bäckerei"]
        assert both.count("Hermannstraße 1, 45699 Herten") == 2

        with rendered_templates(app) as names:
            swapped = str(fragments("rally/_station_item.html", "station", [baeckerei, apotheke]))
        assert names == []
        assert re.findall(r"<li><strong>([^<]*)</strong>", swapped) == ["Bäckerei", "Apotheke"]

        single = str(fragment("rally/_station_item.html", station=baeckerei))
        with rendered_templates(app) as names:
            assert str(fragment("rally/_station_item.html", station=baeckerei)) == single
            assert str(fragment("rally/_station_item.html", station=apotheke)) != single
        assert names == ["rally/_station_item.html"]  # only the Apotheke's, once
        assert "<strong>Bäckerei</strong>" in single and "Apotheke" not in single

        renamed = StationLine(1, shop_info("Apotheke am Markt"))
        with rendered_templates(app) as names:
            fresh = str(fragments("rally/_station_item.html", "station", [renamed]))
            again = str(fragment("rally/_station_item.html", station=renamed))
        assert "rally/_station_item.html" in names
        assert "<strong>Apotheke am Markt</strong>" in fresh
        assert "<strong>Apotheke am Markt</strong>" in again

        assert str(fragments("rally/_station_item.html", "station", [])) == ""
        evil = StationLine(3, shop_info("<b>Böse & Co</b>"))
        escaped = "<strong>&lt;b&gt;Böse &amp; Co&lt;/b&gt;</strong>"
        assert escaped in str(fragments("rally/_station_item.html", "station", [evil]))
        assert escaped in str(fragment("rally/_station_item.html", station=evil))


# --- cached_url_for and Memo --------------------------------------------------------------

URL_CASES: list[tuple[str, dict[str, Any]]] = [
    ("rally.card", {}),
    ("office.home", {}),
    ("rally.scan", {"token": "AbCdEfGhIjKlMnOpQrStUv"}),
    ("rally.restore", {"code": "K7QM-2XPA", "token": "0" * 40}),
    ("static", {"filename": "css/site.css"}),
    ("rally.shops", {"kategorie": "Bücher & Geschenke"}),
]


def test_cached_url_for_gives_what_url_for_gives(app: Flask) -> None:
    with app.test_request_context("/"):
        for endpoint, values in URL_CASES:
            expected = url_for(endpoint, **values)
            assert cached_url_for(endpoint, **values) == expected
            assert cached_url_for(endpoint, **values) == expected  # now from the memo
        assert cached_url_for("rally.card") == "/karte"
        assert cached_url_for("rally.scan", token="x") != cached_url_for("rally.scan", token="y")
        assert cached_url_for("rally.card", _anchor="oben") == "/karte#oben"
        external = cached_url_for("rally.card", _external=True)
        assert external == url_for("rally.card", _external=True) == "http://localhost/karte"
    with app.test_request_context("/", base_url="https://rallye.example"):
        assert cached_url_for("rally.card", _external=True) == "https://rallye.example/karte"
        assert cached_url_for("rally.card") == "/karte"


def test_cached_url_for_builds_unhashable_arguments_uncached(app: Flask) -> None:
    """Its docstring promises that unhashable arguments are simply not remembered."""
    with app.test_request_context("/"):
        assert cached_url_for("rally.shops", q=["a", "b"]) == "/geschaefte?q=a&q=b"


def test_cached_url_for_follows_the_script_root(app: Flask) -> None:
    with app.test_request_context("/"):
        assert cached_url_for("rally.card") == "/karte"
        assert cached_url_for("static", filename="css/site.css") == "/static/css/site.css"
    with app.test_request_context("/", base_url="http://localhost/rallye"):
        for endpoint, values in URL_CASES:
            assert cached_url_for(endpoint, **values) == url_for(endpoint, **values)
        assert cached_url_for("rally.card") == "/rallye/karte"
        assert cached_url_for("static", filename="css/site.css") == "/rallye/static/css/site.css"
        assert cached_url_for("rally.card", _external=True) == "http://localhost/rallye/karte"
    with app.test_request_context("/"):
        assert cached_url_for("rally.card") == "/karte"


def test_cached_url_for_resolves_dotted_names_per_blueprint(app: Flask) -> None:
    with app.test_request_context("/karte"):
        assert cached_url_for(".shops") == url_for(".shops") == "/geschaefte"
        assert cached_url_for(".card") == "/karte"
    with app.test_request_context("/buero/geschaefte"):
        assert cached_url_for(".shops") == url_for(".shops") == "/buero/geschaefte"
    with app.test_request_context("/api/v1/shops"):
        assert cached_url_for(".shops") == url_for(".shops") == "/api/v1/shops"
        assert cached_url_for(".card") == "/api/v1/card"


def test_memo_remembers_and_empties_itself_when_full() -> None:
    memo = Memo(3)
    made: list[int] = []

    def maker(key: int) -> Any:
        def make() -> str:
            made.append(key)
            return f"value {key}"
        return make

    for key in (1, 2, 3):
        assert memo.get(key, maker(key)) == f"value {key}"
    assert memo.get(1, maker(1)) == "value 1"
    assert made == [1, 2, 3]
    assert len(memo.items) == 3

    assert memo.get(4, maker(4)) == "value 4"
    assert memo.items == {4: "value 4"}
    assert memo.get(1, maker(1)) == "value 1"
    assert made == [1, 2, 3, 4, 1]
    for key in range(100):
        memo.get(key, maker(key))
        assert len(memo.items) <= 3


# --- the when filter ------------------------------------------------------------------------


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


def test_when_day_and_time_agree_with_babel(app: Flask) -> None:
    with app.test_request_context():
        for month in range(1, 13):
            for hour, minute in ((0, 0), (7, 5), (21, 59), (22, 30), (23, 1)):
                moment = datetime(2026, month, 28, hour, minute, tzinfo=UTC)
                assert when(moment, "day") == format_datetime(moment, "d. MMMM")
                assert when(moment, "time") == format_datetime(moment, "HH:mm")


def test_home_page_shows_the_rally_days(client: FlaskClient, station: Station) -> None:
    page = client.get("/").text
    assert "1. Dezember – 24. Dezember" in page
