"""Domain tests of the stamping service, with a frozen clock."""

from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Card, CardKey, Stamp
from app.services import codes
from app.services.stamping import StampError, stamp_card

from .helpers import AFTER_END, BEFORE_START, FIRST_DAY, LAST_DAY, make_rally, make_station

# The data layer must behave the same on the embedded and the production database.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


def stamps_in_db() -> int:
    """Count every stamp row."""
    return db.session.scalar(select(func.count()).select_from(Stamp)) or 0


@pytest.mark.parametrize(
    ("moment", "expected"),
    [(BEFORE_START, "not_started"), (AFTER_END, "ended")],
    ids=["30-nov", "25-dec"],
)
def test_stamping_outside_the_rally_is_refused(app, moment: datetime, expected: str) -> None:
    station = make_station(make_rally())
    db.session.commit()
    with pytest.raises(StampError) as excinfo:
        stamp_card(card_secret=None, token=station.token, now=moment)
    assert excinfo.value.code == expected
    assert stamps_in_db() == 0
    assert db.session.scalar(select(func.count()).select_from(Card)) == 0


@pytest.mark.parametrize("moment", [FIRST_DAY, LAST_DAY], ids=["1-dec", "24-dec"])
def test_first_tap_creates_card_and_stamp(app, moment: datetime) -> None:
    station = make_station(make_rally())
    db.session.commit()
    result = stamp_card(card_secret=None, token=station.token, now=moment)
    assert result.new_stamp
    assert result.stamp_count == 1
    assert result.card_secret is not None and codes.is_card_secret(result.card_secret)
    assert codes.CARD_CODE_RE.fullmatch(result.card_code)
    key = db.session.scalars(select(CardKey)).one()
    # The database holds only the hash of the browser's secret.
    assert key.secret_hash == codes.hash_secret(result.card_secret)
    assert result.card_secret not in key.secret_hash
    stamp = db.session.scalars(select(Stamp)).one()
    assert stamp.created_at == moment
    assert stamp.source == "qr"


def test_second_tap_is_calm_and_adds_nothing(app) -> None:
    station = make_station(make_rally())
    db.session.commit()
    first = stamp_card(card_secret=None, token=station.token, now=FIRST_DAY)
    again = stamp_card(card_secret=first.card_secret, token=station.token, now=LAST_DAY)
    assert not again.new_stamp
    assert again.card_id == first.card_id
    assert again.card_secret is None
    assert again.stamp_count == 1
    assert stamps_in_db() == 1


def test_stamps_accumulate_on_one_card(app) -> None:
    rally = make_rally()
    stations = [make_station(rally) for _ in range(4)]
    db.session.commit()
    secret = stamp_card(card_secret=None, token=stations[0].token, now=FIRST_DAY).card_secret
    for i, station in enumerate(stations[1:], start=2):
        result = stamp_card(card_secret=secret, token=station.token, now=FIRST_DAY)
        assert result.stamp_count == i
    assert db.session.scalar(select(func.count()).select_from(Card)) == 1


def test_typed_short_code_stamps_with_its_source(app) -> None:
    station = make_station(make_rally(), short_code="7KQ2MX")
    db.session.commit()
    result = stamp_card(
        card_secret=None, short_code=" 7kq-2mx ", source="short_code", now=FIRST_DAY
    )
    assert result.station_id == station.id
    assert db.session.scalars(select(Stamp.source)).one() == "short_code"


@pytest.mark.parametrize(
    "token",
    ["", "short", "A" * 21, "A" * 23, "A" * 10_000, "ÄÖÜäöüßÄÖÜäöüßÄÖÜäöüß1", "A" * 21 + "\x00"],
    ids=["empty", "short", "21", "23", "10k", "unicode", "nul"],
)
def test_malformed_tokens_are_unknown(app, token: str) -> None:
    make_station(make_rally())
    db.session.commit()
    with pytest.raises(StampError) as excinfo:
        stamp_card(card_secret=None, token=token, now=FIRST_DAY)
    assert excinfo.value.code == "unknown_station"


def test_well_formed_but_unknown_token(app) -> None:
    make_station(make_rally())
    db.session.commit()
    with pytest.raises(StampError) as excinfo:
        stamp_card(card_secret=None, token=codes.new_station_token(), now=FIRST_DAY)
    assert excinfo.value.code == "unknown_station"


def test_inactive_station_refuses(app) -> None:
    station = make_station(make_rally(), active=False)
    db.session.commit()
    with pytest.raises(StampError) as excinfo:
        stamp_card(card_secret=None, token=station.token, now=FIRST_DAY)
    assert excinfo.value.code == "inactive_station"


def test_draft_rally_refuses(app) -> None:
    station = make_station(make_rally(status="draft"))
    db.session.commit()
    with pytest.raises(StampError) as excinfo:
        stamp_card(card_secret=None, token=station.token, now=FIRST_DAY)
    assert excinfo.value.code == "inactive_station"


@pytest.mark.parametrize(
    "secret",
    ["garbage", "x" * 43, codes.new_card_secret(), "\x00" * 43],
    ids=["garbage", "well-formed-unknown-x", "well-formed-unknown", "nul"],
)
def test_forged_card_secret_is_refused_and_writes_nothing(app, secret: str) -> None:
    station = make_station(make_rally())
    db.session.commit()
    with pytest.raises(StampError) as excinfo:
        stamp_card(card_secret=secret, token=station.token, now=FIRST_DAY)
    assert excinfo.value.code == "bad_card"
    db.session.rollback()
    assert stamps_in_db() == 0
    assert db.session.scalar(select(func.count()).select_from(Card)) == 0


def test_card_of_another_rally_starts_a_new_card(app) -> None:
    old = make_station(make_rally(slug="blumenmarkt"))
    new = make_station(make_rally())
    db.session.commit()
    first = stamp_card(card_secret=None, token=old.token, now=FIRST_DAY)
    second = stamp_card(card_secret=first.card_secret, token=new.token, now=FIRST_DAY)
    assert second.card_id != first.card_id
    assert second.rally_id == new.rally_id
    assert second.card_secret is not None


def test_database_refuses_a_stamp_across_rallies(app) -> None:
    """The composite foreign keys keep card and station in the same rally."""
    from sqlalchemy.exc import IntegrityError

    a = make_station(make_rally())
    b = make_station(make_rally())
    db.session.commit()
    card_id = stamp_card(card_secret=None, token=a.token, now=FIRST_DAY).card_id
    db.session.add(
        Stamp(
            rally_id=a.rally_id, card_id=card_id, station_id=b.id, source="qr", created_at=FIRST_DAY
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_database_refuses_a_duplicate_stamp(app) -> None:
    from sqlalchemy.exc import IntegrityError

    station = make_station(make_rally())
    db.session.commit()
    card_id = stamp_card(card_secret=None, token=station.token, now=FIRST_DAY).card_id
    db.session.add(
        Stamp(
            rally_id=station.rally_id,
            card_id=card_id,
            station_id=station.id,
            source="staff",
            created_at=FIRST_DAY,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def counts_match() -> dict[int, tuple[int, int]]:
    """Each card's kept ``stamp_count`` beside a recount of its stamps."""
    db.session.expire_all()
    recount = dict(
        db.session.execute(select(Stamp.card_id, func.count()).group_by(Stamp.card_id)).all()
    )
    return {
        card_id: (kept, recount.get(card_id, 0))
        for card_id, kept in db.session.execute(select(Card.id, Card.stamp_count)).all()
    }


def test_card_stamp_count_follows_every_change_of_stamps(app) -> None:
    """The triggers keep cards.stamp_count equal to the card's stamps, whoever writes."""
    rally = make_rally()
    stations = [make_station(rally) for _ in range(4)]
    db.session.commit()
    one = stamp_card(card_secret=None, token=stations[0].token, now=FIRST_DAY)
    for station in stations[1:3]:
        result = stamp_card(card_secret=one.card_secret, token=station.token, now=FIRST_DAY)
    assert result.stamp_count == 3
    again = stamp_card(card_secret=one.card_secret, token=stations[1].token, now=FIRST_DAY)
    assert not again.new_stamp and again.stamp_count == 3  # ON CONFLICT inserted nothing
    two = stamp_card(card_secret=None, token=stations[3].token, now=FIRST_DAY)
    counts = counts_match()
    assert counts[one.card_id] == (3, 3) and counts[two.card_id] == (1, 1)

    # Staff move a stamp to the other card, delete one, and a card goes with its stamps.
    moved = db.session.scalar(
        select(Stamp).where(Stamp.card_id == one.card_id, Stamp.station_id == stations[0].id)
    )
    moved.card_id = two.card_id
    db.session.commit()
    assert counts_match()[one.card_id] == (2, 2) and counts_match()[two.card_id] == (2, 2)
    db.session.execute(
        Stamp.__table__.delete().where(
            Stamp.card_id == one.card_id, Stamp.station_id == stations[1].id
        )
    )
    db.session.commit()
    assert counts_match()[one.card_id] == (1, 1)
    db.session.execute(CardKey.__table__.delete().where(CardKey.card_id == two.card_id))
    db.session.execute(Card.__table__.delete().where(Card.id == two.card_id))
    db.session.commit()
    assert counts_match() == {one.card_id: (1, 1)}
