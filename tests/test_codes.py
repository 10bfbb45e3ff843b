"""Tests of tokens and codes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services import codes


def test_station_tokens_are_long_random_and_url_safe() -> None:
    tokens = {codes.new_station_token() for _ in range(500)}
    assert len(tokens) == 500
    assert all(codes.is_station_token(t) for t in tokens)
    # 22 URL-safe base64 characters carry 132 bits, of which 128 are random.
    assert all(len(t) == 22 for t in tokens)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("7KQ2MX", "7KQ2MX"),
        ("7kq2mx", "7KQ2MX"),
        (" 7KQ-2MX ", "7KQ2MX"),
        ("7KQ 2MX", "7KQ2MX"),
        ("O1L2I3", "011213"),
        ("7KQ2M", None),
        ("7KQ2MXX", None),
        ("7KQ2MU", None),
        ("7KQ2M\x00", None),
        ("ÄÖÜ123", None),
        ("", None),
    ],
)
def test_normalise_short_code(typed: str, expected: str | None) -> None:
    assert codes.normalise_short_code(typed) == expected


@given(st.text(max_size=40))
def test_normalised_codes_are_always_in_the_alphabet(typed: str) -> None:
    result = codes.normalise_short_code(typed)
    assert result is None or (len(result) == 6 and set(result) <= set(codes.CROCKFORD))


def test_card_codes_look_like_the_design() -> None:
    for _ in range(200):
        assert codes.CARD_CODE_RE.fullmatch(codes.new_card_code())


def test_recovery_tokens_depend_on_key_and_code() -> None:
    token = codes.recovery_token("key-a", "K7QM-2XPA")
    assert codes.RECOVERY_RE.fullmatch(token)
    assert codes.recovery_matches("key-a", "K7QM-2XPA", token)
    assert not codes.recovery_matches("key-b", "K7QM-2XPA", token)
    assert not codes.recovery_matches("key-a", "K7QM-2XPB", token)
