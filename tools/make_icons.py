"""Draw the home-screen icons of the web app manifest with Pillow: the emblem's gold
eight-pointed star on the rally's red (app/static/img/emblem.svg).

Run once after changing the emblem; the PNGs are committed into app/static/img. Kept
as committed files rather than drawn per request: they never change between releases,
are served as plain static files (cached, no code on the request path) and are only a
few kilobytes.

    .venv/bin/python tools/make_icons.py
"""

import math
from pathlib import Path

from PIL import Image, ImageDraw

RED = (155, 28, 44)  # site.css --red
GOLD = (246, 196, 69)  # --gold
CREAM = (255, 248, 230)  # --cream
OUT = Path(__file__).resolve().parent.parent / "app" / "static" / "img"
SUPERSAMPLE = 4  # draw large, then shrink: smooth edges without an SVG renderer


def star(centre: float, outer: float, inner_ratio: float = 0.425) -> list[tuple[float, float]]:
    """The 16 corners of an eight-pointed star around (centre, centre), tip up."""
    points = []
    for k in range(16):
        radius = outer if k % 2 == 0 else outer * inner_ratio
        angle = -math.pi / 2 + k * math.pi / 8
        points.append((centre + radius * math.cos(angle), centre + radius * math.sin(angle)))
    return points


def draw_icon(size: int, *, full_bleed: bool, star_ratio: float) -> Image.Image:
    """The emblem at ``size`` px: a red disc on transparency, or (``full_bleed``, for
    maskable and Apple icons, which the system crops itself) red to every edge; the
    star's tips at ``star_ratio`` of the size from the centre."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), RED + (255,) if full_bleed else (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    centre = big / 2
    if not full_bleed:
        pen.ellipse((big * 0.02, big * 0.02, big * 0.98, big * 0.98), fill=RED)
    pen.polygon(star(centre, big * star_ratio), fill=GOLD)
    dot = big * star_ratio * 0.2
    pen.ellipse((centre - dot, centre - dot, centre + dot, centre + dot), fill=CREAM)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    """Write the four icons."""
    icons = {
        "icon-192.png": draw_icon(192, full_bleed=False, star_ratio=0.40),
        "icon-512.png": draw_icon(512, full_bleed=False, star_ratio=0.40),
        # Maskable: the system may cut the icon to a circle of 80 % of its width, so
        # the star stays well inside that.
        "icon-maskable-512.png": draw_icon(512, full_bleed=True, star_ratio=0.30),
        "apple-touch-icon.png": draw_icon(180, full_bleed=True, star_ratio=0.36),
    }
    for name, image in icons.items():
        if name == "apple-touch-icon.png":
            image = image.convert("RGB")  # iOS shows transparency as black
        # Three colours and their smoothed edges fit a small palette: a few KB each.
        image = image.quantize(colors=48, method=Image.Quantize.FASTOCTREE)
        image.save(OUT / name, optimize=True)
        print(f"{OUT / name}: {image.size[0]} px, {(OUT / name).stat().st_size} bytes")


if __name__ == "__main__":
    main()
