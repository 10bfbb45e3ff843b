"""Printable posters: one page per shop, A4 or A5, QR code as vector graphics (fpdf2).

The layout is drawn for A4 in millimetres and scaled for A5, so both keep their
proportions; the QR code stays at least 6 cm wide on A5. The poster page in the browser
(``rally/poster.html``, ``poster.css``) follows the same layout and the same Source Sans Pro fonts.
"""

import io
from dataclasses import dataclass
from importlib.resources import files

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, XPos, YPos

from .emblem import CREAM, DISC_RADIUS, GOLD, HEART_RADIUS, RED, STAR
from .qr import print_svg

PAPER = {"a4": (210.0, 297.0), "a5": (148.0, 210.0)}
INK = (31, 26, 23)
MUTED = (87, 78, 70)
QR_WIDTH_A4 = 90.0  # mm; 63 mm on A5
# Source Sans Pro: Latin Extended, so that Turkish posters print İ ı ğ ş (Lato 1 has none).
FONT_DIR = files("font_source_sans_pro") / "files"


@dataclass(frozen=True)
class Poster:
    """Everything printed on one shop's poster."""

    shop_name: str
    shop_address: str
    rally_name: str
    dates: str
    stamp_goal: int
    url: str
    short_code: str
    typed_url: str
    office_lines: tuple[str, str]
    rules_url: str
    main_prize: str = ""  # "Hauptgewinn: …, gestiftet von …"; "" while the rally has none
    # The shop's poster language (app.models.Shop.poster_language).
    language: str = "de"


STEPS = (
    (_l("Scannen"), _l("Handykamera auf den QR-Code halten und den Link öffnen.")),
    (_l("Stempeln"), _l("Auf „Stempel einsammeln“ tippen – ohne App, ohne Konto.")),
    (_l("Gewinnen"), _l("Ab {goal} Stempeln an der Verlosung teilnehmen.")),
)
TYPED_LABEL = _l("Kein QR-Scanner? Code eintippen auf")
FOOTER_TOP = 297 - 26  # A4 mm


def spaced_code(code: str) -> str:
    """``7KQ2MX`` → ``7KQ 2MX``: two groups of three read and type more easily."""
    return f"{code[:3]} {code[3:]}"


class PosterPDF(FPDF):
    """An FPDF document with the poster fonts and a scale factor for the paper size."""

    def __init__(self, paper: str) -> None:
        """Prepare an empty document of ``paper`` (``a4`` or ``a5``), portrait."""
        width, height = PAPER[paper]
        super().__init__(orientation="P", unit="mm", format=(width, height))
        self.k_scale = width / PAPER["a4"][0]
        self.set_auto_page_break(False)
        self.set_margins(0, 0, 0)
        self.add_font("Sans", "", str(FONT_DIR / "SourceSansPro-Regular.ttf"))
        self.add_font("Sans", "B", str(FONT_DIR / "SourceSansPro-Black.ttf"))
        self.set_title("Plakate")
        self.set_lang("de")
        self.set_creator("Innenstadt-Rallye")

    def s(self, mm: float) -> float:
        """Scale an A4 measure to this paper."""
        return mm * self.k_scale

    def text_line(
        self, y: float, text: str, size: float, *, bold: bool = False,
        colour: tuple[int, int, int] = INK, x: float = 0, width: float | None = None,
        align: Align = Align.C,
    ) -> float:
        """Write one (wrapping) block of text at ``y``; return the y below it."""
        self.set_font("Sans", "B" if bold else "", self.s(size))
        self.set_text_color(*colour)
        self.set_xy(self.s(x), self.s(y))
        self.multi_cell(
            self.s(width) if width is not None else self.w - 2 * self.s(x),
            self.s(size * 0.45),
            text,
            align=align,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        return self.get_y() / self.k_scale


def draw_emblem(pdf: PosterPDF, *, x: float, y: float, size: float) -> None:
    """Draw the rally emblem as vector shapes in a ``size`` mm square at (x, y) (A4 mm)."""
    unit = size / 100
    centre_x, centre_y = pdf.s(x + 50 * unit), pdf.s(y + 50 * unit)
    pdf.set_draw_color(*CREAM)
    pdf.set_line_width(pdf.s(0.6))
    pdf.set_fill_color(*RED)
    pdf.circle(x=centre_x, y=centre_y, radius=pdf.s(DISC_RADIUS * unit), style="DF")
    pdf.set_fill_color(*GOLD)
    pdf.polygon([(pdf.s(x + px * unit), pdf.s(y + py * unit)) for px, py in STAR], style="F")
    pdf.set_fill_color(*CREAM)
    pdf.circle(x=centre_x, y=centre_y, radius=pdf.s(HEART_RADIUS * unit), style="F")


def draw_poster(pdf: PosterPDF, poster: Poster) -> None:
    """Lay out one poster on a new page, in the poster's language."""
    with force_locale(poster.language):
        _draw_poster(pdf, poster)


def _draw_poster(pdf: PosterPDF, poster: Poster) -> None:
    pdf.add_page()
    width_a4 = PAPER["a4"][0]

    # Red band with emblem, rally name and dates.
    pdf.set_fill_color(*RED)
    pdf.rect(0, 0, pdf.w, pdf.s(40), style="F")
    draw_emblem(pdf, x=12, y=7, size=26)
    pdf.text_line(9, poster.rally_name, 24, bold=True, colour=(255, 255, 255), x=46,
                  width=width_a4 - 56, align=Align.L)
    pdf.text_line(23, poster.dates, 14, colour=CREAM, x=46, width=width_a4 - 56, align=Align.L)

    pdf.text_line(50, _("Scannen – Stempeln – Gewinnen"), 28, bold=True, colour=RED, x=10)
    after_name = pdf.text_line(64, poster.shop_name, 22, bold=True, x=14)

    # The QR code as vector graphics, centred, with its quiet zone.
    qr_top = max(78.0, after_name + 2)
    qr_size = QR_WIDTH_A4
    pdf.image(io.BytesIO(print_svg(poster.url)), x=pdf.s((width_a4 - qr_size) / 2),
              y=pdf.s(qr_top), w=pdf.s(qr_size), h=pdf.s(qr_size))
    y = qr_top + qr_size + 1

    # The address for typing the code, large enough to read from a step back.
    y = pdf.text_line(y, str(TYPED_LABEL), 13, colour=MUTED, x=14)
    y = pdf.text_line(y + 0.5, poster.typed_url, 18, bold=True, x=10)
    box_w, box_h = 84.0, 17.0
    pdf.set_draw_color(*INK)
    pdf.set_line_width(pdf.s(0.8))
    pdf.rect(pdf.s((width_a4 - box_w) / 2), pdf.s(y + 2), pdf.s(box_w), pdf.s(box_h),
             round_corners=True, corner_radius=pdf.s(4))
    pdf.set_char_spacing(pdf.s(2.5))
    pdf.text_line(y + 5.5, spaced_code(poster.short_code), 30, bold=True, x=10)
    pdf.set_char_spacing(0)

    # Three numbered steps side by side.
    y = y + box_h + 7
    column = (width_a4 - 28) / 3
    bottom = y
    for number, (title, text) in enumerate(STEPS, start=1):
        left = 14 + (number - 1) * column
        pdf.set_fill_color(*GOLD)
        pdf.circle(x=pdf.s(left + 5.5), y=pdf.s(y + 5.5), radius=pdf.s(5.5), style="F")
        pdf.text_line(y + 2.2, str(number), 15, bold=True, colour=RED, x=left, width=11)
        pdf.text_line(y + 1.6, str(title), 15, bold=True, x=left + 13, width=column - 15,
                      align=Align.L)
        below = pdf.text_line(y + 12, str(text).format(goal=poster.stamp_goal), 11.5, x=left,
                              width=column - 4, align=Align.L)
        bottom = max(bottom, below)

    if poster.main_prize:
        draw_main_prize(pdf, poster.main_prize, top=bottom + 4)

    # Footer: who runs it, where the rules are.
    pdf.set_fill_color(*INK)
    pdf.rect(0, pdf.s(FOOTER_TOP), pdf.w, pdf.s(26), style="F")
    y = FOOTER_TOP + 4
    for line in poster.office_lines:
        y = pdf.text_line(y, line, 10, colour=(255, 255, 255), x=10) + 0.5
    pdf.text_line(y + 1, _("Teilnahmebedingungen: %(url)s", url=poster.rules_url), 10,
                  colour=GOLD, x=10)


def draw_main_prize(pdf: PosterPDF, text: str, *, top: float) -> None:
    """The main prize in a gold box between the steps and the footer (A4 mm).

    The text takes the largest size from 15 pt down that fits the room left, so a long
    prize name or donor never runs into the footer.
    """
    width_a4 = PAPER["a4"][0]
    box_x, box_w = 14.0, width_a4 - 28
    room = FOOTER_TOP - 4 - top
    size = 15.0
    while True:
        pdf.set_font("Sans", "B", pdf.s(size))
        lines = pdf.multi_cell(pdf.s(box_w - 12), pdf.s(size * 0.45), text, dry_run=True,
                               output=MethodReturnValue.LINES)
        count = len(lines) if isinstance(lines, list) else 1  # LINES gives a list
        height = count * size * 0.45 + 6
        if height <= room or size <= 9:
            break
        size -= 1
    pdf.set_fill_color(*GOLD)
    pdf.rect(pdf.s(box_x), pdf.s(top), pdf.s(box_w), pdf.s(height), style="F",
             round_corners=True, corner_radius=pdf.s(4))
    pdf.text_line(top + 3, text, size, bold=True, colour=INK, x=box_x + 6, width=box_w - 12)


def posters_pdf(posters: list[Poster], paper: str = "a4") -> bytes:
    """One PDF with a page per poster."""
    pdf = PosterPDF(paper)
    for poster in posters:
        draw_poster(pdf, poster)
    return bytes(pdf.output())


# ---------------------------------------------------------------------------
# The window poster of an empty shop (the Leerstandsbörse)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ListingPoster:
    """Everything printed on an empty shop's window poster (A4)."""

    headline: str  # "Zu vermieten" or "Zu vermieten / Zwischennutzung möglich"
    title: str
    facts: str  # "85 m² · Erdgeschoss · Hermannstraße 10"
    url: str  # the listing's public page; the QR code encodes exactly this
    code: str  # "L-2026-04"
    phone: str  # the office's phone, large
    office_lines: tuple[str, str]


LISTING_QR_WIDTH = 95.0  # mm: read from the pavement through a shop window


def draw_listing_poster(pdf: PosterPDF, poster: ListingPoster) -> None:
    """Lay out one window poster on a new A4 page."""
    pdf.add_page()
    width_a4 = PAPER["a4"][0]
    pdf.set_fill_color(*RED)
    pdf.rect(0, 0, pdf.w, pdf.s(52), style="F")
    draw_emblem(pdf, x=12, y=10, size=30)
    pdf.text_line(12, poster.headline, 30, bold=True, colour=(255, 255, 255), x=50,
                  width=width_a4 - 60, align=Align.L)
    y = pdf.text_line(64, poster.title, 26, bold=True, x=14)
    y = pdf.text_line(y + 2, poster.facts, 16, colour=MUTED, x=14)

    qr_top = max(y + 6, 96.0)
    pdf.image(io.BytesIO(print_svg(poster.url)), x=pdf.s((width_a4 - LISTING_QR_WIDTH) / 2),
              y=pdf.s(qr_top), w=pdf.s(LISTING_QR_WIDTH), h=pdf.s(LISTING_QR_WIDTH))
    y = qr_top + LISTING_QR_WIDTH + 1
    y = pdf.text_line(y, "Fotos, Grundriss und Anfrage:", 13, colour=MUTED, x=14)
    y = pdf.text_line(y + 0.5, poster.url, 14, bold=True, x=10)
    y = pdf.text_line(y + 8, "Informationen beim Nutzungsmanagement Innenstadt:", 14, x=14)
    pdf.text_line(y + 1, poster.phone, 34, bold=True, colour=RED, x=10)

    pdf.set_fill_color(*INK)
    pdf.rect(0, pdf.s(FOOTER_TOP), pdf.w, pdf.s(26), style="F")
    y = FOOTER_TOP + 4
    for line in poster.office_lines:
        y = pdf.text_line(y, line, 10, colour=(255, 255, 255), x=10) + 0.5
    pdf.text_line(y + 1, f"Kennung {poster.code}", 10, colour=GOLD, x=10)


def listing_poster_pdf(poster: ListingPoster) -> bytes:
    """The window poster as a one-page A4 PDF."""
    pdf = PosterPDF("a4")
    pdf.set_title(f"Leerstand {poster.code}")
    draw_listing_poster(pdf, poster)
    return bytes(pdf.output())
