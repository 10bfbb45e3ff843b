"""Uploaded pictures: checked, turned upright, made smaller and stripped of metadata.

Pillow reads only JPEG, PNG and WebP here, refuses what is too large in bytes or pixels
(a small file can unpack into gigabytes: a "decompression bomb") and what it cannot read
to the end. What it accepts is drawn onto a fresh canvas, so that nothing of the original
file (EXIF with the GPS position, XMP, ICC profile, comments) survives, and saved anew as
WebP. The pictures are stored in the database under their SHA-256 digest: the same
picture uploaded twice is one row, and a picture's URL never changes its content.
"""

import hashlib
import io
import warnings

from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import AdventDoor, Event, Image, ListingPhoto, NewsPost
from .errors import DomainError

MAX_BYTES = 8 * 1024 * 1024  # a phone's photo is 2–6 MB
MAX_PIXELS = 40_000_000  # 40 megapixels: more than any phone camera, far below a bomb
LONG_SIDE = 1200  # enough for a phone and a desktop column at twice the density
WEBP_QUALITY = 82
FORMATS = ("JPEG", "PNG", "WEBP")
DIGEST_IN_URL = 12  # hex digits of the SHA-256 in a picture's URL
EXTENSIONS = {"image/webp": "webp", "image/jpeg": "jpg", "image/png": "png"}


class ImageError(DomainError):
    """A picture refused. Codes: ``empty``, ``too_large`` (bytes), ``too_many_pixels``,
    ``not_an_image`` (not JPEG, PNG or WebP), ``unreadable`` (damaged or cut off)."""


def _opened(data: bytes) -> PILImage.Image:
    """The picture in ``data``, fully decoded; refused if it is none of ours or damaged.

    Pillow warns about (and above twice its limit refuses) images with very many pixels;
    the warning is turned into a refusal too, and our own, lower limit is checked from
    the header before anything is decoded.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            picture = PILImage.open(io.BytesIO(data), formats=FORMATS)
        except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as error:
            raise ImageError("too_many_pixels", max=MAX_PIXELS) from error
        except UnidentifiedImageError as error:
            raise ImageError("not_an_image") from error
        except (OSError, SyntaxError, ValueError) as error:
            raise ImageError("unreadable") from error
        width, height = picture.size
        if width * height > MAX_PIXELS:
            raise ImageError("too_many_pixels", max=MAX_PIXELS)
        try:
            picture.load()
        except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as error:
            raise ImageError("too_many_pixels", max=MAX_PIXELS) from error
        except (OSError, SyntaxError, ValueError) as error:
            raise ImageError("unreadable") from error
    return picture


def clean_picture(data: bytes) -> tuple[bytes, int, int]:
    """``data`` re-encoded as WebP: upright, at most ``LONG_SIDE`` pixels on its long
    side, without any metadata. Returns the bytes, width and height."""
    if not data:
        raise ImageError("empty")
    if len(data) > MAX_BYTES:
        raise ImageError("too_large", max=MAX_BYTES)
    picture = _opened(data)
    try:
        upright = ImageOps.exif_transpose(picture)
    except (OSError, SyntaxError, ValueError) as error:  # a broken orientation tag
        raise ImageError("unreadable") from error
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info
    )
    upright = upright.convert("RGBA" if has_alpha else "RGB")
    upright.thumbnail((LONG_SIDE, LONG_SIDE), PILImage.Resampling.LANCZOS)
    # A fresh canvas has an empty ``info``: nothing of the original file comes along.
    canvas = PILImage.new(upright.mode, upright.size)
    canvas.paste(upright)
    out = io.BytesIO()
    canvas.save(out, format="WEBP", quality=WEBP_QUALITY)
    return out.getvalue(), canvas.width, canvas.height


def store_picture(data: bytes) -> Image:
    """Clean ``data`` and store it in the open transaction; the same picture is stored
    once (by its digest). Raises :class:`ImageError` before anything is written."""
    cleaned, width, height = clean_picture(data)
    digest = hashlib.sha256(cleaned).hexdigest()
    found = db.session.scalars(select(Image).where(Image.sha256 == digest)).first()
    if found is not None:
        return found
    image = Image(sha256=digest, mime="image/webp", width=width, height=height, data=cleaned)
    try:
        with db.session.begin_nested():  # another upload of the same picture may win
            db.session.add(image)
    except IntegrityError:
        return db.session.scalars(select(Image).where(Image.sha256 == digest)).one()
    return image


def picture_path_parts(image: Image) -> tuple[int, str, str]:
    """The URL parts of ``image``: its id, the start of its digest, its extension."""
    return image.id, image.sha256[:DIGEST_IN_URL], EXTENSIONS[image.mime]


def picture_for_url(image_id: int, digest: str, ext: str) -> Image | None:
    """The stored picture a URL names, if its digest and extension match."""
    image = db.session.get(Image, image_id)
    if image is None or len(digest) != DIGEST_IN_URL or not image.sha256.startswith(digest):
        return None
    if EXTENSIONS.get(image.mime) != ext:
        return None
    return image


# The columns that point at a stored picture: the public kinds, then the listings' photos.
_PUBLIC_USES = (AdventDoor.image_id, NewsPost.image_id, Event.image_id)
_USES = (*_PUBLIC_USES, ListingPhoto.image_id)


def only_in_listings(image_id: int) -> bool:
    """Whether the picture is a listing's photo and nothing else's: such a picture is
    served only through its listing (app.office.listings), which knows who may see it."""
    elsewhere = [~exists().where(column == image_id) for column in _PUBLIC_USES]
    return bool(db.session.scalar(select(
        and_(exists().where(ListingPhoto.image_id == image_id), *elsewhere))))


def delete_if_unused(image_id: int) -> bool:
    """Delete the stored picture if no row uses it any more (in the open transaction);
    whether it did. A removed photo thus leaves nothing behind to be fetched."""
    db.session.flush()
    if db.session.scalar(select(or_(*(exists().where(column == image_id)
                                      for column in _USES)))):
        return False
    image = db.session.get(Image, image_id)
    if image is not None:
        db.session.delete(image)
    return image is not None
