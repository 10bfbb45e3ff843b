"""Prepared statements on the driver: the same rows as SQLAlchemy, the right connection."""

from datetime import UTC

import pytest
from flask import Flask, request
from sqlalchemy import bindparam, select

from app.db import begin_write, write_gate
from app.extensions import db
from app.models import AuditEvent, Card, CardKey, Shop, Station
from app.prepared import (
    READER_KEY,
    Compiled,
    Prepared,
    compile_for,
    release_reader,
    write_transaction,
)
from app.services import cards, codes, entries, records, stamping

from .helpers import FIRST_DAY, make_card, make_entry, make_rally, make_shop, make_station

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


def hot_statements() -> dict[str, tuple[Prepared, dict[str, object]]]:
    """Every prepared statement of the shopper's path with parameters that find rows."""
    rally = make_rally()
    stations = [make_station(rally, make_shop(name=f"Laden {i}")) for i in range(3)]
    card = make_card(rally, stations, stamps=2)
    secret = codes.new_card_secret()
    db.session.add(CardKey(card_id=card.id, secret_hash=codes.hash_secret(secret),
                           created_at=FIRST_DAY))
    make_entry(card)
    db.session.commit()
    token = {"code": stations[0].token}
    return {
        "by_token": (stamping.BY_TOKEN, token),
        "by_short_code": (stamping.BY_SHORT_CODE, {"code": stations[1].short_code}),
        "retired_by_token": (stamping.RETIRED_BY_TOKEN, token),
        "card_by_key": (stamping.CARD_BY_KEY, {"secret_hash": codes.hash_secret(secret)}),
        "card_view_by_key": (stamping.CARD_VIEW_BY_KEY,
                             {"secret_hash": codes.hash_secret(secret)}),
        "stamped_here": (stamping.STAMPED_HERE, {"card": card.id, "station": stations[0].id}),
        "stamp_count": (stamping.STAMP_COUNT, {"card": card.id}),
        "rally_by_id": (records.RALLY_BY_ID, {"rally": rally.id}),
        "stamp_refs": (cards.STAMP_REFS, {"card": card.id}),
        "stations": (cards.STATIONS, {"rally": rally.id}),
        "stations_tag": (cards.STATIONS_TAG, {"rally": rally.id}),
        "entry_of_card": (entries.ENTRY_OF_CARD, {"card": card.id}),
    }


def test_prepared_rows_equal_sqlalchemys(app: Flask) -> None:
    for name, (prepared, params) in hot_statements().items():
        expected = [tuple(row) for row in db.session.execute(prepared.statement, params)]
        assert prepared.run(params) == expected, name
    db.session.rollback()


def test_results_are_converted_like_sqlalchemy_does(app: Flask) -> None:
    statements = hot_statements()
    station = stamping.BY_TOKEN.first(statements["by_token"][1])
    assert station is not None
    info = stamping.station_from_row(station)
    assert info.active is True  # SQLite stores 1
    assert info.rally.starts_at.tzinfo is UTC  # stored naive, read back aware
    lines = cards.STAMP_REFS.run(statements["stamp_refs"][1])
    assert [line[1] for line in lines] == [FIRST_DAY, FIRST_DAY]


def test_a_repeated_value_is_converted_once_per_run(app: Flask) -> None:
    """A join's repeated side (the card page's rally on each stamp) is converted once."""
    calls: list[object] = []

    def upper(value: object) -> object:
        calls.append(value)
        return None if value is None else str(value).upper()

    compiled = Compiled("", None, {}, (), ((0, upper), (2, upper)))
    rows = compiled.convert([("a", 1, "x"), ("a", 2, "y"), ("b", 3, "y"), ("a", 4, None)])
    assert rows == [("A", 1, "X"), ("A", 2, "Y"), ("B", 3, "Y"), ("A", 4, None)]
    assert calls == ["a", "x", "y", "b", "a", None]
    assert compiled.convert([("c", 5, "z")]) == [("C", 5, "Z")]


def test_json_results_are_refused(app: Flask) -> None:
    with pytest.raises(ValueError, match="JSON"):
        compile_for(select(AuditEvent.details), db.engine.dialect)


def test_parameters_are_converted_and_defaults_kept(app: Flask) -> None:
    """A datetime parameter goes through the column type; LIMIT keeps its own value."""
    hot_statements()
    newer = Prepared(
        select(Card.code).where(Card.created_at >= bindparam("at", type_=Card.created_at.type))
        .order_by(Card.code).limit(1)
    )
    assert newer.first({"at": FIRST_DAY}) is not None
    with pytest.raises(ValueError, match="naive"):
        newer.first({"at": FIRST_DAY.replace(tzinfo=None)})
    db.session.rollback()


def test_statements_needing_execution_time_rendering_are_refused(app: Flask) -> None:
    expanding = select(Shop.name).where(Shop.id.in_(bindparam("ids", expanding=True)))
    with pytest.raises(ValueError, match="rendering|expanding"):
        compile_for(expanding, db.engine.dialect)


def test_card_view_is_the_card_with_its_rally_and_entry(app: Flask) -> None:
    rally = make_rally()
    db.session.commit()
    begin_write()
    entered, entered_secret = stamping.create_card(rally, FIRST_DAY)
    other, other_secret = stamping.create_card(rally, FIRST_DAY)
    entry = make_entry(entered)
    db.session.commit()
    with app.test_request_context("/karte"):
        for card, secret, entry_id in ((entered, entered_secret, entry.id),
                                       (other, other_secret, None)):
            view = stamping.card_view_for_secret(secret)
            assert view is not None
            assert view.card == stamping.card_ref_for_secret(secret)
            assert view.card.code == card.code
            assert view.rally == records.rally_info(rally.id)
            assert view.entry_id == entry_id
            assert view.stamps == ()
        assert stamping.card_view_for_secret(None) is None
        for wrong in ("kaputt", codes.new_card_secret()):
            with pytest.raises(stamping.StampError):
                stamping.card_view_for_secret(wrong)


def test_reads_inside_a_write_see_its_own_rows(app: Flask) -> None:
    rally = make_rally()
    db.session.commit()
    begin_write()
    card, secret = stamping.create_card(rally, FIRST_DAY)
    found = stamping.card_ref_for_secret(secret)
    assert found is not None and found.id == card.id
    db.session.rollback()
    with app.test_request_context("/"):
        with pytest.raises(stamping.StampError):  # rolled back with its transaction
            stamping.card_ref_for_secret(secret)


def test_a_request_reads_on_one_connection_and_gives_it_back(app: Flask) -> None:
    statements = hot_statements()
    db.session.remove()
    pool = db.engine.pool
    before = pool.checkedout()  # type: ignore[attr-defined]
    with app.test_request_context("/"):
        stamping.BY_TOKEN.first(statements["by_token"][1])
        reader = request.environ[READER_KEY]
        records.RALLY_BY_ID.first(statements["rally_by_id"][1])
        assert request.environ[READER_KEY] is reader  # one connection for the request
        assert not db.session.registry.has()  # no ORM session was opened for reading
        assert pool.checkedout() == before + 1  # type: ignore[attr-defined]
        if db.engine.dialect.name == "postgresql":
            assert reader.driver_connection.autocommit  # holds no transaction open
        release_reader()
        assert READER_KEY not in request.environ
    assert pool.checkedout() == before  # type: ignore[attr-defined]
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:  # back in the pool as SQLAlchemy left it
            driver = connection.connection.driver_connection
            assert driver is not None and not driver.autocommit  # type: ignore[attr-defined]


def test_pages_give_their_reading_connection_back(app: Flask) -> None:
    rally = make_rally()
    station = make_station(rally)
    db.session.commit()
    db.session.remove()
    before = db.engine.pool.checkedout()  # type: ignore[attr-defined]
    client = app.test_client()
    assert client.get(f"/s/{station.token}").status_code in (200, 409)
    assert client.get("/karte").status_code == 200
    db.session.remove()  # the test's app context outlives requests; its session too
    assert db.engine.pool.checkedout() == before  # type: ignore[attr-defined]


def test_unknown_rally_is_a_lookup_error(app: Flask) -> None:
    with pytest.raises(LookupError):
        records.rally_info(404)
    assert db.session.scalar(select(Station.id)) is None
    db.session.rollback()


def stamp_params(statements: dict[str, tuple[Prepared, dict[str, object]]]) -> dict[str, object]:
    """Parameters of a new stamp: the card of ``hot_statements`` at its third station."""
    card = statements["stamp_count"][1]["card"]
    rally = statements["rally_by_id"][1]["rally"]
    station = db.session.scalars(
        select(Station.id).where(Station.rally_id == rally).order_by(Station.id.desc())
    ).first()
    return {"rally": rally, "card": card, "station": station, "at": FIRST_DAY, "source": "qr"}


def insert_stamp() -> Prepared:
    return stamping.INSERT_STAMP[db.engine.dialect.name]


def test_write_transaction_commits_on_one_connection(app: Flask) -> None:
    statements = hot_statements()
    params = stamp_params(statements)
    count = statements["stamp_count"]
    db.session.remove()
    before = db.engine.pool.checkedout()  # type: ignore[attr-defined]
    gate = write_gate(db.engine)
    with app.test_request_context("/"):
        assert count[0].scalar(count[1]) == 2
        with write_transaction():
            assert insert_stamp().scalar(params) is not None
            assert count[0].scalar(count[1]) == 3  # its own write, in its transaction
            assert db.engine.pool.checkedout() == before + 1  # type: ignore[attr-defined]
            if gate is not None:
                assert gate.thread_lock.locked()
        if gate is not None:
            assert not gate.thread_lock.locked()
        assert insert_stamp().scalar(params) is None  # already there: DO NOTHING
        release_reader()
    assert count[0].scalar(count[1]) == 3
    assert db.engine.pool.checkedout() == before  # type: ignore[attr-defined]


def test_write_transaction_rolls_back_when_its_block_raises(app: Flask) -> None:
    statements = hot_statements()
    params = stamp_params(statements)
    count = statements["stamp_count"]
    db.session.remove()
    with app.test_request_context("/"), pytest.raises(RuntimeError):
        with write_transaction():
            insert_stamp().scalar(params)
            raise RuntimeError("page failed")
    assert count[0].scalar(count[1]) == 2
    gate = write_gate(db.engine)
    assert gate is None or not gate.thread_lock.locked()


def test_write_transaction_joins_orm_work_under_way(app: Flask) -> None:
    statements = hot_statements()
    params = stamp_params(statements)
    count = statements["stamp_count"]
    assert db.session.scalar(select(Card.code)) is not None  # the session is in a transaction
    with write_transaction():
        insert_stamp().scalar(params)
    assert not db.session().in_transaction()  # committed by the session
    assert count[0].scalar(count[1]) == 3
