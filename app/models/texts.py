"""The office's editable texts: the blocks of the home page and the legal pages, and the
saved versions of every office text (blocks and service pages).

A block is one of ``BLOCK_KEYS`` (CHECK): the code knows where each one appears, staff
only change its words. Every save, and every restore of an older version, adds a
``ContentRevision`` with the next number for its subject; nothing is overwritten, so the
history of a text is the list of its revisions.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..db import UTCDateTime
from .accounts import User
from .common import Model, _in

# home_intro: under the home page's hero; contact: how to reach the office in person
# (home page, service pages); imprint, privacy, accessibility: the legal pages' own
# words around what configuration generates; easy_language: the Leichte Sprache page.
BLOCK_KEYS = ("home_intro", "contact", "imprint", "privacy", "accessibility",
              "easy_language")


class ContentBlock(Model):
    """One editable text at a fixed place of the site: a title and a Markdown body."""

    __tablename__ = "content_blocks"
    __table_args__ = (
        CheckConstraint(_in("key", BLOCK_KEYS), name="key_known"),
        CheckConstraint("length(title) > 0", name="has_title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    # Markdown, sanitised when rendered (app.services.content).
    body: Mapped[str] = mapped_column(Text, default="")
    # Set by every save in app.services.office_texts (with its ``now``).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None: the shipped default, loaded by ``flask content load`` or the demo.
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    editor: Mapped[User | None] = relationship()


class ContentRevision(Model):
    """One saved version of an office text, as it was saved.

    ``subject`` names the text: ``block:<key>`` or ``service:<id>``; ``version`` counts
    from 1 per subject (UNIQUE), so two saves at once cannot both be version 5.
    """

    __tablename__ = "content_revisions"
    __table_args__ = (
        UniqueConstraint("subject", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))
    # Service pages only; empty for blocks.
    summary: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # None: the shipped default.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The version this one brought back, if it is a restore.
    restored_from: Mapped[int | None] = mapped_column(Integer)

    actor: Mapped[User | None] = relationship()
