"""Staff authentication: loading the logged-in user with a session version.

The login pages are in ``routes``; the session version lets logging out end every copy
of a session.
"""

from flask import Flask
from flask_babel import lazy_gettext as _l

from ..extensions import db, login_manager
from ..models import User


def load_user(value: str) -> User | None:
    """Return the user of a session, unless its session version has moved on."""
    user_id, _, version = value.partition(".")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.active:
        return None
    return user


def init_app(app: Flask) -> None:
    """Wire the user loader and where (and with which words) anonymous users are sent.

    Session protection stays at Flask-Login's "basic": "strong" would rewrite the session
    and send a cookie-deleting header on every page a shopper with a session opens, and
    its fingerprint trusts a client-sent X-Forwarded-For. Sessions end for real through
    the session version, the idle timeout and fresh logins instead.
    """
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Bitte melden Sie sich an, um diese Seite zu öffnen.")
    login_manager.login_message_category = "info"
    # Flashed text must be a plain string (the session cannot store lazy strings).
    login_manager.localize_callback = str
    login_manager.session_protection = "basic"
    login_manager.refresh_view = "auth.reauthenticate"
