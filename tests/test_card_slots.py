"""The stamp card's fields: how many of each in every state of a card, the stamps'
initials and colours, and the card page that shows them in each state."""

import re
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import clock
from app.extensions import db
from app.models import Rally, Station
from app.services import card_slots, procedure
from app.services.card_slots import INKS, PAPER, WASH_OPACITY, initials, ink, lay_out, tilt
from app.services.cards import StampLine, create_card
from app.services.draws import run_draw, seal_draw

from .helpers import (
    FIRST_DAY,
    make_card,
    make_entry,
    make_prizes,
    make_rally,
    make_shop,
    make_station,
)
from .test_entries import entry_form
from .test_prizes_and_dates import counted_statements
from .test_shopper_pages import BOTH_DATABASES, tap

Freeze = Callable[[datetime], None]


def stamp_lines(count: int) -> list[StampLine]:
    """``count`` stamps of different shops, an hour apart from 1 December, 9:00."""
    return [
        StampLine(station_id=n, created_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
                  + timedelta(hours=n), source="qr", shop_name=f"Laden {n}", shop_slug=f"laden-{n}")
        for n in range(1, count + 1)
    ]


@pytest.mark.parametrize(
    ("stamps", "goal", "stations", "goal_stamped", "extra", "extra_stamped"),
    [
        (0, 10, 40, 0, 30, 0),  # no stamp
        (3, 10, 40, 3, 30, 0),  # some
        (10, 10, 40, 10, 30, 0),  # goal reached
        (12, 10, 40, 10, 30, 2),  # beyond the goal
        (40, 10, 40, 10, 30, 30),  # every shop
        (2, 10, 4, 2, 0, 0),  # fewer shops than the goal: the goal's fields still show
        (3, 3, 3, 3, 0, 0),  # a card of three shops, all stamped
    ],
    ids=["none", "some", "goal", "beyond-goal", "all-shops", "few-shops", "small-rally"],
)
def test_fields_per_state(stamps: int, goal: int, stations: int, goal_stamped: int,
                          extra: int, extra_stamped: int) -> None:
    slots = lay_out(stamp_lines(stamps), goal, stations)
    assert len(slots.goal) == goal and len(slots.extra) == extra
    assert sum(slot.stamp is not None for slot in slots.goal) == goal_stamped
    assert sum(slot.stamp is not None for slot in slots.extra) == extra_stamped
    numbers = [slot.number for slot in slots.goal + slots.extra]
    assert numbers == list(range(1, slots.total + 1))
    # Stamps fill the fields in order, oldest first, and nothing is new unless celebrated.
    filled = [slot.stamp.shop_name for slot in slots.goal + slots.extra if slot.stamp]
    assert filled == [f"Laden {n}" for n in range(1, stamps + 1)]
    assert not any(slot.is_new for slot in slots.goal + slots.extra)


def test_only_the_newest_stamp_is_new_when_celebrating() -> None:
    slots = lay_out(stamp_lines(3), 10, 40, celebrating=True)
    assert [slot.number for slot in slots.goal if slot.is_new] == [3]
    assert lay_out([], 10, 40, celebrating=True).goal[0].is_new is False


def test_a_stamps_day_is_berlin_time() -> None:
    late = StampLine(1, datetime(2026, 12, 1, 23, 30, tzinfo=UTC), "qr", "Bistro", "bistro")
    slot = lay_out([late], 3, 3).goal[0]
    assert slot.short_day == "2.12." and slot.initials == "B"


@pytest.mark.parametrize(
    ("name", "letters"),
    [
        ("Café Mühle", "CM"),
        ("dm", "DM"),
        ("Buchhandlung am Markt", "BM"),
        ("Gasthaus Zum Förderkorb", "GF"),
        ("Bäckerei Krümel & Korn", "BK"),
        ("H&M", "HM"),
        ("Rossmann", "R"),
        ("Ärztehaus Ölweg", "ÄÖ"),
        ("Am Markt", "M"),
        ("Zum Anker", "A"),
        ("Im Zu", "IZ"),  # only small words: they make the initials after all
        ("  ", "★"),
    ],
)
def test_initials(name: str, letters: str) -> None:
    assert initials(name) == letters


def test_colours_and_tilt_come_from_the_shop_and_stay() -> None:
    slugs = [f"laden-{n}" for n in range(200)]
    assert [ink(slug) for slug in slugs] == [ink(slug) for slug in slugs]
    assert ink("cafe-muehle") == ink("cafe-muehle") and ink("cafe-muehle") in INKS
    assert {ink(slug) for slug in slugs} == set(INKS)  # every colour is used
    assert all(-card_slots.MAX_TILT <= tilt(slug) <= card_slots.MAX_TILT for slug in slugs)
    assert len({tilt(slug) for slug in slugs}) > 10
    # From the slug alone (CRC-32), so that a shop keeps its colour in every process and
    # from one release to the next; Python's salted hash() would not.
    assert ink("laden-1") == INKS[zlib.crc32(b"laden-1") % len(INKS)]


def luminance(colour: str) -> float:
    """The relative luminance of ``#rrggbb`` (WCAG 2)."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def wash(colour: str, opacity: float, paper: str) -> str:
    """``colour`` at ``opacity`` over ``paper``."""
    mixed = [
        round(int(colour[i:i + 2], 16) * opacity + int(paper[i:i + 2], 16) * (1 - opacity))
        for i in (1, 3, 5)
    ]
    return "#" + "".join(f"{c:02x}" for c in mixed)


@pytest.mark.parametrize("colour", INKS)
def test_every_ink_keeps_aa_contrast_on_its_wash(colour: str) -> None:
    background = wash(colour, WASH_OPACITY, PAPER)
    lighter, darker = sorted((luminance(colour), luminance(background)), reverse=True)
    assert (lighter + 0.05) / (darker + 0.05) >= 4.5


# --- the card page in each state ---------------------------------------------------------


@pytest.fixture
def rally_of_five(app: Flask, freeze: Freeze) -> tuple[Rally, list[Station]]:
    """A running rally of five shops with a goal of three; the clock on 1 December."""
    freeze(FIRST_DAY)
    rally = make_rally(stamp_goal=3)
    names = ["Café Mühle", "dm", "Buchhandlung am Markt", "Eisdiele Venezia", "Optik Klar"]
    stations = [make_station(rally, make_shop(name=name)) for name in names]
    make_prizes(rally, 2)
    db.session.commit()
    return rally, stations


def card_html(client: FlaskClient) -> str:
    """The card page, seen again (no notice of the last tap)."""
    client.get("/karte")
    response = client.get("/karte")
    assert response.status_code == 200
    return response.text


def fields(html: str) -> tuple[int, int, list[str]]:
    """Stamped and free fields of a card page, and the words each field says."""
    stamped = len(re.findall(r'<li class="slot is-stamped', html))
    free = len(re.findall(r'<li class="slot is-free', html))
    words = re.findall(r'<span class="visually-hidden">(Stempel \d+ von \d+: [^<]*)</span>', html)
    return stamped, free, words


def test_a_card_without_stamps(client: FlaskClient,
                               rally_of_five: tuple[Rally, list[Station]]) -> None:
    rally, _stations = rally_of_five
    _card, secret = create_card(rally, clock.utcnow())
    db.session.commit()
    client.set_cookie("stempelkarte", secret)
    html = client.get("/karte").text
    assert fields(html) == (0, 5, [f"Stempel {n} von {of}: noch frei"
                                   for n, of in ((1, 3), (2, 3), (3, 3), (4, 5), (5, 5))])
    assert "0 von 3 Stempeln" in html and "Noch 3 Stempel, dann kannst du" in html
    assert "gestempelt-titel" not in html  # no list of stamps


def test_a_browser_without_a_card_sees_a_blank_card(
        client: FlaskClient, rally_of_five: tuple[Rally, list[Station]]) -> None:
    html = client.get("/karte").text
    assert "noch keine Stempelkarte" in html
    assert fields(html)[:2] == (0, 3)  # the fields for the draw, as a preview


def test_a_card_with_some_stamps(client: FlaskClient,
                                 rally_of_five: tuple[Rally, list[Station]]) -> None:
    _rally, stations = rally_of_five
    tap(client, stations[0].token)
    first = client.get("/karte").text  # the celebration of the stamp
    assert re.search(r'<li class="slot is-stamped is-new">', first)
    assert first.count("is-new") == 1
    tap(client, stations[1].token)
    html = card_html(client)
    stamped, free, words = fields(html)
    assert (stamped, free) == (2, 3)
    assert words[:3] == ["Stempel 1 von 3: Café Mühle, 1. Dezember",
                         "Stempel 2 von 3: dm, 1. Dezember", "Stempel 3 von 3: noch frei"]
    assert "is-new" not in html
    assert ">CM</text>" in html and ">DM</text>" in html and ">1.12.</text>" in html
    assert f'stroke="{ink(stations[0].shop.slug)}"' in html
    assert "Noch 1 Stempel, dann kannst du" in html


def test_goal_reached_not_entered(client: FlaskClient,
                                  rally_of_five: tuple[Rally, list[Station]]) -> None:
    _rally, stations = rally_of_five
    for station in stations[:3]:
        tap(client, station.token)
    html = card_html(client)
    assert fields(html)[:2] == (3, 2)
    assert "3 Stempel gesammelt</strong> (Ziel: 3)" in html
    assert 'href="/karte/teilnahme"' in html
    assert "Alle 5 Geschäfte gestempelt" not in html


@BOTH_DATABASES
def test_entered_and_not_drawn(client: FlaskClient, rally_of_five: tuple[Rally, list[Station]],
                               freeze: Freeze, monkeypatch: pytest.MonkeyPatch) -> None:
    rally, stations = rally_of_five
    other = make_card(rally, stations, 3)
    make_entry(other)
    db.session.commit()

    def draw_other(prize: int, moment: datetime) -> None:
        """Seal and run a draw of ``prize`` at ``moment`` that the other card wins."""
        draw = seal_draw(rally_id=rally.id, kind="daily", day=moment.date(),
                         prize_ids=[prize], beacon_chain=None, now=moment)
        run_draw(draw_id=draw.id, now=moment)

    monkeypatch.setattr(procedure, "winners", lambda *_args: [other.code])
    draw_other(rally.prizes[1].id, FIRST_DAY)  # before this card entered
    freeze(FIRST_DAY + timedelta(hours=1))
    for station in stations[:3]:
        tap(client, station.token)
    response = client.post("/karte/teilnahme", data=entry_form(client))
    assert response.status_code == 303
    html = card_html(client)
    assert "Du nimmst an der Verlosung teil." in html
    assert "Teilnahme eingetragen am 1. Dezember." in html
    assert "nicht gezogen" not in html  # the only draw did not have this card in its pool
    assert 'href="/karte/teilnahme"' not in html and "Du bist im Lostopf" not in html

    draw_other(rally.prizes[0].id, FIRST_DAY + timedelta(hours=2))  # since it entered
    html = card_html(client)
    assert 'Bisher wurde deine Karte nicht gezogen. <a href="/ziehungen">' in html
    assert "Du hast gewonnen" not in html


@BOTH_DATABASES
def test_every_shop_stamped(client: FlaskClient,
                            rally_of_five: tuple[Rally, list[Station]]) -> None:
    _rally, stations = rally_of_five
    for station in stations:
        tap(client, station.token)
    with counted_statements() as statements:
        html = card_html(client)
    stamped, free, words = fields(html)
    assert (stamped, free) == (5, 0)
    assert words[4] == "Stempel 5 von 5: Optik Klar, 1. Dezember"
    assert "Alle 5 Geschäfte gestempelt – stark!" in html
    assert "Noch zu besuchen" not in html
    # The whole card costs what the card with one stamp costs: no query per field.
    fresh = client.application.test_client()
    tap(fresh, stations[0].token)
    with counted_statements() as one_stamp:
        card_html(fresh)
    # Card, stamps, the rally's stations (open shops and route alike), prizes, latest draw
    # and today's Advent door, each twice, and BEGIN.
    assert len(statements) == len(one_stamp) <= 2 * 8
