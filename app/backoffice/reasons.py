"""Fraud signals and stamp gaps in the office's German, for the review queue and the card
lookup."""

from typing import Any

from flask_babel import format_number, ngettext
from flask_babel import gettext as _

from ..services.review import Signal


def duration(seconds: int) -> str:
    """``40 Sekunden``, ``3 Minuten``, ``2 Stunden``: a span in the largest whole unit,
    to follow "in" (``weniger als einer Sekunde`` for less than one)."""
    if seconds < 1:
        return _("weniger als einer Sekunde")
    if seconds < 60:
        return ngettext("%(num)d Sekunde", "%(num)d Sekunden", seconds)
    if seconds < 3600:
        minutes = max(1, round(seconds / 60))
        return ngettext("%(num)d Minute", "%(num)d Minuten", minutes)
    hours = round(seconds / 3600)
    return ngettext("%(num)d Stunde", "%(num)d Stunden", hours)


def gap(seconds: int | None) -> str:
    """The time since the card's stamp before, for the timeline (``–`` for the first)."""
    if seconds is None:
        return "–"
    if seconds < 60:
        return _("%(num)d s", num=seconds)
    if seconds < 3600:
        return _("%(min)d min %(sec)02d s", min=seconds // 60, sec=seconds % 60)
    return _("%(hours)d h %(min)02d min", hours=seconds // 3600, min=seconds % 3600 // 60)


def reason(signal: Signal, names: dict[str, str]) -> str:
    """A signal in the office's German, e.g. ``42 km/h zwischen Bäckerei X und Y``."""
    details: dict[str, Any] = signal.details
    if signal.kind == "speed":
        shops = {"first": names.get(details.get("from", ""), details.get("from", "?")),
                 "second": names.get(details.get("to", ""), details.get("to", "?"))}
        if "kmh" in details:
            return _("%(kmh)s km/h zwischen %(first)s und %(second)s (%(meters)s m in "
                     "%(time)s)", kmh=format_number(round(details["kmh"])),
                     meters=format_number(details.get("meters", 0)),
                     time=duration(int(details.get("seconds", 0))), **shops)
        return _("Nur %(time)s zwischen %(first)s und %(second)s (ohne Koordinaten; "
                 "erwartet sind mindestens %(least)s)",
                 time=duration(int(details.get("seconds", 0))),
                 least=duration(int(details.get("min_seconds", 0))), **shops)
    if signal.kind == "burst":
        return _("%(count)d Stempel in %(time)s", count=int(details.get("stamps", 0)),
                 time=duration(int(details.get("seconds", 0))))
    if signal.kind == "shared_code":
        seconds = int(details.get("seconds", 60))
        window = _("einer Minute") if seconds == 60 else duration(seconds)
        return _("Code von %(shop)s in %(window)s von %(count)d neuen Karten genutzt",
                 shop=signal.shop_name or details.get("station", "?"), window=window,
                 count=int(details.get("cards", 0)))
    if signal.kind == "network":
        return _("%(count)d neue Karten aus einem Netz in %(time)s",
                 count=int(details.get("cards", 0)),
                 time=duration(60 * int(details.get("minutes", 0))))
    return signal.kind
