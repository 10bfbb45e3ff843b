"""Template globals and filters shared by every blueprint."""

from datetime import datetime
from typing import Any

from flask import Flask, current_app
from flask_babel import get_locale
from markupsafe import Markup, escape

from . import formats
from .services.content import contact_spans


def office() -> dict[str, str]:
    """The office's contact details for header, footer and legal pages."""
    office_details: dict[str, str] = current_app.config["OFFICE"]
    return office_details


def office_hours() -> str:
    """When the office is open, in the page's language (``OFFICE["hours_<lang>"]``),
    else as configured in German."""
    details = office()
    return details.get(f"hours_{formats.current_language()}") or details["hours"]


def when(moment: datetime | None, style: str = "datetime") -> str:
    """Format a UTC moment in Berlin time in the page's language; the styles are
    app.formats.MOMENT_PATTERNS' (``date``, ``day``, ``time``, ``clock``, ``short``…)."""
    return formats.moment(moment, style)


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
    from .services.draws import shown_title
    from .services.route import distance_label

    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.filters["when"] = when
    # Calendar days ("1.12.", "Montag, 7. Dezember") and spans of time in the page's
    # language.
    app.jinja_env.filters["day"] = formats.day
    app.jinja_env.globals["time_span"] = formats.span
    app.jinja_env.globals["office_hours"] = office_hours
    app.jinja_env.filters["draw_title"] = shown_title
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
