"""Dates and times as people read them, in the language being rendered, always in
Berlin time (Flask-Babel's ``BABEL_DEFAULT_TIMEZONE``).

German keeps the site's house style ("Di. 1.12., 09:15 Uhr"); English and Turkish use
their own order and drop the "Uhr". Every page, mail and calendar text goes through
:func:`moment`, :func:`day` or :func:`span`, so a visitor's language changes them all.
"""

from datetime import date, datetime

__all__ = ["current_language", "day", "format_date", "moment", "span"]

from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _

# style -> pattern per language. Moments (UTC datetimes, shown in Berlin time):
#   datetime  "Dienstag, 1. Dezember 2026, 09:15 Uhr"   date "Dienstag, 1. Dezember 2026"
#   long      "1. Dezember 2026"
#   day       "1. Dezember"                               day_time "1. Dezember, 09:15 Uhr"
#   short     "Di. 1.12., 09:15 Uhr" (table cells)        seconds "1.12. 09:15:42"
#   numeric   "1.12.2026"                                 time "09:15"
#   clock     "09:15 Uhr" (a time standing alone)         weekday "Dienstag, 1. Dezember"
#   hour, hour_clock  "9:15", "9:15 Uhr" (mails and calendar texts)
#   deadline  "01.12.2026, 09:15 Uhr" (a link's expiry)
#   at_seconds "am 1. Dezember 2026 um 09:15:42 Uhr"      full_seconds (with weekday)
MOMENT_PATTERNS: dict[str, dict[str, str]] = {
    "de": {
        "datetime": "EEEE, d. MMMM yyyy, HH:mm 'Uhr'",
        "date": "EEEE, d. MMMM yyyy",
        "long": "d. MMMM yyyy",
        "day": "d. MMMM",
        "day_time": "d. MMMM, HH:mm 'Uhr'",
        "short": "EEE d.M., HH:mm 'Uhr'",
        "seconds": "d.M. HH:mm:ss",
        "numeric": "d.M.yyyy",
        "time": "HH:mm",
        "clock": "HH:mm 'Uhr'",
        "hour": "H:mm",
        "hour_clock": "H:mm 'Uhr'",
        "weekday": "EEEE, d. MMMM",
        "at_seconds": "'am' d. MMMM yyyy 'um' HH:mm:ss 'Uhr'",
        "full_seconds": "EEEE, d. MMMM yyyy, HH:mm:ss 'Uhr'",
        "deadline": "dd.MM.yyyy, HH:mm 'Uhr'",
    },
    "en": {
        "datetime": "EEEE d MMMM yyyy, HH:mm",
        "date": "EEEE d MMMM yyyy",
        "long": "d MMMM yyyy",
        "day": "d MMMM",
        "day_time": "d MMMM, HH:mm",
        "short": "EEE d MMM, HH:mm",
        "seconds": "d MMM HH:mm:ss",
        "numeric": "d MMM yyyy",
        "time": "HH:mm",
        "clock": "HH:mm",
        "hour": "HH:mm",
        "hour_clock": "HH:mm",
        "weekday": "EEEE d MMMM",
        "at_seconds": "'on' d MMMM yyyy 'at' HH:mm:ss",
        "full_seconds": "EEEE d MMMM yyyy, HH:mm:ss",
        "deadline": "d MMM yyyy, HH:mm",
    },
    "tr": {
        "datetime": "d MMMM yyyy EEEE, HH:mm",
        "date": "d MMMM yyyy EEEE",
        "long": "d MMMM yyyy",
        "day": "d MMMM",
        "day_time": "d MMMM, HH:mm",
        "short": "d MMM EEE, HH:mm",
        "seconds": "d MMM HH:mm:ss",
        "numeric": "dd.MM.yyyy",
        "time": "HH:mm",
        "clock": "HH:mm",
        "hour": "HH:mm",
        "hour_clock": "HH:mm",
        "weekday": "d MMMM EEEE",
        "at_seconds": "d MMMM yyyy, 'saat' HH:mm:ss",
        "full_seconds": "d MMMM yyyy EEEE, HH:mm:ss",
        "deadline": "dd.MM.yyyy, HH:mm",
    },
}
# Calendar days (dates without a time): "1.12." / "1 Dec", and the long forms.
DAY_PATTERNS: dict[str, dict[str, str]] = {
    "de": {"short": "d.M.", "day": "d. MMMM", "date": "EEEE, d. MMMM yyyy",
           "weekday": "EEEE, d. MMMM", "numeric": "d.M.yyyy", "long": "d. MMMM yyyy"},
    "en": {"short": "d MMM", "day": "d MMMM", "date": "EEEE d MMMM yyyy",
           "weekday": "EEEE d MMMM", "numeric": "d MMM yyyy", "long": "d MMMM yyyy"},
    "tr": {"short": "d MMM", "day": "d MMMM", "date": "d MMMM yyyy EEEE",
           "weekday": "d MMMM EEEE", "numeric": "dd.MM.yyyy", "long": "d MMMM yyyy"},
}


def current_language() -> str:
    """The language being written now ("de", "en" or "tr"), also in ``force_locale``."""
    locale = get_locale()
    language = locale.language if locale is not None else "de"
    return language if language in MOMENT_PATTERNS else "de"


def moment(value: datetime | None, style: str = "datetime") -> str:
    """A UTC moment in Berlin time in the current language (see ``MOMENT_PATTERNS``)."""
    if value is None:
        return ""
    return format_datetime(value, MOMENT_PATTERNS[current_language()][style])


def day(value: date | None, style: str = "day") -> str:
    """A calendar day in the current language (see ``DAY_PATTERNS``)."""
    if value is None:
        return ""
    return format_date(value, DAY_PATTERNS[current_language()][style])


def span(start: datetime, end: datetime) -> str:
    """A stretch of time as mails and calendar texts write it: "Montag, 7. Dezember
    2026, 9:00–9:30 Uhr", with the end's day too when it differs."""
    first, last = moment(start, "date"), moment(end, "date")
    if first == last:
        return f"{first}, {moment(start, 'hour')}–{moment(end, 'hour_clock')}"
    # "bis" / "to" / "–": the only word of a span, from the catalogue.
    begins = f"{first}, {moment(start, 'hour_clock')}"
    ends = f"{last}, {moment(end, 'hour_clock')}"
    return _("%(start)s bis %(end)s", start=begins, end=ends)
