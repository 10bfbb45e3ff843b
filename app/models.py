"""The domain's tables as typed SQLAlchemy models.

Invariants live here, in the database: one stamp per card and station, stamps only for
cards and stations of the same rally, unique tokens and codes, valid enumerations.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .clock import utcnow
from .db import UTCDateTime
from .extensions import Base, db

if TYPE_CHECKING:
    # mypy cannot follow Flask-SQLAlchemy's dynamically built db.Model; it is a Base.
    Model = Base
else:
    Model = db.Model

STAMP_SOURCES = ("qr", "short_code", "live", "staff")
STATION_MODES = ("printed", "live")
CARD_FLAGS = ("none", "flagged", "cleared", "excluded")
USER_ROLES = ("admin", "staff", "shopkeeper")
RALLY_STATUSES = ("draft", "published", "archived")


def _in(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK that ``column`` holds one of ``values`` (fixed literals only)."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Rally(Model):
    """A campaign with dates: the Advents-Rallye, a Blumenmarkt, ..."""

    __tablename__ = "rallies"
    __table_args__ = (
        CheckConstraint("stamp_goal >= 1", name="stamp_goal_positive"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("entry_closes_at >= starts_at", name="entry_closes_after_start"),
        CheckConstraint(_in("status", RALLY_STATUSES), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    entry_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stamp_goal: Mapped[int] = mapped_column(Integer)
    rules_text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="published")

    stations: Mapped[list["Station"]] = relationship(back_populates="rally")

    def is_open(self, now: datetime) -> bool:
        """Whether stamps can be collected at ``now``."""
        return self.starts_at <= now < self.ends_at


class Shop(Model):
    """A business or institution of the town centre; shops outlive rallies."""

    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(60))
    street: Mapped[str] = mapped_column(String(120))
    postcode: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(60))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    opening_hours: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(200), default="")


class Station(Model):
    """A shop's participation in one rally, reached through its secret token."""

    __tablename__ = "stations"
    __table_args__ = (
        UniqueConstraint("rally_id", "shop_id"),
        # Target of the stamps' composite foreign key (same rally for card and station).
        UniqueConstraint("id", "rally_id"),
        CheckConstraint(_in("mode", STATION_MODES), name="mode_known"),
        CheckConstraint("length(token) >= 22", name="token_long_enough"),
        CheckConstraint("length(short_code) = 6", name="short_code_six"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rally_id: Mapped[int] = mapped_column(ForeignKey("rallies.id"))
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    short_code: Mapped[str] = mapped_column(String(6), unique=True)
    mode: Mapped[str] = mapped_column(String(16), default="printed")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    rally: Mapped[Rally] = relationship(back_populates="stations")
    shop: Mapped[Shop] = relationship()


class RetiredToken(Model):
    """A station's former token and short code, kept so old posters explain themselves."""

    __tablename__ = "retired_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    short_code: Mapped[str] = mapped_column(String(6), index=True)
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    station: Mapped[Station] = relationship()


class Card(Model):
    """A shopper's stamp card in one rally; no account, no personal data."""

    __tablename__ = "cards"
    __table_args__ = (
        UniqueConstraint("id", "rally_id"),
        CheckConstraint(_in("flag", CARD_FLAGS), name="flag_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rally_id: Mapped[int] = mapped_column(ForeignKey("rallies.id"))
    code: Mapped[str] = mapped_column(String(9), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    flag: Mapped[str] = mapped_column(String(16), default="none")

    rally: Mapped[Rally] = relationship()
    keys: Mapped[list["CardKey"]] = relationship(back_populates="card")


class CardKey(Model):
    """One browser's hold on a card: the SHA-256 of the secret in that browser's cookie.

    A card restored on a second device gets a key of its own, so each browser keeps
    working and the database never learns a usable secret.
    """

    __tablename__ = "card_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    card: Mapped[Card] = relationship(back_populates="keys")


class Stamp(Model):
    """A card's visit to a station. UNIQUE(card, station) makes retries and races harmless."""

    __tablename__ = "stamps"
    __table_args__ = (
        UniqueConstraint("card_id", "station_id"),
        ForeignKeyConstraint(
            ["card_id", "rally_id"], ["cards.id", "cards.rally_id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(["station_id", "rally_id"], ["stations.id", "stations.rally_id"]),
        CheckConstraint(_in("source", STAMP_SOURCES), name="source_known"),
        Index("ix_stamps_rally_created", "rally_id", "created_at"),
        Index("ix_stamps_station", "station_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rally_id: Mapped[int] = mapped_column(Integer)
    card_id: Mapped[int] = mapped_column(Integer)
    station_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(16))

    station: Mapped[Station] = relationship(viewonly=True)


class Service(Model):
    """One of the office's services, shown as a page of its own."""

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)


class User(UserMixin, Model):
    """A login: office staff (admin, staff) or a shopkeeper bound to one shop."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_in("role", USER_ROLES), name="role_known"),
        CheckConstraint(
            "role <> 'shopkeeper' OR shop_id IS NOT NULL", name="shopkeeper_has_shop"
        ),
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

    def get_id(self) -> str:
        """Flask-Login: the session holds id and session version, see ``auth.load_user``."""
        return f"{self.id}.{self.session_version}"

    @property
    def is_active(self) -> bool:
        """Flask-Login: deactivated accounts cannot log in."""
        return self.active


class AuditEvent(Model):
    """Who did what, when: logins, token rotations, draws, exports, deletions."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(120), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
