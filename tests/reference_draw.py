"""An independent re-implementation of the published draw procedure, as in the README.

Deliberately written from the README's description, not from app.services.procedure, so
that the tests compare two implementations.
"""

import hashlib
import hmac


def reference_winners(pool_text: str, seed_hex: str, beacon_hex: str | None, k: int) -> list[str]:
    """Winners of a draw from the published pool file, seed and beacon."""
    key = seed_hex if not beacon_hex else seed_hex + ":" + beacon_hex
    scored = []
    for line in pool_text.splitlines():
        if not line:
            continue
        code, lots = line.split("\t")
        score = min(
            hmac.new(key.encode(), f"{code}#{i}".encode(), hashlib.sha256).hexdigest()
            for i in range(1, int(lots) + 1)
        )
        scored.append((score, code))
    return [code for score, code in sorted(scored)[:k]]
