"""Live codes: RFC 6238 structure, step boundaries, and live stamping through the views."""

import hashlib
import hmac
import struct
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Card, Stamp, Station
from app.services import live_codes
from app.services.live_codes import accepts, current_step, live_code, seconds_left
from app.services.stamping import StampError, stamp_card
from app.services.stations import find_live_station, rotate_station

from .helpers import FIRST_DAY, csrf_token, make_rally, make_station
from .test_prizes_and_dates import counted_statements

BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)

# RFC 6238, appendix B: the SHA-256 seed and (time, 8-digit TOTP) pairs. Six digits are
# the same number modulo 10^6, i.e. its last six digits.
RFC_SEED = b"12345678901234567890123456789012"
RFC_VECTORS = [
    (59, "46119246"),
    (1111111109, "68084774"),
    (1111111111, "67062674"),
    (1234567890, "91819424"),
    (2000000000, "90698825"),
    (20000000000, "77737706"),
]
SECRET = "0f" * 32
OTHER_SECRET = "a5" * 32
# A step boundary on the rally's first day: 1 Dec 2026, 09:00:00 Berlin is 08:00:00 UTC,
# a whole minute, so a step begins there.
BOUNDARY = FIRST_DAY.astimezone(UTC)


def independent_totp(key: bytes, moment: int, digits: int = 6) -> str:
    """TOTP written out from the RFCs on their own terms: struct for the counter, the
    dynamic truncation by hand, HMAC-SHA256."""
    counter = struct.pack(">Q", moment // 30)
    digest = hmac.new(key, counter, hashlib.sha256).digest()
    offset = digest[-1] & 0xF
    binary = ((digest[offset] & 0x7F) << 24 | digest[offset + 1] << 16
              | digest[offset + 2] << 8 | digest[offset + 3])
    return str(binary % 10**digits).zfill(digits)


@pytest.mark.parametrize(("moment", "expected"), RFC_VECTORS)
def test_rfc_6238_sha256_vectors(moment: int, expected: str) -> None:
    assert live_code(RFC_SEED.hex(), moment // 30) == expected[-6:]
    assert independent_totp(RFC_SEED, moment, digits=8) == expected


@pytest.mark.parametrize("step", [0, 1, 59_000_000, 2**40 + 17])
def test_codes_match_an_independent_computation(step: int) -> None:
    for secret in (SECRET, OTHER_SECRET):
        assert live_code(secret, step) == independent_totp(bytes.fromhex(secret), step * 30)
        assert len(live_code(secret, step)) == 6 and live_code(secret, step).isdigit()


def test_steps_are_thirty_seconds_since_the_epoch() -> None:
    assert BOUNDARY.timestamp() % 30 == 0
    step = current_step(BOUNDARY)
    assert step == int(BOUNDARY.timestamp()) // 30
    assert current_step(BOUNDARY - timedelta(microseconds=1)) == step - 1
    assert current_step(BOUNDARY + timedelta(seconds=29, microseconds=999_999)) == step
    assert current_step(BOUNDARY + timedelta(seconds=30)) == step + 1
    assert seconds_left(BOUNDARY) == 30
    assert seconds_left(BOUNDARY + timedelta(seconds=29.5)) == pytest.approx(0.5)


def test_current_and_previous_step_are_accepted_nothing_else() -> None:
    step = current_step(BOUNDARY)
    codes = {offset: live_code(SECRET, step + offset) for offset in (-3, -2, -1, 0, 1, 2)}
    assert len(set(codes.values())) == len(codes), "pick another SECRET: codes collide"
    # At the first instant of a step: its code and the previous one.
    assert accepts(SECRET, codes[0], BOUNDARY)
    assert accepts(SECRET, codes[-1], BOUNDARY)
    assert not accepts(SECRET, codes[-2], BOUNDARY)  # older
    assert not accepts(SECRET, codes[1], BOUNDARY)  # future
    # At the last instant of the step before: that one and the one before it.
    just_before = BOUNDARY - timedelta(microseconds=1)
    assert accepts(SECRET, codes[-1], just_before)
    assert accepts(SECRET, codes[-2], just_before)
    assert not accepts(SECRET, codes[0], just_before)  # not yet
    assert not accepts(SECRET, codes[-3], just_before)
    # A code shown at the start of a step is useless 60 seconds later.
    assert accepts(SECRET, codes[0], BOUNDARY + timedelta(seconds=59.9))
    assert not accepts(SECRET, codes[0], BOUNDARY + timedelta(seconds=60))


def test_another_stations_code_is_refused() -> None:
    step = current_step(BOUNDARY)
    theirs = [live_code(OTHER_SECRET, step - back) for back in (0, 1)]
    ours = [live_code(SECRET, step - back) for back in (0, 1)]
    assert not set(theirs) & set(ours), "pick another OTHER_SECRET: codes collide"
    assert not any(accepts(SECRET, code, BOUNDARY) for code in theirs)


@pytest.mark.parametrize(("typed", "expected"), [
    ("123456", "123456"), ("123 456", "123456"), (" 123-456 ", "123456"),
    ("12345", None), ("1234567", None), ("12a456", None), ("", None), (None, None),
    ("１２３４５６", None),
])
def test_typed_codes_are_read_as_people_type_them(typed: str | None, expected: str | None) -> None:
    assert live_codes.normalise_live_code(typed) == expected


def test_new_stations_get_a_secret_of_their_own(app: Flask) -> None:
    rally = make_rally()
    secrets = {make_station(rally).live_secret for _ in range(5)}
    assert len(secrets) == 5
    assert all(len(secret) == 64 and int(secret, 16) >= 0 for secret in secrets)


# --- live stamping through the views ----------------------------------------------------


@pytest.fixture
def live(app: Flask, freeze: Callable[[datetime], None]) -> Station:
    """A live station of a running rally (and a printed one beside it), at a boundary."""
    freeze(BOUNDARY)
    rally = make_rally()
    station = make_station(rally, mode="live", live_secret=SECRET)
    make_station(rally, live_secret=OTHER_SECRET)
    db.session.commit()
    return station


def current(station: Station, back: int = 0) -> str:
    """The station's code ``back`` steps before the frozen clock's."""
    return live_code(station.live_secret, current_step(BOUNDARY) - back)


def written() -> tuple[int, int]:
    """How many cards and stamps there are."""
    return (db.session.scalar(select(func.count(Card.id))) or 0,
            db.session.scalar(select(func.count(Stamp.id))) or 0)


def scan_and_tap(client: FlaskClient, token: str, code: str | None) -> tuple[int, int]:
    """Open the scan page (with ``?code=`` if given) and, if it offers one, press the
    button with what its form carries; return both statuses (0: no button offered)."""
    url = f"/s/{token}" + (f"?code={code}" if code is not None else "")
    page = client.get(url)
    if page.status_code != 200:
        return page.status_code, 0
    form = {"csrf_token": csrf_token(page.text)}
    if f'name="code" value="{code}"' in page.text:  # a live station carries its code
        form["code"] = code or ""
    return 200, client.post(f"/s/{token}", data=form).status_code


@BOTH_DATABASES
def test_scanning_the_counter_code_stamps_with_source_live(client: FlaskClient,
                                                           live: Station) -> None:
    assert f'value="{current(live)}"' in client.get(f"/s/{live.token}?code={current(live)}").text
    assert scan_and_tap(client, live.token, current(live)) == (200, 303)
    stamp = db.session.scalars(select(Stamp)).one()
    assert (stamp.station_id, stamp.source) == (live.id, "live")
    card = db.session.get(Card, stamp.card_id)
    assert card is not None and card.first_station_id == live.id
    assert "Stempel" in client.get("/karte").text


@BOTH_DATABASES
def test_previous_steps_code_still_stamps(client: FlaskClient, live: Station) -> None:
    assert scan_and_tap(client, live.token, current(live, back=1)) == (200, 303)
    assert written() == (1, 1)


@BOTH_DATABASES
def test_the_poster_of_a_live_station_stamps_nothing(client: FlaskClient, live: Station) -> None:
    page = client.get(f"/s/{live.token}")
    assert page.status_code == 409
    assert "Scanne den Code an der Kasse" in page.text
    assert "Stempel einsammeln" not in page.text
    token = csrf_token(client.get("/stempel").text)
    response = client.post(f"/s/{live.token}", data={"csrf_token": token})
    assert response.status_code == 409
    assert "Scanne den Code an der Kasse" in response.text
    assert "set-cookie" not in {name.lower() for name in response.headers.keys()}
    assert written() == (0, 0)


@BOTH_DATABASES
@pytest.mark.parametrize("back", [2, 3, -1])
def test_a_stale_or_future_code_is_refused_calmly(client: FlaskClient, live: Station,
                                                  back: int) -> None:
    code = current(live, back=back)
    page = client.get(f"/s/{live.token}?code={code}")
    assert page.status_code == 409
    assert "Dieser Code gilt nicht mehr" in page.text
    token = csrf_token(client.get("/stempel").text)
    response = client.post(f"/s/{live.token}", data={"csrf_token": token, "code": code})
    assert response.status_code == 409
    assert written() == (0, 0)


def test_a_code_that_went_stale_between_scan_and_tap_writes_nothing(
    client: FlaskClient, live: Station, freeze: Callable[[datetime], None]
) -> None:
    code = current(live)
    page = client.get(f"/s/{live.token}?code={code}")
    assert page.status_code == 200
    freeze(BOUNDARY + timedelta(seconds=60))
    response = client.post(f"/s/{live.token}", data={"csrf_token": csrf_token(page.text),
                                                     "code": code})
    assert response.status_code == 409
    assert written() == (0, 0)


@pytest.mark.parametrize("code", ["abcdef", "12345", "1234567", "", "%00"])
def test_malformed_codes_are_wrong_codes(client: FlaskClient, live: Station, code: str) -> None:
    assert client.get(f"/s/{live.token}?code={code}").status_code in (409, 400)
    assert written() == (0, 0)


def test_another_stations_code_does_not_stamp_here(client: FlaskClient, live: Station) -> None:
    other = db.session.scalars(select(Station).where(Station.id != live.id)).one()
    theirs = live_code(other.live_secret, current_step(BOUNDARY))
    assert theirs not in (current(live), current(live, back=1))
    assert client.get(f"/s/{live.token}?code={theirs}").status_code == 409
    assert written() == (0, 0)


def test_a_printed_station_ignores_a_code(client: FlaskClient, live: Station) -> None:
    printed = db.session.scalars(select(Station).where(Station.id != live.id)).one()
    assert 'name="code"' not in client.get(f"/s/{printed.token}?code=123456").text
    assert scan_and_tap(client, printed.token, "123456") == (200, 303)
    assert db.session.scalars(select(Stamp.source)).one() == "qr"


@BOTH_DATABASES
def test_typed_counter_digits_stamp_with_source_live(client: FlaskClient, live: Station) -> None:
    page = client.get("/stempel")
    code = current(live)
    response = client.post("/stempel", data={"csrf_token": csrf_token(page.text),
                                             "code": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 303
    stamp = db.session.scalars(select(Stamp)).one()
    assert (stamp.station_id, stamp.source) == (live.id, "live")


@pytest.mark.parametrize(("typed", "message"), [
    ("poster", "Dieses Geschäft stempelt mit einem Code an der Kasse"),
    ("stale", "oder er ist schon abgelaufen"),
])
def test_typed_codes_that_do_not_stamp_a_live_station(client: FlaskClient, live: Station,
                                                      typed: str, message: str) -> None:
    code = live.short_code if typed == "poster" else current(live, back=2)
    page = client.get("/stempel")
    response = client.post("/stempel", data={"csrf_token": csrf_token(page.text), "code": code})
    assert response.status_code == 400
    assert message in response.text
    assert written() == (0, 0)


def test_typed_digits_two_stations_show_are_refused(live: Station,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    make_station(live.rally, mode="live")
    db.session.commit()
    monkeypatch.setattr(live_codes, "accepts", lambda secret, code, now: True)
    with pytest.raises(StampError) as refused:
        find_live_station("123456", BOUNDARY)
    assert refused.value.code == "live_code_ambiguous"


def test_live_stations_of_other_rallies_are_not_typed_into(live: Station) -> None:
    over = make_rally(starts_at=datetime(2025, 12, 1, tzinfo=UTC),
                      ends_at=datetime(2025, 12, 24, tzinfo=UTC),
                      entry_closes_at=datetime(2025, 12, 24, tzinfo=UTC))
    ended = make_station(over, mode="live")
    db.session.commit()
    code = live_code(ended.live_secret, current_step(BOUNDARY))
    assert find_live_station(code, BOUNDARY) is None
    with pytest.raises(StampError) as refused:
        stamp_card(card_secret=None, short_code=code, source="short_code", now=BOUNDARY)
    assert refused.value.code == "live_code_wrong"


def test_replacing_the_code_replaces_the_live_secret(live: Station) -> None:
    old_secret, old_code = live.live_secret, current(live)
    rotated = rotate_station(shop_slug=live.shop.slug, rally_slug=live.rally.slug,
                             now=BOUNDARY)
    assert rotated.live_secret != old_secret and len(rotated.live_secret) == 64
    with pytest.raises(StampError) as refused:
        stamp_card(card_secret=None, token=rotated.token, live_code=old_code, now=BOUNDARY)
    assert refused.value.code == "live_code_wrong"
    details = db.session.scalars(select(AuditEvent.details)).one()
    assert old_secret not in str(details) and rotated.live_secret not in str(details)


def test_a_live_stamp_costs_the_queries_of_a_printed_one(app: Flask, live: Station) -> None:
    printed = db.session.scalars(select(Station).where(Station.id != live.id)).one()
    costs = []
    for token, code in ((printed.token, None), (live.token, current(live))):
        client = app.test_client()
        page = client.get(f"/s/{token}" + (f"?code={code}" if code else ""))
        form = {"csrf_token": csrf_token(page.text), **({"code": code} if code else {})}
        db.session.remove()
        with counted_statements() as seen:
            assert client.post(f"/s/{token}", data=form).status_code == 303
        costs.append(len(seen))
    assert costs[0] == costs[1]


def test_trying_codes_on_the_scan_page_counts_against_the_stamp_limit(
    app: Flask, live: Station
) -> None:
    """The scan page checks a code, so it could be used to try codes: with ``?code=`` it
    counts like a tap; a plain scan (a poster, a messenger preview) does not."""
    app.config["RATELIMIT_STAMP"] = "2 per minute"
    guesser = app.test_client()
    statuses = [guesser.get(f"/s/{live.token}?code={n:06d}").status_code for n in range(3)]
    assert statuses[-1] == 429 and 429 not in statuses[:-1]
    printed = db.session.scalars(select(Station).where(Station.id != live.id)).one()
    assert {guesser.get(f"/s/{printed.token}").status_code for _ in range(4)} == {200}
