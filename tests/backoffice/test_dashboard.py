"""The dashboard page: numbers, charts with their tables, the funnel."""

import re
from datetime import datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient

from app.clock import BERLIN
from app.extensions import db
from app.models import Card, Stamp

from ..helpers import make_rally, make_station


def add_card(rally, stations, *, at: datetime, code: str, flag: str = "none") -> Card:
    """A card stamped at ``stations``, one minute apart from ``at``."""
    card = Card(rally_id=rally.id, code=code, created_at=at, flag=flag)
    db.session.add(card)
    db.session.flush()
    for n, station in enumerate(stations):
        db.session.add(Stamp(rally_id=rally.id, card_id=card.id, station_id=station.id,
                             created_at=at + timedelta(minutes=n), source="qr"))
    return card


def test_dashboard_shows_numbers_charts_and_tables(app: Flask, staff_client: FlaskClient,
                                                   freeze) -> None:
    freeze(datetime(2026, 12, 3, 15, 0, tzinfo=BERLIN))
    rally = make_rally(slug="advent", name="Advents-Rallye", stamp_goal=3)
    stations = [make_station(rally) for _ in range(6)]
    add_card(rally, stations, at=datetime(2026, 12, 1, 10, 0, tzinfo=BERLIN), code="AAAA-0001")
    add_card(rally, stations[:3], at=datetime(2026, 12, 3, 9, 0, tzinfo=BERLIN),
             code="AAAA-0002", flag="flagged")
    add_card(rally, stations[:1], at=datetime(2026, 12, 3, 23, 30, tzinfo=BERLIN) -
             timedelta(days=1), code="AAAA-0003")  # 2 Dec, 23:30 local
    db.session.commit()
    page = staff_client.get("/buero/").text
    numbers = dict(re.findall(r"<dt>([^<]+)</dt>\s*<dd>\s*(\d+)", page))
    assert numbers == {"Karten": "3", "Stempel heute": "3", "Stempel gesamt": "10",
                       "Teilnahmen": "0", "Markiert": "1"}
    assert '<svg class="chart chart-days"' in page and 'role="img"' in page
    assert "<title id=\"tage-svg-titel\">Stempel pro Tag</title>" in page
    assert "Dienstag, 1. Dezember" in page
    assert re.search(r"Mittwoch, 2. Dezember</th><td class=\"num\">1<", page)
    assert re.search(r"Donnerstag, 3. Dezember \(heute\)</th><td class=\"num\">3<", page)
    assert page.count('class="bar') == 3 + 6  # three days, six shops
    # Funnel: of 3 cards, 3 have ≥1, 1 has ≥5, 2 reached the goal of 3, 1 has all six.
    cells = r"</th>\s*<td class=\"num\">(\d+)</td>\s*<td class=\"num\">(\d+) %"
    assert re.search("mindestens 1 Stempel" + cells, page).groups() == ("3", "100")
    assert re.search("mindestens 5 Stempel" + cells, page).groups() == ("1", "33")
    assert re.search(r"Ziel erreicht \(3 Stempel\)</th>\s*<td class=\"num\">2</td>", page)
    assert re.search(r"alle 6 aktiven Geschäfte</th>\s*<td class=\"num\">1</td>", page)


def test_dashboard_before_the_start(staff_client: FlaskClient, freeze) -> None:
    freeze(datetime(2026, 11, 20, 12, 0, tzinfo=BERLIN))
    make_rally(slug="advent")
    db.session.commit()
    page = staff_client.get("/buero/?rally=advent").text
    assert "Beginnt am" in page and "Die Rallye hat noch nicht begonnen." in page
    assert "Diese Rallye hat noch keine Geschäfte." in page


def test_rally_picker_and_draft_rallies(staff_client: FlaskClient) -> None:
    make_rally(slug="advent", name="Advent")
    make_rally(slug="blumen", name="Blumenmarkt", status="draft")
    db.session.commit()
    page = staff_client.get("/buero/?rally=blumen").text
    assert '<option value="blumen" selected>Blumenmarkt (Entwurf)</option>' in page
    assert "Entwurf" in page


def test_draws_link_only_when_the_draws_page_exists(app: Flask,
                                                    staff_client: FlaskClient) -> None:
    page = staff_client.get("/buero/").text
    assert ("/buero/ziehungen" in page or "Ziehungen" in page) == (
        "backoffice.draws" in app.view_functions)
