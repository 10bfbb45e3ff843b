"""Staff and shopkeeper accounts."""

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ..extensions import db
from ..models import USER_ROLES, AuditEvent, Shop, User
from .errors import DomainError

MIN_PASSWORD_LENGTH = 12


class UserError(DomainError):
    """Account refused. Codes: ``bad_role``, ``short_password``, ``email_taken``,
    ``shop_required``, ``unknown_shop``."""


def create_user(
    *, email: str, password: str, role: str, name: str = "", shop_slug: str | None = None
) -> User:
    """Create a login with a hashed password and record it in the audit log."""
    email = email.strip().lower()
    if role not in USER_ROLES:
        raise UserError("bad_role")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError("short_password")
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise UserError("email_taken")
    shop_id = None
    if role == "shopkeeper":
        if not shop_slug:
            raise UserError("shop_required")
        shop_id = db.session.scalar(select(Shop.id).where(Shop.slug == shop_slug))
        if shop_id is None:
            raise UserError("unknown_shop")
    user = User(
        email=email,
        name=name,
        password_hash=generate_password_hash(password),
        role=role,
        shop_id=shop_id,
    )
    db.session.add(user)
    db.session.flush()
    db.session.add(AuditEvent(action="user.create", subject=email, details={"role": role}))
    db.session.commit()
    return user
