"""Access rules: who may see a staff or shop portal page, and when a fresh login is needed."""

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort, current_app, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from .. import clock
from ..extensions import login_manager

P = ParamSpec("P")
R = TypeVar("R")

STAFF_ROLES = ("admin", "staff")
AUTH_AT = "auth_at"  # session key: when the password was last entered (UTC, ISO)


def roles_required(*roles: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Only logged-in users with one of ``roles``: anonymous → login, others → 403."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


staff_required = roles_required(*STAFF_ROLES)
admin_required = roles_required("admin")


def shopkeepers_only() -> BaseResponse | None:
    """``before_request`` of the shop portal: only a shopkeeper bound to a shop passes.

    Anonymous visitors go to the login, staff to the back office (they see every shop
    there), any other account gets 403. As a blueprint hook it guards every portal view,
    a new one included, before the view looks anything up.
    """
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role in STAFF_ROLES:
        return redirect(url_for("backoffice.dashboard"))
    if current_user.role != "shopkeeper" or current_user.shop_id is None:
        abort(403)
    return None


def mark_fresh() -> None:
    """Record that the password was just entered (at login or re-authentication)."""
    session[AUTH_AT] = clock.utcnow().isoformat()


def is_fresh() -> bool:
    """Whether the password was entered within ``STAFF_FRESH_MINUTES``."""
    stamp = session.get(AUTH_AT)
    if not isinstance(stamp, str):
        return False
    try:
        entered = datetime.fromisoformat(stamp)
    except ValueError:
        return False
    minutes = current_app.config["STAFF_FRESH_MINUTES"]
    return (clock.utcnow() - entered).total_seconds() < minutes * 60


def fresh_login_required(view: Callable[P, R]) -> Callable[P, R]:
    """Ask for the password again unless it was entered within the last minutes.

    For sealing and running draws and for every export of personal data. Use it
    inside (below) ``staff_required``.
    """

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        if not is_fresh():
            target = request.full_path if request.method == "GET" else request.referrer
            return redirect(  # type: ignore[return-value]
                url_for("auth.reauthenticate", next=target or url_for("backoffice.dashboard"))
            )
        return view(*args, **kwargs)

    return wrapped
