"""Races of "Karten zusammenlegen": merges of one pair from both sides, a merge against
stamps and restores of the retired card, double submits through the whole stack. On
PostgreSQL the row locks decide; on SQLite the write lock."""

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Card, CardKey, Entry, Stamp
from app.services import codes
from app.services.card_merge import MergeResult, merge
from app.services.cards import add_card_key, restore_card
from app.services.entries import enter_draw
from app.services.stamping import stamp_card

from .helpers import FIRST_DAY, csrf_token, make_card, make_rally, make_station
from .test_concurrency import THREADS, all_at_once

pytestmark = [
    pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True),
    pytest.mark.usefixtures("freeze"),
]


def cards_now() -> dict[int, tuple[int | None, int, set[int]]]:
    """Every card: (merged into, stamp count, stations stamped), fresh from the database."""
    db.session.expire_all()
    stamped: dict[int, set[int]] = {}
    for card_id, station_id in db.session.execute(select(Stamp.card_id, Stamp.station_id)):
        stamped.setdefault(card_id, set()).add(station_id)
    return {card.id: (card.merged_into_id, card.stamp_count, stamped.get(card.id, set()))
            for card in db.session.scalars(select(Card))}


def one_survivor(expected_stations: set[int]) -> int:
    """Assert one card holds every station's stamp and the other none; return its id."""
    found = cards_now()
    alive = [card_id for card_id, (into, _count, _stations) in found.items() if into is None]
    assert len(alive) == 1, found
    survivor = alive[0]
    for card_id, (into, count, stations) in found.items():
        if card_id == survivor:
            assert stations == expected_stations and count == len(expected_stations), found
        else:
            assert into == survivor and count == 0 and stations == set(), found
    return survivor


def test_merges_from_both_sides_at_once_make_one_card(app: Flask) -> None:
    rally = make_rally()
    stations = [make_station(rally) for _ in range(5)]
    card_a = make_card(rally, stations[:3], 3)
    card_b = make_card(rally, stations[2:5], 3)
    ids = (card_a.id, card_b.id)
    union = {station.id for station in stations}
    db.session.commit()
    db.session.remove()

    results: list[MergeResult] = all_at_once(
        app, lambda i: merge(ids[i % 2], ids[1 - i % 2], FIRST_DAY))

    assert sum(not result.already for result in results) == 1
    survivor = one_survivor(union)
    assert {result.survivor_id for result in results} == {survivor}
    assert {result.stamp_count for result in results} == {5}
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_stamps_on_the_retired_card_during_a_merge_are_not_lost(app: Flask) -> None:
    """Stamps of card A at shops card B lacks, racing the merge of A and B."""
    rally = make_rally()
    stations = [make_station(rally) for _ in range(4 + THREADS - 1)]
    card_a = make_card(rally, stations[:1], 1)
    card_b = make_card(rally, stations[1:4], 3)
    secret = add_card_key(card_a, FIRST_DAY)
    ids = (card_a.id, card_b.id)
    tokens = [station.token for station in stations[4:]]
    union = {station.id for station in stations}
    db.session.commit()
    db.session.remove()

    def work(i: int) -> object:
        """Thread 0 merges; the others stamp card A, each at a shop of its own."""
        if i == 0:
            return merge(ids[0], ids[1], FIRST_DAY)
        return stamp_card(card_secret=secret, token=tokens[i - 1], now=FIRST_DAY)

    results = all_at_once(app, work)

    assert all(result.new_stamp for result in results[1:])  # type: ignore[attr-defined]
    survivor = one_survivor(union)
    assert results[0].survivor_id == survivor  # type: ignore[attr-defined]


def test_restores_of_the_retired_card_during_a_merge_hold_the_survivor(app: Flask) -> None:
    rally = make_rally()
    stations = [make_station(rally) for _ in range(3)]
    card_a = make_card(rally, stations[:1], 1)
    card_b = make_card(rally, stations[1:3], 2)
    ids, code = (card_a.id, card_b.id), card_a.code
    token = codes.recovery_token(app.secret_key, code)
    db.session.commit()
    db.session.remove()

    def work(i: int) -> object:
        """Thread 0 merges; the others open card A's recovery link."""
        if i == 0:
            return merge(ids[0], ids[1], FIRST_DAY)
        return restore_card(app.secret_key, code, token, FIRST_DAY)

    all_at_once(app, work)

    keys = db.session.execute(select(CardKey.card_id, func.count()).group_by(CardKey.card_id))
    assert dict(keys.all()) == {card_b.id: THREADS - 1}


def test_double_submits_of_one_merge_make_one_merge_and_no_error(app: Flask) -> None:
    """The same browser's merge button sent many times at once, through the whole stack."""
    rally = make_rally()
    stations = [make_station(rally) for _ in range(4)]
    card_a = make_card(rally, stations[:2], 2)
    card_b = make_card(rally, stations[1:4], 3)
    cookie = add_card_key(card_a, FIRST_DAY)
    db.session.commit()
    browser = app.test_client()
    browser.set_cookie("stempelkarte", cookie)
    token = codes.recovery_token(app.secret_key, card_b.code)
    path = f"/karte/wiederherstellen/{card_b.code}/{token}"
    page = browser.get(path)
    session_cookie = browser.get_cookie("sitzung").value
    form = {"csrf_token": csrf_token(page.text)}
    union = {station.id for station in stations}
    db.session.remove()

    def post(_i: int) -> int:
        """Press the merge button in a client of its own with the same cookies."""
        client = app.test_client()
        client.set_cookie("stempelkarte", cookie)
        client.set_cookie("sitzung", session_cookie)
        return client.post(path + "/zusammenlegen", data=form).status_code

    statuses = all_at_once(app, post)

    assert statuses == [303] * THREADS
    one_survivor(union)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_an_entry_racing_the_merge_ends_on_the_survivor(app: Flask) -> None:
    """Card A enters the draw while A and B merge: whoever wins, the one entry is on the
    card that holds the stamps (A survives if its entry came first, else B gets it)."""
    rally = make_rally()
    stations = [make_station(rally) for _ in range(5)]
    card_a = make_card(rally, stations[:3], 3)
    card_b = make_card(rally, stations[1:5], 4)
    ids = (card_a.id, card_b.id)
    union = {station.id for station in stations}
    db.session.commit()
    db.session.remove()

    def work(i: int) -> object:
        """Thread 0 merges, thread 1 enters card A."""
        if i == 0:
            return merge(ids[0], ids[1], FIRST_DAY)
        return enter_draw(card_id=ids[0], name="Mia", contact="mia@example.org",
                          age_confirmed=True, consent=True, now=FIRST_DAY).card_id

    _merged, entered = all_at_once(app, work, n=2)

    survivor = one_survivor(union)
    assert entered == survivor
    assert list(db.session.scalars(select(Entry.card_id))) == [survivor]
