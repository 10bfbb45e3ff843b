"""E-mail through an outbox: queued with the change it reports, sent after the commit.

``queue_mail`` renders a mail from ``templates/mail/<template>.txt`` and ``.html`` and
adds it to the open transaction: the mail exists exactly when the change does. After a
request whose transaction committed, ``init_app``'s hook hands that request's mails to
``deliver`` once the response is out; ``flask outbox send`` (every minute, docs/deploy.md)
delivers whatever is due, with back-off after a failure.

Never twice: a mail is claimed (pending → sending, one conditional UPDATE, committed)
before the SMTP server sees it and marked sent right after. Two senders at once cannot
both claim it; a sender that dies between handing it over and marking it leaves it
"sending", and such a stale claim becomes "failed" for staff to look at, never retried
on its own: the server may have accepted it.
"""

import logging
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, render_template
from flask_babel import force_locale
from flask_mailman import EmailMultiAlternatives, Mail
from sqlalchemy import select, update

from .. import clock
from ..db import begin_write
from ..extensions import db
from ..models import OutboxMail
from .editing import audit
from .errors import DomainError

log = logging.getLogger(__name__)

mail = Mail()

# Wait after the n-th failed attempt (the last entry repeats); given up after MAX_ATTEMPTS.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
)
MAX_ATTEMPTS = 10
# A claim older than this did not finish (the sender died): the mail may be out.
STALE_CLAIM = timedelta(minutes=15)
# Mails whose body holds a one-time link (a key to an account): once the server has them,
# the body is dropped, so that the outbox does not keep a usable key. The address, the
# subject and the times stay for staff.
ONE_TIME_LINK_KINDS = frozenset({"invitation", "password_reset"})


@dataclass(frozen=True)
class Attachment:
    """A text attachment, such as a calendar file."""

    filename: str
    content_type: str
    content: str


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)


def init_app(app: Flask) -> None:
    """Bind Flask-Mailman and deliver each request's mails once its response is out.

    Without ``MAIL_SERVER`` (``make run`` on a laptop) mails go to the console.
    """
    if not app.config.get("MAIL_BACKEND"):
        app.config["MAIL_BACKEND"] = "smtp" if app.config.get("MAIL_SERVER") else "console"
    mail.init_app(app)

    @app.after_request
    def deliver_after_response(response: Response) -> Response:
        """Send the mails this request queued, after the client has the response."""
        queued: list[OutboxMail] = g.pop("queued_mails", [])
        ids = [m.id for m in queued if m.id is not None]
        if ids:
            application = current_app._get_current_object()  # type: ignore[attr-defined]

            def send() -> None:
                with application.app_context():
                    deliver(now=clock.utcnow(), ids=ids)

            response.call_on_close(send)
        return response


def queue_mail(
    *,
    kind: str,
    to: str,
    subject: str,
    template: str,
    context: dict[str, Any] | None = None,
    attachments: Sequence[Attachment] = (),
    forget_after_sending: bool = False,
    now: datetime,
    language: str | None = None,
) -> OutboxMail:
    """Render a mail and add it to the open transaction; the caller commits.

    ``template`` names ``mail/<template>.txt`` (and ``mail/<template>.html``, which every
    mail has); both get ``context`` plus ``office`` and ``base_url``. They are written in
    the language being rendered, or in ``language`` (``"de"`` for the office's own mails,
    whatever the visitor's language).
    """
    if language is not None:
        with force_locale(language):
            return queue_mail(kind=kind, to=to, subject=subject, template=template,
                              context=context, attachments=attachments,
                              forget_after_sending=forget_after_sending, now=now)
    values = {
        "office": current_app.config["OFFICE"],
        "base_url": current_app.config["BASE_URL"],
        **(context or {}),
    }
    row = OutboxMail(
        kind=kind,
        recipient=to,
        subject=subject,
        text_body=render_template(f"mail/{template}.txt", **values),
        html_body=render_template(f"mail/{template}.html", **values),
        attachments=[
            {"filename": a.filename, "content_type": a.content_type, "content": a.content}
            for a in attachments
        ],
        forget_after_sending=forget_after_sending,
        status="pending",
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(row)
    deliver_after_request(row)
    return row


def deliver_after_request(row: OutboxMail) -> None:
    """Have this request deliver ``row`` once its response is out (a mail it queued, or
    one staff put back into the queue); nothing outside a request."""
    if has_request_context():
        g.setdefault("queued_mails", []).append(row)


def deliver(*, now: datetime, ids: Iterable[int] | None = None, limit: int = 100) -> DeliveryReport:
    """Send the due mails (or only ``ids``), each at most once; report what happened."""
    report = DeliveryReport()
    if ids is None:
        # The periodic run looks after claims that never finished; a request delivering
        # its own mails need not take a write lock for that.
        report.stale = _fail_stale_claims(now)
    query = select(OutboxMail.id).where(
        OutboxMail.status == "pending", OutboxMail.next_attempt_at <= now
    )
    if ids is not None:
        query = query.where(OutboxMail.id.in_(list(ids)))
    due = list(db.session.scalars(query.order_by(OutboxMail.id).limit(limit)))
    db.session.rollback()
    if not due:
        return report
    connection = None
    try:
        for mail_id in due:
            row = _claim(mail_id, now)
            if row is None:
                continue  # another sender has it
            if connection is None:
                connection = mail.get_connection(fail_silently=False)
            try:
                _message(row, connection).send()
            except (smtplib.SMTPException, OSError) as error:  # a timeout is an OSError
                permanent = isinstance(error, smtplib.SMTPRecipientsRefused)
                _record_failure(row.id, now, error, permanent=permanent)
                (report.failed if permanent or row.attempts >= MAX_ATTEMPTS
                 else report.retrying).append(row.id)
                if not permanent:
                    # The server is away: keep the rest for the next run.
                    break
            else:
                _record_sent(row.id, now)
                report.sent.append(row.id)
    finally:
        if connection is not None:
            try:
                connection.close()
            except (smtplib.SMTPException, OSError):
                pass
    return report


def _claim(mail_id: int, now: datetime) -> OutboxMail | None:
    """Mark one pending mail as being sent by us (committed); None if someone else has it."""
    begin_write()
    result = db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.status == "pending")
        .values(status="sending", claimed_at=now, attempts=OutboxMail.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        return None
    db.session.commit()
    row = db.session.get(OutboxMail, mail_id, populate_existing=True)
    return row


def _record_sent(mail_id: int, now: datetime) -> None:
    """The server accepted the mail; forget its address and body if it asked for that."""
    begin_write()
    row = db.session.get_one(OutboxMail, mail_id, populate_existing=True)
    row.status = "sent"
    row.sent_at = now
    row.last_error = ""
    if row.forget_after_sending:
        _forget(row)
    elif row.kind in ONE_TIME_LINK_KINDS:
        row.text_body = ""
        row.html_body = ""
        row.attachments = []
    db.session.commit()


def _forget(row: OutboxMail) -> None:
    """Drop the address and the texts of a mail whose address was given for it alone."""
    row.recipient = ""
    row.text_body = ""
    row.html_body = ""
    row.attachments = []
    row.last_error = ""  # an SMTP server's answer may quote the address


def _record_failure(mail_id: int, now: datetime, error: BaseException, *, permanent: bool) -> None:
    """Put the mail back for a later attempt, or give up on it."""
    begin_write()
    row = db.session.get_one(OutboxMail, mail_id, populate_existing=True)
    row.last_error = _describe(error)
    if permanent or row.attempts >= MAX_ATTEMPTS:
        row.status = "failed"
        if row.forget_after_sending:
            _forget(row)  # the address was given for this one attempt at a mail
    else:
        row.status = "pending"
        row.next_attempt_at = now + BACKOFF[min(row.attempts, len(BACKOFF)) - 1]
    db.session.commit()
    # A one-mail address stays out of the log, even inside an SMTP server's answer.
    detail = type(error).__name__ if row.forget_after_sending else row.last_error
    log.warning("mail %s not delivered (attempt %s): %s", mail_id, row.attempts, detail)


def _fail_stale_claims(now: datetime) -> list[int]:
    """Turn claims that never finished into failures; return their ids."""
    begin_write()
    stale = list(
        db.session.scalars(
            select(OutboxMail.id).where(
                OutboxMail.status == "sending", OutboxMail.claimed_at < now - STALE_CLAIM
            )
        )
    )
    if stale:
        db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id.in_(stale), OutboxMail.status == "sending")
            .values(status="failed", last_error="Zustellung unklar: der Versand brach ab.")
            .execution_options(synchronize_session=False)
        )
        # It may have arrived, and it is never retried: a one-mail address goes now.
        db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id.in_(stale), OutboxMail.forget_after_sending.is_(True))
            .values(recipient="", text_body="", html_body="", attachments=[])
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return stale


def _describe(error: BaseException) -> str:
    """A short, log-safe description of a delivery failure."""
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode("utf-8", "replace") if isinstance(
            error.smtp_error, bytes) else str(error.smtp_error)
        return f"SMTP {error.smtp_code}: {text}"[:300]
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "Empfängeradresse abgelehnt"
    return f"{type(error).__name__}: {error}"[:300]


def _message(row: OutboxMail, connection: Any) -> EmailMultiAlternatives:
    """The Flask-Mailman message of an outbox row."""
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.text_body,
        from_email=current_app.config.get("MAIL_DEFAULT_SENDER")
        or current_app.config["OFFICE"]["email"],
        to=[row.recipient],
        connection=connection,
        headers={"Auto-Submitted": "auto-generated"},
    )
    if row.html_body:
        message.attach_alternative(row.html_body, "text/html")
    for item in row.attachments or []:
        message.attach(item["filename"], item["content"], item["content_type"])
    return message


def requeue(*, mail_id: int, now: datetime, actor_id: int | None = None) -> OutboxMail:
    """Staff send a failed mail again (they judged it did not arrive); audited as
    ``mail.requeue`` with the mail's id and kind, never its address."""
    begin_write()
    row = db.session.get(OutboxMail, mail_id, populate_existing=True)
    if row is None or row.status != "failed":
        db.session.rollback()
        raise DomainError("mail_not_failed")
    if not row.recipient:
        db.session.rollback()
        raise DomainError("mail_forgotten")  # a card link's address, dropped on failure
    audit(now, actor_id, "mail.requeue", f"outbox:{row.id}", kind=row.kind,
          attempts=row.attempts)
    row.status = "pending"
    row.next_attempt_at = now
    row.attempts = 0
    row.claimed_at = None
    db.session.commit()
    return row
