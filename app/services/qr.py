"""QR codes drawn with segno."""

import segno


def inline_svg(data: str, *, title: str, scale: int = 4) -> str:
    """Return an SVG element (no XML declaration) of a QR code for ``data``.

    White background and the standard quiet zone of four modules, so every phone's
    decoder reads it from a screenshot; error level M survives a scuffed screen. The
    ``title`` becomes the image's accessible name.
    """
    code = segno.make_qr(data, error="m")
    svg = code.svg_inline(
        scale=scale,
        border=4,
        dark="#000",
        light="#fff",
        title=title,
        svgclass="qr",
        lineclass=None,
        omitsize=True,
    )
    return svg.replace("<svg ", '<svg role="img" focusable="false" ', 1)
