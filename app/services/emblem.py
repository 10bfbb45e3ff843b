"""The rally emblem, an eight-pointed Advent star on a red disc, drawn from one geometry.

The same points make the SVG on the site, the centre of the branded QR codes (Pillow)
and the corner of the posters (fpdf2), so the three never drift apart.
"""

import math

from PIL import Image, ImageDraw

RED = (155, 28, 44)
GOLD = (246, 196, 69)
CREAM = (255, 248, 230)
DISC_RADIUS = 48
STAR_TIPS = 8
STAR_OUTER = 40
STAR_INNER = 17


def _star() -> tuple[tuple[float, float], ...]:
    """The star's outline in a 100 × 100 box, clockwise from the top tip."""
    points = []
    for k in range(STAR_TIPS * 2):
        radius = STAR_OUTER if k % 2 == 0 else STAR_INNER
        angle = math.pi * k / STAR_TIPS
        points.append(
            (round(50 + radius * math.sin(angle), 2), round(50 - radius * math.cos(angle), 2))
        )
    return tuple(points)


STAR = _star()
HEART_RADIUS = 8


def _hex(colour: tuple[int, int, int]) -> str:
    """``#rrggbb`` of an RGB triple."""
    return "#{:02x}{:02x}{:02x}".format(*colour)


def emblem_svg() -> str:
    """The emblem as a standalone SVG document with an accessible name."""
    points = " ".join(f"{x},{y}" for x, y in STAR)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" role="img" '
        'aria-label="Adventsstern">\n'
        "  <title>Adventsstern</title>\n"
        f'  <circle cx="50" cy="50" r="{DISC_RADIUS}" fill="{_hex(RED)}"/>\n'
        f'  <polygon fill="{_hex(GOLD)}" points="{points}"/>\n'
        f'  <circle cx="50" cy="50" r="{HEART_RADIUS}" fill="{_hex(CREAM)}"/>\n'
        "</svg>\n"
    )


def emblem_image(size: int) -> Image.Image:
    """The emblem as an RGB Pillow image of ``size`` × ``size`` pixels on white.

    Drawn four times larger and scaled down, for smooth edges.
    """
    big = size * 4
    scale = big / 100
    image = Image.new("RGB", (big, big), "white")
    draw = ImageDraw.Draw(image)
    r = DISC_RADIUS * scale
    draw.ellipse((big / 2 - r, big / 2 - r, big / 2 + r, big / 2 + r), fill=RED)
    draw.polygon([(x * scale, y * scale) for x, y in STAR], fill=GOLD)
    h = HEART_RADIUS * scale
    draw.ellipse((big / 2 - h, big / 2 - h, big / 2 + h, big / 2 + h), fill=CREAM)
    return image.resize((size, size), Image.Resampling.LANCZOS)
