"""Checking passwords of staff and shopkeepers, throttling guesses, ending sessions.

Plain functions without ``request``: the views pass the e-mail, the password, the client's
address, the verified device token (if the browser has one) and the time. Every login,
failed login, re-authentication and logout is written to the audit log; passwords never
are.

Throttling follows OWASP's "Slow Down Online Guessing Attacks with Device Cookies". A
browser that logged in to an account before carries a device token for it (see
``device_tokens``); every other client is untrusted. Within the window
(``LOGIN_FAILURE_WINDOW_MINUTES``):

- a trusted device is refused after ``LOGIN_MAX_FAILURES_PER_DEVICE`` failures of its
  own, and its failures count against nothing else;
- untrusted clients are refused for an account after ``LOGIN_MAX_FAILURES_PER_ACCOUNT``
  untrusted failures for it, from whichever addresses (the lock-out of untrusted
  clients: a guesser with many addresses gets no more guesses than that);
- one address is refused for an account after ``LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS``
  untrusted failures for it, and for every account after
  ``LOGIN_MAX_FAILURES_PER_ADDRESS``.

So the people who use an account every day keep logging in while strangers are locked
out. The lock-out of untrusted clients cannot be extended forever cheaply:

- a refused attempt tests no password and is not counted, so knocking during a lock-out
  does not prolong it: it ends when the failures that caused it leave the window;
- one address cannot cause it: it is stopped at the per-address-and-account limit,
  which is lower than the account's. Keeping an account locked takes several addresses,
  each spending fresh guesses in every window;
- a success elsewhere does not reset the account's count (that would give a guesser a
  fresh budget); only a trusted device's own failures are forgotten when it logs in.

What remains, a lock-out renewed from several addresses, hinders only a first login
from a new browser, never a browser that logged in before.
"""

import secrets
from datetime import datetime, timedelta
from functools import cache, partial

from flask import current_app
from sqlalchemy import and_, delete, func, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock
from ..db import begin_write
from ..extensions import db
from ..models import AuditEvent, LoginAttempt, User
from . import totp
from .device_tokens import DeviceToken
from .errors import DomainError

ADDRESS_LENGTH = 64  # LoginAttempt.address


class AuthError(DomainError):
    """Login refused. Codes: ``throttled``, ``bad_credentials``, ``inactive``; of the
    second step (two-factor log-in): ``bad_code``."""


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


def trusted_device(user: User | None, device: DeviceToken | None) -> str | None:
    """The nonce of ``device`` if it is bound to ``user``; ``None`` for an untrusted client.

    A token of another account (a shared browser, or a guesser's own account) makes the
    client no more trusted for this one than having no token.
    """
    if device is None or user is None or device.user_id != user.id:
        return None
    return device.nonce


def is_throttled(email: str, address: str, now: datetime, device: str | None = None) -> bool:
    """Whether this client must wait before its next attempt (limits: module docstring)."""
    config = current_app.config
    since = _window_start(now)
    if device is not None:
        failures = db.session.scalar(
            select(func.count(LoginAttempt.id)).where(
                LoginAttempt.device == device, LoginAttempt.at > since
            )
        )
        return (failures or 0) >= config["LOGIN_MAX_FAILURES_PER_DEVICE"]
    account = LoginAttempt.email == email
    here = LoginAttempt.address == address
    per_account, per_account_here, per_address = db.session.execute(
        select(
            func.count(LoginAttempt.id).filter(account),
            func.count(LoginAttempt.id).filter(and_(account, here)),
            func.count(LoginAttempt.id).filter(here),
        ).where(LoginAttempt.device.is_(None), LoginAttempt.at > since, or_(account, here))
    ).one()
    return (
        per_account >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or per_account_here >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS"]
        or per_address >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    )


def purge_login_attempts(now: datetime) -> None:
    """Delete the attempts older than the window (data minimisation: they count no more).

    Runs inside the caller's write transaction: at every failed login, successful login,
    re-authentication and logout.
    """
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.at <= _window_start(now)))


def _refuse(
    code: str,
    *,
    email: str,
    address: str,
    now: datetime,
    user: User | None,
    device: str | None,
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
        db.session.add(LoginAttempt(email=email, address=address, device=device, at=now))
        purge_login_attempts(now)
    details: dict[str, object] = {"reason": code}
    if reauth:
        details["reauth"] = True
    if device is not None:
        details["trusted_device"] = True
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


def _succeed(user: User, *, device: str | None, now: datetime, action: str) -> None:
    """Audit the successful login; forget the trusted device's own failures.

    The account's untrusted failures stay until they leave the window: a success must
    not hand a guesser elsewhere a fresh budget.
    """
    begin_write()
    if device is not None:
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.device == device))
    purge_login_attempts(now)
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


def authenticate(
    email: str, password: str, address: str, now: datetime, device: DeviceToken | None = None
) -> User:
    """Return the user with this e-mail and password, or raise ``AuthError``.

    ``device`` is the browser's verified device token, if any. Throttling is checked
    before the password. The password hash is compared outside the write transaction,
    so that SQLite's write lock is not held while hashing (stamping goes on meanwhile);
    two guesses racing each other may therefore both be counted after the check. The
    per-address rate limit in front of the view bounds that.
    """
    email = normalise_email(email)
    address = address[:ADDRESS_LENGTH]
    user = db.session.scalars(select(User).where(User.email == email)).first()
    nonce = trusted_device(user, device)
    refuse = partial(_refuse, email=email, address=address, now=now, user=user, device=nonce)
    if is_throttled(email, address, now, nonce):
        raise refuse("throttled")
    password_ok = _check_password(user, password)
    if user is None or not password_ok:
        raise refuse("bad_credentials")
    # Only someone who knows the password learns that the account is switched off.
    if not user.active:
        raise refuse("inactive")
    # With two-factor log-in the login is complete only after the code (see
    # confirm_second_factor): until then the password is merely known to be right.
    action = "auth.password_ok" if totp.is_enabled(user) else "auth.login"
    _succeed(user, device=nonce, now=now, action=action)
    return user


def confirm_password(
    user: User, password: str, address: str, now: datetime, device: DeviceToken | None = None
) -> None:
    """Check the logged-in user's password again before a sensitive action.

    Counted and throttled like a login: a borrowed session must not become a way to
    guess the password.
    """
    email = normalise_email(user.email)
    address = address[:ADDRESS_LENGTH]
    nonce = trusted_device(user, device)
    refuse = partial(_refuse, email=email, address=address, now=now, user=user, device=nonce,
                     reauth=True)
    if is_throttled(email, address, now, nonce):
        raise refuse("throttled")
    if not _check_password(user, password):
        raise refuse("bad_credentials")
    if not user.active:
        raise refuse("inactive")
    _succeed(user, device=nonce, now=now, action="auth.reauth")


def confirm_second_factor(
    user: User,
    code: str,
    address: str,
    now: datetime,
    device: DeviceToken | None = None,
    *,
    action: str = "auth.login",
    reauth: bool = False,
) -> str:
    """Check a two-factor code (authenticator or recovery code) of ``user``.

    Counted and throttled like a password, in the same counts: the second step gives a
    guesser no budget of its own. A code's time step is accepted once. Returns
    ``"totp"`` or ``"recovery"`` and audits ``action``; raises ``AuthError``
    (``throttled``, ``inactive``, ``bad_code``).
    """
    email = normalise_email(user.email)
    address = address[:ADDRESS_LENGTH]
    nonce = trusted_device(user, device)
    refuse = partial(_refuse, email=email, address=address, now=now, user=user, device=nonce,
                     reauth=reauth)
    if is_throttled(email, address, now, nonce):
        raise refuse("throttled")
    if not user.active:
        raise refuse("inactive")
    begin_write()
    try:
        method = totp.check_code(user, code, now)
    except totp.TotpError:
        db.session.rollback()
        raise refuse("bad_code") from None
    db.session.commit()
    _succeed(user, device=nonce, now=now, action=action)
    return method


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
    purge_login_attempts(moment)
    db.session.add(
        AuditEvent(created_at=moment, actor_id=user.id, action=action, subject=user.email)
    )
    db.session.commit()
    db.session.refresh(user)
