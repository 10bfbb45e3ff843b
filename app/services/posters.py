"""Printable posters: one page per shop, A4 or A5, QR code as vector graphics (fpdf2).

The layout is drawn for A4 in millimetres and scaled for A5, so both keep their
proportions; the QR code stays at least 6 cm wide on A5.
"""

import io
from dataclasses import dataclass
from importlib.resources import files

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from .emblem import CREAM, DISC_RADIUS, GOLD, HEART_RADIUS, RED, STAR
from .qr import print_svg

PAPER = {"a4": (210.0, 297.0), "a5": (148.0, 210.0)}
INK = (31, 26, 23)
MUTED = (87, 78, 70)
QR_WIDTH_A4 = 90.0  # mm; 63 mm on A5
FONT_DIR = files("font_lato") / "files"


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
        self.add_font("Lato", "", str(FONT_DIR / "Lato-Regular.ttf"))
        self.add_font("Lato", "B", str(FONT_DIR / "Lato-Black.ttf"))
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
        self.set_font("Lato", "B" if bold else "", self.s(size))
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
    """Lay out one poster on a new page."""
    pdf.add_page()
    width_a4 = PAPER["a4"][0]

    # Red band with emblem, rally name and dates.
    pdf.set_fill_color(*RED)
    pdf.rect(0, 0, pdf.w, pdf.s(40), style="F")
    draw_emblem(pdf, x=12, y=7, size=26)
    pdf.text_line(9, poster.rally_name, 24, bold=True, colour=(255, 255, 255), x=46,
                  width=width_a4 - 56, align=Align.L)
    pdf.text_line(23, poster.dates, 14, colour=CREAM, x=46, width=width_a4 - 56, align=Align.L)

    pdf.text_line(50, "Scannen – Stempeln – Gewinnen", 28, bold=True, colour=RED, x=10)
    after_name = pdf.text_line(64, poster.shop_name, 22, bold=True, x=14)

    # The QR code as vector graphics, centred, with its quiet zone.
    qr_top = max(80.0, after_name + 3)
    qr_size = QR_WIDTH_A4
    pdf.image(io.BytesIO(print_svg(poster.url)), x=pdf.s((width_a4 - qr_size) / 2),
              y=pdf.s(qr_top), w=pdf.s(qr_size), h=pdf.s(qr_size))
    y = qr_top + qr_size + 3

    y = pdf.text_line(y, f"Kein QR-Scanner? Code eintippen auf {poster.typed_url}", 12,
                      colour=MUTED, x=14)
    box_w, box_h = 84.0, 17.0
    pdf.set_draw_color(*INK)
    pdf.set_line_width(pdf.s(0.8))
    pdf.rect(pdf.s((width_a4 - box_w) / 2), pdf.s(y + 2), pdf.s(box_w), pdf.s(box_h),
             round_corners=True, corner_radius=pdf.s(4))
    pdf.set_char_spacing(pdf.s(2.5))
    pdf.text_line(y + 5.5, spaced_code(poster.short_code), 30, bold=True, x=10)
    pdf.set_char_spacing(0)

    # Three numbered steps.
    steps = (
        ("Scannen", "Handykamera auf den QR-Code halten und den Link öffnen."),
        ("Stempeln", "Auf „Stempel einsammeln“ tippen – ohne App, ohne Konto."),
        ("Gewinnen", f"Ab {poster.stamp_goal} Stempeln an der Verlosung teilnehmen."),
    )
    y = y + box_h + 8
    for number, (title, text) in enumerate(steps, start=1):
        pdf.set_fill_color(*GOLD)
        pdf.circle(x=pdf.s(30), y=pdf.s(y + 5.5), radius=pdf.s(6), style="F")
        pdf.text_line(y + 1.8, str(number), 17, bold=True, colour=RED, x=24, width=12)
        pdf.text_line(y, title, 17, bold=True, x=42, width=width_a4 - 56, align=Align.L)
        y = pdf.text_line(y + 7.5, text, 14, x=42, width=width_a4 - 56, align=Align.L) + 4

    # Footer: who runs it, where the rules are.
    footer_top = 297 - 26
    pdf.set_fill_color(*INK)
    pdf.rect(0, pdf.s(footer_top), pdf.w, pdf.s(26), style="F")
    y = footer_top + 4
    for line in poster.office_lines:
        y = pdf.text_line(y, line, 10, colour=(255, 255, 255), x=10) + 0.5
    pdf.text_line(y + 1, f"Teilnahmebedingungen: {poster.rules_url}", 10, colour=GOLD, x=10)


def posters_pdf(posters: list[Poster], paper: str = "a4") -> bytes:
    """One PDF with a page per poster."""
    pdf = PosterPDF(paper)
    for poster in posters:
        draw_poster(pdf, poster)
    return bytes(pdf.output())
