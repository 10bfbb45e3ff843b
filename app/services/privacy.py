"""Data protection: what the purge drops once it is no longer needed.

Today the purge forgets the networks cards were started from (``cards.network_hash``,
kept only for the network signal of app/services/fraud.py); the full privacy purge of a
rally's personal data after its retention date grows here.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from ..db import begin_write
from ..extensions import db
from ..models import Card


@dataclass(frozen=True)
class PurgeReport:
    """What a purge did: how many cards lost their network hash, and the cut-off."""

    network_hashes: int
    before: datetime


def purge(*, now: datetime, network_retention: timedelta) -> PurgeReport:
    """Run every purge step in one transaction and report what it did."""
    begin_write()
    before = now - network_retention
    dropped = drop_network_hashes(before=before)
    db.session.commit()
    return PurgeReport(network_hashes=dropped, before=before)


def drop_network_hashes(*, before: datetime) -> int:
    """Set the network hash of every card started before ``before`` to NULL; return how
    many cards had one (in the open transaction)."""
    result = db.session.execute(
        update(Card)
        .where(Card.network_hash.is_not(None), Card.created_at < before)
        .values(network_hash=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
