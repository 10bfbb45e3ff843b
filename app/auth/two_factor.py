"""The second step of a login with two-factor log-in, and the admins' duty to enrol.

After the right password an account with two-factor log-in is not logged in yet: the
session holds only who is half-way (id and session version), since when and where to go
next, for ``PENDING_MINUTES``. ``/anmelden/code`` asks for the authenticator's code or a
recovery code, counted and throttled with the password failures
(``app.services.auth.confirm_second_factor``), and then starts the real session.

When ``PRODUCTION`` is on, an admin without two-factor log-in is sent to its enrolment
page after logging in, and the back office lets such an account do nothing else until
it is on (``require_enrolment``, a hook of the back office's blueprint).
"""

from datetime import datetime, timedelta

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from .. import clock
from ..extensions import limiter
from ..models import User
from ..security import no_store
from ..services import totp
from ..services.auth import AuthError, confirm_second_factor
from . import load_user
from .forms import CodeForm
from .routes import (
    bp,
    client_address,
    device_token,
    home_of,
    login_limit,
    next_for,
    refusal,
    remember_device,
    safe_next,
    start_session,
)

PENDING = "second_step"  # session key: {"user": id.version, "at": ISO, "next": path}
PENDING_MINUTES = 5
# Back-office endpoints an admin who must enrol may still open.
ENROLMENT_ENDPOINTS = ("backoffice.my_two_factor", "backoffice.my_two_factor_start",
                       "backoffice.my_two_factor_confirm")


def must_enrol(user: User) -> bool:
    """Whether ``user`` has to turn on two-factor log-in before working (admins in
    production)."""
    return (bool(current_app.config["PRODUCTION"]) and user.role == "admin"
            and not totp.is_enabled(user))


def after_login(user: User, target: str | None) -> str:
    """Where a user goes once fully logged in."""
    if must_enrol(user):
        return url_for("backoffice.my_two_factor")
    return next_for(user, target) or home_of(user)


def begin_second_step(user: User, target: str | None) -> BaseResponse:
    """Remember that ``user`` gave the right password, and ask for the code."""
    session.clear()  # nothing of a session before the login survives (fixation)
    session[PENDING] = {"user": user.get_id(), "at": clock.utcnow().isoformat(),
                        "next": target}
    return redirect(url_for("auth.login_code"), code=303)


def pending_user(now: datetime) -> tuple[User, str | None] | None:
    """The account half-way through its login and its ``next``, unless too old."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    try:
        began = datetime.fromisoformat(str(pending.get("at")))
    except ValueError:
        return None
    if not timedelta(0) <= now - began < timedelta(minutes=PENDING_MINUTES):
        return None
    user = load_user(str(pending.get("user", "")))
    if user is None or not totp.is_enabled(user):
        return None
    target = pending.get("next")
    return user, safe_next(target if isinstance(target, str) else None)


def code_page(form: CodeForm, error: str | None = None, status: int = 200) -> tuple[str, int]:
    """The page asking for the code."""
    return render_template("auth/login_code.html", form=form, error=error,
                           minutes=PENDING_MINUTES), status


@bp.route("/anmelden/code", methods=["GET", "POST"])
@no_store
@limiter.limit(login_limit, methods=["POST"])
def login_code() -> BaseResponse | tuple[str, int]:
    """The second step of the login: the authenticator's code or a recovery code."""
    now = clock.utcnow()
    found = pending_user(now)
    if found is None:
        session.pop(PENDING, None)
        flash(_("Die Anmeldung hat zu lange gedauert oder wurde nicht begonnen. Bitte "
                "melden Sie sich noch einmal an."), "info")
        return redirect(url_for("auth.login"), code=303)
    user, target = found
    form = CodeForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return code_page(form, status=status)
    try:
        method = confirm_second_factor(user, form.code.data or "", client_address(), now,
                                       device=device_token())
    except AuthError as error:
        if error.code == "bad_code":
            return code_page(form, status=400, error=_(
                "Der Code stimmt nicht oder wurde schon benutzt. Nehmen Sie den aktuellen "
                "Code aus Ihrer App, oder einen Wiederherstellungscode."))
        message, status = refusal(error.code)
        return code_page(form, error=message, status=status)
    start_session(user)
    if method == "recovery":
        left = totp.remaining_recovery_codes(user)
        flash(_("Sie haben sich mit einem Wiederherstellungscode angemeldet; er gilt jetzt "
                "nicht mehr. Es bleiben %(left)d Codes. Haben Sie Ihr Telefon verloren, "
                "schalten Sie die Zwei-Faktor-Anmeldung aus und richten Sie sie neu ein.",
                left=left), "info")
    return remember_device(redirect(after_login(user, target), code=303), user)


def require_enrolment() -> BaseResponse | None:
    """``before_request`` of the back office: in production an admin without two-factor
    log-in is sent to the enrolment page from every other page."""
    if not current_user.is_authenticated or request.endpoint in ENROLMENT_ENDPOINTS:
        return None
    user: User = current_user._get_current_object()
    if not must_enrol(user):
        return None
    flash(_("Als Administratorin oder Administrator brauchen Sie die Zwei-Faktor-Anmeldung. "
            "Bitte richten Sie sie jetzt ein; danach geht es weiter."), "info")
    return redirect(url_for("backoffice.my_two_factor"))
