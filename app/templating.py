"""Template globals and filters shared by every blueprint."""

from datetime import datetime
from typing import Any

from flask import Flask, current_app
from flask_babel import format_date, format_datetime, format_time


def office() -> dict[str, str]:
    """The office's contact details for header, footer and legal pages."""
    office_details: dict[str, str] = current_app.config["OFFICE"]
    return office_details


def when(moment: datetime | None, style: str = "datetime") -> str:
    """Format a UTC moment in German local time.

    Styles: ``datetime`` (default), ``date``, ``time``, ``day`` (``1. Dezember``),
    ``day_time`` (``5. Januar, 18:00 Uhr``),
    ``short`` (``Di. 1.12., 09:15 Uhr``, for table cells) and ``numeric`` (``1.12.2026``).
    """
    if moment is None:
        return ""
    if style == "short":
        return format_datetime(moment, "EEE d.M., HH:mm 'Uhr'")
    if style == "numeric":
        return format_date(moment, "d.M.yyyy")
    if style == "date":
        return format_date(moment, "EEEE, d. MMMM yyyy")
    if style == "day_time":
        return format_datetime(moment, "d. MMMM, HH:mm 'Uhr'")
    if style == "day":
        return format_date(moment, "d. MMMM")
    if style == "time":
        return format_time(moment, "HH:mm")
    return format_datetime(moment, "EEEE, d. MMMM yyyy, HH:mm 'Uhr'")


def init_app(app: Flask) -> None:
    """Register globals and filters; keep Jinja strict about undefined names."""
    from jinja2 import StrictUndefined

    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.filters["when"] = when
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {"office": office()}
