"""The card page's "Link per E-Mail schicken": the recovery link, mailed once.

A small form on the card page posts here; the answer is a redirect to a confirmation
(so that reloading it sends nothing twice). Limited per card, like the other recovery
routes; the address is not stored (see ``app.services.card_mail``).
"""

from flask import current_app, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from .. import clock
from ..extensions import limiter
from ..security import no_store
from ..services.card_mail import CardMailError, send_card_link
from ..services.cards import CardError, card_for_secret
from . import bp
from .forms import CardLinkMailForm
from .routes import bad_card_response, cookie_secret, limit_key, recovery_url


def card_link_mail_limit() -> str:
    """The configured limit for card-link mails (per card)."""
    return str(current_app.config["RATELIMIT_CARD_LINK_MAIL"])


@bp.post("/karte/link-per-mail")
@limiter.limit(card_link_mail_limit, key_func=limit_key)
@no_store
def card_link_mail() -> BaseResponse | tuple[str, int]:
    """Mail this browser's card link to the address given, then confirm."""
    try:
        card = card_for_secret(cookie_secret())
    except CardError:
        return bad_card_response()
    if card is None:
        return redirect(url_for("rally.card"), code=303)
    form = CardLinkMailForm()
    if form.validate_on_submit():
        try:
            send_card_link(card=card, email=form.email.data or "",
                           link=recovery_url(card.code), now=clock.utcnow())
        except CardMailError:
            form.email.errors = [_("Das sieht nicht wie eine E-Mail-Adresse aus. Bitte prüfe "
                                   "sie, z. B. name@beispiel.de.")]
        else:
            return redirect(url_for("rally.card_link_mailed"), code=303)
    return render_template("rally/card_link_mail.html", form=form), 400


@bp.get("/karte/link-verschickt")
@no_store
def card_link_mailed() -> str:
    """The confirmation after a card link was mailed (shows no address)."""
    return render_template("rally/card_link_mailed.html")
