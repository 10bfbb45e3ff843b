"""The print set of a rally: per shop an SVG, a PNG and a branded PNG, plus all posters.

Everything is made in memory first, so a failure leaves no files behind; writing then
replaces each file atomically and removes what it wrote if the disk refuses.
"""

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from flask_babel import force_locale
from flask_babel import gettext as _

from .. import formats
from ..clock import local
from ..models import Prize, Rally, Station
from . import qr
from .errors import DomainError
from .posters import PAPER, Poster, posters_pdf
from .rallies import active_stations
from .rally_terms import prizes_with_donors
from .stations import find_rally

POSTERS_FILE = "posters.pdf"


class ExportError(DomainError):
    """Export refused. Codes: ``bad_paper``, ``no_stations``, ``unwritable``."""


@dataclass(frozen=True)
class PrintSet:
    """What an export wrote."""

    rally: Rally
    directory: Path
    files: list[Path]


# The first day of a rally's dates when the last day names the month (and year).
FIRST_DAY = {"de": ("d.", "d. MMMM"), "en": ("d", "d MMMM"), "tr": ("d", "d MMMM")}


def rally_dates(rally: Rally) -> str:
    """``1. bis 24. Dezember 2026`` style dates in the language being written, Berlin
    time."""
    start, end = local(rally.starts_at).date(), local(rally.ends_at).date()
    same_month, same_year = FIRST_DAY.get(formats.current_language(), FIRST_DAY["de"])
    if (start.year, start.month) == (end.year, end.month):
        first = formats.format_date(start, same_month)
    elif start.year == end.year:
        first = formats.format_date(start, same_year)
    else:
        first = formats.day(start, "long")
    return _("%(start)s bis %(end)s", start=first, end=formats.day(end, "long"))


def short_url(base_url: str, path: str) -> str:
    """A URL to print for typing: without scheme, e.g. ``rallye.example.org/stempel``."""
    parts = urlsplit(base_url)
    return f"{parts.netloc}{parts.path}{path}"


def main_prize_line(prize: Prize | None) -> str:
    """``Hauptgewinn: <prize> – gestiftet von <shop>`` for the posters; "" without a prize."""
    if prize is None:
        return ""
    if prize.donor is not None:
        return _("Hauptgewinn: %(prize)s – gestiftet von %(shop)s", prize=prize.name,
                 shop=prize.donor.name)
    return _("Hauptgewinn: %(prize)s", prize=prize.name)


def main_prize(rally_id: int) -> list[Prize]:
    """The rally's first prize with its donor, as a list of at most one (one query)."""
    return prizes_with_donors(rally_id, limit=1)


def poster_for(
    station: Station, base_url: str, office: dict[str, str],
    first_prize: list[Prize] | None = None,
) -> Poster:
    """The poster content of one station in the shop's poster language; ``first_prize``
    (from :func:`main_prize`) saves the query for a set of posters of one rally."""
    prize = main_prize(station.rally_id) if first_prize is None else first_prize
    with force_locale(station.shop.poster_language):
        return _poster(station, base_url, office, prize[0] if prize else None)


def _poster(station: Station, base_url: str, office: dict[str, str],
            prize: Prize | None) -> Poster:
    shop, rally = station.shop, station.rally
    return Poster(
        shop_name=shop.name,
        shop_address=f"{shop.street}, {shop.postcode} {shop.city}",
        rally_name=rally.name,
        dates=rally_dates(rally),
        stamp_goal=rally.stamp_goal,
        url=qr.station_url(base_url, station.token),
        short_code=station.short_code,
        typed_url=short_url(base_url, "/stempel"),
        office_lines=(
            f"{office['name']} · {office['street']}, {office['postcode']} {office['city']}",
            _("Telefon %(phone)s · %(email)s", phone=office["phone"], email=office["email"]),
        ),
        rules_url=short_url(base_url, "/teilnahmebedingungen"),
        main_prize=main_prize_line(prize),
        language=shop.poster_language,
    )


def build_print_set(
    rally: Rally, stations: list[Station], base_url: str, office: dict[str, str], paper: str
) -> dict[str, bytes]:
    """Make every file of the print set in memory: file name → content."""
    files: dict[str, bytes] = {}
    for station in stations:
        url = qr.station_url(base_url, station.token)
        slug = station.shop.slug
        files[f"{slug}.svg"] = qr.print_svg(url)
        files[f"{slug}.png"] = qr.png(url)
        files[f"{slug}-branded.png"] = qr.branded_png(url)
    first_prize = main_prize(rally.id)
    posters = [poster_for(station, base_url, office, first_prize) for station in stations]
    files[POSTERS_FILE] = posters_pdf(posters, paper)
    return files


def write_files(directory: Path, files: dict[str, bytes]) -> list[Path]:
    """Write ``files`` into ``directory``; on any failure remove what this call wrote."""
    created_directory = not directory.exists()
    written: list[Path] = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            target = directory / name
            partial = directory / f".{name}.partial"
            try:
                partial.write_bytes(content)
                os.replace(partial, target)
            finally:
                partial.unlink(missing_ok=True)
            written.append(target)
    except OSError as error:
        for path in written:
            path.unlink(missing_ok=True)
        if created_directory and directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
        raise ExportError("unwritable", directory=str(directory), reason=str(error)) from error
    return written


def export_print_set(
    *,
    rally_slug: str | None,
    out: Path | None,
    base_url: str,
    paper: str,
    office: dict[str, str],
    default_root: Path,
    now: datetime,
) -> PrintSet:
    """Export the print set of a rally (the current one by default).

    ``out`` defaults to ``default_root/<rally-slug>``. Raises ``StationError`` for an
    unknown rally, ``QRError`` for a bad base URL and ``ExportError`` otherwise.
    """
    if paper not in PAPER:
        raise ExportError("bad_paper", paper=paper)
    base_url = qr.check_base_url(base_url)
    rally = find_rally(rally_slug, now)
    stations = active_stations(rally.id)
    if not stations:
        raise ExportError("no_stations", rally=rally.slug)
    files = build_print_set(rally, stations, base_url, office, paper)
    directory = out if out is not None else default_root / rally.slug
    return PrintSet(rally=rally, directory=directory, files=write_files(directory, files))
