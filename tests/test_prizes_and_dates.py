"""Prizes, dates and results where shoppers look: home, scan, card, entry form, posters;
the shop directory's search and filter; the header's marks and names."""

import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import event

from app.extensions import db
from app.models import Prize, Rally, Station
from app.services import printset
from app.services.draws import run_draw, seal_draw

from .helpers import (
    AFTER_END,
    BERLIN,
    FIRST_DAY,
    csrf_token,
    make_card,
    make_entry,
    make_rally,
    make_shop,
    make_station,
)

Freeze = Callable[[datetime], None]
ENTRY_CLOSES = datetime(2026, 12, 20, 18, 0, tzinfo=BERLIN)
DRAW_AT = datetime(2026, 12, 28, 12, 0, tzinfo=BERLIN)
ENTRY_CLOSED = datetime(2026, 12, 22, 10, 0, tzinfo=BERLIN)  # the rally still runs
NOTICE = "Wir rufen dich am 28. Dezember an und schreiben dir eine E-Mail."
DONOR = "Buchhandlung Lesezeichen"


def tap(client: FlaskClient, token: str) -> None:
    """Collect the stamp of ``token`` in the client's browser."""
    page = client.get(f"/s/{token}")
    client.post(f"/s/{token}", data={"csrf_token": csrf_token(page.text)})


@pytest.fixture
def world(app: Flask, freeze: Freeze) -> tuple[Rally, list[Station]]:
    """A rally (goal 3, entries until 20 Dec, draw on 28 Dec) with four prizes, the first
    two given by shops, and four stations; the clock on 1 December."""
    freeze(FIRST_DAY)
    rally = make_rally(entry_closes_at=ENTRY_CLOSES, draw_at=DRAW_AT, winners_notice=NOTICE)
    donor = make_shop(name=DONOR)
    other = make_shop(name="Café Kornblume")
    names = ["Einkaufsgutschein über 100 €", "Frühstück für zwei", "Kinokarten", "Stadtführung"]
    for position, name in enumerate(names, start=1):
        db.session.add(Prize(rally_id=rally.id, position=position, name=name,
                             description="im Wert von 40 €" if position == 2 else "",
                             donor_shop_id={1: donor.id, 2: other.id}.get(position)))
    stations = [make_station(rally, donor), make_station(rally, other)]
    stations += [make_station(rally) for _ in range(2)]
    db.session.commit()
    return rally, stations


def main_text(html: str) -> str:
    """The page's main content as text with single spaces (no header, no footer)."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


@pytest.mark.parametrize("page", ["home", "scan", "card", "entry"])
def test_shopper_pages_name_the_prizes_with_donors_and_the_draw_date(
    client: FlaskClient, world: tuple[Rally, list[Station]], page: str
) -> None:
    _rally, stations = world
    for station in stations[1:]:
        tap(client, station.token)  # three stamps: the goal, so the entry form is open
    path = {"home": "/", "scan": f"/s/{stations[0].token}", "card": "/karte",
            "entry": "/karte/teilnahme"}[page]
    text = main_text(client.get(path).text)
    assert "Einkaufsgutschein über 100 €" in text
    assert f"gestiftet von {DONOR}" in text
    assert "Frühstück für zwei im Wert von 40 € gestiftet von Café Kornblume" in text
    assert "28. Dezember" in text  # the draw
    if page != "entry":
        assert "Teilnahme bis 20. Dezember, 18:00 Uhr" in text
        assert "Ziel 3 Stempel" in text
    if page in ("card", "entry"):
        assert NOTICE in text  # how winners are told


def test_card_and_home_name_the_first_three_prizes_and_link_the_rest(
    client: FlaskClient, world: tuple[Rally, list[Station]]
) -> None:
    _rally, stations = world
    tap(client, stations[0].token)
    for path in ("/", "/karte"):
        text = main_text(client.get(path).text)
        assert "Kinokarten" in text and "Stadtführung" not in text
        assert "Alle Preise ansehen (noch 1 weiterer)" in text


def test_scan_page_shows_the_cards_progress(
    client: FlaskClient, world: tuple[Rally, list[Station]]
) -> None:
    rally, stations = world
    first = main_text(client.get(f"/s/{stations[0].token}").text)
    assert "Stempel 0 von" not in first and "von 3" not in first  # no card yet
    tap(client, stations[0].token)
    tap(client, stations[1].token)
    text = main_text(client.get(f"/s/{stations[2].token}").text)
    assert "Stempel 2 von 3" in text
    assert "Stempel einsammeln" in text


def seal_and_run(rally: Rally, now: datetime) -> int:
    """Seal the rally's final draw over its entries and run it; return its id."""
    draw = seal_draw(rally_id=rally.id, kind="final", prize_ids=[p.id for p in rally.prizes],
                     beacon_chain=None, now=now, title="Hauptziehung")
    run_draw(draw_id=draw.id, now=now)
    return draw.id


@pytest.mark.parametrize("state", ["before-draw", "after-draw", "entry-closed"])
def test_card_page_tells_the_state_of_the_draw(
    client: FlaskClient, world: tuple[Rally, list[Station]], freeze: Freeze, state: str
) -> None:
    rally, stations = world
    for station in stations[:2]:
        tap(client, station.token)
    # Someone else entered, so that the draw has a pool.
    make_entry(make_card(rally, stations, 3))
    db.session.commit()
    draw_id = None
    if state == "after-draw":
        freeze(AFTER_END)
        draw_id = seal_and_run(rally, AFTER_END)
    elif state == "entry-closed":
        freeze(ENTRY_CLOSED)
    client.get("/karte")  # the celebration of the last stamp
    html = client.get("/karte").text
    text = main_text(html)
    assert 'href="/ziehungen"' in html.split("<main", 1)[1]  # the draws from the card
    result_links = re.findall(r'href="/ziehungen/(\d+)"', html)
    if state == "after-draw":
        assert result_links == [str(draw_id)]
        assert "Ergebnis ansehen: Hauptziehung" in text
    else:
        assert result_links == []
    closed = "Die Teilnahme an der Verlosung ist seit 20. Dezember, 18:00 Uhr geschlossen."
    assert (closed in text) is (state != "before-draw")
    assert ("Noch 1 Stempel" in text) is (state == "before-draw")


@pytest.mark.parametrize("state", ["before-draw", "entry-closed"])
def test_entry_page_names_the_draw_date_in_every_state(
    client: FlaskClient, world: tuple[Rally, list[Station]], freeze: Freeze, state: str
) -> None:
    _rally, stations = world
    for station in stations[:3]:
        tap(client, station.token)
    if state == "entry-closed":
        freeze(ENTRY_CLOSED)
    text = main_text(client.get("/karte/teilnahme").text)
    assert "Ziehung am Montag, 28. Dezember 2026." in text
    assert ("Jetzt teilnehmen" in text) is (state == "before-draw")


def test_footer_links_the_draws_on_every_page(
    client: FlaskClient, world: tuple[Rally, list[Station]]
) -> None:
    _rally, stations = world
    for path in ("/", f"/s/{stations[0].token}", "/geschaefte", "/impressum", "/stempel"):
        footer = client.get(path).text.split('<footer class="site-footer">', 1)[1]
        assert 'href="/ziehungen"' in footer, path


def test_posters_name_the_main_prize_with_its_donor(
    app: Flask, client: FlaskClient, world: tuple[Rally, list[Station]]
) -> None:
    rally, stations = world
    line = f"Hauptgewinn: Einkaufsgutschein über 100 € – gestiftet von {DONOR}"
    page = client.get(f"/s/{stations[0].token}/plakat").text
    assert line in page
    files = printset.build_print_set(rally, stations, "https://rallye.example.test",
                                     app.config["OFFICE"], "a4")
    first_page = PdfReader(io.BytesIO(files[printset.POSTERS_FILE])).pages[0].extract_text()
    assert " ".join(line.split()) in " ".join(first_page.split())
    assert "rallye.example.test/stempel" in first_page


def test_posters_of_a_rally_without_prizes_leave_the_line_out(
    client: FlaskClient, app: Flask, freeze: Freeze
) -> None:
    freeze(FIRST_DAY)
    station = make_station(make_rally())
    db.session.commit()
    assert "Hauptgewinn" not in client.get(f"/s/{station.token}/plakat").text


def test_poster_fonts_are_served_and_nothing_else(client: FlaskClient, app: Flask) -> None:
    with client.get("/plakat/schrift/sans-black.ttf") as font:
        assert font.status_code == 200 and font.mimetype == "font/ttf"
        assert font.data[:4] == b"\x00\x01\x00\x00"  # a TrueType font
    assert client.get("/plakat/schrift/OFL.ttf").status_code == 404
    assert client.get("/plakat/schrift/..%2F__init__.ttf").status_code == 404


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    """Every SQL statement the app sends while the block runs."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def card_page_statements(client: FlaskClient) -> int:
    """How many statements one card page costs."""
    with counted_statements() as statements:
        assert client.get("/karte").status_code == 200
    return len(statements)


def test_card_page_queries_do_not_grow_with_prizes_and_stamps(
    client: FlaskClient, world: tuple[Rally, list[Station]]
) -> None:
    rally, stations = world
    tap(client, stations[0].token)
    few = card_page_statements(client)
    donors = [make_shop(name=f"Spender {i}") for i in range(6)]
    for offset, shop in enumerate(donors, start=5):
        db.session.add(Prize(rally_id=rally.id, position=offset, name=f"Preis {offset}",
                             donor_shop_id=shop.id))
    db.session.commit()
    for station in stations[1:]:
        tap(client, station.token)
    assert card_page_statements(client) == few


# --- the shop directory -------------------------------------------------------------------


@pytest.fixture
def directory(app: Flask, freeze: Freeze) -> list[Station]:
    """A rally with four shops in two categories; the clock on 1 December."""
    freeze(FIRST_DAY)
    rally = make_rally()
    shops = [
        make_shop(name="Buchhandlung Lesezeichen", category="Bücher", street="Markt 1"),
        make_shop(name="Café Kornblume", category="Cafés", street="Ewaldstraße 4"),
        make_shop(name="Kaffeerösterei Bohne", category="Cafés", street="Markt 9"),
        make_shop(name="Spielwaren Kreisel", category="Spielwaren", street="Hermannstraße 2"),
    ]
    stations = [make_station(rally, shop) for shop in shops]
    db.session.commit()
    return stations


def listed(html: str) -> list[str]:
    """The shop names the directory lists, in order."""
    return re.findall(r'<li [^>]*class="shop[^"]*">\s*<h3>([^<]+?)\s*(?:<|</h3>)', html)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Buchhandlung Lesezeichen", "Café Kornblume", "Kaffeerösterei Bohne",
              "Spielwaren Kreisel"]),
        ("café", ["Café Kornblume", "Kaffeerösterei Bohne"]),  # by category
        ("KORNBLUME", ["Café Kornblume"]),  # any case
        ("markt", ["Buchhandlung Lesezeichen", "Kaffeerösterei Bohne"]),  # by street
        ("markt bohne", ["Kaffeerösterei Bohne"]),  # every word
        ("gibt es nicht", []),
    ],
)
def test_directory_search(
    client: FlaskClient, directory: list[Station], query: str, expected: list[str]
) -> None:
    response = client.get("/geschaefte", query_string={"suche": query})
    assert response.status_code == 200
    assert listed(response.text) == expected
    if not expected:
        assert "Kein Geschäft passt zu deiner Suche." in response.text


def test_directory_filter_leaves_out_visited_shops(
    client: FlaskClient, directory: list[Station]
) -> None:
    everything = listed(client.get("/geschaefte").text)
    assert 'name="offen"' not in client.get("/geschaefte").text  # no card, no filter
    assert listed(client.get("/geschaefte?offen=y").text) == everything  # ignored
    tap(client, directory[1].token)
    tap(client, directory[3].token)
    page = client.get("/geschaefte").text
    assert 'name="offen"' in page and listed(page) == everything
    assert page.count('class="shop is-stamped"') == 2
    assert listed(client.get("/geschaefte?offen=y").text) == [
        "Buchhandlung Lesezeichen", "Kaffeerösterei Bohne"]
    both = client.get("/geschaefte", query_string={"offen": "y", "suche": "café"}).text
    assert listed(both) == ["Kaffeerösterei Bohne"]
    assert re.search(r'<input[^>]*\bchecked\b[^>]*name="offen"', both)  # the filter stays on


def test_directory_all_visited(client: FlaskClient, directory: list[Station]) -> None:
    for station in directory:
        tap(client, station.token)
    page = client.get("/geschaefte?offen=y").text
    assert listed(page) == [] and "Du hast schon in allen Geschäften gestempelt" in page


def test_directory_refuses_bad_searches_in_german(
    client: FlaskClient, directory: list[Station]
) -> None:
    response = client.get("/geschaefte", query_string={"suche": "x" * 101})
    assert response.status_code == 400
    assert re.search(r'id="suche-fehler"[^>]*>Bitte such mit höchstens 100 Zeichen.</p>',
                     response.text)
    assert len(listed(response.text)) == 4  # the whole list, unfiltered
    control = client.get("/geschaefte", query_string={"suche": "Café\x00"})
    assert control.status_code == 400 and "Das hat nicht geklappt" in control.text


# --- the header ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "current"),
    [("/geschaefte", "Geschäfte"), ("/stempel", "Code eintippen"), ("/karte", "Meine Karte"),
     ("/angebote", "Angebote")],
)
def test_header_marks_the_current_page(
    client: FlaskClient, directory: list[Station], path: str, current: str
) -> None:
    header = client.get(path).text.split("</header>", 1)[0]
    marked = re.findall(r'<a href="[^"]+" aria-current="page">([^<]+)</a>', header)
    assert marked == [current]


def test_header_names_the_office_and_one_term_for_typing_codes(
    app: Flask, client: FlaskClient, directory: list[Station]
) -> None:
    office = app.config["OFFICE"]
    for path in ("/", "/angebote", "/impressum", "/stempel", "/geschaefte"):
        page = client.get(path).text
        header = page.split("</header>", 1)[0]
        assert "Innenstadt-Rallye" in header and office["name"] in header, path
        assert "Code eingeben" not in page, path
    assert 'aria-current="page"' in client.get("/").text.split("</header>", 1)[0]


def test_home_is_short_and_links_the_shops_and_services(
    client: FlaskClient, directory: list[Station]
) -> None:
    page = client.get("/").text
    text = main_text(page)
    assert "Zu den 4 Geschäften" in text
    assert "Spielwaren Kreisel" not in text  # one link, not a list of names


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_home_names_the_categories_with_links_to_their_shops(
    client: FlaskClient, directory: list[Station]
) -> None:
    page = client.get("/").text
    main = page.split("<main", 1)[1]
    assert "4 Geschäfte machen mit" in main
    links = re.findall(
        r'<a href="(/geschaefte\?suche=[^"]+)"><span class="category-name">([^<]+) '
        r'<span class="category-count">(\d+)<span class="visually-hidden"> (\w+)</span>', main)
    assert [(name, int(count), word) for _href, name, count, word in links] == [
        ("Bücher", 1, "Geschäft"), ("Cafés", 2, "Geschäfte"), ("Spielwaren", 1, "Geschäft")]
    cafes = client.get(links[1][0].replace("&amp;", "&")).text
    assert listed(cafes) == ["Café Kornblume", "Kaffeerösterei Bohne"]
    assert 'href="/geschaefte">Alle Geschäfte</a>' in main
    # The rally first (its intro, then how it works), the office's offers last.
    order = [main.index(marker) for marker in ('id="rallye-titel"', 'id="so-gehts"',
                                               'id="gewinne-titel"', 'id="geschaefte-titel"')]
    assert order == sorted(order)
    if 'id="angebote-titel"' in main:
        assert main.index('id="angebote-titel"') > order[-1]
