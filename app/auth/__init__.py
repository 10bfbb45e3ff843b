"""Staff authentication: loading the logged-in user with a session version.

The login pages belong to the back office; the session version is here from the start so
that logging out can end every copy of a session.
"""

from flask import Flask

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
    """Wire the user loader."""
    login_manager.user_loader(load_user)
