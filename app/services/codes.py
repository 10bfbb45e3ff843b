"""Secrets and human codes: station tokens, short codes, card codes, cookie secrets."""

import hashlib
import hmac
import re
import secrets

# Crockford's base32: no I, L, O, U, so nothing is misread on a poster or a receipt.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CROCKFORD_READ = str.maketrans({"O": "0", "I": "1", "L": "1"})

TOKEN_BYTES = 16  # 128 bits, the floor DESIGN.md sets for station tokens
LIVE_SECRET_BYTES = 32  # 256 bits: the key of a station's live codes (HMAC-SHA256)
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{22}")
SHORT_CODE_LENGTH = 6
CARD_CODE_RE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")
CARD_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{43}")
RECOVERY_RE = re.compile(r"[0-9a-f]{40}")


def new_station_token() -> str:
    """Return a fresh URL-safe station token (22 characters, 128 random bits)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_live_secret() -> str:
    """Return a fresh key for a station's live codes: 256 random bits as 64 hex digits.

    It never leaves the server: the counter display shows codes made with it, not the key.
    """
    return secrets.token_hex(LIVE_SECRET_BYTES)


def is_station_token(value: str) -> bool:
    """Whether ``value`` has the shape of a station token (checked before any query)."""
    return TOKEN_RE.fullmatch(value) is not None


def _crockford(length: int) -> str:
    """Return ``length`` random Crockford base32 characters."""
    return "".join(secrets.choice(CROCKFORD) for _ in range(length))


def new_short_code() -> str:
    """Return a six-character code to type instead of scanning, e.g. ``7KQ2MX``."""
    return _crockford(SHORT_CODE_LENGTH)


def normalise_short_code(typed: str) -> str | None:
    """Read a typed short code the way a person means it, or ``None`` if it can't be one.

    Case, spaces and dashes don't matter; O reads as 0 and I or L as 1.
    """
    cleaned = re.sub(r"[\s\-]", "", typed).upper().translate(_CROCKFORD_READ)
    if len(cleaned) != SHORT_CODE_LENGTH or any(c not in CROCKFORD for c in cleaned):
        return None
    return cleaned


def new_card_code() -> str:
    """Return a public card code such as ``K7QM-2XPA`` (40 random bits)."""
    return f"{_crockford(4)}-{_crockford(4)}"


def new_card_secret() -> str:
    """Return the opaque secret a browser keeps in its card cookie (256 bits)."""
    return secrets.token_urlsafe(32)


def is_card_secret(value: str) -> bool:
    """Whether ``value`` has the shape of a card secret."""
    return CARD_SECRET_RE.fullmatch(value) is not None


def hash_secret(secret: str) -> str:
    """Return the hex SHA-256 that the database keeps instead of a secret.

    The secrets are 256 random bits, so a fast hash is enough: there is nothing to guess.
    """
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def recovery_token(key: str, card_code: str) -> str:
    """Return the recovery token of a card: an HMAC of its code under the app's key.

    It is shown on the card page and restores the card on another device. Nothing about
    it is stored; it is checked by computing it again.
    """
    mac = hmac.new(key.encode(), f"card-recovery:v1:{card_code}".encode(), hashlib.sha256)
    return mac.hexdigest()[:40]


def recovery_matches(key: str, card_code: str, token: str) -> bool:
    """Check a recovery token in constant time."""
    return hmac.compare_digest(recovery_token(key, card_code), token)
