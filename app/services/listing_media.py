"""A listing's photos and floor plan, edited by staff (app.services.listing_admin has the
rest of the listing).

Photos go through app.services.images (type checked by content, size and pixel limits,
turned upright, made smaller, every bit of metadata such as EXIF/GPS dropped) and need
their alt text; a listing has at most ``PHOTOS_MAX``. A floor plan must be a PDF by its
content (``%PDF-``) that pypdf can open and read page by page, not encrypted, within
the size and page limits. Each change is one write transaction with an audit event
(``listing.photo_*``, ``listing.floor_plan*``); a refusal leaves nothing written.
"""

import io
import re
from datetime import datetime

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from sqlalchemy import update

from ..control_characters import has_control_characters
from ..db import begin_write
from ..extensions import db
from ..models import Listing, ListingPhoto
from .editing import EditError, audit, refuse
from .errors import Problem
from .images import ImageError, delete_if_unused, store_picture
from .listing_admin import locked

ALT_MAX = 200
PHOTOS_MAX = 8
FLOOR_PLAN_MAX_BYTES = 5 * 1024 * 1024
FLOOR_PLAN_PAGES_MAX = 20
FLOOR_PLAN_NAME_MAX = 120


# ---------------------------------------------------------------------------
# Photos
# ---------------------------------------------------------------------------


def add_photo(*, listing_id: int, data: bytes, alt: str, now: datetime,
              actor_id: int | None) -> ListingPhoto:
    """Add a photo at the end (cleaned by app.services.images), with its required alt
    text; at most ``PHOTOS_MAX``. Audited as ``listing.photo_add``."""
    begin_write()
    listing = locked(listing_id)
    problems: list[Problem] = []
    alt = " ".join(alt.split())
    if not alt:
        problems.append(Problem("alt", "missing_alt"))
    elif len(alt) > ALT_MAX:
        problems.append(Problem("alt", "too_long", {"max": ALT_MAX}))
    elif has_control_characters(alt):
        problems.append(Problem("alt", "control_characters"))
    if len(listing.photos) >= PHOTOS_MAX:
        problems.append(Problem("photo", "too_many_photos", {"max": PHOTOS_MAX}))
    if problems:
        refuse(problems)
    try:
        image = store_picture(data)
    except ImageError as error:
        refuse([Problem("photo", error.code, dict(error.context))])
    position = max((photo.position for photo in listing.photos), default=-1) + 1
    photo = ListingPhoto(listing_id=listing.id, image_id=image.id, alt=alt, position=position)
    db.session.add(photo)
    listing.updated_at = now
    db.session.flush()
    audit(now, actor_id, "listing.photo_add", listing.code, photo=photo.id)
    db.session.commit()
    return photo


def _photo_of(listing: Listing, photo_id: int) -> ListingPhoto:
    photo = next((row for row in listing.photos if row.id == photo_id), None)
    if photo is None:
        db.session.rollback()
        raise EditError("unknown_photo")
    return photo


def update_photo_alt(*, listing_id: int, photo_id: int, alt: str, now: datetime,
                     actor_id: int | None) -> ListingPhoto:
    """Change a photo's alt text. Audited as ``listing.photo_alt``."""
    begin_write()
    listing = locked(listing_id)
    photo = _photo_of(listing, photo_id)
    alt = " ".join(alt.split())
    if not alt:
        refuse([Problem("alt", "missing_alt")])
    if len(alt) > ALT_MAX or has_control_characters(alt):
        refuse([Problem("alt", "too_long", {"max": ALT_MAX})])
    photo.alt = alt
    listing.updated_at = now
    audit(now, actor_id, "listing.photo_alt", listing.code, photo=photo.id)
    db.session.commit()
    return photo


def remove_photo(*, listing_id: int, photo_id: int, now: datetime,
                 actor_id: int | None) -> None:
    """Remove a photo, and its stored picture unless another row shares it (by digest).
    Audited as ``listing.photo_remove``."""
    begin_write()
    listing = locked(listing_id)
    photo = _photo_of(listing, photo_id)
    image_id = photo.image_id
    listing.photos.remove(photo)
    listing.updated_at = now
    delete_if_unused(image_id)
    audit(now, actor_id, "listing.photo_remove", listing.code, photo=photo_id)
    db.session.commit()


def move_photo(*, listing_id: int, photo_id: int, step: int, now: datetime,
               actor_id: int | None) -> None:
    """Move a photo one place earlier (``step`` -1) or later (+1); the first photo is the
    one the list shows. Audited as ``listing.photo_move``."""
    if step not in (-1, 1):
        raise EditError("bad_step")
    begin_write()
    listing = locked(listing_id)
    photos = sorted(listing.photos, key=lambda row: row.position)
    photo = _photo_of(listing, photo_id)
    index = photos.index(photo)
    target = index + step
    if not 0 <= target < len(photos):
        db.session.rollback()
        raise EditError("cannot_move")
    photos[index], photos[target] = photos[target], photos[index]
    # UNIQUE(listing_id, position): park every position out of the way first, then set
    # the new order, so no intermediate state collides.
    db.session.execute(update(ListingPhoto).where(ListingPhoto.listing_id == listing.id)
                       .values(position=-1 - ListingPhoto.position)
                       .execution_options(synchronize_session=False))
    for position, row in enumerate(photos):
        db.session.execute(update(ListingPhoto).where(ListingPhoto.id == row.id)
                           .values(position=position)
                           .execution_options(synchronize_session=False))
    listing.updated_at = now
    audit(now, actor_id, "listing.photo_move", listing.code, photo=photo_id, step=step)
    db.session.commit()
    db.session.expire(listing, ["photos"])


# ---------------------------------------------------------------------------
# Floor plan
# ---------------------------------------------------------------------------


def check_floor_plan(data: bytes) -> int:
    """The number of pages of ``data`` if it is a PDF we accept; else raise
    ``EditError``: ``empty``, ``too_large``, ``not_a_pdf`` (by content, whatever the file
    is called), ``encrypted``, ``broken_pdf`` (cut off or damaged), ``too_many_pages``."""
    if not data:
        raise EditError("empty")
    if len(data) > FLOOR_PLAN_MAX_BYTES:
        raise EditError("too_large", max=FLOOR_PLAN_MAX_BYTES // (1024 * 1024))
    if not data.startswith(b"%PDF-"):
        raise EditError("not_a_pdf")
    try:
        # Lenient like a PDF viewer (real plans are often slightly sloppy), but every
        # page must be reachable: a cut-off or damaged file fails here.
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise EditError("encrypted")
        pages = len(reader.pages)
        if pages > FLOOR_PLAN_PAGES_MAX:
            raise EditError("too_many_pages", max=FLOOR_PLAN_PAGES_MAX)
        for page in reader.pages:
            page.mediabox  # noqa: B018  (every page must be readable)
    except EditError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            OSError) as error:
        raise EditError("broken_pdf") from error
    if pages < 1:
        raise EditError("broken_pdf")
    return pages


def plan_file_name(name: str) -> str:
    """A safe download name: letters, digits, ``-_.``; always ending in ``.pdf``."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    stem = stem.strip(".-")[: FLOOR_PLAN_NAME_MAX - 4]
    if stem.lower().endswith(".pdf"):
        stem = stem[:-4]
    return (stem or "grundriss") + ".pdf"


def set_floor_plan(*, listing_id: int, data: bytes, filename: str, now: datetime,
                   actor_id: int | None) -> int:
    """Store (or replace) the listing's floor plan after :func:`check_floor_plan`; return
    its page count. Audited as ``listing.floor_plan``."""
    pages = check_floor_plan(data)
    begin_write()
    listing = locked(listing_id)
    listing.floor_plan = data
    listing.floor_plan_name = plan_file_name(filename)
    listing.updated_at = now
    audit(now, actor_id, "listing.floor_plan", listing.code, pages=pages, size=len(data))
    db.session.commit()
    return pages


def remove_floor_plan(*, listing_id: int, now: datetime, actor_id: int | None) -> None:
    """Remove the floor plan. Audited as ``listing.floor_plan_remove``."""
    begin_write()
    listing = locked(listing_id)
    if not listing.floor_plan_name:
        db.session.rollback()
        raise EditError("no_floor_plan")
    listing.floor_plan = None
    listing.floor_plan_name = ""
    listing.updated_at = now
    audit(now, actor_id, "listing.floor_plan_remove", listing.code)
    db.session.commit()
