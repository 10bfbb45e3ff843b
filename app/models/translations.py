"""Staff's own translations of the texts they write: events, Advent doors, listings,
office blocks and service pages, in the public site's other languages.

A translation is one field of one text in one language (UNIQUE): ``subject`` names the
text as the revisions do (``event:<id>``, ``door:<id>``, ``listing:<id>``,
``block:<key>``, ``service:<id>``). Where a field has no translation the public page
shows the German text, marked as German (app.services.translations).
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..db import UTCDateTime
from .common import TRANSLATED_LANGUAGES, Model, _in

# The fields a translation may replace; each subject kind uses some of them.
TRANSLATED_FIELDS = ("title", "summary", "body", "offer", "image_alt")


class Translation(Model):
    """One field of one staff-written text in English or Turkish."""

    __tablename__ = "translations"
    __table_args__ = (
        UniqueConstraint("subject", "language", "field"),
        CheckConstraint(_in("language", TRANSLATED_LANGUAGES), name="language_known"),
        CheckConstraint(_in("field", TRANSLATED_FIELDS), name="field_known"),
        CheckConstraint("length(text) > 0", name="has_text"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(2))
    field: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
