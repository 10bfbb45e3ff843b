"""What staff see of the outbox: the mails that wait (failed ones first) and the sent.

Sending and retrying are ``app.services.mail``'s; this module only reads the outbox for
the back office's ``/buero/post`` and the dashboard's notice.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from ..extensions import db
from ..models import OutboxMail

# How far back the page lists sent mails, and how many rows each list holds at most.
RECENT = timedelta(days=7)
LIST_LIMIT = 100


@dataclass(frozen=True)
class OutboxOverview:
    """The outbox as staff see it."""

    failed: list[OutboxMail]
    waiting: list[OutboxMail]  # pending or being sent right now
    sent: list[OutboxMail]  # within RECENT, newest first


def failed_count() -> int:
    """How many mails were given up on (or may have gone out: a stale claim)."""
    return int(db.session.scalar(
        select(func.count()).select_from(OutboxMail).where(OutboxMail.status == "failed")
    ) or 0)


def overview(now: datetime) -> OutboxOverview:
    """Failed mails (oldest first), waiting ones (the next due first), recently sent."""
    failed = db.session.scalars(
        select(OutboxMail).where(OutboxMail.status == "failed")
        .order_by(OutboxMail.created_at, OutboxMail.id).limit(LIST_LIMIT)
    )
    waiting = db.session.scalars(
        select(OutboxMail).where(OutboxMail.status.in_(("pending", "sending")))
        .order_by(case((OutboxMail.status == "sending", 0), else_=1),
                  OutboxMail.next_attempt_at, OutboxMail.id).limit(LIST_LIMIT)
    )
    sent = db.session.scalars(
        select(OutboxMail).where(OutboxMail.status == "sent", OutboxMail.sent_at >= now - RECENT)
        .order_by(OutboxMail.sent_at.desc(), OutboxMail.id.desc()).limit(LIST_LIMIT)
    )
    return OutboxOverview(failed=list(failed), waiting=list(waiting), sent=list(sent))
