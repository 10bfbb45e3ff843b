"""The staff member's own access: password and two-factor log-in (``/buero/konto``).

Enrolment in three steps, none of them a GET that writes: a POST gives the account a new
secret, the page shows it as a QR code (inline SVG) and as text, and a POST with the
app's first code switches it on and shows the ten recovery codes once. Switching it off
needs a fresh login and a code.
"""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from ..auth.decorators import fresh_login_required, staff_required
from ..auth.forms import CodeForm, ConfirmForm, EnrolmentForm, PasswordChangeForm
from ..auth.password_change import apply_password_change
from ..auth.routes import client_address, device_token, refusal, start_session
from ..auth.two_factor import require_enrolment
from ..models import User
from ..services import totp
from ..services.auth import AuthError, confirm_second_factor
from . import bp
from .routes import now

# In production an admin without two-factor log-in may open only its enrolment pages.
bp.before_request(require_enrolment)


def me() -> User:
    """The logged-in staff member."""
    user: User = current_user._get_current_object()
    return user


def account_page(form: PasswordChangeForm | None = None, status: int = 200) -> tuple[str, int]:
    """The account page: the password form and the two-factor state."""
    user = me()
    return render_template(
        "backoffice/own_account.html", form=form or PasswordChangeForm(formdata=None),
        enabled=totp.is_enabled(user), remaining=totp.remaining_recovery_codes(user),
    ), status


@bp.get("/konto")
@staff_required
def my_account() -> tuple[str, int]:
    """Own access: change the password, two-factor log-in on or off."""
    return account_page()


@bp.post("/konto/passwort")
@staff_required
def my_password() -> BaseResponse | tuple[str, int]:
    """Change the own password (the current one first); other devices are logged out."""
    form = PasswordChangeForm()
    status = apply_password_change(form)
    if status is not None:
        return account_page(form, status)
    return redirect(url_for("backoffice.my_account"), code=303)


def enrolment_page(form: EnrolmentForm | None = None, error: str | None = None,
                   status: int = 200) -> tuple[str, int]:
    """The enrolment page: a start button, or the new secret with the code form."""
    user = me()
    qr = secret = None
    if not totp.is_enabled(user) and user.totp_secret is not None:
        qr = Markup(totp.qr_svg(user, _("QR-Code für die Authenticator-App")))  # noqa: S704
        secret = totp.grouped_secret(user.totp_secret)
    return render_template(
        "backoffice/two_factor.html", form=form or EnrolmentForm(formdata=None),
        start_form=ConfirmForm(), enabled=totp.is_enabled(user), qr=qr, secret=secret,
        error=error, remaining=totp.remaining_recovery_codes(user),
    ), status


@bp.get("/konto/zwei-faktor")
@staff_required
def my_two_factor() -> tuple[str, int]:
    """Two-factor log-in: its state, or the enrolment under way."""
    return enrolment_page()


@bp.post("/konto/zwei-faktor/start")
@staff_required
def my_two_factor_start() -> BaseResponse | tuple[str, int]:
    """Give the account a new secret to enrol with, and show it."""
    if not ConfirmForm().validate_on_submit():
        return enrolment_page(status=400)
    try:
        totp.start_enrolment(user=me(), now=now())
    except totp.TotpError:
        return enrolment_page(status=409)
    return redirect(url_for("backoffice.my_two_factor"), code=303)


@bp.post("/konto/zwei-faktor")
@staff_required
def my_two_factor_confirm() -> BaseResponse | tuple[str, int]:
    """Switch two-factor log-in on with the app's first code; show the recovery codes."""
    form = EnrolmentForm()
    if not form.validate_on_submit():
        return enrolment_page(form, status=400)
    user = me()
    try:
        codes = totp.confirm_enrolment(user=user, code=form.code.data or "", now=now())
    except totp.TotpError as error:
        if error.code == "bad_code":
            form.code.errors = [_("Der Code stimmt nicht. Prüfen Sie, ob die Uhr Ihres "
                                  "Telefons richtig geht, und nehmen Sie den aktuellen Code.")]
            return enrolment_page(form, status=400)
        return enrolment_page(status=409)
    start_session(user)  # the other sessions ended with the enrolment
    return render_template("backoffice/two_factor_codes.html", codes=codes), 200


@bp.route("/konto/zwei-faktor/aus", methods=["GET", "POST"])
@staff_required
@fresh_login_required
def my_two_factor_off() -> BaseResponse | tuple[str, int]:
    """Switch two-factor log-in off: after a fresh login, with a code."""
    user = me()
    form = CodeForm()
    enabled = totp.is_enabled(user)
    if not enabled or not form.validate_on_submit():
        status = 400 if enabled and form.is_submitted() else 200
        return render_template("backoffice/two_factor_off.html", form=form, enabled=enabled,
                               error=None), status
    try:
        method = confirm_second_factor(user, form.code.data or "", client_address(), now(),
                                       device=device_token(), action="auth.totp_confirmed",
                                       reauth=True)
    except AuthError as error:
        if error.code == "bad_code":
            message, status = _("Der Code stimmt nicht oder wurde schon benutzt."), 400
        else:
            message, status = refusal(error.code)
        return render_template("backoffice/two_factor_off.html", form=form, enabled=enabled,
                               error=message), status
    totp.disable(user=user, method=method, now=now())
    flash(_("Die Zwei-Faktor-Anmeldung ist ausgeschaltet. Sie melden sich jetzt wieder nur "
            "mit dem Passwort an."), "ok")
    return redirect(url_for("backoffice.my_account"), code=303)
