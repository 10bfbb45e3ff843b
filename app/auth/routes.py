"""Login, logout and re-authentication of staff and shopkeepers.

Thin views: the password checks, throttling and audit entries live in
``app.services.auth``; here the session is rotated, refreshed and ended, and the device
cookie (OWASP's device cookies, see ``app.services.device_tokens``) is read and given.
"""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from .. import clock
from ..extensions import limiter, login_manager
from ..models import User
from ..security import no_store
from ..services import totp
from ..services.auth import AuthError, authenticate, confirm_password, end_sessions
from ..services.device_tokens import DeviceToken, issue_device_token, read_device_token
from .decorators import STAFF_ROLES, mark_fresh
from .forms import LoginForm, ReauthenticateForm

bp = Blueprint("auth", __name__, template_folder="templates")

SEEN_AT = "seen_at"  # session key: the user's last request (UTC, ISO)
LOGIN_AT = "login_at"  # session key: when this login began (UTC, ISO)
DEFAULT_LOGIN_LIMIT = "30 per minute"


def login_limit() -> str:
    """Second layer against guessing, per address, in front of the database's counts."""
    return str(current_app.config.get("RATELIMIT_LOGIN", DEFAULT_LOGIN_LIMIT))


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else ``None``.

    Refuses absolute and protocol-relative URLs (``https://…``, ``//evil``), backslashes
    (browsers read ``/\\evil`` as ``//evil``) and control characters or blanks (browsers
    drop tabs and newlines, turning ``/\\t/evil`` into ``//evil``).
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) <= 0x20 or ord(char) == 0x7F for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target




def home_of(user: User) -> str:
    """Where a user lands without a ``next``: the back office, or the shop's portal."""
    if user.role in STAFF_ROLES:
        return url_for("backoffice.dashboard")
    if user.role == "shopkeeper":
        return url_for("shop.portal")
    return url_for("office.home")


def next_for(user: User, target: str | None) -> str | None:
    """The ``next`` a user may be sent to: staff anywhere on the site, a shopkeeper only
    within the portal (say the counter display, after the session ran out)."""
    if target is None or user.role in STAFF_ROLES:
        return target
    portal = url_for("shop.portal")
    return target if target.startswith(portal) else None


def client_address() -> str:
    """The client's address (ProxyFix has already applied the trusted proxy hops)."""
    return request.remote_addr or "unknown"


def current_path() -> str:
    """This request's path with its query string, as a ``next`` value."""
    query = request.query_string.decode("latin-1")
    return request.path + ("?" + query if query else "")


def refusal(code: str) -> tuple[str, int]:
    """The German message and HTTP status for an ``AuthError`` code."""
    if code == "throttled":
        minutes = current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"]
        return (
            _(
                "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie %(minutes)d "
                "Minuten und versuchen Sie es dann noch einmal.",
                minutes=minutes,
            ),
            429,
        )
    if code == "inactive":
        return (
            _("Ihr Zugang ist gesperrt. Bitte wenden Sie sich an die Verwaltung des Büros."),
            403,
        )
    return (_("E-Mail-Adresse oder Passwort stimmen nicht."), 400)


def start_session(user: User) -> None:
    """Log ``user`` in on a brand-new session (no value of the old one survives)."""
    session.clear()  # against session fixation: nothing planted before login survives
    login_user(user)
    mark_fresh()
    session[SEEN_AT] = session[LOGIN_AT] = clock.utcnow().isoformat()


def signing_keys() -> list[str]:
    """The app's secret keys for device tokens: fallbacks first, the signing key last."""
    config = current_app.config
    return [*(config.get("SECRET_KEY_FALLBACKS") or []), config["SECRET_KEY"]]


def device_token() -> DeviceToken | None:
    """This browser's device token, if its cookie holds a valid, unexpired one."""
    config = current_app.config
    return read_device_token(
        request.cookies.get(config["DEVICE_COOKIE_NAME"]),
        secret_keys=signing_keys(),
        now=clock.utcnow(),
        max_age=timedelta(seconds=config["DEVICE_COOKIE_MAX_AGE"]),
    )


def remember_device(response: BaseResponse, user: User) -> BaseResponse:
    """Give this browser a new device cookie for ``user``, after a successful login.

    Sent only to the login pages (its path), HttpOnly, SameSite=Lax, Secure in
    production, and kept ``DEVICE_COOKIE_MAX_AGE`` seconds.
    """
    config = current_app.config
    response.set_cookie(
        config["DEVICE_COOKIE_NAME"],
        issue_device_token(user.id, secret_keys=signing_keys(), now=clock.utcnow()),
        max_age=config["DEVICE_COOKIE_MAX_AGE"],
        path=url_for("auth.login"),
        secure=bool(config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
    return response


@bp.route("/anmelden", methods=["GET", "POST"])
@no_store
@limiter.limit(login_limit, methods=["POST"])
def login() -> BaseResponse | tuple[str, int]:
    """Log in with e-mail address and password."""
    target = safe_next(request.args.get("next"))
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(next_for(current_user, target) or home_of(current_user))
    form = LoginForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/login.html", form=form, next=target, error=None), status
    try:
        user = authenticate(
            form.email.data or "", form.password.data or "", client_address(), clock.utcnow(),
            device=device_token(),
        )
    except AuthError as error:
        message, status = refusal(error.code)
        return render_template("auth/login.html", form=form, next=target, error=message), status
    if totp.is_enabled(user):
        return two_factor.begin_second_step(user, target)
    start_session(user)
    return remember_device(redirect(two_factor.after_login(user, target), code=303), user)


@bp.post("/abmelden")
def logout() -> BaseResponse:
    """End the session on this and every other device (CSRF-checked POST only)."""
    if current_user.is_authenticated:
        end_sessions(current_user._get_current_object(), now=clock.utcnow())
    logout_user()
    session.clear()
    flash(_("Sie haben sich abgemeldet."), "ok")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/anmelden/bestaetigen", methods=["GET", "POST"])
@no_store
@limiter.limit(login_limit, methods=["POST"])
def reauthenticate() -> BaseResponse | tuple[str, int]:
    """Ask a logged-in user for the password again before draws and exports."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    user: User = current_user._get_current_object()
    target = safe_next(request.args.get("next"))
    form = ReauthenticateForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template(
            "auth/reauthenticate.html", form=form, next=target, error=None, home=home_of(user)
        ), status
    try:
        confirm_password(user, form.password.data or "", client_address(), clock.utcnow(),
                         device=device_token())
    except AuthError as error:
        message, status = refusal(error.code)
        return render_template(
            "auth/reauthenticate.html", form=form, next=target, error=message,
            home=home_of(user),
        ), status
    mark_fresh()
    return remember_device(redirect(target or home_of(user), code=303), user)


def parse_moment(value: object) -> datetime | None:
    """A moment stored in the session as ISO text, or ``None``."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def end_session_for_real(user: User, action: str, message: str) -> BaseResponse:
    """End every copy of the user's session (audited as ``action``) and ask to log in.

    Bumping the session version, rather than only clearing this browser's cookie, also
    ends a copy of the cookie that someone else keeps busy. The database write on a GET
    is the session's end, not a change the visitor asked for.
    """
    end_sessions(user, now=clock.utcnow(), action=action)
    logout_user()
    session.clear()
    flash(message, "info")
    target = None
    if request.method == "GET" and request.blueprint != "auth":
        target = current_path()
    return redirect(url_for("auth.login", next=target))


@bp.before_app_request
def end_expired_session() -> BaseResponse | None:
    """End a login after ``STAFF_IDLE_MINUTES`` without a request, or ``STAFF_SESSION_HOURS``
    after it began; otherwise note this request.

    Shoppers have no ``_user_id`` in their session and pass straight through. A session
    without ``seen_at`` counts as active now, one without ``login_at`` (begun before the
    lifetime existed) as begun now. Logging out explicitly is never in the way.
    """
    if "_user_id" not in session or request.endpoint in ("static", "auth.logout"):
        return None
    if not current_user.is_authenticated:
        return None
    user: User = current_user._get_current_object()
    now = clock.utcnow()
    config = current_app.config
    began = parse_moment(session.get(LOGIN_AT))
    hours = config["STAFF_SESSION_HOURS"]
    if began is not None and now - began >= timedelta(hours=hours):
        return end_session_for_real(user, "auth.session_expired", _(
            "Ihre Anmeldung ist nach %(hours)d Stunden abgelaufen. Bitte melden Sie sich "
            "erneut an.", hours=hours))
    seen = parse_moment(session.get(SEEN_AT))
    minutes = config["STAFF_IDLE_MINUTES"]
    if seen is not None and now - seen >= timedelta(minutes=minutes):
        return end_session_for_real(user, "auth.idle_logout", _(
            "Sie waren %(minutes)d Minuten nicht aktiv und wurden aus Sicherheitsgründen "
            "abgemeldet. Bitte melden Sie sich erneut an.", minutes=minutes))
    if began is None:
        session[LOGIN_AT] = now.isoformat()
    session[SEEN_AT] = now.isoformat()
    return None


from . import invitations  # noqa: E402,F401,I001  (registers the invitation page on bp)
from . import password_reset, two_factor  # noqa: E402,F401  (their pages, on bp)
