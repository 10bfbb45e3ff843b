"""CSV import of shops: every row checked first, then all written, or nothing.

Office staff keep the shop list in Excel, so the reader takes what Excel writes: UTF-8
with or without a byte order mark, comma or semicolon as delimiter, decimal commas in
the coordinates. Shops are matched by slug: a known slug updates the shop, a new one
creates it; every shop of the file gets a station in the chosen rally.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..control_characters import has_control_characters, shown
from ..db import begin_write
from ..extensions import db
from ..models import AuditEvent, Rally, Shop, Station
from .editing import slugify
from .errors import DomainError, Problem
from .shops import SHOP_FIELDS, ShopValues, parse_shop
from .stations import new_station

COLUMNS = SHOP_FIELDS
# Columns that, like the shop form's text area, may hold line breaks and tabs.
MULTILINE_COLUMNS = frozenset({"description"})
MAX_ROWS = 2000
TEMPLATE_ROW = (
    "Buchhandlung am Markt", "buchhandlung-am-markt", "Bücher & Geschenke",
    "Hermannstraße 12", "45699", "Herten", "51.5955", "7.1415", "Mo–Fr 9–18 Uhr, Sa 9–14 Uhr",
    "Bücher, Karten und Geschenke.", "https://www.example.org",
)


class ShopImportError(DomainError):
    """The file refused. Codes: ``not_utf8``, ``empty``, ``missing_columns`` (``columns``),
    ``unknown_columns`` (``columns``), ``duplicate_columns`` (``columns``), ``no_rows``,
    ``too_many_rows`` (``max``), ``field_too_large`` (``line``, ``max``: a field beyond
    the csv module's limit), ``unknown_rally``, ``conflict``, ``bad_rows`` (``rows``:
    list of :class:`BadRow`)."""


@dataclass(frozen=True)
class CsvRow:
    """One record of the file: the line it starts on, and its cells by column name."""

    line: int
    cells: dict[str, str]
    extra_cells: int = 0
    missing_cells: int = 0


@dataclass(frozen=True)
class BadRow:
    """A row that cannot be imported, with every reason."""

    line: int
    name: str
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    rally: Rally
    created: int
    updated: int
    stations_created: int
    rows: int


def template_csv() -> bytes:
    """An example file with the header and one row, as Excel opens it (UTF-8 with BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(TEMPLATE_ROW)
    return buffer.getvalue().encode("utf-8-sig")


def decode(data: bytes) -> str:
    """The file's text; UTF-8 with or without BOM, else ``ShopImportError("not_utf8")``."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ShopImportError("not_utf8") from error


def sniff_delimiter(header_line: str) -> str:
    """``;`` when the header has more semicolons than commas (German Excel), else ``,``."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def read_rows(data: bytes) -> list[CsvRow]:
    """Parse the file into rows keyed by column; file-level problems raise at once."""
    text = decode(data)
    if not text.strip():
        raise ShopImportError("empty")
    first_line = text.lstrip("\r\n").splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    header: list[str] | None = None
    rows: list[CsvRow] = []
    last_line = 0
    try:
        for record in reader:
            start, last_line = last_line + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = check_header(record)
                continue
            cells = [cell.strip() for cell in record]
            extra = cells[len(header):]
            rows.append(
                CsvRow(
                    line=start,
                    cells=dict(zip(header, cells, strict=False)),
                    extra_cells=sum(1 for cell in extra if cell),
                    missing_cells=max(len(header) - len(cells), 0),
                )
            )
            if len(rows) > MAX_ROWS:
                raise ShopImportError("too_many_rows", max=MAX_ROWS)
    except csv.Error as error:
        # The csv module's one error in its lenient default dialect: a field longer than
        # its limit, usually because an opening quote is never closed and the rest of the
        # file became one field. The record began on the line after the last one read.
        raise ShopImportError(
            "field_too_large", line=last_line + 1, max=csv.field_size_limit()
        ) from error
    if not rows:
        raise ShopImportError("no_rows")
    return rows


def check_header(record: list[str]) -> list[str]:
    """The column names of the header row, lower-cased; all required, none unknown."""
    names = [cell.strip().lstrip("\ufeff").lower() for cell in record]
    while names and not names[-1]:
        names.pop()  # Excel sometimes carries empty columns at the end
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ShopImportError("duplicate_columns", columns=duplicates)
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        raise ShopImportError("missing_columns", columns=missing)
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        raise ShopImportError("unknown_columns", columns=unknown)
    return names


def check_rows(rows: list[CsvRow]) -> tuple[list[ShopValues], list[BadRow]]:
    """Check every row on its own, against the other rows, and against the database."""
    good: list[ShopValues] = []
    bad: list[BadRow] = []
    first_line_of: dict[str, int] = {}
    existing = {shop.slug: shop.name for shop in db.session.scalars(select(Shop))}
    for row in rows:
        problems: list[Problem] = []
        if row.missing_cells or row.extra_cells:
            found = len(COLUMNS) - row.missing_cells + row.extra_cells
            problems.append(Problem("row", "cell_count", {"found": found,
                                                          "expected": len(COLUMNS)}))
        problems.extend(
            Problem(column, "control_characters")
            for column, cell in row.cells.items()
            if has_control_characters(cell, multiline=column in MULTILINE_COLUMNS)
        )
        values, field_problems = parse_shop(row.cells)
        problems.extend(field_problems)
        # Duplicates count even in rows with other problems, so one report names them all.
        slug = row.cells.get("slug", "") or slugify(row.cells.get("name", ""))
        if slug and slug in first_line_of:
            problems.append(Problem("slug", "duplicate_in_file",
                                    {"slug": slug, "line": first_line_of[slug]}))
        elif slug:
            first_line_of[slug] = row.line
        if values is not None:
            other_name = existing.get(values.slug)
            if values.slug_derived and other_name is not None and not same_name(
                other_name, values.name
            ):
                # A slug made from the name is a guess; it must not overwrite another shop.
                problems.append(Problem("slug", "derived_taken",
                                        {"slug": values.slug, "other": other_name}))
        if problems:
            bad.append(BadRow(line=row.line, name=shown(row.cells.get("name", "")),
                              problems=problems))
        elif values is not None:
            good.append(values)
    return good, bad


def same_name(a: str, b: str) -> bool:
    """Whether two shop names mean the same shop (case and spacing aside)."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def import_shops(
    *, data: bytes, rally_id: int, now: datetime, actor_id: int | None = None,
    filename: str = "",
) -> ImportResult:
    """Import the shops of a CSV file into the rally ``rally_id``: all rows or none.

    Raises ``ShopImportError``; ``bad_rows`` carries a :class:`BadRow` per refused row.
    """
    begin_write()
    try:
        rally = db.session.get(Rally, rally_id)
        if rally is None:
            raise ShopImportError("unknown_rally")
        values, bad = check_rows(read_rows(data))
        if bad:
            raise ShopImportError("bad_rows", rows=bad)
        result = _write(rally, values)
        details: dict[str, Any] = {
            "rows": result.rows, "created": result.created, "updated": result.updated,
            "stations_created": result.stations_created, "file": filename[:120],
        }
        db.session.add(AuditEvent(created_at=now, actor_id=actor_id, action="shops.import",
                                  subject=rally.slug, details=details))
        db.session.commit()
    except ShopImportError:
        db.session.rollback()
        raise
    except IntegrityError as error:
        # Another import or edit took a slug between check and write: refuse it all.
        db.session.rollback()
        raise ShopImportError("conflict") from error
    return result


def _write(rally: Rally, values: list[ShopValues]) -> ImportResult:
    """Create or update the shops and add the missing stations (inside the transaction)."""
    by_slug = {
        shop.slug: shop
        for shop in db.session.scalars(select(Shop).where(Shop.slug.in_([v.slug for v in values])))
    }
    in_rally = set(db.session.scalars(select(Station.shop_id).where(Station.rally_id == rally.id)))
    created = updated = stations_created = 0
    for item in values:
        shop = by_slug.get(item.slug)
        if shop is None:
            shop = Shop()
            db.session.add(shop)
            created += 1
        else:
            updated += 1
        item.apply(shop)
        db.session.flush()
        if shop.id not in in_rally:
            new_station(rally, shop)
            in_rally.add(shop.id)
            stations_created += 1
    return ImportResult(rally=rally, created=created, updated=updated,
                        stations_created=stations_created, rows=len(values))
