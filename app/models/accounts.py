"""Logins (staff and shopkeepers), invitations, failed login attempts."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..db import UTCDateTime
from .common import (
    USER_ROLES,
    Model,
    _in,
)
from .rally import Shop


class User(UserMixin, Model):
    """A login: office staff (admin, staff) or a shopkeeper bound to one shop."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_in("role", USER_ROLES), name="role_known"),
        CheckConstraint(
            "role <> 'shopkeeper' OR shop_id IS NOT NULL", name="shopkeeper_has_shop"
        ),
        # Target of the invitations' composite foreign key (the account is the shop's).
        UniqueConstraint("id", "shop_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped at logout and password change: every older session stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Two-factor log-in (RFC 6238, app.services.totp): the base32 secret while enrolling
    # or enrolled, the moment it was confirmed, and the last time step used (a code is
    # accepted once).
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # The secret part of this staff member's private appointment feed URL (NULL: none).
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    def get_id(self) -> str:
        """Flask-Login: the session holds id and session version, see ``auth.load_user``."""
        return f"{self.id}.{self.session_version}"

    @property
    def is_active(self) -> bool:
        """Flask-Login: deactivated accounts cannot log in."""
        return self.active


class Invitation(Model):
    """A single-use link with which a shopkeeper sets a password for one shop's account.

    Only the SHA-256 of the link's random token is stored. Accepting it creates the
    account, or renews an existing account of the same shop (a forgotten password): the
    composite foreign key keeps that account the shop's own. A newer invitation for the
    same address, or the account's disabling, revokes an open one.
    """

    __tablename__ = "invitations"
    __table_args__ = (
        ForeignKeyConstraint(["user_id", "shop_id"], ["users.id", "users.shop_id"]),
        CheckConstraint("length(token_hash) = 64", name="token_hash_sha256"),
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
        CheckConstraint("used_at IS NULL OR revoked_at IS NULL", name="used_or_revoked"),
        CheckConstraint("used_at IS NULL OR user_id IS NOT NULL", name="used_names_account"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who invited (NULL: the command line); the account it renews or created.
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    user_id: Mapped[int | None] = mapped_column(Integer)

    shop: Mapped[Shop] = relationship()

    def is_open(self, now: datetime) -> bool:
        """Whether the link can still be used at ``now``."""
        return self.used_at is None and self.revoked_at is None and now < self.expires_at


class LoginAttempt(Model):
    """A failed login, counted to slow down guessing (see ``app.services.auth``).

    ``device`` is the nonce of the trusted device cookie the attempt came with, and
    such an attempt counts against that cookie only; ``NULL`` for an untrusted client,
    whose attempts count against the account and the address.
    """

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
        Index("ix_login_attempts_device_at", "device", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PasswordReset(Model):
    """A single-use link to set a new password, valid for an hour.

    Only the SHA-256 of the token is stored. The link's page asks for the new password
    and a POST uses it up, so a mail scanner that opens the link consumes nothing.
    """

    __tablename__ = "password_resets"
    __table_args__ = (
        CheckConstraint("length(token_hash) = 64", name="token_hash_sha256"),
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class RecoveryCode(Model):
    """A one-time code that stands in for the authenticator app (SHA-256 stored only)."""

    __tablename__ = "recovery_codes"
    __table_args__ = (
        UniqueConstraint("user_id", "code_hash"),
        CheckConstraint("length(code_hash) = 64", name="code_hash_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
