"""The Leerstandsbörse: empty shops for (temporary) use, and what founders look for.

A :class:`Listing` is a space the office offers: staff enter it themselves, or an owner
offers it through the public form (``source`` "owner", status "submitted"), and nothing of
it is public before staff publish it. The owner's contact and the office's note are staff
columns that no public page and no inquirer's mail shows. ``confirmed_at`` is when staff
last confirmed that the space is still free: after 60 days staff are reminded, after 90
the listing no longer shows (app.services.listings), without anyone having to act.

A :class:`SearchProfile` is a founder's description of what they look for; staff are told
once per pair (:class:`ListingMatch`) when a published listing fits a profile by size and
use.
"""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import utcnow
from ..db import UTCDateTime
from .common import Model, _in
from .content import Image

# submitted: an owner's offer, not yet reviewed; draft: staff's, not public;
# published; retired (let, or withdrawn); rejected (an owner's offer the office declined).
LISTING_STATUSES = ("submitted", "draft", "published", "retired", "rejected")
LISTING_SOURCES = ("office", "owner")
# What a space suits (app.services.listings.USE_LABELS names them in German).
LISTING_USES = ("retail", "food", "hospitality", "services", "office", "crafts", "culture",
                "popup")
# How a temporary use is paid: the town's programme (it rents at up to 70 % of the former
# rent and sublets for two years at 20 %), a reduced rent, free of rent (costs only), or
# the normal rent.
RENT_MODELS = ("programme", "reduced", "costs_only", "market")
FLOOR_MIN, FLOOR_MAX = -1, 5  # -1 basement, 0 ground floor, 1 first floor …
# Search profiles: active until the founder withdraws or staff close them.
PROFILE_STATUSES = ("active", "closed")


class Listing(Model):
    """An empty shop or office, public under its ``code`` once published."""

    __tablename__ = "listings"
    __table_args__ = (
        CheckConstraint(_in("status", LISTING_STATUSES), name="status_known"),
        CheckConstraint(_in("source", LISTING_SOURCES), name="source_known"),
        CheckConstraint(_in("rent_model", RENT_MODELS), name="rent_model_known"),
        CheckConstraint("area_m2 > 0", name="area_positive"),
        CheckConstraint("frontage_m IS NULL OR frontage_m > 0", name="frontage_positive"),
        CheckConstraint(f"floor BETWEEN {FLOOR_MIN} AND {FLOOR_MAX}", name="floor_known"),
        CheckConstraint("rent_cents IS NULL OR rent_cents >= 0", name="rent_not_negative"),
        CheckConstraint("service_charge_cents IS NULL OR service_charge_cents >= 0",
                        name="service_charge_not_negative"),
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="point_complete"),
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90 AND "
                        "longitude BETWEEN -180 AND 180)", name="point_on_earth"),
        CheckConstraint("temporary_min_months IS NULL OR temporary_min_months > 0",
                        name="temporary_min_positive"),
        CheckConstraint("temporary_max_months IS NULL OR temporary_min_months IS NULL OR "
                        "temporary_max_months >= temporary_min_months",
                        name="temporary_range_ordered"),
        CheckConstraint("status <> 'published' OR published_at IS NOT NULL",
                        name="published_has_date"),
        CheckConstraint("status <> 'retired' OR retired_at IS NOT NULL",
                        name="retired_has_date"),
        CheckConstraint("source <> 'owner' OR owner_consent_at IS NOT NULL",
                        name="owner_offer_has_consent"),
        CheckConstraint("(floor_plan IS NULL) = (floor_plan_name = '')",
                        name="floor_plan_named"),
        Index("ix_listings_status_confirmed", "status", "confirmed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "L-2026-04": public, in the URL, on the window poster and in every mail about it.
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    street: Mapped[str] = mapped_column(String(120))
    postcode: Mapped[str] = mapped_column(String(10), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    area_m2: Mapped[int] = mapped_column(Integer)
    frontage_m: Mapped[float | None] = mapped_column(Float)
    floor: Mapped[int] = mapped_column(Integer, default=0)
    # Cold rent per month in cent; None: "auf Anfrage".
    rent_cents: Mapped[int | None] = mapped_column(Integer)
    service_charge_cents: Mapped[int | None] = mapped_column(Integer)
    # None: available now.
    available_from: Mapped[date | None] = mapped_column(Date)
    temporary_use: Mapped[bool] = mapped_column(Boolean, default=False)
    temporary_min_months: Mapped[int | None] = mapped_column(Integer)
    temporary_max_months: Mapped[int | None] = mapped_column(Integer)
    rent_model: Mapped[str] = mapped_column(String(12), default="market")
    # Markdown, sanitised when shown.
    description: Mapped[str] = mapped_column(Text, default="")
    # A floor plan as PDF (checked to be one), served as a download.
    floor_plan: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    floor_plan_name: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    source: Mapped[str] = mapped_column(String(8), default="office")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When staff last confirmed the space is still to let (publishing confirms it).
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When staff were last reminded to confirm; cleared by a confirmation.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Staff only, never public: the office's note and the owner's contact.
    internal_note: Mapped[str] = mapped_column(Text, default="")
    owner_name: Mapped[str] = mapped_column(String(100), default="")
    owner_email: Mapped[str] = mapped_column(String(254), default="")
    owner_phone: Mapped[str] = mapped_column(String(40), default="")
    owner_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by every change in app.services (with its ``now``), never by the wall clock.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uses: Mapped[list["ListingUse"]] = relationship(
        cascade="all, delete-orphan", order_by="ListingUse.use")
    photos: Mapped[list["ListingPhoto"]] = relationship(
        cascade="all, delete-orphan", order_by="ListingPhoto.position")


class ListingUse(Model):
    """One use a listing suits ("Einzelhandel")."""

    __tablename__ = "listing_uses"
    __table_args__ = (CheckConstraint(_in("use", LISTING_USES), name="use_known"),)

    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True)
    use: Mapped[str] = mapped_column(String(12), primary_key=True)


class ListingPhoto(Model):
    """A photo of a listing (cleaned by app.services.images), always with its alt text."""

    __tablename__ = "listing_photos"
    __table_args__ = (
        UniqueConstraint("listing_id", "position"),
        CheckConstraint("length(alt) > 0", name="has_alt_text"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"),
                                            index=True)
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id"))
    alt: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)

    image: Mapped[Image] = relationship()


class SearchProfile(Model):
    """What a founder looks for: size, uses, rent, temporary use. Staff only."""

    __tablename__ = "search_profiles"
    __table_args__ = (
        CheckConstraint(_in("status", PROFILE_STATUSES), name="status_known"),
        CheckConstraint("min_area_m2 IS NULL OR min_area_m2 > 0", name="min_area_positive"),
        CheckConstraint("max_area_m2 IS NULL OR min_area_m2 IS NULL OR "
                        "max_area_m2 >= min_area_m2", name="area_range_ordered"),
        CheckConstraint("max_rent_cents IS NULL OR max_rent_cents >= 0",
                        name="max_rent_not_negative"),
        Index("ix_search_profiles_email", "email"),
        Index("ix_search_profiles_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")
    min_area_m2: Mapped[int | None] = mapped_column(Integer)
    max_area_m2: Mapped[int | None] = mapped_column(Integer)
    max_rent_cents: Mapped[int | None] = mapped_column(Integer)
    # Only spaces open to temporary use.
    temporary_only: Mapped[bool] = mapped_column(Boolean, default=False)
    # The idea in the founder's words ("Unverpackt-Laden mit kleinem Café").
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(8), default="active")
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    uses: Mapped[list["SearchProfileUse"]] = relationship(
        cascade="all, delete-orphan", order_by="SearchProfileUse.use")


class SearchProfileUse(Model):
    """One use a founder has in mind; a profile without any takes every use."""

    __tablename__ = "search_profile_uses"
    __table_args__ = (CheckConstraint(_in("use", LISTING_USES), name="use_known"),)

    profile_id: Mapped[int] = mapped_column(
        ForeignKey("search_profiles.id", ondelete="CASCADE"), primary_key=True)
    use: Mapped[str] = mapped_column(String(12), primary_key=True)


class ListingMatch(Model):
    """A published listing fits a search profile; staff were told at ``notified_at``.

    The primary key makes telling staff once per pair a database fact, whichever of
    publishing a listing and saving a profile finds the match first.
    """

    __tablename__ = "listing_matches"

    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("search_profiles.id", ondelete="CASCADE"), primary_key=True, index=True)
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime)
