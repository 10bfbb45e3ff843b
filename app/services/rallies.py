"""Which rally is current, and its stations."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Rally, Station


def current_rally(now: datetime) -> Rally | None:
    """Return the rally shoppers should see at ``now``.

    The one running, else the next to start, else the one that ended last; drafts and
    archived rallies never.
    """
    published = select(Rally).where(Rally.status == "published")
    for query in (
        published.where(Rally.starts_at <= now, Rally.ends_at > now).order_by(Rally.starts_at),
        published.where(Rally.starts_at > now).order_by(Rally.starts_at),
        published.where(Rally.ends_at <= now).order_by(Rally.ends_at.desc()),
    ):
        rally = db.session.scalars(query.limit(1)).first()
        if rally is not None:
            return rally
    return None


def active_stations(rally_id: int) -> list[Station]:
    """Return the rally's active stations with their shops, ordered by shop name."""
    query = (
        select(Station)
        .options(joinedload(Station.shop))
        .where(Station.rally_id == rally_id, Station.active.is_(True))
    )
    stations = list(db.session.scalars(query))
    stations.sort(key=lambda s: s.shop.name.casefold())
    return stations
