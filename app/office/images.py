"""Uploaded pictures, served under their digest so that browsers may keep them forever."""

from flask import Response, abort, url_for

from ..models import Image
from ..services.images import only_in_listings, picture_for_url, picture_path_parts
from . import bp

# The URL names the picture's digest: its content never changes, so caches may keep it.
IMMUTABLE = "public, max-age=31536000, immutable"


@bp.get("/bilder/<int:image_id>-<digest>.<any(webp, jpg, png):ext>")
def picture(image_id: int, digest: str, ext: str) -> Response:
    """One stored picture, or 404 if the id, digest or extension does not match."""
    image = picture_for_url(image_id, digest, ext)
    if image is None or only_in_listings(image.id):  # listing photos: see office.listing_photo
        abort(404)
    response = Response(image.data, mimetype=image.mime)
    response.headers["Cache-Control"] = IMMUTABLE
    return response


@bp.app_template_global()
def picture_url(image: Image) -> str:
    """The URL of a stored picture, for every template."""
    image_id, digest, ext = picture_path_parts(image)
    return url_for("office.picture", image_id=image_id, digest=digest, ext=ext)
