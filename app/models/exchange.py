"""The office's exchanges: anonymous successor profiles (Nachfolgebörse) and inquiries.

A successor profile shows a business that seeks a successor without naming it: a public
reference code, sector, size, area of town, timeline and a short description. The
owner's real contact and the office's note are for staff only and never reach a public
page or an inquirer's mail. Whoever is interested writes to the office through an
:class:`Inquiry`; the same table takes inquiries about other things on the site (the
empty-shop listings next), told apart by ``subject_kind``.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..db import UTCDateTime
from .common import Model, _in

# Branches (app.services.successors.SECTOR_LABELS names them in German).
SUCCESSOR_SECTORS = ("retail", "crafts", "food", "hospitality", "services", "health")
# Employees, owner included.
SUCCESSOR_EMPLOYEES = ("1", "2_5", "6_10", "11_20", "over_20")
# Sales area in m² ("none": no shop floor, e.g. a workshop or an office).
SUCCESSOR_SALES_AREAS = ("none", "under_50", "50_100", "100_250", "over_250")
# Districts and quarters of Herten.
SUCCESSOR_AREAS = ("innenstadt", "mitte", "paschenberg", "sued", "disteln", "scherlebeck",
                   "langenbochum", "westerholt", "bertlich")
# When the owner wants to hand over.
SUCCESSOR_TIMELINES = ("now", "1_2_years", "3_5_years")
# draft: only staff see it; published; retired (taken over or withdrawn).
SUCCESSOR_STATUSES = ("draft", "published", "retired")
# What an inquiry is about: a successor profile or an empty shop.
INQUIRY_SUBJECTS = ("successor", "listing")


class SuccessorProfile(Model):
    """A business seeking a successor, shown anonymously under its ``code``."""

    __tablename__ = "successor_profiles"
    __table_args__ = (
        CheckConstraint(_in("sector", SUCCESSOR_SECTORS), name="sector_known"),
        CheckConstraint(_in("employees", SUCCESSOR_EMPLOYEES), name="employees_known"),
        CheckConstraint(_in("sales_area", SUCCESSOR_SALES_AREAS), name="sales_area_known"),
        CheckConstraint(_in("area", SUCCESSOR_AREAS), name="area_known"),
        CheckConstraint(_in("timeline", SUCCESSOR_TIMELINES), name="timeline_known"),
        CheckConstraint(_in("status", SUCCESSOR_STATUSES), name="status_known"),
        CheckConstraint("status <> 'published' OR published_at IS NOT NULL",
                        name="published_has_date"),
        CheckConstraint("status <> 'retired' OR retired_at IS NOT NULL",
                        name="retired_has_date"),
        Index("ix_successor_profiles_status", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "N-2026-03": public, in the URL and in every mail about it.
    code: Mapped[str] = mapped_column(String(20), unique=True)
    # An anonymous headline ("Traditionsbäckerei mit Café"), never the business's name.
    title: Mapped[str] = mapped_column(String(120))
    sector: Mapped[str] = mapped_column(String(16))
    employees: Mapped[str] = mapped_column(String(8))
    sales_area: Mapped[str] = mapped_column(String(10))
    area: Mapped[str] = mapped_column(String(16))
    timeline: Mapped[str] = mapped_column(String(10))
    # Markdown, sanitised when shown.
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Staff only, never public: the office's note and the owner's real contact.
    internal_note: Mapped[str] = mapped_column(Text, default="")
    owner_name: Mapped[str] = mapped_column(String(100), default="")
    owner_email: Mapped[str] = mapped_column(String(254), default="")
    owner_phone: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Inquiry(Model):
    """Someone's inquiry to the office about a thing on the site (``subject_kind`` and
    ``subject_id``: a successor profile, later an empty shop). The office answers it
    itself; ``handled_at`` records that it did."""

    __tablename__ = "inquiries"
    __table_args__ = (
        CheckConstraint(_in("subject_kind", INQUIRY_SUBJECTS), name="subject_kind_known"),
        Index("ix_inquiries_subject", "subject_kind", "subject_id"),
        Index("ix_inquiries_created_at", "created_at"),
        Index("ix_inquiries_email", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    # No foreign key: the subject's table depends on the kind; a deleted subject leaves
    # the inquiry readable (it names the subject's reference in ``subject_ref``).
    subject_id: Mapped[int] = mapped_column(Integer)
    subject_ref: Mapped[str] = mapped_column(String(40), default="")
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")
    message: Mapped[str] = mapped_column(Text)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    staff_note: Mapped[str] = mapped_column(Text, default="")
