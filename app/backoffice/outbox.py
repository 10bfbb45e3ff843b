"""The outbox at /buero/post: mails that wait, failed ones first, and the recently sent;
a failed mail can be sent again (audited).

A failed mail is either given up after its last attempt or a send that broke off after
the SMTP server may have taken it (a stale claim): staff check with the recipient before
pressing "Erneut senden", since the outbox never resends on its own.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from ..auth.decorators import staff_required
from ..extensions import db
from ..models import OutboxMail
from ..services import mail as mail_service
from ..services import outbox as outbox_service
from ..services.errors import DomainError
from . import bp
from .forms import ButtonForm
from .routes import actor_id, now

# The kinds of mail in German; kinds added later fall back on their prefix, then on the
# code itself, so that a new kind never breaks the page.
KIND_LABELS = {
    "invitation": _l("Einladung"),
    "password_reset": _l("Passwort"),
    "card_link": _l("Karten-Link"),
    "survey_invitation": _l("Umfrage-Einladung"),
}
KIND_PREFIXES = (
    ("appointment", _l("Termin")),
    ("booking", _l("Termin")),
    ("password", _l("Passwort")),
    ("invitation", _l("Einladung")),
    ("privacy", _l("Datenschutz")),
    ("event", _l("Veranstaltung")),
)
STATUS_LABELS = {
    "pending": _l("wartet"),
    "sending": _l("wird gesendet"),
    "sent": _l("gesendet"),
    "failed": _l("fehlgeschlagen"),
}


def kind_label(kind: str) -> str:
    """The German name of a mail's kind (``appointment_reminder`` → Termin)."""
    if kind in KIND_LABELS:
        return str(KIND_LABELS[kind])
    for prefix, label in KIND_PREFIXES:
        if kind.startswith(prefix):
            return str(label)
    return kind


@bp.get("/post")
@staff_required
def outbox() -> str:
    """The outbox: failed mails, waiting ones, and those sent in the last days."""
    return render_template(
        "backoffice/outbox.html",
        mails=outbox_service.overview(now()),
        recent_days=outbox_service.RECENT.days,
        kind_label=kind_label,
        status_labels=STATUS_LABELS,
        button=ButtonForm(),
    )


@bp.post("/post/<int:mail_id>/erneut")
@staff_required
def outbox_requeue(mail_id: int) -> BaseResponse:
    """Send a failed mail again: it goes back into the queue, due now."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    row = db.session.get(OutboxMail, mail_id)
    if row is None:
        abort(404)
    try:
        requeued = mail_service.requeue(mail_id=mail_id, now=now(), actor_id=actor_id())
    except DomainError as error:
        if error.code == "mail_forgotten":
            flash(_("Die Adresse dieser E-Mail ist gelöscht; sie kann nicht erneut gesendet "
                    "werden."), "error")
        else:
            flash(_("Diese E-Mail ist nicht (mehr) fehlgeschlagen; sie wird nicht noch "
                  "einmal gesendet."), "error")
    else:
        # Delivered once this answer is out, like a mail the request had queued itself.
        mail_service.deliver_after_request(requeued)
        flash(_("Die E-Mail „%(subject)s“ wird erneut gesendet.", subject=row.subject), "ok")
    return redirect(url_for("backoffice.outbox"), code=303)
