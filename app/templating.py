"""Template globals and filters shared by every blueprint."""

from datetime import datetime
from typing import Any

from flask import Flask, current_app
from flask_babel import format_date, format_datetime, format_time, get_locale
from markupsafe import Markup, escape

from .services.content import contact_spans


def office() -> dict[str, str]:
    """The office's contact details for header, footer and legal pages."""
    office_details: dict[str, str] = current_app.config["OFFICE"]
    return office_details


def when(moment: datetime | None, style: str = "datetime") -> str:
    """Format a UTC moment in German local time.

    Styles: ``datetime`` (default), ``date``, ``time``, ``day`` (``1. Dezember``),
    ``day_time`` (``5. Januar, 18:00 Uhr``),
    ``short`` (``Di. 1.12., 09:15 Uhr``, for table cells), ``seconds`` (``1.12.
    09:15:42``, for stamp timelines) and ``numeric`` (``1.12.2026``).
    """
    if moment is None:
        return ""
    if style == "short":
        return format_datetime(moment, "EEE d.M., HH:mm 'Uhr'")
    if style == "seconds":
        return format_datetime(moment, "d.M. HH:mm:ss")
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


def contact_links(text: str) -> Markup:
    """Plain text with its phone numbers as ``tel:`` and its e-mail addresses as
    ``mailto:`` links (German numbers found by the phonenumbers library), else escaped."""
    spans = contact_spans(text)
    parts: list[str] = []
    position = 0
    for start, end, href in spans:
        parts.append(escape(text[position:start]))
        parts.append(Markup('<a href="{}">{}</a>').format(href, text[start:end]))
        position = end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def init_app(app: Flask) -> None:
    """Register globals and filters; keep Jinja strict about undefined names."""
    from jinja2 import StrictUndefined

    from .hours_form import week_rows
    from .services.route import distance_label

    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.filters["when"] = when
    # The page's language, for keys of cached fragments.
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    app.jinja_env.filters["contact_links"] = contact_links
    # The week of opening hours in the portal's and the back office's shop forms.
    app.jinja_env.globals["week_rows"] = week_rows
    # "350 m", "1,2 km" in the walking route.
    app.jinja_env.globals["distance_label"] = distance_label
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {"office": office()}
