"""Races: many simultaneous taps of one card at one station give exactly one stamp."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import Card, Stamp
from app.services.stamping import StampResult, stamp_card

from .helpers import FIRST_DAY, csrf_token, make_rally, make_station

pytestmark = [
    pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True),
    pytest.mark.usefixtures("freeze"),
]

THREADS = 16
T = TypeVar("T")


def all_at_once(app: Flask, work: Callable[[int], T], n: int = THREADS) -> list[T]:
    """Run ``work(i)`` in ``n`` threads, each in its own app context, released together."""
    barrier = threading.Barrier(n)

    def run(i: int) -> T:
        with app.app_context():
            barrier.wait()
            try:
                return work(i)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def stamp_rows(card_id: int, station_id: int) -> int:
    """Stamps of one card at one station."""
    query = select(func.count()).select_from(Stamp).where(
        Stamp.card_id == card_id, Stamp.station_id == station_id
    )
    return db.session.scalar(query) or 0


def test_same_card_same_station_gives_one_stamp(app: Flask) -> None:
    rally = make_rally()
    first, target = make_station(rally), make_station(rally)
    db.session.commit()
    secret = stamp_card(card_secret=None, token=first.token, now=FIRST_DAY).card_secret
    token = target.token
    db.session.remove()

    results: list[StampResult] = all_at_once(
        app, lambda _i: stamp_card(card_secret=secret, token=token, now=FIRST_DAY)
    )
    assert sum(result.new_stamp for result in results) == 1
    assert {result.stamp_count for result in results} == {2}
    card_id = results[0].card_id
    assert stamp_rows(card_id, target.id) == 1
    assert db.session.scalar(select(func.count()).select_from(Card)) == 1


def test_one_card_many_stations_at_once(app: Flask) -> None:
    rally = make_rally()
    stations = [make_station(rally) for _ in range(THREADS + 1)]
    db.session.commit()
    secret = stamp_card(card_secret=None, token=stations[0].token, now=FIRST_DAY).card_secret
    tokens = [station.token for station in stations[1:]]
    db.session.remove()

    results = all_at_once(
        app, lambda i: stamp_card(card_secret=secret, token=tokens[i], now=FIRST_DAY)
    )
    assert all(result.new_stamp for result in results)
    assert db.session.scalar(select(func.count()).select_from(Stamp)) == THREADS + 1
    # Every concurrent insert moved the card's count, and each saw its own insert counted.
    assert db.session.scalar(select(Card.stamp_count)) == THREADS + 1
    assert sorted(result.stamp_count for result in results) == list(range(2, THREADS + 2))


def test_http_double_taps_of_one_browser(app: Flask) -> None:
    """The same browser's POST sent many times at once through the whole stack."""
    station = make_station(make_rally())
    db.session.commit()
    token = station.token
    browser = app.test_client()
    page = browser.get(f"/s/{token}")
    browser.post(f"/s/{token}", data={"csrf_token": csrf_token(page.text)})
    cookie = browser.get_cookie("stempelkarte").value
    session_cookie = browser.get_cookie("sitzung").value
    form = {"csrf_token": csrf_token(browser.get("/stempel").text)}
    other = make_station(station.rally)
    db.session.commit()
    other_token = other.token
    db.session.remove()

    def post(_i: int) -> int:
        client = app.test_client()
        client.set_cookie("stempelkarte", cookie)
        client.set_cookie("sitzung", session_cookie)
        return client.post(f"/s/{other_token}", data=form).status_code

    statuses = all_at_once(app, post)
    assert statuses == [303] * THREADS
    assert db.session.scalar(select(func.count()).select_from(Stamp)) == 2
