"""A shopper's card link by mail ("Link per E-Mail schicken" on the card page).

The address is used for this one mail only: it goes into the outbox row of the mail,
which forgets it (and the body) as soon as the SMTP server has the mail, and nowhere
else: no audit event, no log line, no other row.
"""

from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from ..db import begin_write
from ..extensions import db
from ..models import Card, OutboxMail
from .errors import DomainError
from .mail import queue_mail

EMAIL_MAX = 254


class CardMailError(DomainError):
    """The link was not sent: ``bad_email``."""


def send_card_link(*, card: Card, email: str, link: str, now: datetime) -> OutboxMail:
    """Queue the card's recovery ``link`` to ``email`` (forgotten once sent) and commit."""
    try:
        address = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise CardMailError("bad_email") from error
    if len(address) > EMAIL_MAX:
        raise CardMailError("bad_email")
    begin_write()
    row = queue_mail(
        kind="card_link", to=address, subject=_("Dein Link zur Stempelkarte"),
        template="card_link", context={"rally_name": card.rally.name, "link": link},
        forget_after_sending=True, now=now,
    )
    db.session.commit()
    return row
