"""The beacon of a draw: named at sealing, taken exactly at the run.

The operator knows the seed from sealing on. Were the beacon chosen at the run, they
could try values until one suits them; so sealing names a drand round due after the
seal, and the run accepts only that round's value, and only once it is due. A draw may
also be sealed without a beacon (its key is the seed alone); that too is fixed then.
Refusals are ``drand.BeaconError`` with the codes of ``drand`` and ``beacon_not_due``,
``beacon_missing``, ``bad_beacon``, ``no_beacon_named``.
"""

from dataclasses import dataclass
from datetime import datetime

from ..models import Draw
from . import drand
from .drand import BeaconError


@dataclass(frozen=True)
class BeaconSource:
    """The public randomness a draw named at sealing: one round of a drand chain."""

    chain: drand.Chain
    round: int
    due_at: datetime

    @property
    def url(self) -> str:
        """Where anyone reads the round's value."""
        return drand.public_url(self.chain, self.round)


def named_beacon(
    chain_name: str | None, round_number: int | None, *, now: datetime
) -> BeaconSource | None:
    """The beacon a draw sealed at ``now`` names, checked; ``None`` for no beacon."""
    if chain_name is None:
        if round_number is not None:
            raise BeaconError("unknown_chain")
        return None
    chain = drand.chain_named(chain_name)
    if round_number is None:
        raise BeaconError("bad_round")
    return BeaconSource(chain, round_number, drand.check_round(chain, round_number, now=now))


def beacon_source(draw: Draw) -> BeaconSource | None:
    """The beacon a draw named at sealing, or ``None`` (sealed without one)."""
    if draw.beacon_chain is None or draw.beacon_round is None or draw.beacon_due_at is None:
        return None
    return BeaconSource(drand.CHAINS[draw.beacon_chain], draw.beacon_round, draw.beacon_due_at)


def accepted_beacon(draw: Draw, beacon_hex: str | None, *, now: datetime) -> str | None:
    """The beacon value the run of ``draw`` at ``now`` uses, or a refusal.

    A draw that named a round takes exactly that round's value, pasted once the round is
    due. A draw sealed without a beacon takes none (and keeps a value recorded before
    beacons were named at sealing, the way older draws were run).
    """
    source = beacon_source(draw)
    if source is None:
        if beacon_hex and beacon_hex.strip():
            raise BeaconError("no_beacon_named")
        return draw.beacon_hex
    if now < source.due_at:
        raise BeaconError("beacon_not_due", due_at=source.due_at)
    if not beacon_hex or not beacon_hex.strip():
        raise BeaconError("beacon_missing")
    return drand.check_randomness(beacon_hex)
