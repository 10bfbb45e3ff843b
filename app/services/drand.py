"""The League of Entropy's public randomness beacon, drand: which round is due when.

A draw names a future round at sealing; the run takes exactly that round's published
``randomness``. The app never fetches anything: staff paste the value, and anyone can
compare it with the public URL. Round ``r`` of a chain is due at
``genesis + (r - 1) * period`` (drand's ``TimeOfRound``); round 1 is due at genesis.
The BLS signature behind the value is not checked here; the public pages say so.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .errors import DomainError

API_BASE = "https://api.drand.sh"
# The round a sealing form suggests is due this long after sealing.
SUGGESTED_LEAD = timedelta(minutes=10)
# A named round must be due at least this long after sealing: the two clocks (ours and
# drand's) may differ by some seconds, and a value already out could be shopped for.
MIN_LEAD = timedelta(minutes=1)
# And at most this long: a typo must not hold the prizes for years.
MAX_LEAD = timedelta(days=60)
RANDOMNESS_RE = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Chain:
    """One drand network: its name here, its chain hash, genesis and round period."""

    name: str
    label: str
    chain_hash: str
    genesis: datetime
    period: timedelta


CHAINS: dict[str, Chain] = {
    chain.name: chain
    for chain in (
        Chain(
            name="quicknet",
            label="drand quicknet",
            chain_hash="52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
            genesis=datetime.fromtimestamp(1692803367, UTC),
            period=timedelta(seconds=3),
        ),
        Chain(
            name="default",
            label="drand mainnet (default)",
            chain_hash="8990e7a9aaed2ffed73dbd7092123d6f289930540d7651336225dc172e51b2ce",
            genesis=datetime.fromtimestamp(1595431050, UTC),
            period=timedelta(seconds=30),
        ),
    )
}
CHAIN_NAMES = tuple(sorted(CHAINS))


class BeaconError(DomainError):
    """A beacon named or given wrongly. Codes: ``unknown_chain``, ``bad_round``,
    ``round_due`` (due before or too soon after sealing), ``round_too_late``,
    ``bad_beacon`` (not 64 hex digits)."""


def chain_named(name: str) -> Chain:
    """The chain called ``name``, or ``BeaconError("unknown_chain")``."""
    try:
        return CHAINS[name]
    except KeyError:
        raise BeaconError("unknown_chain") from None


def round_due_at(chain: Chain, round_number: int) -> datetime:
    """When ``round_number`` of ``chain`` is due (UTC)."""
    if round_number < 1:
        raise BeaconError("bad_round")
    return chain.genesis + (round_number - 1) * chain.period


def first_round_due_at_or_after(chain: Chain, moment: datetime) -> int:
    """The lowest round of ``chain`` that is due at ``moment`` or later."""
    if moment <= chain.genesis:
        return 1
    periods, rest = divmod(moment - chain.genesis, chain.period)
    return periods + (1 if rest else 0) + 1


def suggested_round(chain: Chain, *, now: datetime) -> int:
    """The round to suggest when sealing at ``now``: the first due 10 minutes later."""
    return first_round_due_at_or_after(chain, now + SUGGESTED_LEAD)


def check_round(chain: Chain, round_number: int, *, now: datetime) -> datetime:
    """The due time of a round named at ``now``; refuses rounds due too soon or too late."""
    due_at = round_due_at(chain, round_number)
    if due_at < now + MIN_LEAD:
        raise BeaconError("round_due", due_at=due_at)
    if due_at > now + MAX_LEAD:
        raise BeaconError("round_too_late", due_at=due_at)
    return due_at


def public_url(chain: Chain, round_number: int) -> str:
    """Where anyone can read the round's value (JSON with ``randomness``)."""
    return f"{API_BASE}/{chain.chain_hash}/public/{round_number}"


def check_randomness(value: str) -> str:
    """A round's ``randomness`` as pasted: 64 hex digits, returned in lower case."""
    normalised = value.strip().lower()
    if not RANDOMNESS_RE.fullmatch(normalised):
        raise BeaconError("bad_beacon")
    return normalised
