"""QR codes: segno for the plain SVG and PNG, qrcode[pil] for the branded variant.

Every code encodes exactly ``BASE_URL/s/<token>``, with a white background and a quiet
zone of four modules so that every phone's decoder reads it.
"""

import io
from functools import lru_cache
from urllib.parse import urlsplit

import qrcode
import segno
from PIL import Image
from qrcode.image.styledpil import StyledPilImage
from qrcode.image.styles.moduledrawers.pil import RoundedModuleDrawer

from .emblem import emblem_image
from .errors import DomainError

QUIET_ZONE = 4
PRINT_WIDTH_MM = 60


class QRError(DomainError):
    """A code could not be made. Code: ``bad_base_url``."""


def check_base_url(base_url: str) -> str:
    """Return ``base_url`` without a trailing slash, or raise ``QRError("bad_base_url")``.

    It must be an absolute http(s) URL without query or fragment; a path prefix is fine.
    """
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise QRError("bad_base_url", base_url=base_url)
    return base_url.strip().rstrip("/")


def station_url(base_url: str, token: str) -> str:
    """The URL a station's code encodes."""
    return f"{check_base_url(base_url)}/s/{token}"


@lru_cache(maxsize=128)
def symbol(data: str) -> segno.QRCode:
    """The QR symbol for ``data`` at error level M, made once for all its file formats."""
    return segno.make_qr(data, error="m")


@lru_cache(maxsize=1024)
def inline_svg(data: str, *, title: str, scale: int = 4) -> str:
    """Return an SVG element (no XML declaration) of a QR code for ``data``.

    Error level M survives a scuffed screen. The ``title`` becomes the image's
    accessible name. Cached: the print page of a station shows the same code every time.
    """
    svg = symbol(data).svg_inline(
        scale=scale,
        border=QUIET_ZONE,
        dark="#000",
        light="#fff",
        title=title,
        svgclass="qr",
        lineclass=None,
        omitsize=True,
    )
    return svg.replace("<svg ", '<svg role="img" focusable="false" ', 1)


def _standalone_svg(data: str, **options: object) -> bytes:
    """An SVG file of the code for ``data``: black on white, sized by its viewBox."""
    buffer = io.BytesIO()
    symbol(data).save(
        buffer,
        kind="svg",
        border=QUIET_ZONE,
        dark="#000",
        light="#fff",
        omitsize=True,
        svgclass=None,
        lineclass=None,
        **options,
    )
    return buffer.getvalue()


def screen_svg(data: str, *, title: str) -> bytes:
    """A standalone SVG image for screens: scales to any size (viewBox), white background.

    ``title`` names the image for tools that open the file itself.
    """
    return _standalone_svg(data, scale=4, title=title, xmldecl=False)


def print_svg(data: str) -> bytes:
    """A standalone SVG document for print: a viewBox to scale, 6 cm wide by default."""
    size = f'width="{PRINT_WIDTH_MM}mm" height="{PRINT_WIDTH_MM}mm" '
    svg = _standalone_svg(data, xmldecl=True)
    return svg.replace(b"<svg ", b"<svg " + size.encode(), 1)


def png(data: str, *, scale: int = 10) -> bytes:
    """A plain PNG for screens and e-mail."""
    buffer = io.BytesIO()
    symbol(data).save(buffer, kind="png", border=QUIET_ZONE, scale=scale, dark="#000", light="#fff")
    return buffer.getvalue()


def branded_png(data: str, *, box_size: int = 10) -> bytes:
    """A PNG with rounded modules and the rally emblem in the centre.

    Error level H restores up to 30 % of the symbol; the emblem covers about 5 %.
    """
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_H, box_size=box_size, border=QUIET_ZONE
    )
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image(image_factory=StyledPilImage, module_drawer=RoundedModuleDrawer())
    pil: Image.Image = image.get_image().convert("RGB")
    side = (code.modules_count * box_size) // 4
    emblem = emblem_image(side)
    offset = (pil.width - side) // 2
    pil.paste(emblem, (offset, offset))
    buffer = io.BytesIO()
    pil.save(buffer, format="PNG")
    return buffer.getvalue()
