"""Dashboard numbers: every aggregate checked against a recount in Python."""

import random
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert

from app.clock import BERLIN, local
from app.extensions import db
from app.models import Card, Entry, Stamp
from app.services import codes, stats

from ..helpers import make_rally, make_station

# The data layer must count the same on the embedded and the production database.
both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)

# A rally across the end of summer time (25 October 2026 has 25 hours in Berlin).
START = datetime(2026, 10, 20, 0, 0, tzinfo=BERLIN)
END = datetime(2026, 11, 5, 18, 0, tzinfo=BERLIN)
NOW = datetime(2026, 11, 2, 12, 0, tzinfo=BERLIN)


def test_local_days_have_their_true_length() -> None:
    start, end = stats.day_bounds(date(2026, 10, 25))
    assert end - start == timedelta(hours=25)
    assert start == datetime(2026, 10, 25, 0, 0, tzinfo=BERLIN)  # 22:00 UTC, summer time
    assert (start.hour, end.hour) == (22, 23)
    start, end = stats.day_bounds(date(2026, 12, 1))
    assert end - start == timedelta(hours=24)
    assert start.hour == 23 and start.utcoffset() == timedelta(0)


def build_campaign(seed: int = 7) -> tuple[int, list, list[dict]]:
    """A rally with 30 stations (3 inactive), 700 cards and a few thousand stamps."""
    rng = random.Random(seed)
    rally = make_rally(starts_at=START, ends_at=END, entry_closes_at=END, stamp_goal=8)
    stations = [make_station(rally, active=i >= 3) for i in range(30)]
    cards = [
        {"rally_id": rally.id, "code": codes.new_card_code(), "created_at": START,
         "flag": rng.choice(["none"] * 8 + ["flagged", "cleared"])}
        for _ in range(700)
    ]
    db.session.execute(insert(Card), cards)
    card_ids = sorted(db.session.scalars(db.select(Card.id).where(Card.rally_id == rally.id)))
    span = (NOW - START).total_seconds()
    stamps = []
    for index, card_id in enumerate(card_ids):
        # A few collectors visit every station; most visit some.
        visited = stations if index % 50 == 0 else rng.sample(stations, rng.randint(0, 14))
        for station in visited:
            if rng.random() < 0.1:
                # Just before or after a local midnight: the day boundary must be exact.
                day = START.date() + timedelta(days=rng.randint(1, 12))
                moment = datetime.combine(day, datetime.min.time(), tzinfo=BERLIN) + timedelta(
                    seconds=rng.choice([-1, 0, 1, 59])
                )
            else:
                moment = START + timedelta(seconds=rng.uniform(0, span))
            stamps.append({"rally_id": rally.id, "card_id": card_id, "station_id": station.id,
                           "created_at": moment, "source": "qr"})
    db.session.execute(insert(Stamp), stamps)
    for card_id in card_ids[:40]:
        db.session.add(Entry(rally_id=rally.id, card_id=card_id, name="Name",
                             contact_kind="email", contact=f"p{card_id}@example.test",
                             age_confirmed=True, terms_accepted_at=NOW,
                             privacy_accepted_at=NOW, created_at=NOW))
    # Another rally's stamps must not leak into the numbers.
    other = make_rally(starts_at=START, ends_at=END, entry_closes_at=END)
    other_station = make_station(other)
    db.session.add(Card(rally_id=other.id, code=codes.new_card_code(), created_at=START))
    db.session.flush()
    other_card = db.session.scalars(db.select(Card.id).where(Card.rally_id == other.id)).one()
    db.session.add(Stamp(rally_id=other.id, card_id=other_card, station_id=other_station.id,
                         created_at=NOW - timedelta(hours=1), source="qr"))
    db.session.commit()
    return rally.id, stations, stamps


@both_databases
def test_every_number_matches_a_recount(app) -> None:
    rally_id, stations, stamps = build_campaign()
    assert len(stamps) > 3000
    today = local(NOW).date()

    overview = stats.overview(rally_id, NOW)
    assert overview.cards == 700
    assert overview.stamps_total == len(stamps)
    assert overview.stamps_today == sum(1 for s in stamps if local(s["created_at"]).date() == today)
    assert overview.entries == 40
    flagged = db.session.scalar(
        db.select(db.func.count()).select_from(Card).where(Card.rally_id == rally_id,
                                                           Card.flag == "flagged"))
    assert overview.flagged == flagged and flagged > 0
    # The dashboard passes the per-station counts, whose sum must be that same total.
    assert stats.overview(rally_id, NOW, stats.stamps_per_station(rally_id)) == overview

    per_day = Counter(local(s["created_at"]).date() for s in stamps)
    days = stats.stamps_per_day(rally_id, NOW)
    assert [d.day for d in days] == [START.date() + timedelta(days=n) for n in range(14)]
    assert days[-1].day == today
    assert {d.day: d.stamps for d in days} == {d.day: per_day.get(d.day, 0) for d in days}
    assert sum(d.stamps for d in days) == len(stamps)

    per_station = Counter(s["station_id"] for s in stamps)
    counted = stats.stamps_per_station(rally_id)
    assert len(counted) == 30
    assert {c.station_id: c.stamps for c in counted} == {
        st.id: per_station.get(st.id, 0) for st in stations}
    assert [c.stamps for c in counted] == sorted((c.stamps for c in counted), reverse=True)

    by_card: dict[int, set[int]] = defaultdict(set)
    for s in stamps:
        by_card[s["card_id"]].add(s["station_id"])
    active = {st.id for st in stations if st.active}
    funnel = stats.funnel(rally_id)
    assert funnel.cards == 700
    assert funnel.at_least_one == sum(1 for v in by_card.values() if len(v) >= 1)
    assert funnel.at_least_five == sum(1 for v in by_card.values() if len(v) >= 5)
    assert funnel.reached_goal == sum(1 for v in by_card.values() if len(v) >= 8)
    assert funnel.stations == 27
    assert funnel.all_stations == sum(1 for v in by_card.values() if active <= v)
    assert funnel.all_stations >= 14


@both_databases
def test_days_stop_at_today_and_at_the_end(app) -> None:
    rally = make_rally(starts_at=START, ends_at=END, entry_closes_at=END)
    db.session.commit()
    assert stats.stamps_per_day(rally.id, START - timedelta(seconds=1)) == []
    assert len(stats.stamps_per_day(rally.id, START)) == 1
    after = stats.stamps_per_day(rally.id, END + timedelta(days=30))
    assert after[0].day == date(2026, 10, 20) and after[-1].day == date(2026, 11, 5)
    # A rally ending at midnight has no extra empty day after it.
    midnight = make_rally(starts_at=START, ends_at=datetime(2026, 10, 23, tzinfo=BERLIN),
                          entry_closes_at=datetime(2026, 10, 23, tzinfo=BERLIN))
    db.session.commit()
    assert [d.day.day for d in stats.stamps_per_day(midnight.id, END)] == [20, 21, 22]


@both_databases
def test_an_empty_rally_counts_zero(app) -> None:
    rally = make_rally(starts_at=START, ends_at=END, entry_closes_at=END)
    db.session.commit()
    assert stats.overview(rally.id, NOW) == stats.Overview(0, 0, 0, 0, 0)
    assert all(d.stamps == 0 for d in stats.stamps_per_day(rally.id, NOW))
    assert stats.stamps_per_station(rally.id) == []
    funnel = stats.funnel(rally.id)
    assert (funnel.cards, funnel.at_least_one, funnel.all_stations, funnel.stations) == (0, 0, 0, 0)
