"""drand rounds: when each is due, which to suggest, which to refuse, where to read it."""

from datetime import UTC, datetime, timedelta

import pytest

from app.models import BEACON_CHAINS
from app.services import drand

from .helpers import AFTER_END, LAST_DAY

QUICKNET = drand.CHAINS["quicknet"]
MAINNET = drand.CHAINS["default"]


def test_the_chains_are_the_ones_the_database_allows() -> None:
    assert tuple(sorted(drand.CHAINS)) == tuple(sorted(BEACON_CHAINS)) == drand.CHAIN_NAMES
    assert QUICKNET.chain_hash == (
        "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
    )
    assert MAINNET.chain_hash == (
        "8990e7a9aaed2ffed73dbd7092123d6f289930540d7651336225dc172e51b2ce"
    )


@pytest.mark.parametrize(
    ("chain", "round_number", "unix_time"),
    [
        (MAINNET, 1, 1595431050),  # round 1 is due at genesis
        (MAINNET, 2, 1595431080),
        # A published mainnet round and its time (drand's TimeOfRound, as others use it).
        (MAINNET, 2238596, 1662588900),
        (QUICKNET, 1, 1692803367),
        (QUICKNET, 1001, 1692803367 + 3000),
    ],
)
def test_round_due_times(chain: drand.Chain, round_number: int, unix_time: int) -> None:
    assert drand.round_due_at(chain, round_number) == datetime.fromtimestamp(unix_time, UTC)


@pytest.mark.parametrize("round_number", [0, -1])
def test_rounds_start_at_one(round_number: int) -> None:
    with pytest.raises(drand.BeaconError) as excinfo:
        drand.round_due_at(QUICKNET, round_number)
    assert excinfo.value.code == "bad_round"


@pytest.mark.parametrize("chain", [QUICKNET, MAINNET], ids=["quicknet", "default"])
@pytest.mark.parametrize("offset", [timedelta(0), timedelta(microseconds=1), timedelta(seconds=1)])
def test_first_round_due_at_or_after(chain: drand.Chain, offset: timedelta) -> None:
    exact = drand.round_due_at(chain, 5_000_000)
    found = drand.first_round_due_at_or_after(chain, exact + offset)
    assert drand.round_due_at(chain, found) >= exact + offset
    assert drand.round_due_at(chain, found - 1) < exact + offset
    assert found == (5_000_000 if offset == timedelta(0) else 5_000_001)


def test_before_genesis_the_first_round_is_one() -> None:
    assert drand.first_round_due_at_or_after(QUICKNET, datetime(2020, 1, 1, tzinfo=UTC)) == 1


@pytest.mark.parametrize("chain", [QUICKNET, MAINNET], ids=["quicknet", "default"])
@pytest.mark.parametrize("now", [LAST_DAY, AFTER_END])
def test_the_suggested_round_is_due_ten_minutes_after_sealing(chain, now) -> None:
    suggested = drand.suggested_round(chain, now=now)
    due_at = drand.round_due_at(chain, suggested)
    assert now + timedelta(minutes=10) <= due_at < now + timedelta(minutes=10) + chain.period
    assert drand.check_round(chain, suggested, now=now) == due_at


def test_quicknet_round_numbers_in_december_2026() -> None:
    suggested = drand.suggested_round(QUICKNET, now=LAST_DAY)
    # 24 Dec 2026, 13:10 in Herten is 12:10 UTC, 1798114200 seconds since 1970, exactly
    # 35,103,611 periods of 3 s after quicknet's genesis: round 35,103,612 is due then.
    assert suggested == 35_103_612
    assert drand.round_due_at(QUICKNET, suggested).timestamp() == 1798114200


@pytest.mark.parametrize(
    ("delay", "code"),
    [
        (timedelta(minutes=-5), "round_due"),  # already due: its value is public
        (timedelta(0), "round_due"),
        (timedelta(seconds=30), "round_due"),  # too close for two clocks
        (timedelta(days=61), "round_too_late"),
    ],
)
def test_rounds_due_too_soon_or_too_late_are_refused(delay: timedelta, code: str) -> None:
    round_number = drand.first_round_due_at_or_after(QUICKNET, LAST_DAY + delay)
    with pytest.raises(drand.BeaconError) as excinfo:
        drand.check_round(QUICKNET, round_number, now=LAST_DAY)
    assert excinfo.value.code == code


def test_a_round_a_minute_ahead_is_accepted() -> None:
    round_number = drand.first_round_due_at_or_after(QUICKNET, LAST_DAY + timedelta(minutes=1))
    assert drand.check_round(QUICKNET, round_number, now=LAST_DAY) >= LAST_DAY


def test_public_url() -> None:
    assert drand.public_url(QUICKNET, 123) == (
        "https://api.drand.sh/52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
        "/public/123"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ab" * 32, "ab" * 32),
        ("  " + "AB" * 32 + "\n", "ab" * 32),
    ],
)
def test_randomness_is_64_hex_digits(value: str, expected: str) -> None:
    assert drand.check_randomness(value) == expected


@pytest.mark.parametrize(
    "value", ["", "ab" * 31 + "a", "ab" * 32 + "a", "g" * 64, "ab" * 16, "ab" * 31 + " a"]
)
def test_other_randomness_is_refused(value: str) -> None:
    with pytest.raises(drand.BeaconError) as excinfo:
        drand.check_randomness(value)
    assert excinfo.value.code == "bad_beacon"


def test_unknown_chain() -> None:
    with pytest.raises(drand.BeaconError) as excinfo:
        drand.chain_named("testnet")
    assert excinfo.value.code == "unknown_chain"
