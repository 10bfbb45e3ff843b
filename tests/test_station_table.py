"""The rally's station list, kept per tag: the database draws a new tag on every change,
so the card page never shows a list that is out of date."""

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from app.extensions import db
from app.models import Rally, Shop, Stamp, Station
from app.services import cards

from .helpers import FIRST_DAY, make_card, make_rally, make_shop, make_station
from .test_rally_views import tap

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


def tag_of(rally: Rally) -> int:
    """The rally's tag as the database has it now (the ORM never loads it anew)."""
    tag = db.session.scalar(select(Rally.stations_tag).where(Rally.id == rally.id))
    assert tag is not None
    return tag


def changes_tag(rally: Rally, change: Callable[[], object]) -> bool:
    """Whether committing ``change`` gives ``rally`` a new tag."""
    before = tag_of(rally)
    change()
    db.session.commit()
    return tag_of(rally) != before


def test_every_rally_draws_its_own_tag(app: Flask) -> None:
    rallies = [make_rally(slug=f"rallye-{i}") for i in range(5)]
    db.session.commit()
    tags = [tag_of(rally) for rally in rallies]
    assert all(tag > 0 for tag in tags)
    assert len(set(tags)) == len(tags)


def test_station_and_shop_changes_draw_a_new_tag(app: Flask) -> None:
    rally, other = make_rally(), make_rally(slug="andere")
    shop = make_shop(name="Buchladen")
    station = make_station(rally, shop)
    elsewhere = make_station(other, make_shop(name="Café"))
    db.session.commit()

    assert changes_tag(rally, lambda: make_station(rally, make_shop(name="Neu")))
    assert changes_tag(rally, lambda: setattr(station, "active", False))
    assert changes_tag(rally, lambda: setattr(shop, "name", "Bücherstube"))
    # Raw SQL, as a manual fix would do it, is seen just the same.
    assert changes_tag(rally, lambda: db.session.execute(
        update(Shop).where(Shop.id == shop.id).values(street="Markt 2")
    ))
    moved = make_station(rally, make_shop(name="Weg"))
    db.session.commit()
    assert changes_tag(rally, lambda: db.session.delete(moved))
    # Another rally's station, its shop, and the rally's own fields leave the tag alone.
    assert not changes_tag(rally, lambda: setattr(elsewhere, "active", False))
    assert not changes_tag(rally, lambda: setattr(rally, "name", "Advent 2026"))


def test_stamps_and_cards_leave_the_tag_alone(app: Flask) -> None:
    rally = make_rally()
    stations = [make_station(rally, make_shop(name=f"Laden {i}")) for i in range(3)]
    db.session.commit()
    assert not changes_tag(rally, lambda: make_card(rally, stations, stamps=2))
    assert not changes_tag(rally, lambda: db.session.execute(
        update(Stamp).values(source="staff")
    ))


def test_a_table_is_read_once_per_tag(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    rally = make_rally()
    station = make_station(rally, make_shop(name="Zeitungsladen"))
    make_station(rally, make_shop(name="apotheke"))
    db.session.commit()
    reads: list[int] = []
    read = cards._read_table
    monkeypatch.setattr(cards, "_read_table", lambda rally_id: reads.append(rally_id) or read(
        rally_id))

    first = cards.station_table(rally.id)
    assert cards.station_table(rally.id) is first
    assert cards.station_table(rally.id, tag_of(rally)) is first
    assert reads == [rally.id]
    # Ordered by name whatever the case; every station by id.
    assert [line.shop.name for line in first.active] == ["apotheke", "Zeitungsladen"]
    assert set(first.by_id) == {s.id for s in db.session.scalars(select(Station))}

    station.active = False
    db.session.commit()
    second = cards.station_table(rally.id)
    assert reads == [rally.id, rally.id]
    assert [line.shop.name for line in second.active] == ["apotheke"]
    assert station.id in second.by_id  # its stamps keep their shop


def test_a_stamp_outside_the_table_reads_the_list_afresh(app: Flask) -> None:
    rally = make_rally()
    stations = [make_station(rally, make_shop(name=f"Laden {i}")) for i in range(2)]
    card = make_card(rally, stations, stamps=2)
    db.session.commit()
    table = cards.station_table(rally.id)
    partial = cards.StationTable({stations[0].id: table.by_id[stations[0].id]}, table.active)
    ref = cards.CardRef(card.id, card.code, rally.id)
    progress = cards.progress_of(ref, 3, cards.stamp_refs(card.id), partial)
    assert [line.shop.name for line in progress.stamps] == ["Laden 0", "Laden 1"]
    assert all(line.created_at == FIRST_DAY for line in progress.stamps)


def test_the_card_page_shows_a_renamed_shop_and_drops_a_closed_station(
    client: FlaskClient, app: Flask, freeze: Callable[..., None]
) -> None:
    rally = make_rally()
    stamped = make_station(rally, make_shop(name="Buchladen"))
    closing = make_station(rally, make_shop(name="Hutmacherei"))
    db.session.commit()
    tap(client, stamped.token)
    page = client.get("/karte").text
    assert "Buchladen" in page and "Hutmacherei" in page

    db.session.get(Shop, stamped.shop_id).name = "Bücherstube"  # type: ignore[union-attr]
    db.session.get(Station, closing.id).active = False  # type: ignore[union-attr]
    db.session.commit()
    page = client.get("/karte").text
    assert "Bücherstube" in page and "Buchladen" not in page
    assert "Hutmacherei" not in page
    api = client.get("/api/v1/card").get_json()
    assert [stamp["shop"] for stamp in api["stamps"]] == [stamped.shop.slug]
