"""The office's news ("Aktuelles"): short posts by staff, public once published.

A draft is seen only by staff; ``published_at`` is set when a post is first published
(staff may choose it, e.g. to date a post back to the day of the event it reports) and
orders the list and the Atom feed. A picture always comes with its alt text (CHECK), as
on the Advent doors and the events.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..db import UTCDateTime
from .accounts import User
from .common import Model, _in
from .content import Image

# draft: only staff see it; published: on the site and in the feed.
NEWS_STATUSES = ("draft", "published")


class NewsPost(Model):
    """One news post: title, a short summary for lists and the feed, a Markdown body."""

    __tablename__ = "news_posts"
    __table_args__ = (
        CheckConstraint(_in("status", NEWS_STATUSES), name="status_known"),
        CheckConstraint("status <> 'published' OR published_at IS NOT NULL",
                        name="published_has_date"),
        CheckConstraint("image_id IS NULL OR length(image_alt) > 0", name="image_has_alt_text"),
        Index("ix_news_posts_status_published_at", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    title: Mapped[str] = mapped_column(String(120))
    # One or two sentences for the list, the home page and the feed's summary.
    summary: Mapped[str] = mapped_column(String(300), default="")
    # Markdown, sanitised when rendered (app.services.content).
    body: Mapped[str] = mapped_column(Text, default="")
    image_id: Mapped[int | None] = mapped_column(ForeignKey("images.id"))
    image_alt: Mapped[str] = mapped_column(String(200), default="")
    # UTC; set when first published and kept when a post is taken back and published again.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by every change in app.services.news (with its ``now``), never by the wall clock.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    image: Mapped[Image | None] = relationship()
    author: Mapped[User | None] = relationship()
