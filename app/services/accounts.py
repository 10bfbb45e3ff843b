"""Shopkeepers' accounts: invitations, setting a password through one, disabling.

Staff never handle a password. They invite an address for a shop; the invitation is a
single-use link ``BASE_URL/einladung/<token>``, valid ``INVITATION_VALIDITY``, and only
the SHA-256 of its token is stored; the link goes to the address by mail (the outbox, in
the invitation's transaction) and is shown to staff once. Accepting it sets the password:
for a new address it creates the shop's account, for an address that already is one of
the shop's accounts it replaces the (forgotten) password, switches the account on again
and ends its sessions. Each step is an audit event (``account.invite``, ``account.accept``,
``account.revoke_invitation``, ``account.disable``, ``account.enable``); tokens and
passwords never go into the log.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from ..db import begin_write
from ..extensions import db
from ..models import Invitation, OutboxMail, Shop, User
from .editing import audit
from .errors import DomainError
from .mail import queue_mail
from .passwords import check_new_password

INVITATION_VALIDITY = timedelta(days=7)
TOKEN_BYTES = 32  # 256 bits, URL-safe base64: 43 characters
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")
EMAIL_MAX = 254  # User.email, Invitation.email


class AccountError(DomainError):
    """An account step refused. Codes of a link: ``unknown``, ``used``, ``expired``,
    ``revoked``; of an invitation: ``unknown_shop``, ``bad_email``, ``email_taken``
    (staff's, or another shop's account), ``invited_elsewhere`` (an open invitation for
    another shop; context ``shop``); of staff's buttons: ``unknown_account``,
    ``unknown_invitation``, ``not_open``. Passwords are refused with
    :class:`app.services.passwords.PasswordError`."""


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation and its token, which exists only here: show it once, store never."""

    token: str
    invitation: Invitation
    renewal: bool  # for an existing account of the shop (a forgotten password)
    mail: OutboxMail  # the link by mail, queued with the invitation


@dataclass(frozen=True)
class ShopAccounts:
    """What staff see of a shop's access: its accounts and its open invitations."""

    accounts: list[User]
    invitations: list[Invitation]


def token_hash(token: str) -> str:
    """The stored form of an invitation token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def invitation_path(token: str) -> str:
    """The link's path; the link is ``BASE_URL`` followed by it."""
    return f"/einladung/{token}"


def invitation_link(token: str) -> str:
    """The whole link of an invitation: ``BASE_URL`` and its path."""
    return current_app.config["BASE_URL"] + invitation_path(token)


def _queue_invitation_mail(invitation: Invitation, shop: Shop, token: str, *, renewal: bool,
                           now: datetime) -> OutboxMail:
    """The invitation's link by mail, in the invitation's transaction."""
    subject = (_("Neues Passwort für Ihren Zugang: %(shop)s", shop=shop.name) if renewal
               else _("Einladung zum Geschäftsportal: %(shop)s", shop=shop.name))
    return queue_mail(
        kind="invitation", to=invitation.email, subject=subject, template="invitation",
        context={"shop_name": shop.name, "link": invitation_link(token),
                 "expires_at": invitation.expires_at, "renewal": renewal},
        now=now,
    )


def normalise_email(raw: str) -> str:
    """A syntactically valid address, lower-cased; else ``AccountError("bad_email")``."""
    text = raw.strip()
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise AccountError("bad_email") from error
    email = checked.normalized.lower()
    if len(email) > EMAIL_MAX:
        raise AccountError("bad_email")
    return email


def _address(raw: str) -> str:
    """The address to invite: an existing account's as it is stored, else a valid one."""
    plain = raw.strip().lower()
    if db.session.scalar(select(User.id).where(User.email == plain)) is not None:
        return plain
    return normalise_email(raw)


def _shop(shop_id: int | None, shop_slug: str | None) -> Shop:
    """The shop named by id or slug; else ``AccountError("unknown_shop")``."""
    shop = None
    if shop_id is not None:
        shop = db.session.get(Shop, shop_id)
    elif shop_slug:
        shop = db.session.scalars(select(Shop).where(Shop.slug == shop_slug)).first()
    if shop is None:
        raise AccountError("unknown_shop")
    return shop


def _open(now: datetime) -> ColumnElement[bool]:
    """The SQL condition of an invitation that can still be used at ``now``."""
    return and_(Invitation.used_at.is_(None), Invitation.revoked_at.is_(None),
                Invitation.expires_at > now)


def _revoke_open(shop_id: int, email: str, now: datetime) -> int:
    """Revoke the open invitations of ``email`` for the shop; return how many."""
    result = db.session.execute(
        update(Invitation)
        .where(Invitation.shop_id == shop_id, Invitation.email == email, _open(now))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def invite_shopkeeper(
    *,
    email: str,
    now: datetime,
    shop_id: int | None = None,
    shop_slug: str | None = None,
    actor_id: int | None = None,
) -> IssuedInvitation:
    """Invite ``email`` to an account of the shop (by id or slug); return the token.

    An address that is already one of the shop's accounts gets a renewal (a new
    password). An address of staff or of another shop's account is refused
    (``email_taken``), as is one with an open invitation for another shop. An older
    open invitation of the same address for this shop stops working.
    """
    begin_write()
    try:
        address = _address(email)
        shop = _shop(shop_id, shop_slug)
        account = db.session.scalars(select(User).where(User.email == address)).first()
        if account is not None and (account.role != "shopkeeper" or account.shop_id != shop.id):
            raise AccountError("email_taken")
        elsewhere = db.session.scalars(
            select(Invitation).where(Invitation.email == address, Invitation.shop_id != shop.id,
                                     _open(now)).limit(1)
        ).first()
        if elsewhere is not None:
            raise AccountError("invited_elsewhere", shop=elsewhere.shop.name)
    except AccountError:
        db.session.rollback()
        raise
    revoked = _revoke_open(shop.id, address, now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = Invitation(
        shop_id=shop.id,
        email=address,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + INVITATION_VALIDITY,
        created_by=actor_id,
        user_id=account.id if account is not None else None,
    )
    db.session.add(invitation)
    db.session.flush()
    renewal = account is not None
    sent = _queue_invitation_mail(invitation, shop, token, renewal=renewal, now=now)
    audit(now, actor_id, "account.invite", address, shop=shop.slug, invitation=invitation.id,
          renewal=renewal, expires_at=invitation.expires_at.isoformat(), revoked=revoked)
    db.session.commit()
    return IssuedInvitation(token=token, invitation=invitation, renewal=renewal, mail=sent)


def renew_account(*, user_id: int, now: datetime, actor_id: int | None = None) -> IssuedInvitation:
    """A new invitation for an existing shopkeeper account (a forgotten password)."""
    account = db.session.get(User, user_id)
    if account is None or account.role != "shopkeeper" or account.shop_id is None:
        raise AccountError("unknown_account")
    return invite_shopkeeper(email=account.email, shop_id=account.shop_id, now=now,
                             actor_id=actor_id)


def find_invitation(token: str, now: datetime) -> Invitation:
    """The open invitation of ``token``, with its shop; writes nothing.

    Raises ``AccountError`` with ``unknown``, ``used``, ``revoked`` or ``expired``.
    """
    if not TOKEN_RE.fullmatch(token):
        raise AccountError("unknown")
    invitation = db.session.scalars(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    ).first()
    return _check_open(invitation, now)


def _check_open(invitation: Invitation | None, now: datetime) -> Invitation:
    """``invitation`` if it can be used at ``now``; else the ``AccountError`` saying why."""
    if invitation is None:
        raise AccountError("unknown")
    if invitation.used_at is not None:
        raise AccountError("used")
    if invitation.revoked_at is not None:
        raise AccountError("revoked")
    if now >= invitation.expires_at:
        raise AccountError("expired")
    return invitation


def accept_invitation(*, token: str, password: str, now: datetime) -> User:
    """Set the password of the invitation's account, creating or renewing it; return it.

    The link works once. Renewing an account switches it on again and ends its other
    sessions (its session version moves on). A refused link (``AccountError``) or
    password (``PasswordError``) leaves everything as it was. The password is checked
    and hashed before the write transaction, so SQLite's write lock is not held meanwhile.
    """
    invitation = find_invitation(token, now)
    shop = invitation.shop
    check_new_password(password, personal=[invitation.email, shop.name, shop.slug])
    password_hash = generate_password_hash(password)
    begin_write()
    invitation = db.session.scalars(
        select(Invitation).where(Invitation.id == invitation.id).with_for_update()
    ).one()
    try:
        _check_open(invitation, now)  # again: another request may have used it meanwhile
        account = db.session.scalars(
            select(User).where(User.email == invitation.email).with_for_update()
        ).first()
        if account is not None and (account.role != "shopkeeper"
                                    or account.shop_id != invitation.shop_id):
            raise AccountError("email_taken")
    except AccountError:
        db.session.rollback()
        raise
    renewal = account is not None
    if account is None:
        account = User(email=invitation.email, password_hash=password_hash, role="shopkeeper",
                       shop_id=invitation.shop_id, created_at=now)
        db.session.add(account)
    else:
        account.password_hash = password_hash
        account.active = True
        account.session_version = User.session_version + 1
    try:
        db.session.flush()
    except IntegrityError as error:  # the address became an account a moment ago
        db.session.rollback()
        raise AccountError("email_taken") from error
    invitation.used_at = now
    invitation.user_id = account.id
    audit(now, account.id, "account.accept", account.email, shop=shop.slug,
          invitation=invitation.id, renewal=renewal)
    db.session.commit()
    db.session.refresh(account)
    return account


def _shopkeeper(user_id: int) -> tuple[User, Shop]:
    """The shopkeeper account ``user_id`` and its shop; else roll back and raise
    ``unknown_account``."""
    account = db.session.get(User, user_id)
    shop = None
    if account is not None and account.role == "shopkeeper" and account.shop_id is not None:
        shop = db.session.get(Shop, account.shop_id)
    if account is None or shop is None:
        db.session.rollback()
        raise AccountError("unknown_account")
    return account, shop


def disable_account(*, user_id: int, now: datetime, actor_id: int | None = None) -> User:
    """Switch a shopkeeper's account off: no login, every session ends at once, and its
    open invitations stop working (else one would switch it on again)."""
    begin_write()
    account, shop = _shopkeeper(user_id)
    if account.active:
        account.active = False
        account.session_version = User.session_version + 1
        revoked = _revoke_open(shop.id, account.email, now)
        audit(now, actor_id, "account.disable", account.email, shop=shop.slug, revoked=revoked)
    db.session.commit()
    db.session.refresh(account)
    return account


def enable_account(*, user_id: int, now: datetime, actor_id: int | None = None) -> User:
    """Switch a disabled shopkeeper's account on again, with its old password."""
    begin_write()
    account, shop = _shopkeeper(user_id)
    if not account.active:
        account.active = True
        audit(now, actor_id, "account.enable", account.email, shop=shop.slug)
    db.session.commit()
    return account


def revoke_invitation(*, invitation_id: int, now: datetime,
                      actor_id: int | None = None) -> Invitation:
    """Withdraw an open invitation (sent to a wrong address, no longer wanted)."""
    begin_write()
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        db.session.rollback()
        raise AccountError("unknown_invitation")
    if not invitation.is_open(now):
        db.session.rollback()
        raise AccountError("not_open")
    invitation.revoked_at = now
    audit(now, actor_id, "account.revoke_invitation", invitation.email,
          shop=invitation.shop.slug, invitation=invitation.id)
    db.session.commit()
    return invitation


def shop_accounts(shop_id: int, now: datetime) -> ShopAccounts:
    """The shop's accounts (by address) and its open invitations (soonest expiry first)."""
    accounts = list(db.session.scalars(
        select(User).where(User.role == "shopkeeper", User.shop_id == shop_id)
        .order_by(User.email)
    ))
    invitations = list(db.session.scalars(
        select(Invitation).where(Invitation.shop_id == shop_id, _open(now))
        .order_by(Invitation.expires_at, Invitation.id)
    ))
    return ShopAccounts(accounts=accounts, invitations=invitations)
