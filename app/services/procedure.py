"""The published draw procedure: pure functions, no database, no clock.

Anyone can re-implement this from the README in a few lines; ``flask draw verify`` runs
exactly these functions on the published files.

1. Pool: one line per entry, ``f"{CODE}\\t{lots}\\n"``, sorted by CODE (ASCII), UTF-8.
   ``pool_hash = sha256(pool_bytes).hexdigest()``.
2. Seed: 32 random bytes, ``seed_hex`` in lower-case hex;
   ``commitment = sha256(seed_hex.encode()).hexdigest()``, published with pool_hash.
3. Key: ``seed_hex``, or ``seed_hex + ":" + beacon_hex`` when a beacon was recorded.
   Ticket i (1..lots) of CODE scores ``hmac_sha256(key, f"{CODE}#{i}").hexdigest()``;
   an entry's score is its lowest ticket score. Entries sorted by (score, CODE); the
   first k win, rank 1 first.
"""

import hashlib
import heapq
import hmac
import re
import secrets
from collections.abc import Iterable, Iterator

from .errors import DomainError

CODE_RE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")
# One well-formed pool line; a file is well formed when its lines' matches cover it.
POOL_LINE_RE = re.compile(r"([0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4})\t([1-9][0-9]{0,5})\n")
HEX64_RE = re.compile(r"[0-9a-f]{64}")
BEACON_RE = re.compile(r"[0-9a-f]{16,128}")


class ProcedureError(DomainError):
    """Bad input to the procedure. Codes: ``bad_pool``, ``bad_seed``, ``bad_beacon``,
    ``bad_count``."""


def pool_text(entries: Iterable[tuple[str, int]]) -> str:
    """The pool file for ``(code, lots)`` pairs, sorted by code."""
    return "".join(f"{code}\t{lots}\n" for code, lots in sorted(entries))


def pool_hash(text: str) -> str:
    """SHA-256 of the pool file's UTF-8 bytes, lower-case hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_pool(text: str) -> list[tuple[str, int]]:
    """Read a pool file back; any line order is accepted, the result is sorted.

    Raises ``ProcedureError("bad_pool", line=n)`` for a malformed line or a repeated code.
    """
    normalised = text if text.endswith("\n") or not text else text + "\n"
    pairs = POOL_LINE_RE.findall(normalised)
    # Matches never overlap, so if their lengths add up to the text, they cover all of it.
    covered = 11 * len(pairs) + sum(len(lots) for _code, lots in pairs)
    if covered == len(normalised):
        # The common case, a file as we publish it: one pass in the regex engine.
        entries = {code: int(lots) for code, lots in pairs}
        if len(entries) == len(pairs):
            return sorted(entries.items())
    entries = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        code, _, lots = line.partition("\t")
        if not CODE_RE.fullmatch(code) or not lots.isdigit() or int(lots) < 1 or code in entries:
            raise ProcedureError("bad_pool", line=number)
        entries[code] = int(lots)
    return sorted(entries.items())


def new_seed() -> str:
    """32 bytes from ``secrets``, as lower-case hex."""
    return secrets.token_bytes(32).hex()


def commitment(seed_hex: str) -> str:
    """The published commitment to a seed: SHA-256 of its hex string."""
    return hashlib.sha256(seed_hex.encode("ascii")).hexdigest()


def check_seed(seed_hex: str) -> str:
    """Return ``seed_hex`` if it is 64 lower-case hex digits, else raise ``bad_seed``."""
    if not HEX64_RE.fullmatch(seed_hex):
        raise ProcedureError("bad_seed")
    return seed_hex


def check_beacon(beacon_hex: str | None) -> str | None:
    """Return a beacon value (16–128 lower-case hex digits) or ``None``."""
    if beacon_hex is None or beacon_hex == "":
        return None
    if not BEACON_RE.fullmatch(beacon_hex):
        raise ProcedureError("bad_beacon")
    return beacon_hex


def draw_key(seed_hex: str, beacon_hex: str | None) -> str:
    """The HMAC key: the seed, joined with the beacon when there is one."""
    return seed_hex if beacon_hex is None else f"{seed_hex}:{beacon_hex}"


def scores(
    entries: Iterable[tuple[str, int]], seed_hex: str, beacon_hex: str | None
) -> Iterator[tuple[bytes, str]]:
    """``(best ticket score, code)`` for each entry of the pool, in pool order."""
    key = draw_key(check_seed(seed_hex), check_beacon(beacon_hex)).encode()
    digest = hmac.digest
    for code, lots in entries:
        # Raw digests order exactly like their hex strings, and are cheaper to make.
        best = digest(key, f"{code}#1".encode(), "sha256")
        for ticket in range(2, lots + 1):
            score = digest(key, f"{code}#{ticket}".encode(), "sha256")
            if score < best:
                best = score
        yield best, code


def ranking(entries: Iterable[tuple[str, int]], seed_hex: str, beacon_hex: str | None) -> list[str]:
    """Every code of the pool in winning order."""
    return [code for _score, code in sorted(scores(entries, seed_hex, beacon_hex))]


def winners(
    entries: Iterable[tuple[str, int]], seed_hex: str, beacon_hex: str | None, k: int
) -> list[str]:
    """The first ``k`` codes of the ranking (fewer if the pool is smaller).

    The same as ``ranking(...)[:k]``, without sorting the whole pool: a draw has a few
    prizes and may have a hundred thousand entries.
    """
    if k < 0:
        raise ProcedureError("bad_count")
    best = heapq.nsmallest(k, scores(entries, seed_hex, beacon_hex))
    return [code for _score, code in best]
