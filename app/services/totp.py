"""Two-factor log-in for staff: time-based codes (RFC 6238, pyotp) and recovery codes.

Enrolment: ``start_enrolment`` stores a new random secret (not yet in force), the page
shows it as a QR code and as text, and ``confirm_enrolment`` with a valid code from the
authenticator app switches it on and returns ten one-time recovery codes, shown once
(only their SHA-256 is stored). A code's time step is accepted once
(``User.totp_last_step``, set by a conditional UPDATE, so two requests with the same
code cannot both pass). Checking a code at log-in is throttled like a password
(``app.services.auth.confirm_second_factor``). Audit events: ``auth.totp_enable``,
``auth.totp_disable``, ``auth.recovery_code_used``.
"""

import hashlib
import hmac
import re
import secrets
from datetime import datetime

import pyotp
import segno
from sqlalchemy import delete, func, or_, select, update

from ..db import begin_write
from ..extensions import db
from ..models import User
from ..models.accounts import RecoveryCode
from .editing import audit
from .errors import DomainError

ISSUER = "Innenstadt-Rallye"  # the name the authenticator app shows
STAFF_ROLES = ("admin", "staff")
# Codes of the step before and after now pass too: phone clocks drift a little.
DRIFT_STEPS = 1
RECOVERY_CODES = 10
# Recovery codes: 10 characters without look-alikes (0/o, 1/l/i), about 49 bits.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10
CODE_RE = re.compile(r"\d{6}")
SEPARATORS_RE = re.compile(r"[\s-]+")


class TotpError(DomainError):
    """A two-factor step refused. Codes: ``not_staff``, ``already_enabled``,
    ``not_enrolling``, ``not_enabled``, ``bad_code``."""


def may_use(user: User) -> bool:
    """Whether the account may turn on two-factor log-in (office staff only)."""
    return user.role in STAFF_ROLES


def is_enabled(user: User) -> bool:
    """Whether the account logs in with a second factor."""
    return user.totp_enabled_at is not None and user.totp_secret is not None


def provisioning_uri(user: User) -> str:
    """The ``otpauth://`` URI of the account's secret, for the QR code."""
    if user.totp_secret is None:
        raise TotpError("not_enrolling")
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(user: User, title: str) -> str:
    """The enrolment QR code as an inline SVG (no style attributes: fine for the CSP)."""
    symbol = segno.make(provisioning_uri(user), error="m")
    return str(symbol.svg_inline(scale=4, border=4, dark="#000", light="#fff", title=title))


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def recovery_hash(code: str) -> str:
    """The stored form of a recovery code: SHA-256 of its normalised text, hex."""
    return hashlib.sha256(normalise(code).encode("ascii", "ignore")).hexdigest()


def normalise(code: str) -> str:
    """A typed code without blanks and dashes, lower-case."""
    return SEPARATORS_RE.sub("", code).lower()


def format_recovery(code: str) -> str:
    """A recovery code as shown: two groups of five."""
    return f"{code[:5]}-{code[5:]}"


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step within the drift whose code is ``code``, or ``None``."""
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    for offset in range(-DRIFT_STEPS, DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(now, counter_offset=offset), code):
            return int(step + offset)
    return None


def _use_step(user_id: int, step: int) -> bool:
    """Record ``step`` as used unless it or a later one was; whether it was recorded."""
    result = db.session.execute(
        update(User)
        .where(User.id == user_id,
               or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def _use_recovery_code(user_id: int, code: str, now: datetime) -> bool:
    """Use up one of the account's recovery codes; whether ``code`` was an unused one."""
    result = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.code_hash == recovery_hash(code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def remaining_recovery_codes(user: User) -> int:
    """How many unused recovery codes the account has."""
    return db.session.scalar(
        select(func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id,
                                                  RecoveryCode.used_at.is_(None))
    ) or 0


def check_code(user: User, code: str, now: datetime) -> str:
    """Accept a code of the enabled second factor inside the caller's write transaction.

    Six digits are an authenticator code (its step accepted once), anything else a
    recovery code (used up). Returns ``"totp"`` or ``"recovery"``; raises
    ``TotpError("bad_code")`` without writing anything otherwise. The caller has called
    ``begin_write`` and commits.
    """
    secret = user.totp_secret
    if secret is None or not is_enabled(user):
        raise TotpError("not_enabled")
    typed = normalise(code)
    if CODE_RE.fullmatch(typed):
        step = _matching_step(secret, typed, now)
        if step is not None and _use_step(user.id, step):
            return "totp"
        raise TotpError("bad_code")
    if typed and len(typed) <= 64 and _use_recovery_code(user.id, typed, now):
        audit(now, user.id, "auth.recovery_code_used", user.email,
              remaining=remaining_recovery_codes(user))
        return "recovery"
    raise TotpError("bad_code")


def start_enrolment(*, user: User, now: datetime) -> User:
    """Give the account a new secret to enrol with (not in force until confirmed)."""
    if not may_use(user):
        raise TotpError("not_staff")
    if is_enabled(user):
        raise TotpError("already_enabled")
    begin_write()
    account = db.session.get_one(User, user.id)
    account.totp_secret = pyotp.random_base32()
    account.totp_last_step = None
    db.session.commit()
    return account


def confirm_enrolment(*, user: User, code: str, now: datetime) -> list[str]:
    """Switch two-factor log-in on with a code of the new secret; return the recovery
    codes (the only time they exist in plain text). Every session of the account ends
    (the caller starts a new one)."""
    secret = user.totp_secret
    if is_enabled(user):
        raise TotpError("already_enabled")
    if secret is None:
        raise TotpError("not_enrolling")
    typed = normalise(code)
    step = _matching_step(secret, typed, now) if CODE_RE.fullmatch(typed) else None
    if step is None:
        raise TotpError("bad_code")
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
             for _ in range(RECOVERY_CODES)]
    begin_write()
    account = db.session.get_one(User, user.id, with_for_update=True, populate_existing=True)
    # ``user`` may be this very object: compare with the secret the code was checked on.
    if is_enabled(account) or account.totp_secret != secret:
        db.session.rollback()  # another request finished or restarted the enrolment
        raise TotpError("already_enabled" if is_enabled(account) else "not_enrolling")
    account.totp_enabled_at = now
    account.totp_last_step = step  # the confirming code cannot log in as well
    account.session_version = User.session_version + 1
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == account.id))
    db.session.add_all(RecoveryCode(user_id=account.id, code_hash=recovery_hash(c),
                                    created_at=now) for c in codes)
    audit(now, account.id, "auth.totp_enable", account.email)
    db.session.commit()
    db.session.refresh(account)
    return [format_recovery(c) for c in codes]


def disable(*, user: User, method: str, now: datetime) -> User:
    """Switch two-factor log-in off; the caller has just checked a code of it
    (``app.services.auth.confirm_second_factor``, ``method`` says which kind)."""
    if not is_enabled(user):
        raise TotpError("not_enabled")
    begin_write()
    account = db.session.get_one(User, user.id)
    account.totp_secret = None
    account.totp_enabled_at = None
    account.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == account.id))
    audit(now, account.id, "auth.totp_disable", account.email, method=method)
    db.session.commit()
    db.session.refresh(account)
    return account


def disable_by_email(*, email: str, now: datetime) -> User:
    """Switch off the two-factor log-in of the account ``email`` from the command line
    (its owner lost phone and recovery codes); ``TotpError("not_enabled")`` otherwise."""
    account = db.session.scalars(select(User).where(User.email == email.strip().lower())).first()
    if account is None or not is_enabled(account):
        raise TotpError("not_enabled")
    return disable(user=account, method="command_line", now=now)
