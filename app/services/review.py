"""The review queue: a rally's flagged cards with their signals and stamp timelines.

Read only, in a fixed number of queries whatever the queue's length: the count, one page
of cards, their signals, their stamps, and the stations whose code looks shared.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ..extensions import db
from ..models import Card, CardSignal, Entry, Shop, Stamp, Station
from .fraud import StationAlert, station_alerts

QUEUE_PAGE = 50  # cards per page of the queue


@dataclass(frozen=True)
class Signal:
    """One reason a card is flagged: the kind, its details, when, and at which shop."""

    kind: str
    details: dict[str, Any]
    created_at: datetime
    shop_name: str | None


@dataclass(frozen=True)
class TimelineStamp:
    """A stamp of a flagged card, with the seconds since the card's stamp before it."""

    created_at: datetime
    shop_name: str
    shop_slug: str
    source: str
    gap_seconds: int | None


@dataclass(frozen=True)
class QueueCard:
    """A flagged card in the queue."""

    card_id: int
    code: str
    created_at: datetime
    stamp_count: int
    entered: bool
    signals: list[Signal]
    stamps: list[TimelineStamp]

    @property
    def shop_names(self) -> dict[str, str]:
        """Shop names by slug, from the card's own stamps (the signals name slugs)."""
        return {stamp.shop_slug: stamp.shop_name for stamp in self.stamps}


@dataclass(frozen=True)
class ReviewQueue:
    """One page of the queue, how many cards wait in all, and the suspected stations."""

    cards: list[QueueCard]
    total: int
    alerts: list[StationAlert]


def queue_length(rally_id: int) -> int:
    """How many cards of the rally wait for a review (flagged, not cleared or excluded;
    a card retired by a merge handed its flag to the card it went into)."""
    return int(db.session.scalar(
        select(func.count()).select_from(Card)
        .where(Card.rally_id == rally_id, Card.flag == "flagged",
               Card.merged_into_id.is_(None))
    ) or 0)


def review_queue(rally_id: int, *, limit: int = QUEUE_PAGE) -> ReviewQueue:
    """The rally's flagged cards, the longest waiting first (by their first signal, then
    by age), each with its reasons and stamp timeline."""
    first_signal = (
        select(CardSignal.card_id, func.min(CardSignal.created_at).label("at"))
        .group_by(CardSignal.card_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Card.id, Card.code, Card.created_at, Card.stamp_count, Entry.id)
        .outerjoin(first_signal, first_signal.c.card_id == Card.id)
        .outerjoin(Entry, Entry.card_id == Card.id)
        .where(Card.rally_id == rally_id, Card.flag == "flagged",
               Card.merged_into_id.is_(None))
        .order_by(func.coalesce(first_signal.c.at, Card.created_at), Card.id)
        .limit(limit)
    ).all()
    ids = [row[0] for row in rows]
    signals = signals_of(ids)
    timelines = timelines_of(ids)
    cards = [
        QueueCard(card_id=card_id, code=code, created_at=created_at, stamp_count=count,
                  entered=entry_id is not None, signals=signals.get(card_id, []),
                  stamps=timelines.get(card_id, []))
        for card_id, code, created_at, count, entry_id in rows
    ]
    total = len(cards) if len(cards) < limit else queue_length(rally_id)
    return ReviewQueue(cards=cards, total=total, alerts=station_alerts(rally_id=rally_id))


def signals_of(card_ids: list[int]) -> dict[int, list[Signal]]:
    """The signals of the cards, oldest first, with the shop of each signal's station."""
    found: dict[int, list[Signal]] = defaultdict(list)
    if not card_ids:
        return found
    query = (
        select(CardSignal.card_id, CardSignal.kind, CardSignal.details, CardSignal.created_at,
               Shop.name)
        .outerjoin(Station, Station.id == CardSignal.station_id)
        .outerjoin(Shop, Shop.id == Station.shop_id)
        .where(CardSignal.card_id.in_(card_ids))
        .order_by(CardSignal.created_at, CardSignal.id)
    )
    for card_id, kind, details, created_at, shop_name in db.session.execute(query):
        found[card_id].append(Signal(kind, dict(details or {}), created_at, shop_name))
    return found


def timelines_of(card_ids: list[int]) -> dict[int, list[TimelineStamp]]:
    """The stamps of the cards, oldest first, each with the gap to the one before."""
    found: dict[int, list[TimelineStamp]] = defaultdict(list)
    if not card_ids:
        return found
    query = (
        select(Stamp.card_id, Stamp.created_at, Shop.name, Shop.slug, Stamp.source)
        .join(Station, Station.id == Stamp.station_id)
        .join(Shop, Shop.id == Station.shop_id)
        .where(Stamp.card_id.in_(card_ids))
        .order_by(Stamp.card_id, Stamp.created_at, Stamp.id)
    )
    for card_id, created_at, shop_name, shop_slug, source in db.session.execute(query):
        before = found[card_id][-1].created_at if found[card_id] else None
        gap = None if before is None else round((created_at - before).total_seconds())
        found[card_id].append(TimelineStamp(created_at, shop_name, shop_slug, source, gap))
    return found
