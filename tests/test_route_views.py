"""The route and "jetzt geöffnet" on /geschaefte and /karte: from the office without a
card, from the latest stamp with one, shops without coordinates last, the plan drawn
inline, and what the card page costs in queries."""

import re
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.clock import BERLIN
from app.extensions import db
from app.models import OpeningHours, Rally, Station

from .helpers import make_rally, make_shop, make_station
from .test_prizes_and_dates import counted_statements, tap

Freeze = object
FRIDAY_NOON = datetime(2026, 12, 4, 12, 0, tzinfo=BERLIN)


def week(*days: int, opens: int = 540, closes: int = 1080) -> list[OpeningHours]:
    """Rows for the given weekdays, 9–18 unless told."""
    return [OpeningHours(weekday=day, opens=opens, closes=closes) for day in days]


@pytest.fixture
def town(app: Flask, freeze) -> tuple[Rally, list[Station]]:  # type: ignore[no-untyped-def]
    """Four shops east of the office in a line, one without coordinates; Friday noon."""
    freeze(FRIDAY_NOON)
    rally = make_rally()
    shops = [
        make_shop(name="Delta Mode", lat=51.59633, lon=7.14584),
        make_shop(name="Alpha Bücher", lat=51.59633, lon=7.14334),
        make_shop(name="Gamma Café", lat=51.59633, lon=7.14484),
        make_shop(name="Beta Blumen", lat=51.59633, lon=7.14384),
        make_shop(name="Ohne Ort", lat=None, lon=None),
    ]
    shops[0].hours = week(0, 1, 2, 3, 4)
    shops[1].hours = week(5, opens=600, closes=960)  # only Saturdays
    shops[2].hours = week(4, opens=540, closes=720) + week(4, opens=840, closes=1080)
    stations = [make_station(rally, shop) for shop in shops]
    db.session.commit()
    return rally, stations


def route_section(html: str) -> str:
    """The route partial of a page."""
    return html.split('id="route-titel"')[1].split("</section>")[0]


def stops(html: str) -> list[str]:
    """The numbered stops' shop names, in order."""
    return re.findall(r'<span class="route-shop"><strong>([^<]*)</strong>', route_section(html))


def test_shops_page_without_a_card_walks_from_the_office(
    client: FlaskClient, town: tuple[Rally, list[Station]]
) -> None:
    page = client.get("/geschaefte")
    assert page.status_code == 200
    route = route_section(page.text)
    assert "Start: Nutzungsmanagement Innenstadt, Hermannstraße 16 (Büro)" in route
    assert stops(page.text) == ["Alpha Bücher", "Beta Blumen", "Gamma Café", "Delta Mode"]
    assert re.search(r"Ohne Ortsangabe</h3>\s*<ul[^>]*>\s*<li><strong>Ohne Ort</strong>", route)
    # 0.0005° of longitude here is about 35 m: 35 m to Alpha, then 35, 69 and 69 m,
    # each rounded to 10 m; the total (208 m) is rounded once.
    assert "4 Geschäfte · <strong>210 m</strong> · ca. 3 Minuten zu Fuß" in route
    assert "Vom Start bis Nr. 1: 30 m" in route
    assert "30 m bis Nr. 2" in route and "70 m bis Nr. 3" in route and "70 m bis Nr. 4" in route
    # The plan: inline SVG with a title and description, the start and four stops.
    assert '<svg class="plan" viewBox="0 0 360 ' in route
    assert 'role="img" aria-labelledby="route-plan-titel route-plan-text"' in route
    assert '<title id="route-plan-titel">Plan des Rundgangs</title>' in route
    assert route.count('<g class="plan-stop">') == 4 and "plan-stamped" not in route
    assert "http" not in route.split("<svg")[1].split("</svg>")[0]


def test_open_now_beside_each_shop_on_friday_noon(
    client: FlaskClient, town: tuple[Rally, list[Station]]
) -> None:
    html = client.get("/geschaefte").text
    listing = html.split('id="route-titel"')[1].split("</section>", 1)[1]

    def state(name: str) -> str:
        """The open-now text beside ``name`` in the shop list."""
        item = listing.split(f"<h3>{name}")[1].split("</li>")[0]
        found = re.search(r'<span class="open-now[^"]*">([^<]*)</span>', item)
        return found.group(1) if found else ""

    assert state("Delta Mode") == "Jetzt geöffnet · bis 18:00"
    assert state("Alpha Bücher") == "Geschlossen · öffnet morgen 10:00"
    assert state("Gamma Café") == "Geschlossen · öffnet heute 14:00"  # lunch break
    assert state("Beta Blumen") == ""  # hours only as text: nothing claimed
    assert 'class="open-now is-open"' in listing
    # The text stays readable behind "Mehr".
    assert "<summary>" in listing and "Geöffnet:</span> Mo–Fr 9–18 Uhr" in listing


def test_open_now_is_computed_per_request(
    client: FlaskClient, town: tuple[Rally, list[Station]], freeze  # type: ignore[no-untyped-def]
) -> None:
    assert "Jetzt geöffnet · bis 18:00" in client.get("/geschaefte").text
    freeze(datetime(2026, 12, 4, 18, 0, tzinfo=BERLIN))
    html = client.get("/geschaefte").text
    assert "Jetzt geöffnet" not in html and "Geschlossen · öffnet Mo 9:00" in html


def test_card_page_walks_from_the_latest_stamp(
    client: FlaskClient, town: tuple[Rally, list[Station]], freeze  # type: ignore[no-untyped-def]
) -> None:
    _rally, stations = town
    tap(client, stations[1].token)  # Alpha, the westernmost
    freeze(datetime(2026, 12, 4, 12, 30, tzinfo=BERLIN))
    tap(client, stations[2].token)  # Gamma, in the middle: the latest
    client.get("/karte")  # the celebration
    page = client.get("/karte")
    route = route_section(page.text)
    assert "Start: Gamma Café, dein letzter Stempel" in route
    assert stops(page.text) == ["Delta Mode", "Beta Blumen"]
    assert route.count('class="plan-stamped"') == 2
    assert "Ohne Ort" in route
    # The shops page of the same browser follows the same card.
    assert stops(client.get("/geschaefte").text) == ["Delta Mode", "Beta Blumen"]


def test_card_page_with_every_shop_stamped(
    client: FlaskClient, town: tuple[Rally, list[Station]]
) -> None:
    _rally, stations = town
    for station in stations:
        tap(client, station.token)
    client.get("/karte")
    route = route_section(client.get("/karte").text)
    assert "Du hast schon in allen Geschäften gestempelt" in route and "<svg" not in route


def test_the_route_costs_the_card_page_one_query_whatever_the_shops(
    app: Flask, client: FlaskClient, town: tuple[Rally, list[Station]]
) -> None:
    rally, stations = town
    tap(client, stations[0].token)
    client.get("/karte")

    def karte_statements() -> list[str]:
        """The statements of one card page."""
        with counted_statements() as statements:
            assert client.get("/karte").status_code == 200
        return [statement for statement in statements if statement.startswith("SELECT")]

    few = karte_statements()
    assert sum("opening_hours.weekday" in statement for statement in few) == 1
    for index in range(8):
        shop = make_shop(name=f"Neu {index}", lat=51.596 + index / 10_000, lon=7.142)
        shop.hours = week(0, 1, 2, 3, 4, 5)
        make_station(rally, shop)
    db.session.commit()
    assert len(karte_statements()) == len(few)
