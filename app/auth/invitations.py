"""The invitation page: a shopkeeper sets the password of the shop's account.

``GET /einladung/<token>`` shows the form and uses nothing up; the POST sets the
password (``app.services.accounts.accept_invitation``), logs the shopkeeper in on a new
session and leads to the shop portal. Links that cannot be used get a calm page: 404
for an unknown one, 410 for one used, withdrawn or expired.
"""

from typing import Any

from flask import flash, redirect, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from .. import clock
from ..extensions import limiter
from ..models import Invitation
from ..security import no_store
from ..services.accounts import AccountError, accept_invitation, find_invitation
from ..services.passwords import MIN_PASSWORD_LENGTH, PasswordError
from .forms import InvitationForm
from .routes import bp, home_of, login_limit, start_session

# Reasons zxcvbn gives (app.services.passwords.weaknesses) in the shopkeeper's words.
WEAKNESSES: dict[str, Any] = {
    "personal": _l("enthält Ihre E-Mail-Adresse oder den Namen Ihres Geschäfts"),
    "common": _l("ist ein häufiges Passwort oder besteht aus bekannten Wörtern"),
    "keyboard": _l("folgt einem Muster auf der Tastatur (wie „qwertz“)"),
    "repeat": _l("wiederholt Zeichen oder Wörter (wie „aaa“)"),
    "sequence": _l("enthält eine Folge (wie „abc“ oder „1234“)"),
    "date": _l("enthält eine Jahreszahl oder ein Datum"),
}


def password_message(error: PasswordError) -> str:
    """Why a new password was refused and what to do instead, in German."""
    if error.code == "short_password":
        return _("Das Passwort ist zu kurz: Es braucht mindestens %(minimum)d Zeichen. "
                 "Nehmen Sie am besten drei oder vier Wörter, die nichts miteinander zu tun "
                 "haben.", minimum=MIN_PASSWORD_LENGTH)
    found = error.context.get("reasons")
    reasons = [str(WEAKNESSES[reason]) for reason in found if reason in WEAKNESSES] \
        if isinstance(found, list) else []
    return _("Dieses Passwort ist zu leicht zu erraten: Es %(reasons)s. Bitte wählen Sie ein "
             "anderes, z. B. drei oder vier Wörter, die nichts miteinander zu tun haben.",
             reasons=_(" und ").join(reasons) or str(WEAKNESSES["common"]))


def unusable(code: str) -> tuple[str, int]:
    """The calm page for a link that cannot be used: 404 unknown, 410 otherwise."""
    status = 404 if code == "unknown" else 410
    return render_template("auth/invitation_unusable.html", code=code), status


def invitation_page(form: InvitationForm, invitation: Invitation, token: str,
                    error: str | None = None, status: int = 200) -> tuple[str, int]:
    """The form to set the password, naming the shop and the address."""
    return render_template("auth/invitation.html", form=form, invitation=invitation,
                           token=token, error=error, minimum=MIN_PASSWORD_LENGTH), status


@bp.route("/einladung/<token>", methods=["GET", "POST"])
@no_store
@limiter.limit(login_limit, methods=["POST"])
def invitation(token: str) -> BaseResponse | tuple[str, int]:
    """Set the password of the shop's account with a single-use invitation link."""
    now = clock.utcnow()
    try:
        found = find_invitation(token, now)
    except AccountError as error:
        return unusable(error.code)
    form = InvitationForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return invitation_page(form, found, token, status=status)
    try:
        account = accept_invitation(token=token, password=form.password.data or "", now=now)
    except PasswordError as error:
        form.password.errors = [password_message(error)]
        return invitation_page(form, found, token, status=400)
    except AccountError as error:
        if error.code == "email_taken":
            return invitation_page(form, found, token, status=409, error=_(
                "Für diese E-Mail-Adresse gibt es schon einen anderen Zugang. Bitte wenden "
                "Sie sich an das Büro."))
        return unusable(error.code)
    start_session(account)
    flash(_("Ihr Passwort ist gespeichert, und Sie sind angemeldet. Künftig melden Sie sich "
            "mit %(email)s und diesem Passwort an.", email=account.email), "ok")
    return redirect(home_of(account), code=303)
