"""Template globals and filters shared by every blueprint."""

from datetime import datetime
from typing import Any

from flask import Flask, current_app, g
from flask_babel import format_date, format_datetime, get_locale, get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from . import clock, rendercache


def office() -> dict[str, str]:
    """The office's contact details for header, footer and legal pages."""
    office_details: dict[str, str] = current_app.config["OFFICE"]
    return office_details


def when(moment: datetime | None, style: str = "datetime") -> str:
    """Format a UTC moment in German local time.

    Styles: ``datetime`` (default), ``date``, ``time``, ``day`` (``1. Dezember``),
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
    if style in ("day", "time"):
        # The card page shows both for every stamp: formatted directly, Babel's pattern
        # engine took a tenth of that page's time. Month names still come from the locale.
        local = clock.local(moment)  # the town's zone, Babel's default zone too
        if style == "time":
            return f"{local.hour:02d}:{local.minute:02d}"
        locale = get_locale()
        month = locale.months["format"]["wide"][local.month] if locale else str(local.month)
        return f"{local.day}. {month}"
    return format_datetime(moment, "EEEE, d. MMMM yyyy, HH:mm 'Uhr'")


def translations() -> Any:
    """The request's gettext catalogue, looked up once per request.

    Flask-Babel resolves the locale and its catalogue on every ``_()`` in a template;
    a page has a few dozen of them, and on the scan page that was a third of the time.
    """
    try:
        return g.rallye_translations
    except AttributeError:
        g.rallye_translations = get_translations()
        return g.rallye_translations


@pass_context
def template_gettext(context: Context, string: str, **variables: Any) -> str:
    """``_()`` and ``gettext()`` in templates, as Jinja's "newstyle" gettext does it.

    Jinja's own version goes through three context calls per string (the ``_`` alias,
    the newstyle wrapper, the callable); a page has a few dozen strings.
    """
    text = translations().ugettext(string)
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 (our own catalogue, as Jinja's i18n trusts it)
    if not variables and "%" not in text:
        return text  # what formatting would give, without its cost
    return text % variables


@pass_context
def template_ngettext(
    context: Context, singular: str, plural: str, num: int, **variables: Any
) -> str:
    """``ngettext()`` in templates, newstyle: ``%(num)s`` is filled in unless given."""
    variables.setdefault("num", num)
    text = translations().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 (our own catalogue, as Jinja's i18n trusts it)
    return text % variables


def install_gettext(app: Flask) -> None:
    """Give Jinja gettext callables that reuse the request's catalogue."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(
        _=template_gettext, gettext=template_gettext, ngettext=template_ngettext
    )


def init_app(app: Flask) -> None:
    """Register globals and filters; keep Jinja strict about undefined names."""
    from jinja2 import StrictUndefined

    install_gettext(app)
    rendercache.init_app(app)

    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.filters["when"] = when
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {"office": office()}
