""""Link vergessen?": the personal links of one's event registrations, by mail.

The answer is the same whether or not the address has registrations, so the form tells
nobody who registered; the address is used for that one mail, which forgets it once the
SMTP server has it, and is stored nowhere else.
"""

from flask import current_app, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from .. import clock
from ..extensions import limiter
from ..security import no_store
from ..services import events as service
from ..services.events import EventError
from . import bp
from .event_forms import LinksForm


def links_limit() -> str:
    """The configured limit for link requests (as for registrations)."""
    return str(current_app.config["RATELIMIT_EVENT_REGISTRATION"])


@bp.route("/veranstaltungen/meine-anmeldungen", methods=["GET", "POST"])
@limiter.limit(links_limit, methods=["POST"])
@no_store
def event_links() -> BaseResponse | tuple[str, int] | str:
    """Ask for the address (GET); mail the links and confirm (POST)."""
    form = LinksForm()
    if not form.is_submitted():
        return render_template("office/events/links.html", form=form)
    if not form.validate():
        return render_template("office/events/links.html", form=form), 400
    try:
        service.send_links(email=form.email.data or "", now=clock.utcnow())
    except EventError:
        form.email.errors = [_("Das ist keine gültige E-Mail-Adresse.")]
        return render_template("office/events/links.html", form=form), 400
    return redirect(url_for("office.event_links_sent"), code=303)


@bp.get("/veranstaltungen/meine-anmeldungen/verschickt")
@no_store
def event_links_sent() -> str:
    """The confirmation (the same for every address)."""
    return render_template("office/events/links_sent.html")
