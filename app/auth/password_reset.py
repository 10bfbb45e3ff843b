"""Forgotten passwords: ask for a link by mail, then set a new password with it.

``/passwort-vergessen`` answers every address the same, so it tells no one which
addresses are accounts. ``GET /passwort-neu/<token>`` shows the form and uses nothing up
(mail scanners open links); its POST sets the password, ends every session of the
account and sends the person to the login. Links that cannot be used get a calm page:
404 unknown, 410 used or expired.
"""

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user
from werkzeug.wrappers import Response as BaseResponse

from .. import clock
from ..extensions import limiter
from ..models.accounts import PasswordReset
from ..security import no_store
from ..services.password_resets import ResetError, complete_reset, find_reset, request_reset
from ..services.passwords import MIN_PASSWORD_LENGTH, PasswordError
from .forms import ForgotPasswordForm, ResetPasswordForm
from .invitations import password_message
from .routes import bp, login_limit

DEFAULT_RESET_LIMIT = "5 per minute;20 per hour"


def reset_limit() -> str:
    """Requests for a link per address: against mail floods and address probing."""
    return str(current_app.config.get("RATELIMIT_PASSWORD_RESET", DEFAULT_RESET_LIMIT))


@bp.route("/passwort-vergessen", methods=["GET", "POST"])
@no_store
@limiter.limit(reset_limit, methods=["POST"])
def forgot_password() -> tuple[str, int]:
    """Ask for a reset link; the answer is the same for every address."""
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/forgot_password.html", form=form), status
    request_reset(email=form.email.data or "", now=clock.utcnow())
    return render_template("auth/forgot_password_sent.html"), 200


def unusable(code: str) -> tuple[str, int]:
    """The calm page for a reset link that cannot be used: 404 unknown, 410 otherwise."""
    status = 404 if code == "unknown" else 410
    return render_template("auth/reset_unusable.html", code=code), status


def reset_page(form: ResetPasswordForm, reset: PasswordReset, token: str,
               status: int = 200) -> tuple[str, int]:
    """The form for the new password, naming the account."""
    return render_template("auth/reset_password.html", form=form, reset=reset, token=token,
                           minimum=MIN_PASSWORD_LENGTH), status


@bp.route("/passwort-neu/<token>", methods=["GET", "POST"])
@no_store
@limiter.limit(login_limit, methods=["POST"])
def reset_password(token: str) -> BaseResponse | tuple[str, int]:
    """Set a new password with a single-use reset link."""
    now = clock.utcnow()
    try:
        found = find_reset(token, now)
    except ResetError as error:
        return unusable(error.code)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return reset_page(form, found, token, status=status)
    try:
        complete_reset(token=token, password=form.password.data or "", now=now)
    except PasswordError as error:
        form.password.errors = [password_message(error)]
        return reset_page(form, found, token, status=400)
    except ResetError as error:
        return unusable(error.code)
    # Whoever is logged in in this browser is logged out: the next login is with the
    # new password (and, for an account with two-factor log-in, its code).
    logout_user()
    session.clear()
    flash(_("Ihr neues Passwort ist gespeichert. Alle bisherigen Anmeldungen sind beendet. "
            "Bitte melden Sie sich jetzt mit dem neuen Passwort an."), "ok")
    return redirect(url_for("auth.login"), code=303)
