"""The outbox: every mail the app sends, written in the transaction of the change it reports.

app.services.mail queues a row with the change; delivery happens after the commit (right
after the request, and by ``flask outbox send`` every minute). A row is claimed before
it is handed to the SMTP server and marked sent after, so a mail the server accepted is
never sent again; a claim that never finished is left for staff to look at, not retried.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..db import UTCDateTime
from .common import Model, _in

# pending: waits for (another) attempt; sending: claimed by one sender; sent: accepted by
# the SMTP server; failed: given up after the last attempt, or a claim that never ended.
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")


class OutboxMail(Model):
    """One mail to one recipient: its parts as sent, and its delivery state.

    ``attachments`` is a list of ``{"filename", "content_type", "content"}`` with text
    content (calendar files). A mail with ``forget_after_sending`` (the card link a
    shopper asked for) loses its address and body once it went out, or once it was given
    up on: the address was given for that one mail only. Invitations and password links
    lose their body (the one-time link) once sent.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(_in("status", OUTBOX_STATUSES), name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint("status <> 'sent' OR sent_at IS NOT NULL", name="sent_has_time"),
        CheckConstraint("status <> 'sending' OR claimed_at IS NOT NULL", name="sending_claimed"),
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_recipient", "recipient"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the mail is about (a stable code: "invitation", "password_reset", ...).
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    forget_after_sending: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(8), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last failure in a few words (the SMTP server's answer), never a stack trace.
    last_error: Mapped[str] = mapped_column(String(300), default="")
