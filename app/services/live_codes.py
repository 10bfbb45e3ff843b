"""Live codes: the six digits on a live station's counter display, new every 30 seconds.

TOTP as RFC 6238 defines it, with HMAC-SHA256: the moving factor is the number of
30-second steps since the Unix epoch as 8 bytes big-endian, and RFC 4226's dynamic
truncation turns the MAC into six digits. The key is the station's ``live_secret`` (256
random bits, see ``codes.new_live_secret``), which never leaves the server.

Written with ``hmac`` rather than pyotp: it is the ten lines below, it takes the key as
the bytes it is (pyotp wants a base32 text of it), and the tests check it against the
RFC's own test vectors. A code is accepted in its own step and the one after (a shopper
who scanned just before the change still gets the stamp), never earlier or later, so a
photo of the display is useless a minute later.
"""

import hashlib
import hmac
import math
import re
from datetime import datetime

STEP_SECONDS = 30
DIGITS = 6
# How many steps back a code is still accepted: the current step and the previous one.
ACCEPTED_STEPS = (0, 1)
LIVE_CODE_RE = re.compile(r"[0-9]{6}")


def current_step(now: datetime) -> int:
    """The RFC 6238 time step of ``now`` (an aware moment): 30-second steps since 1970."""
    return math.floor(now.timestamp()) // STEP_SECONDS


def seconds_left(now: datetime) -> float:
    """Seconds from ``now`` until the next step begins (and the display shows a new code)."""
    return (current_step(now) + 1) * STEP_SECONDS - now.timestamp()


def live_code(secret: str, step: int) -> str:
    """The six digits of the station with ``secret`` (hex) in time step ``step``."""
    mac = hmac.new(bytes.fromhex(secret), step.to_bytes(8, "big"), hashlib.sha256).digest()
    offset = mac[-1] & 0x0F
    number = int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 10**DIGITS:0{DIGITS}d}"


def normalise_live_code(typed: str | None) -> str | None:
    """Six digits as a person types them (``123 456``, ``123-456``), or ``None``."""
    if typed is None:
        return None
    cleaned = re.sub(r"[\s\-]", "", typed)
    return cleaned if LIVE_CODE_RE.fullmatch(cleaned) else None


def accepts(secret: str, code: str | None, now: datetime) -> bool:
    """Whether ``code`` is the station's code of the current or the previous step.

    Every candidate is compared in constant time, and all of them are compared, so the
    answer's timing does not tell which step matched.
    """
    typed = normalise_live_code(code)
    if typed is None:
        return False
    step = current_step(now)
    matches = [hmac.compare_digest(live_code(secret, step - back), typed)
               for back in ACCEPTED_STEPS]
    return any(matches)
