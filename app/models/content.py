"""The office's content: uploaded pictures, Advent doors, service pages."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..db import UTCDateTime
from .common import (
    ADVENT_DOORS,
    IMAGE_TYPES,
    Model,
    _in,
)
from .rally import Rally, Shop


class Image(Model):
    """An uploaded picture, re-encoded without its metadata (app.services.images).

    Stored in the database so that backups, every worker and every server see the same
    pictures; served under its digest, so a URL never changes its content.
    """

    __tablename__ = "images"
    __table_args__ = (
        CheckConstraint(_in("mime", IMAGE_TYPES), name="mime_known"),
        CheckConstraint("width > 0 AND height > 0", name="has_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    mime: Mapped[str] = mapped_column(String(16))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AdventDoor(Model):
    """Door ``number`` (1 to 24) of a rally's Advent calendar: it opens on ``opens_on``.

    Until then nothing of it may leave the server (app.services.advent). A rally may have
    no doors at all; then it has no calendar.
    """

    __tablename__ = "advent_doors"
    __table_args__ = (
        UniqueConstraint("rally_id", "number"),
        CheckConstraint(f"number BETWEEN 1 AND {ADVENT_DOORS}", name="number_in_calendar"),
        CheckConstraint(
            "image_id IS NULL OR length(image_alt) > 0", name="image_has_alt_text"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rally_id: Mapped[int] = mapped_column(ForeignKey("rallies.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # The local (Europe/Berlin) day from whose midnight the door is open.
    opens_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(120))
    # Markdown, sanitised when rendered (as the rules text).
    body: Mapped[str] = mapped_column(Text, default="")
    image_id: Mapped[int | None] = mapped_column(ForeignKey("images.id"))
    image_alt: Mapped[str] = mapped_column(String(200), default="")
    # The featured shop and its offer of the day.
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id"))
    offer: Mapped[str] = mapped_column(String(300), default="")
    # Whether the door announces the day's daily draw (Draw.kind == "daily", same day).
    daily_draw: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    rally: Mapped[Rally] = relationship()
    shop: Mapped[Shop | None] = relationship()
    image: Mapped[Image | None] = relationship()


class Service(Model):
    """One of the office's services, shown as a page of its own."""

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
