"""A card's progress, and restoring a card on another device."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..db import begin_write
from ..extensions import db
from ..models import Card, Stamp, Station
from . import codes
from .errors import DomainError
from .rallies import active_stations
from .stamping import add_card_key


class RecoveryError(DomainError):
    """Restoring refused. Code: ``invalid_link``."""


@dataclass(frozen=True)
class Progress:
    """Everything the card page shows: stamps in order, shops left, the goal."""

    card: Card
    stamps: list[Stamp]
    open_stations: list[Station]
    goal: int

    @property
    def count(self) -> int:
        """Stamps collected."""
        return len(self.stamps)

    @property
    def total(self) -> int:
        """Stamps possible: the stamped stations and the active ones still open."""
        return self.count + len(self.open_stations)

    @property
    def missing(self) -> int:
        """Stamps still needed for the draw (0 once the goal is reached)."""
        return max(self.goal - self.count, 0)

    @property
    def qualified(self) -> bool:
        """Whether the card has enough stamps for the draw."""
        return self.count >= self.goal


def card_stamps(card: Card) -> list[Stamp]:
    """Return the card's stamps, oldest first, with their stations and shops loaded."""
    query = (
        select(Stamp)
        .options(joinedload(Stamp.station).joinedload(Station.shop))
        .where(Stamp.card_id == card.id)
        .order_by(Stamp.created_at, Stamp.id)
    )
    return list(db.session.scalars(query))


def card_progress(card: Card) -> Progress:
    """Collect the card's stamps and the stations still open."""
    stamps = card_stamps(card)
    stamped = {stamp.station_id for stamp in stamps}
    open_stations = [s for s in active_stations(card.rally_id) if s.id not in stamped]
    return Progress(
        card=card, stamps=stamps, open_stations=open_stations, goal=card.rally.stamp_goal
    )


def find_card_by_recovery(key: str, code: str, token: str) -> Card:
    """Return the card a recovery link names, or raise ``RecoveryError("invalid_link")``."""
    if not codes.CARD_CODE_RE.fullmatch(code) or not codes.RECOVERY_RE.fullmatch(token):
        raise RecoveryError("invalid_link")
    if not codes.recovery_matches(key, code, token):
        raise RecoveryError("invalid_link")
    card = db.session.scalars(select(Card).where(Card.code == code)).first()
    if card is None:
        raise RecoveryError("invalid_link")
    return card


def restore_card(key: str, code: str, token: str, now: datetime) -> tuple[Card, str]:
    """Give this browser a key to the card of a recovery link; return card and secret."""
    begin_write()
    card = find_card_by_recovery(key, code, token)
    secret = add_card_key(card, now)
    db.session.commit()
    return card, secret
