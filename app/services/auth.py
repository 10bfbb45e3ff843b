"""Checking passwords of staff and shopkeepers, throttling guesses, ending sessions.

Plain functions without ``request``: the views pass the e-mail, the password, the client's
address and the time. Every login, failed login, re-authentication and logout is written
to the audit log; passwords never are.
"""

import secrets
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock
from ..db import begin_write
from ..extensions import db
from ..models import AuditEvent, LoginAttempt, User
from .errors import DomainError

ADDRESS_LENGTH = 64  # LoginAttempt.address


class AuthError(DomainError):
    """Login refused. Codes: ``throttled``, ``bad_credentials``, ``inactive``."""


@cache
def _dummy_hash() -> str:
    """A hash of a random password, compared against when the e-mail is unknown.

    Made with the same method as real hashes, so that a login for an unknown e-mail takes
    as long as one with a wrong password and timing does not tell which e-mails exist.
    """
    return generate_password_hash(secrets.token_urlsafe(16))


def normalise_email(email: str) -> str:
    """E-mail addresses are stored and counted lower-cased and without blanks around."""
    return email.strip().lower()


def _window_start(now: datetime) -> datetime:
    """Start of the window in which failed logins count."""
    return now - timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])


def is_throttled(email: str, address: str, now: datetime) -> bool:
    """Whether too many logins failed recently for this e-mail or from this address."""
    config = current_app.config
    since = _window_start(now)
    per_account = db.session.scalar(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.email == email, LoginAttempt.at > since
        )
    )
    if (per_account or 0) >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]:
        return True
    per_address = db.session.scalar(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.address == address, LoginAttempt.at > since
        )
    )
    return (per_address or 0) >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]


def _refuse(
    code: str,
    *,
    email: str,
    address: str,
    now: datetime,
    user: User | None,
    reauth: bool = False,
) -> AuthError:
    """Record a refused login (attempt and audit entry) and return the error to raise.

    A refusal for throttling is audited but not counted as an attempt: it tested no
    password, and counting it would keep an account locked for as long as someone keeps
    knocking. Unknown e-mails are not written to the audit log (they may be typos of a
    password or someone else's address); the attempt table keeps them for the window only.
    """
    begin_write()
    if code != "throttled":
        db.session.add(LoginAttempt(email=email, address=address, at=now))
        # Data minimisation: attempts older than the window have no use any more.
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.at <= _window_start(now)))
    details: dict[str, object] = {"reason": code}
    if reauth:
        details["reauth"] = True
    db.session.add(
        AuditEvent(
            created_at=now,
            actor_id=user.id if user else None,
            action="auth.login_failed",
            subject=user.email if user else "",
            details=details,
        )
    )
    db.session.commit()
    return AuthError(code)


def _succeed(user: User, *, email: str, now: datetime, action: str) -> None:
    """Forget the e-mail's failed attempts and audit the successful login."""
    begin_write()
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
    db.session.add(
        AuditEvent(created_at=now, actor_id=user.id, action=action, subject=user.email)
    )
    db.session.commit()


def _check_password(user: User | None, password: str) -> bool:
    """Compare ``password`` with the user's hash, or with a dummy hash for no user."""
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(user.password_hash, password)


def authenticate(email: str, password: str, address: str, now: datetime) -> User:
    """Return the user with this e-mail and password, or raise ``AuthError``.

    Throttling is checked before the password. The password hash is compared outside the
    write transaction, so that SQLite's write lock is not held while hashing (stamping
    goes on meanwhile); two guesses racing each other may therefore both be counted
    after the check. The per-address rate limit in front of the view bounds that.
    """
    email = normalise_email(email)
    address = address[:ADDRESS_LENGTH]
    user = db.session.scalars(select(User).where(User.email == email)).first()
    if is_throttled(email, address, now):
        raise _refuse("throttled", email=email, address=address, now=now, user=user)
    password_ok = _check_password(user, password)
    if user is None or not password_ok:
        raise _refuse("bad_credentials", email=email, address=address, now=now, user=user)
    # Only someone who knows the password learns that the account is switched off.
    if not user.active:
        raise _refuse("inactive", email=email, address=address, now=now, user=user)
    _succeed(user, email=email, now=now, action="auth.login")
    return user


def confirm_password(user: User, password: str, address: str, now: datetime) -> None:
    """Check the logged-in user's password again before a sensitive action.

    Counted and throttled like a login: a borrowed session must not become a way to
    guess the password.
    """
    email = normalise_email(user.email)
    address = address[:ADDRESS_LENGTH]
    if is_throttled(email, address, now):
        raise _refuse("throttled", email=email, address=address, now=now, user=user, reauth=True)
    if not _check_password(user, password):
        raise _refuse(
            "bad_credentials", email=email, address=address, now=now, user=user, reauth=True
        )
    if not user.active:
        raise _refuse("inactive", email=email, address=address, now=now, user=user, reauth=True)
    _succeed(user, email=email, now=now, action="auth.reauth")


def end_sessions(
    user: User, *, now: datetime | None = None, action: str = "auth.logout"
) -> None:
    """End every session of ``user``, on every device, and audit it as ``action``.

    Sessions carry the user's session version (``User.get_id``); bumping it makes the
    user loader reject every copy of every older session cookie.
    """
    moment = now or clock.utcnow()
    begin_write()
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_version=User.session_version + 1)
    )
    db.session.add(
        AuditEvent(created_at=moment, actor_id=user.id, action=action, subject=user.email)
    )
    db.session.commit()
    db.session.refresh(user)
