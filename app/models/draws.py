"""Prizes, draws, the prizes a draw gives away, and its winners."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime
from .common import (
    BEACON_CHAINS,
    DRAW_KINDS,
    DRAW_STATUSES,
    Model,
    _in,
)
from .rally import Entry, Rally, Shop


class Prize(Model):
    """A prize of a rally, in the order the rules list it."""

    __tablename__ = "prizes"
    __table_args__ = (UniqueConstraint("rally_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rally_id: Mapped[int] = mapped_column(ForeignKey("rallies.id"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    # A short line under the name (its value, what it includes), and the shop that gave it.
    description: Mapped[str] = mapped_column(String(200), default="")
    donor_shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id"))

    rally: Mapped[Rally] = relationship(back_populates="prizes")
    donor: Mapped[Shop | None] = relationship()


class Draw(Model):
    """A verifiable draw: sealed (pool fixed, seed committed), then run exactly once."""

    __tablename__ = "draws"
    __table_args__ = (
        CheckConstraint(_in("kind", DRAW_KINDS), name="kind_known"),
        CheckConstraint(_in("status", DRAW_STATUSES), name="status_known"),
        CheckConstraint("kind <> 'daily' OR day IS NOT NULL", name="daily_has_day"),
        CheckConstraint("status <> 'run' OR run_at IS NOT NULL", name="run_has_time"),
        CheckConstraint(
            "beacon_chain IS NULL OR " + _in("beacon_chain", BEACON_CHAINS),
            name="beacon_chain_known",
        ),
        CheckConstraint(
            "(beacon_chain IS NULL AND beacon_round IS NULL AND beacon_due_at IS NULL)"
            " OR (beacon_chain IS NOT NULL AND beacon_round IS NOT NULL"
            " AND beacon_due_at IS NOT NULL AND beacon_due_at > sealed_at)",
            name="beacon_named_before_due",
        ),
        CheckConstraint(
            "status <> 'run' OR beacon_chain IS NULL OR beacon_hex IS NOT NULL",
            name="run_takes_named_beacon",
        ),
        UniqueConstraint("id", "rally_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rally_id: Mapped[int] = mapped_column(ForeignKey("rallies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(120))
    day: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="sealed")
    pool_text: Mapped[str] = mapped_column(Text)
    pool_hash: Mapped[str] = mapped_column(String(64))
    pool_size: Mapped[int] = mapped_column(Integer)
    seed_hex: Mapped[str] = mapped_column(String(64))
    commitment: Mapped[str] = mapped_column(String(64))
    beacon_hex: Mapped[str | None] = mapped_column(String(128))
    # The public randomness named at sealing (a drand round), fixed from then on; all
    # three NULL when the draw was sealed without a beacon (key = seed alone).
    beacon_chain: Mapped[str | None] = mapped_column(String(16))
    beacon_round: Mapped[int | None] = mapped_column(Integer)
    beacon_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why a final draw was sealed before the rally's entries closed ("" if it was not).
    seal_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sealed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    run_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    rally: Mapped[Rally] = relationship()
    prizes: Mapped[list["DrawPrize"]] = relationship(order_by="DrawPrize.rank")
    winners: Mapped[list["Winner"]] = relationship(order_by="Winner.rank")


class DrawPrize(Model):
    """The prizes a draw gives away, by rank: rank 1 gets the first."""

    __tablename__ = "draw_prizes"
    __table_args__ = (UniqueConstraint("draw_id", "rank"), UniqueConstraint("draw_id", "prize_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draws.id"))
    prize_id: Mapped[int] = mapped_column(ForeignKey("prizes.id"))
    rank: Mapped[int] = mapped_column(Integer)

    prize: Mapped[Prize] = relationship()


class Winner(Model):
    """An entry drawn for a prize; hand-over is tracked until received or forfeited."""

    __tablename__ = "winners"
    __table_args__ = (
        UniqueConstraint("draw_id", "rank"),
        UniqueConstraint("draw_id", "entry_id"),
        ForeignKeyConstraint(["draw_id", "rally_id"], ["draws.id", "draws.rally_id"]),
        ForeignKeyConstraint(["entry_id", "rally_id"], ["entries.id", "entries.rally_id"]),
        CheckConstraint(
            "handed_over_at IS NULL OR forfeited_at IS NULL", name="handed_over_or_forfeited"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rally_id: Mapped[int] = mapped_column(Integer)
    draw_id: Mapped[int] = mapped_column(Integer)
    entry_id: Mapped[int] = mapped_column(Integer, index=True)
    prize_id: Mapped[int] = mapped_column(ForeignKey("prizes.id"))
    rank: Mapped[int] = mapped_column(Integer)
    card_code: Mapped[str] = mapped_column(String(9))
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    forfeited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    prize: Mapped[Prize] = relationship()
    entry: Mapped[Entry] = relationship(viewonly=True)
