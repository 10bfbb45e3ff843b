"""Forgotten passwords: a single-use link by mail, valid an hour; changing a password.

Anyone may ask for a link for an address; the answer is the same whether or not the
address is an account, so the form reveals none. For an active account a
``PasswordReset`` is written (only the SHA-256 of its random token) together with the
mail that carries the link, in one transaction. Opening the link writes nothing (mail
scanners open every link); the POST of its form sets the new password, uses the link up,
withdraws the account's other open links and ends every session of the account
(``session_version``). Audit events: ``account.reset_requested``,
``account.password_reset``, ``account.password_change``; tokens and passwords never go
into the log.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from .. import formats
from ..db import begin_write
from ..extensions import db
from ..models import Shop, User
from ..models.accounts import PasswordReset
from .accounts import TOKEN_BYTES, TOKEN_RE
from .auth import confirm_password, normalise_email
from .device_tokens import DeviceToken
from .editing import audit
from .errors import DomainError
from .mail import queue_mail
from .passwords import check_new_password

RESET_VALIDITY = timedelta(hours=1)
# At most this many links per account and hour: the form cannot flood a mailbox.
MAX_RESETS_PER_HOUR = 3
EMAIL_MAX = 254


class ResetError(DomainError):
    """A reset link or a password change refused. Codes of a link: ``unknown``,
    ``used``, ``expired``; of a change: ``same_password``. Wrong current passwords are
    :class:`app.services.auth.AuthError`, weak new ones
    :class:`app.services.passwords.PasswordError`."""


def token_hash(token: str) -> str:
    """The stored form of a reset token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def reset_path(token: str) -> str:
    """The link's path; the link is ``BASE_URL`` followed by it."""
    return f"/passwort-neu/{token}"


def personal_texts(user: User) -> list[str]:
    """Texts of the account a new password must not be made of."""
    texts = [user.email, user.name]
    if user.shop_id is not None and (shop := db.session.get(Shop, user.shop_id)) is not None:
        texts += [shop.name, shop.slug]
    return [text for text in texts if text]


def request_reset(*, email: str, now: datetime) -> str | None:
    """Send a reset link to ``email`` if it is an active account; return the token.

    Returns ``None``, and writes nothing, for an unknown or switched-off address and
    when the account already got ``MAX_RESETS_PER_HOUR`` links within the hour. The
    caller answers the same in every case.
    """
    address = normalise_email(email)[:EMAIL_MAX]
    begin_write()
    user = db.session.scalars(select(User).where(User.email == address)).first()
    if user is None or not user.active:
        db.session.rollback()
        return None
    recent = db.session.scalar(
        select(func.count(PasswordReset.id)).where(
            PasswordReset.user_id == user.id, PasswordReset.created_at > now - RESET_VALIDITY
        )
    ) or 0
    if recent >= MAX_RESETS_PER_HOUR:
        db.session.rollback()
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    reset = PasswordReset(user_id=user.id, token_hash=token_hash(token), created_at=now,
                          expires_at=now + RESET_VALIDITY)
    db.session.add(reset)
    db.session.flush()
    link = current_app.config["BASE_URL"] + reset_path(token)
    queue_mail(
        kind="password_reset",
        to=user.email,
        subject=_("Neues Passwort für Ihren Zugang"),
        template="password_reset",
        context={"link": link, "name": user.name,
                 "until": formats.moment(reset.expires_at, "deadline")},
        # The body holds a credential: it leaves the outbox once the server took it.
        forget_after_sending=True,
        now=now,
    )
    audit(now, None, "account.reset_requested", user.email, reset=reset.id)
    db.session.commit()
    return token


def _check_open(reset: PasswordReset | None, now: datetime) -> PasswordReset:
    """``reset`` if it can be used at ``now``; else the ``ResetError`` saying why."""
    if reset is None:
        raise ResetError("unknown")
    if reset.used_at is not None:
        raise ResetError("used")
    if now >= reset.expires_at:
        raise ResetError("expired")
    return reset


def find_reset(token: str, now: datetime) -> PasswordReset:
    """The open reset of ``token``, with its account; writes nothing.

    Raises ``ResetError`` with ``unknown``, ``used`` or ``expired``. A link of an
    account switched off since counts as unknown.
    """
    if not TOKEN_RE.fullmatch(token):
        raise ResetError("unknown")
    reset = db.session.scalars(
        select(PasswordReset).where(PasswordReset.token_hash == token_hash(token))
    ).first()
    if reset is not None and not reset.user.active:
        reset = None
    return _check_open(reset, now)


def complete_reset(*, token: str, password: str, now: datetime) -> User:
    """Set the account's new password with the link ``token``; return the account.

    The link works once; the account's other open links are withdrawn (deleted) and
    every session of the account ends. A refused link (``ResetError``) or password
    (``PasswordError``) leaves everything as it was. The password is checked and hashed
    before the write transaction (SQLite's write lock is not held meanwhile).
    """
    reset = find_reset(token, now)
    check_new_password(password, personal=personal_texts(reset.user))
    password_hash = generate_password_hash(password)
    begin_write()
    reset = db.session.scalars(
        select(PasswordReset).where(PasswordReset.id == reset.id).with_for_update()
    ).one()
    try:
        _check_open(reset, now)  # again: another request may have used it meanwhile
    except ResetError:
        db.session.rollback()
        raise
    user = reset.user
    reset.used_at = now
    withdrawn = db.session.execute(
        delete(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.id != reset.id,
               PasswordReset.used_at.is_(None))
        .execution_options(synchronize_session=False)
    )
    user.password_hash = password_hash
    user.session_version = User.session_version + 1
    audit(now, user.id, "account.password_reset", user.email, reset=reset.id,
          withdrawn=int(getattr(withdrawn, "rowcount", 0) or 0))
    db.session.commit()
    db.session.refresh(user)
    return user


def change_password(*, user: User, current: str, new: str, address: str, now: datetime,
                    device: DeviceToken | None = None) -> User:
    """Replace the logged-in user's password; every session of the account ends.

    The current password is checked (and counted and throttled) like a login
    (``AuthError``); the new one must pass the policy (``PasswordError``) and differ
    from the current one (``ResetError("same_password")``).
    """
    confirm_password(user, current, address, now, device=device)
    if check_password_hash(user.password_hash, new):
        raise ResetError("same_password")
    check_new_password(new, personal=personal_texts(user))
    password_hash = generate_password_hash(new)
    begin_write()
    account = db.session.get_one(User, user.id)
    account.password_hash = password_hash
    account.session_version = User.session_version + 1
    withdrawn = db.session.execute(
        delete(PasswordReset)
        .where(PasswordReset.user_id == account.id, PasswordReset.used_at.is_(None))
        .execution_options(synchronize_session=False)
    )
    audit(now, account.id, "account.password_change", account.email,
          withdrawn=int(getattr(withdrawn, "rowcount", 0) or 0))
    db.session.commit()
    db.session.refresh(account)
    return account
