"""Media kept as files beside the database: the sign-language (DGS) videos of the site."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..db import UTCDateTime
from .accounts import User
from .common import Model, _in

# What an uploaded video may be, checked from its first bytes (app.services.dgs_videos).
DGS_VIDEO_TYPES = ("video/mp4", "video/webm")


class DgsVideo(Model):
    """A video in German Sign Language (DGS) explaining the site (BITV 2.0 § 4).

    The bytes are a file in the media folder named by their SHA-256 (a video is far too
    large for a database row, and a URL that names the digest never changes its content);
    this row holds what the page needs besides. At most one video is shown at a time
    (``active``, a partial UNIQUE index); older ones stay until staff delete them.
    ``transcript`` is the text alternative for people who cannot watch the video.
    """

    __tablename__ = "dgs_videos"
    __table_args__ = (
        CheckConstraint(_in("mime", DGS_VIDEO_TYPES), name="mime_known"),
        CheckConstraint("size > 0", name="has_size"),
        CheckConstraint("length(sha256) = 64", name="sha256_is_hex_digest"),
        CheckConstraint("length(title) > 0", name="has_title"),
        CheckConstraint("length(transcript) > 0", name="has_text_alternative"),
        CheckConstraint("captions IS NULL OR captions LIKE 'WEBVTT%'",
                        name="captions_are_webvtt"),
        Index("uq_dgs_videos_one_active", "active", unique=True,
              sqlite_where=text("active"), postgresql_where=text("active")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    mime: Mapped[str] = mapped_column(String(16))
    size: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(120))
    # Markdown, sanitised when rendered: what the video says, for people who cannot watch.
    transcript: Mapped[str] = mapped_column(Text)
    # WebVTT captions (the whole file's text), optional.
    captions: Mapped[str | None] = mapped_column(Text)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=False)

    uploader: Mapped[User | None] = relationship()
