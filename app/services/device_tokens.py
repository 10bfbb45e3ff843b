"""Device tokens: what the device cookie of OWASP's "Slow Down Online Guessing Attacks
with Device Cookies" carries.

A browser in which someone logged in successfully receives a token naming the account
and a random nonce, signed with the app's secret key (itsdangerous), with the moment it
was issued. The token is no credential: it only lets that browser's failed logins count
against its own nonce, so that a stranger's guesses, which lock out untrusted clients,
do not lock out the people who work with the account every day.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from itsdangerous import BadData, URLSafeSerializer

SALT = "anmeldegeraet"  # keeps these signatures apart from the session's
NONCE_BYTES = 16  # 22 characters, inside LoginAttempt.device


@dataclass(frozen=True)
class DeviceToken:
    """A verified device token: the account it is bound to and its nonce."""

    user_id: int
    nonce: str


def _serializer(secret_keys: Sequence[str]) -> URLSafeSerializer:
    """itsdangerous' serializer; the last key signs, every key verifies (key rotation)."""
    return URLSafeSerializer(list(secret_keys), salt=SALT)


def issue_device_token(user_id: int, *, secret_keys: Sequence[str], now: datetime) -> str:
    """A new signed token, with a fresh nonce, bound to the account ``user_id``."""
    payload = {"u": user_id, "n": secrets.token_urlsafe(NONCE_BYTES),
               "t": int(now.timestamp())}
    return str(_serializer(secret_keys).dumps(payload))


def read_device_token(
    value: str | None, *, secret_keys: Sequence[str], now: datetime, max_age: timedelta
) -> DeviceToken | None:
    """The token in ``value`` if its signature holds and it is younger than ``max_age``.

    Anything else (no cookie, a forged or damaged one, an expired one, a foreign
    payload) is ``None``: the browser is an untrusted client.
    """
    if not value:
        return None
    try:
        payload = _serializer(secret_keys).loads(value)
    except BadData:
        return None
    if not isinstance(payload, dict):
        return None
    user_id, nonce, issued = payload.get("u"), payload.get("n"), payload.get("t")
    if not (isinstance(user_id, int) and isinstance(nonce, str) and isinstance(issued, int)):
        return None
    try:
        issued_at = datetime.fromtimestamp(issued, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    if not now - max_age < issued_at <= now + timedelta(minutes=5):
        return None  # expired, or issued in the future (a clock or a key gone wrong)
    return DeviceToken(user_id=user_id, nonce=nonce)
