"""Fraud signals: each fires on its pattern and stays silent on an honest walk; the
probe's two-second qualifier lands in the review queue and out of the draw; staff clear
or exclude with a note; the network hash is no address and the purge drops it."""

import hashlib
import itertools
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from app import clock
from app.demo_data import SHOPS
from app.extensions import db
from app.models import AuditEvent, Card, CardSignal, Station
from app.services import fraud
from app.services.cards import set_card_flag
from app.services.draws import seal_draw
from app.services.editing import EditError
from app.services.fraud import FraudRules
from app.services.review import review_queue
from app.services.stamping import stamp_card
from app.services.stations import rotate_station

from .helpers import (
    FIRST_DAY,
    csrf_token,
    make_entry,
    make_prizes,
    make_rally,
    make_shop,
    make_station,
)
from .test_auth import log_in, make_user
from .test_concurrency import THREADS, all_at_once

KEY = fraud.network_key("test-secret-key-with-enough-length-0123456789")
DEFAULT = FraudRules(network_key=KEY)
STRICT = FraudRules(walking_kmh=8, min_gap_seconds=60, burst_stamps=5, burst_minutes=5,
                    shared_code_cards=3, shared_code_seconds=60, network_cards=3,
                    network_minutes=10, network_key=KEY)
LAX = FraudRules(walking_kmh=25, min_gap_seconds=15, burst_stamps=12, burst_minutes=3,
                 shared_code_cards=20, shared_code_seconds=120, network_cards=40,
                 network_minutes=30, network_key=KEY)
BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
CONFIGS = pytest.mark.parametrize("rules", [DEFAULT, STRICT, LAX], ids=["default", "strict", "lax"])
WALKING_KMH = 4.5  # an unhurried walk through the pedestrian zone
IN_SHOP = timedelta(seconds=90)  # in the shop, scanning, chatting at the counter

pytestmark = pytest.mark.usefixtures("freeze")


def signals(card_id: int | None = None) -> list[tuple[int, str]]:
    """(card id, kind) of every signal, or of one card's."""
    query = select(CardSignal.card_id, CardSignal.kind).order_by(CardSignal.id)
    if card_id is not None:
        query = query.where(CardSignal.card_id == card_id)
    return [tuple(row) for row in db.session.execute(query)]  # type: ignore[misc]


def flag(card_id: int) -> str:
    """The card's flag as stored now."""
    return db.session.scalar(select(Card.flag).where(Card.id == card_id)) or ""


def address(n: int) -> str:
    """A client address in a network of its own (one /24 each)."""
    return f"198.{51 + n // 250}.{n % 250}.7"


def demo_zone() -> list[Station]:
    """A rally with the demo's 40 shops of the pedestrian zone (with their coordinates)."""
    rally = make_rally(stamp_goal=10)
    stations = [make_station(rally, make_shop(**item)) for item in SHOPS]
    db.session.commit()
    return stations


def walking_order(stations: list[Station]) -> list[Station]:
    """The shops in the order a person walks them: always the nearest one not yet seen."""
    left, route = list(stations[1:]), [stations[0]]
    while left:
        here = route[-1].shop
        left.sort(key=lambda s: fraud.haversine_km(here.lat, here.lon, s.shop.lat, s.shop.lon))
        route.append(left.pop(0))
    return route


def walk(route: list[Station], start: datetime, rules: FraudRules, client: str) -> int:
    """Stamp ``route`` at an honest pace from ``start``; return the card id."""
    now, secret, card_id, previous = start, None, 0, None
    for station in route:
        if previous is not None:
            km = fraud.haversine_km(previous.lat, previous.lon, station.shop.lat, station.shop.lon)
            now += IN_SHOP + timedelta(hours=km / WALKING_KMH)
        result = stamp_card(card_secret=secret, token=station.token, now=now, rules=rules,
                            client_address=client)
        secret, card_id, previous = secret or result.card_secret, result.card_id, station.shop
    return card_id


@CONFIGS
def test_an_honest_walk_through_the_pedestrian_zone_is_silent(app: Flask,
                                                              rules: FraudRules) -> None:
    route = walking_order(demo_zone())
    # Five people start at the same shop a few minutes apart, each from their own network.
    cards = [walk(route, FIRST_DAY + timedelta(minutes=4 * n), rules, address(n))
             for n in range(5)]
    assert signals() == []
    assert {flag(card_id) for card_id in cards} == {"none"}
    assert fraud.station_alerts() == []


def stamp_at(station: Station, now: datetime, rules: FraudRules, secret: str | None = None,
             client: str | None = None) -> tuple[int, str]:
    """One stamp; return the card id and its secret."""
    result = stamp_card(card_secret=secret, token=station.token, now=now, rules=rules,
                        client_address=client)
    return result.card_id, secret or result.card_secret or ""


def shops_apart(meters: float, with_coordinates: bool = True) -> tuple[Station, Station]:
    """Two stations of one rally whose shops are ``meters`` apart (north–south)."""
    rally = make_rally()
    lat = 51.5955 + meters / 111_195 if with_coordinates else None
    first = make_station(rally, make_shop(lat=51.5955 if with_coordinates else None,
                                          lon=7.1415 if with_coordinates else None))
    second = make_station(rally, make_shop(lat=lat, lon=7.1415 if with_coordinates else None))
    db.session.commit()
    return first, second


@CONFIGS
@pytest.mark.parametrize(("factor", "fires"), [(1.5, True), (0.8, False)])
def test_faster_than_walking_between_two_shops(app: Flask, rules: FraudRules, factor: float,
                                               fires: bool) -> None:
    first, second = shops_apart(400)
    seconds = 0.4 / (rules.walking_kmh * factor) * 3600
    card_id, secret = stamp_at(first, FIRST_DAY, rules)
    stamp_at(second, FIRST_DAY + timedelta(seconds=seconds), rules, secret)
    assert signals(card_id) == ([(card_id, "speed")] if fires else [])
    assert flag(card_id) == ("flagged" if fires else "none")
    if fires:
        details = db.session.scalar(select(CardSignal.details))
        assert details["kmh"] == pytest.approx(rules.walking_kmh * factor, rel=0.02)
        assert details["meters"] == 400 and details["from"] == first.shop.slug
        assert details["to"] == second.shop.slug


@CONFIGS
@pytest.mark.parametrize(("share", "fires"), [(0.5, True), (2, False)])
def test_a_short_gap_where_a_shop_has_no_coordinates(app: Flask, rules: FraudRules,
                                                     share: float, fires: bool) -> None:
    first, second = shops_apart(0, with_coordinates=False)
    card_id, secret = stamp_at(first, FIRST_DAY, rules)
    stamp_at(second, FIRST_DAY + timedelta(seconds=rules.min_gap_seconds * share), rules, secret)
    assert signals(card_id) == ([(card_id, "speed")] if fires else [])


@CONFIGS
@pytest.mark.parametrize(("spread", "fires"), [(False, True), (True, False)])
def test_a_burst_of_stamps_on_one_card(app: Flask, rules: FraudRules, spread: bool,
                                       fires: bool) -> None:
    # Shops in one arcade (same coordinates): walking speed says nothing, the count does.
    rally = make_rally()
    stations = [make_station(rally) for _ in range(rules.burst_stamps)]
    db.session.commit()
    step = (timedelta(minutes=rules.burst_minutes) / (rules.burst_stamps - 1)
            + timedelta(seconds=1)) if spread else timedelta(seconds=rules.min_gap_seconds)
    card_id, secret = stamp_at(stations[0], FIRST_DAY, rules)
    for n, station in enumerate(stations[1:], start=1):
        stamp_at(station, FIRST_DAY + n * step, rules, secret)
        if n == rules.burst_stamps - 2:
            assert signals(card_id) == []  # one stamp short of a burst
    assert signals(card_id) == ([(card_id, "burst")] if fires else [])
    if fires:
        assert db.session.scalar(select(CardSignal.details))["stamps"] == rules.burst_stamps


@CONFIGS
@BOTH_DATABASES
def test_a_shared_printed_code_flags_the_station_and_every_new_card(app: Flask,
                                                                  rules: FraudRules) -> None:
    station = make_station(make_rally())
    db.session.commit()
    # An old card stamping there in the same minute is no sign of a shared photo.
    old_card, _ = stamp_at(make_station(station.rally), FIRST_DAY - timedelta(hours=2), rules)
    db.session.commit()
    cards = []
    for n in range(rules.shared_code_cards):
        moment = FIRST_DAY + timedelta(seconds=n * rules.shared_code_seconds / 2
                                       / rules.shared_code_cards)
        card_id, _secret = stamp_at(station, moment, rules, client=address(n))
        cards.append(card_id)
        if n == rules.shared_code_cards - 2:
            assert signals() == [] and fraud.station_alert(station.id) is None
    assert sorted(signals()) == sorted((card_id, "shared_code") for card_id in cards)
    assert {flag(card_id) for card_id in cards} == {"flagged"}
    alert = fraud.station_alert(station.id)
    assert alert is not None and alert.cards == rules.shared_code_cards
    assert alert.shop_name == station.shop.name
    # A further new card in the minute joins the group.
    late, _ = stamp_at(station, moment + timedelta(seconds=1), rules, client=address(99))
    assert flag(late) == "flagged" and flag(old_card) == "none"


def test_the_station_alert_ends_with_a_new_code_live_mode_or_dismissal(app: Flask) -> None:
    rules = STRICT
    stations = [make_station(make_rally()) for _ in range(3)]
    db.session.commit()
    for station in stations:
        for n in range(rules.shared_code_cards):
            stamp_at(station, FIRST_DAY + timedelta(seconds=n), rules, client=address(n))
    assert len(fraud.station_alerts(rally_id=stations[0].rally_id)) == 1
    first, second, third = stations
    rotate_station(shop_slug=first.shop.slug, rally_slug=first.rally.slug,
                   now=FIRST_DAY + timedelta(minutes=5))
    assert fraud.station_alert(first.id) is None
    second.mode = "live"
    db.session.commit()
    assert fraud.station_alert(second.id) is None
    staff = make_user("staff")
    fraud.dismiss_station_alert(station_id=third.id, now=FIRST_DAY, actor_id=staff.id)
    assert fraud.station_alert(third.id) is None
    event_ = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "station.shared_dismissed")).one()
    assert event_.subject == third.shop.slug and event_.actor_id == staff.id
    with pytest.raises(EditError) as excinfo:
        fraud.dismiss_station_alert(station_id=999, now=FIRST_DAY)
    assert excinfo.value.code == "unknown_station"


@CONFIGS
@BOTH_DATABASES
def test_many_new_cards_from_one_network(app: Flask, rules: FraudRules) -> None:
    rally = make_rally()
    stations = [make_station(rally) for _ in range(rules.network_cards)]
    db.session.commit()
    step = timedelta(minutes=rules.network_minutes) / (rules.network_cards + 1)
    # IPv6: one household's /48, each phone with an address of its own.
    cards = [stamp_at(station, FIRST_DAY + n * step, rules, client=f"2001:db8:7:{n:x}::1")[0]
             for n, station in enumerate(stations)]
    other, _ = stamp_at(stations[0], FIRST_DAY + step, rules, client="2001:db8:8::1")
    assert {flag(card_id) for card_id in cards} == {"flagged"}
    assert sorted(signals()) == sorted((card_id, "network") for card_id in cards)
    assert flag(other) == "none"
    details = db.session.scalars(select(CardSignal.details)).first()
    assert details == {"cards": rules.network_cards, "minutes": rules.network_minutes}


def test_the_same_network_spread_over_time_is_silent(app: Flask) -> None:
    rules = STRICT
    stations = [make_station(make_rally()) for _ in range(5)]
    db.session.commit()
    for n, station in enumerate(stations):
        stamp_at(station, FIRST_DAY + n * timedelta(minutes=rules.network_minutes),
                 rules, client=f"203.0.113.{n + 1}")
    assert signals() == []


@BOTH_DATABASES
def test_a_cleared_card_is_flagged_again_only_by_a_new_kind(app: Flask) -> None:
    rules = STRICT
    first, second = shops_apart(400)
    third = make_station(first.rally, make_shop(lat=51.60, lon=7.15))
    db.session.commit()
    card_id, secret = stamp_at(first, FIRST_DAY, rules)
    stamp_at(second, FIRST_DAY + timedelta(seconds=20), rules, secret)
    set_card_flag(card_id=card_id, flag="cleared", now=FIRST_DAY, note="Mit dem Rad")
    stamp_at(third, FIRST_DAY + timedelta(seconds=40), rules, secret)  # speed once more
    assert flag(card_id) == "cleared"
    for n in range(2):  # the remaining shops in a burst
        stamp_at(make_station(first.rally), FIRST_DAY + timedelta(seconds=100 + n), rules,
                 secret)
    stamp_at(make_station(first.rally), FIRST_DAY + timedelta(seconds=200), rules, secret)
    assert flag(card_id) == "flagged"
    assert [kind for _id, kind in signals(card_id)] == ["speed", "burst"]
    set_card_flag(card_id=card_id, flag="excluded", now=FIRST_DAY, note="Bot")
    stamp_at(make_station(first.rally), FIRST_DAY + timedelta(seconds=201), rules, secret)
    assert flag(card_id) == "excluded"


def test_excluding_needs_a_note_and_the_audit_keeps_it(app: Flask) -> None:
    station = make_station(make_rally())
    db.session.commit()
    card_id, _ = stamp_at(station, FIRST_DAY, DEFAULT)
    with pytest.raises(EditError) as excinfo:
        set_card_flag(card_id=card_id, flag="excluded", now=FIRST_DAY, note="  ")
    assert excinfo.value.code == "note_required"
    with pytest.raises(EditError) as excinfo:
        set_card_flag(card_id=card_id, flag="cleared", now=FIRST_DAY, note="x" * 501)
    assert excinfo.value.code == "note_too_long"
    set_card_flag(card_id=card_id, flag="excluded", now=FIRST_DAY, note="Foto geteilt")
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "card.excluded")
                               ).one()
    assert audit.details["note"] == "Foto geteilt" and audit.details["previous"] == "none"


# --- The network hash -------------------------------------------------------------------


@pytest.mark.parametrize(("one", "other", "same"), [
    ("203.0.113.7", "203.0.113.200", True),
    ("203.0.113.7", "203.0.114.7", False),
    ("::ffff:203.0.113.7", "203.0.113.9", True),
    ("2001:db8:1:2::1", "2001:db8:1:ffff::1", True),
    ("2001:db8:1::1", "2001:db8:2::1", False),
])
def test_the_network_hash_covers_the_prefix(one: str, other: str, same: bool) -> None:
    assert (fraud.network_hash(one, KEY) == fraud.network_hash(other, KEY)) is same


@pytest.mark.parametrize("bad", [None, "", "unknown", "300.1.2.3", "203.0.113"])
def test_no_hash_without_an_address(bad: str | None) -> None:
    assert fraud.network_hash(bad, KEY) is None


def test_the_hash_is_neither_the_address_nor_a_plain_hash_of_it(app: Flask,
                                                                client: FlaskClient) -> None:
    station = make_station(make_rally())
    db.session.commit()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    page = client.get(f"/s/{station.token}")
    client.post(f"/s/{station.token}", data={"csrf_token": csrf_token(page.text)})
    stored = db.session.scalar(select(Card.network_hash))
    assert stored == fraud.network_hash("203.0.113.7", fraud.configured_rules().network_key)
    plain = {hashlib.new(name, text.encode()).hexdigest()
             for name in ("sha256", "sha1", "md5", "sha512")
             for text in ("203.0.113.7", "203.0.113.0/24", "203.0.113.0", "203.0.113")}
    assert stored not in plain and "203.0.113" not in str(stored)
    row = db.session.execute(select(Card.__table__)).one()
    assert not any("203.0.113" in str(value) for value in row)
    other_key = fraud.network_key("another-secret-key-of-another-installation-000")
    assert fraud.network_hash("203.0.113.7", other_key) != stored


@BOTH_DATABASES
def test_purge_drops_old_network_hashes(app: Flask) -> None:
    station = make_station(make_rally(starts_at=FIRST_DAY - timedelta(days=2)))
    db.session.commit()
    old, _ = stamp_at(station, FIRST_DAY - timedelta(hours=25), DEFAULT, client="203.0.113.7")
    new, _ = stamp_at(station, FIRST_DAY - timedelta(hours=1), DEFAULT, client="203.0.113.8")
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert ("Netz-Kennungen der Stempelkarten: 1 gelöscht "
            "(Frist: 24 Stunden nach dem Anlegen der Karte)") in result.output
    hashes = dict(db.session.execute(select(Card.id, Card.network_hash)).all())
    assert hashes[old] is None and hashes[new] is not None


# --- Cheap: the queries a stamp's signals add ---------------------------------------------


@pytest.fixture
def statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement sent while the test runs."""
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if not statement.startswith("PRAGMA"):  # a new connection's set-up
            sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    yield sent
    event.remove(db.engine, "before_cursor_execute", count)


def test_the_signals_add_few_queries(app: Flask, statements: list[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = shops_apart(300)
    third = make_station(first.rally, make_shop())
    db.session.commit()
    _card, secret = stamp_at(first, FIRST_DAY - timedelta(hours=1), DEFAULT, client="203.0.113.7")

    def sent_by(stamp: Callable[[], object]) -> int:
        """Statements one stamp sends."""
        statements.clear()
        stamp()
        return len(statements)

    # A new card's first stamp: the new cards at the station and of the network (+2).
    with_signals = sent_by(lambda: stamp_at(second, FIRST_DAY, DEFAULT, client="203.0.113.9"))
    # An existing card's next stamp: its latest stamps (+1).
    later = sent_by(lambda: stamp_at(second, FIRST_DAY + timedelta(hours=1), DEFAULT, secret))
    monkeypatch.setattr(fraud, "check_stamp", lambda *args, **kwargs: [])
    without = sent_by(lambda: stamp_at(third, FIRST_DAY, DEFAULT, client="203.0.113.10"))
    later_without = sent_by(lambda: stamp_at(third, FIRST_DAY + timedelta(hours=2), DEFAULT,
                                             secret))
    assert with_signals - without == 2
    assert later - later_without == 1
    assert signals() == []


def test_a_long_attack_on_a_shared_code_writes_for_the_new_card_only(
        app: Flask, statements: list[str]) -> None:
    """Once a group has fired, each further new card adds its own signal row, not the
    whole group's again: an attack does not grow the work of each stamp it makes."""
    station = make_station(make_rally())
    db.session.commit()
    for n in range(DEFAULT.shared_code_cards):
        stamp_at(station, FIRST_DAY + timedelta(seconds=n), DEFAULT, client=address(n))
    statements.clear()
    late, _ = stamp_at(station, FIRST_DAY + timedelta(seconds=30), DEFAULT, client=address(99))
    inserts = [sql for sql in statements
               if sql.lstrip().upper().startswith("INSERT INTO CARD_SIGNALS")]
    # One statement with one row of values (a multi-row VALUES lists "), (" between rows).
    assert len(inserts) == 1 and "), (" not in inserts[0]
    assert signals(late) == [(late, "shared_code")]
    assert len(signals()) == DEFAULT.shared_code_cards + 1


# --- The probe: one client qualifies 40 cards and enters them within two seconds ----------


@pytest.fixture
def ticking(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """A clock that moves 1 ms each time it is read."""

    def start(moment: datetime) -> None:
        ticks = itertools.count()
        monkeypatch.setattr(clock, "utcnow",
                            lambda: moment + timedelta(milliseconds=next(ticks)))

    return start


@BOTH_DATABASES
def test_the_two_second_qualifier_lands_in_the_review_queue(
    app: Flask, ticking: Callable[[datetime], None]
) -> None:
    rally = make_rally()
    stations = [make_station(rally, make_shop(lat=51.5955 + n / 1000))
                for n in range(rally.stamp_goal)]
    make_prizes(rally, 1)
    db.session.commit()
    # One honest shopper the day before, walking at a human pace.
    honest = walk(stations, FIRST_DAY - timedelta(hours=8), DEFAULT, "192.0.2.44")
    db.session.commit()
    make_entry(db.session.get(Card, honest), contact="honest@example.org")
    db.session.commit()

    ticking(FIRST_DAY)
    start = clock.utcnow()
    bot = app.test_client()
    bot.environ_base["REMOTE_ADDR"] = "203.0.113.66"
    token = csrf_token(bot.get("/stempel").text)
    codes_ = [station.short_code for station in stations]
    for n in range(40):
        bot.delete_cookie("stempelkarte")
        for code in codes_:
            response = bot.post("/stempel", data={"csrf_token": token, "code": code.lower()})
            assert response.status_code == 303
        response = bot.post("/karte/teilnahme", data={
            "csrf_token": token, "name": f"Bot {n}", "contact": f"bot{n}@example.org",
            "adult": "y", "consent": "y"})
        assert response.status_code == 303, response.text[:500]
    assert clock.utcnow() - start < timedelta(seconds=2)

    bot_cards = list(db.session.scalars(select(Card.id).where(Card.id != honest)))
    assert len(bot_cards) == 40
    assert {flag(card_id) for card_id in bot_cards} == {"flagged"}
    kinds = {kind for _card, kind in signals()}
    assert {"speed", "shared_code", "network"} <= kinds
    queue = review_queue(rally.id)
    assert queue.total == 40 and len(queue.alerts) == len(stations)
    assert {alert.cards for alert in queue.alerts} == {40}

    staff = app.test_client()
    assert log_in(staff, make_user("staff").email).status_code == 303
    page = staff.get(f"/buero/pruefen?rally={rally.slug}").text
    assert "40 markierte Karten" in page
    assert "neue Karten aus einem Netz in 10 Minuten" in page
    assert "km/h zwischen" in page and "in einer Minute von" in page
    assert "Live-Code" in page

    draw = seal_draw(rally_id=rally.id, kind="final", prize_ids=[rally.prizes[0].id],
                     beacon_chain=None, reason="Probe", now=FIRST_DAY + timedelta(hours=1))
    honest_code = db.session.get(Card, honest).code
    assert draw.pool_text == f"{honest_code}\t1\n"


# --- The review queue in the back office --------------------------------------------------


@pytest.fixture
def flagged(app: Flask) -> tuple[FlaskClient, Card]:
    """A staff browser and a card flagged for speed between two named shops."""
    first, second = shops_apart(500)
    first.shop.name, second.shop.name = "Bäckerei Kranz", "Uhren Berger"
    db.session.commit()
    card_id, secret = stamp_at(first, FIRST_DAY, DEFAULT)
    stamp_at(second, FIRST_DAY + timedelta(seconds=30), DEFAULT, secret)
    staff = app.test_client()
    assert log_in(staff, make_user("staff").email).status_code == 303
    card = db.session.get(Card, card_id)
    assert card is not None
    return staff, card


def test_the_queue_names_the_reasons_and_the_timeline(flagged: tuple[FlaskClient, Card]) -> None:
    staff, card = flagged
    page = staff.get("/buero/pruefen")
    assert page.status_code == 200
    assert "60 km/h zwischen Bäckerei Kranz und Uhren Berger (500 m in 30 Sekunden)" in page.text
    assert card.code in page.text and ">30 s<" in page.text
    assert 'aria-current="page"' in page.text and ">Prüfen<" in page.text
    dashboard = staff.get("/buero/")
    assert "/buero/pruefen" in dashboard.text
    lookup = staff.get(f"/buero/karten?code={card.code}").text
    assert "60 km/h zwischen Bäckerei Kranz und Uhren Berger" in lookup


def test_clear_with_a_note_from_the_queue(flagged: tuple[FlaskClient, Card]) -> None:
    staff, card = flagged
    token = csrf_token(staff.get("/buero/pruefen").text)
    response = staff.post(f"/buero/pruefen/karten/{card.code}",
                          data={"csrf_token": token, "flag": "cleared", "note": "Mit dem Rad"})
    assert response.status_code == 303
    assert "/buero/pruefen" in response.headers["Location"]
    assert flag(card.id) == "cleared"
    event_ = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "card.cleared")
                                ).one()
    assert event_.details["note"] == "Mit dem Rad" and event_.subject == card.code
    assert "Keine Karte wartet auf eine Prüfung." in staff.get("/buero/pruefen").text


def test_exclude_without_a_note_is_refused_at_the_card(flagged: tuple[FlaskClient, Card]) -> None:
    staff, card = flagged
    token = csrf_token(staff.get("/buero/pruefen").text)
    response = staff.post(f"/buero/pruefen/karten/{card.code}",
                          data={"csrf_token": token, "flag": "excluded", "note": ""})
    assert response.status_code == 400
    assert "warum die Karte ausgeschlossen wird" in response.text
    assert flag(card.id) == "flagged"
    response = staff.post(f"/buero/pruefen/karten/{card.code}",
                          data={"csrf_token": token, "flag": "excluded", "note": "Zu schnell"})
    assert response.status_code == 303 and flag(card.id) == "excluded"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "card.excluded")) == 1


@pytest.mark.parametrize("data", [{"flag": "flagged"}, {"flag": "weg"}, {}])
def test_the_queue_takes_only_clear_or_exclude(flagged: tuple[FlaskClient, Card],
                                               data: dict[str, str]) -> None:
    staff, card = flagged
    token = csrf_token(staff.get("/buero/pruefen").text)
    response = staff.post(f"/buero/pruefen/karten/{card.code}",
                          data={"csrf_token": token, "note": "x", **data})
    assert response.status_code == 400 and flag(card.id) == "flagged"
    assert staff.post("/buero/pruefen/karten/ZZZZ-ZZZZ", data={
        "csrf_token": token, "flag": "cleared"}).status_code == 404


def test_staff_dismiss_a_station_alert(app: Flask) -> None:
    station = make_station(make_rally())
    db.session.commit()
    for n in range(DEFAULT.shared_code_cards):
        stamp_at(station, FIRST_DAY + timedelta(seconds=n), DEFAULT, client=address(n))
    staff = app.test_client()
    assert log_in(staff, make_user("staff").email).status_code == 303
    page = staff.get("/buero/pruefen").text
    assert "Geteilter Code" in page and station.shop.name in page
    assert "vermutlich geteilt" in staff.get("/buero/").text
    assert "Geteilter Code?" in staff.get(f"/buero/geschaefte/{station.shop_id}").text
    response = staff.post(f"/buero/pruefen/stationen/{station.id}/erledigt",
                          data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert fraud.station_alert(station.id) is None
    assert "Geteilter Code" not in staff.get("/buero/pruefen").text
    assert staff.post("/buero/pruefen/stationen/999/erledigt",
                      data={"csrf_token": csrf_token(page)}).status_code == 404


def test_rules_come_from_the_configuration(app: Flask) -> None:
    app.config.update(FRAUD_WALKING_KMH=9, FRAUD_NETWORK_CARDS=7)
    rules = fraud.configured_rules()
    assert rules.walking_kmh == 9 and rules.network_cards == 7
    assert rules.network_key == KEY and "network_key" not in repr(rules)


# --- Races: simultaneous stamps add no duplicate and lock no one out ----------------------



@BOTH_DATABASES
def test_simultaneous_stamps_of_one_card_give_one_signal(app: Flask) -> None:
    rally = make_rally()
    stations = [make_station(rally, make_shop(lat=51.59 + n / 500)) for n in range(THREADS + 1)]
    db.session.commit()
    _card, secret = stamp_at(stations[0], FIRST_DAY, DEFAULT)
    tokens = [station.token for station in stations[1:]]
    db.session.remove()

    results = all_at_once(app, lambda i: stamp_card(card_secret=secret, token=tokens[i],
                                                    now=FIRST_DAY, rules=DEFAULT))
    assert all(result.new_stamp for result in results)
    card_id = results[0].card_id
    assert [kind for _id, kind in signals(card_id)] == ["speed", "burst"]
    assert flag(card_id) == "flagged"


@BOTH_DATABASES
def test_simultaneous_new_cards_flag_each_other_without_a_deadlock(app: Flask) -> None:
    rules = FraudRules(shared_code_cards=4, network_cards=4, network_key=KEY)
    station = make_station(make_rally())
    db.session.commit()
    token = station.token
    db.session.remove()

    results = all_at_once(app, lambda i: stamp_card(
        card_secret=None, token=token, now=FIRST_DAY, rules=rules,
        client_address=f"203.0.113.{i + 1}"))
    assert len({result.card_id for result in results}) == THREADS
    rows = signals()
    assert len(rows) == len(set(rows))  # UNIQUE(card, kind) held, nothing was refused
    # A card whose own stamp was in flight may have been skipped; the next one of the
    # group flags it.
    late, _ = stamp_at(station, FIRST_DAY + timedelta(seconds=1), rules, client="203.0.113.99")
    cards = [result.card_id for result in results] + [late]
    assert {flag(card_id) for card_id in cards} == {"flagged"}
    assert sorted(signals()) == sorted(
        (card_id, kind) for card_id in cards for kind in ("shared_code", "network"))
