"""The week of opening hours as form fields, shared by the shop portal and the back
office: Monday to Sunday, up to two intervals a day, each an ``<input type="time">``
pair; a day without times is closed. The times are checked by
``services.opening_hours.parse_week``; this module only declares the fields, fills them
from a shop and names the refusals in German ("Sie")."""

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, StringField
from wtforms.validators import Length

from .models import Shop
from .services.opening_hours import (
    DAY_KEYS,
    INTERVALS_PER_DAY,
    WEEK_FIELDS,
    Interval,
    note_of,
    week_field,
    week_values,
)
from .services.shops import HOURS_NOTE

DAY_NAMES = (_l("Montag"), _l("Dienstag"), _l("Mittwoch"), _l("Donnerstag"), _l("Freitag"),
             _l("Samstag"), _l("Sonntag"))


def _time_field(day: int, number: int, end: str) -> Any:
    """One time of the week: labelled with its day, for the error summary."""
    if number == 1:
        label = _l("%(day)s: öffnet", day=DAY_NAMES[day]) if end == "opens" else \
            _l("%(day)s: schließt", day=DAY_NAMES[day])
    else:
        label = _l("%(day)s, zweite Zeit: öffnet", day=DAY_NAMES[day]) if end == "opens" \
            else _l("%(day)s, zweite Zeit: schließt", day=DAY_NAMES[day])
    return StringField(label, validators=[Length(max=20)],
                       render_kw={"type": "time", "step": "60"})


# A mixin: WTForms collects the unbound fields of every class in a form's bases.
WeekHoursFields: type = type("WeekHoursFields", (), {
    **{week_field(day, number, end): _time_field(day, number, end)
       for day in range(7) for number in range(1, INTERVALS_PER_DAY + 1)
       for end in ("opens", "closes")},
    HOURS_NOTE: StringField(
        _l("Hinweis zu den Öffnungszeiten (optional)"),
        validators=[Length(max=400)],
        description=_l("Was die Zeiten nicht sagen, zum Beispiel: nach Vereinbarung"),
    ),
    "__doc__": "The week form's fields (see the module).",
})


def week_rows(form: Any) -> list[tuple[Any, list[tuple[Field, Field]]]]:
    """The week form by day for the template: (day name, [(opens, closes), …])."""
    return [
        (DAY_NAMES[day], [(form[week_field(day, number, "opens")],
                           form[week_field(day, number, "closes")])
                          for number in range(1, INTERVALS_PER_DAY + 1)])
        for day in range(len(DAY_KEYS))
    ]


def fill_week(form: Any, shop: Shop) -> None:
    """Put the shop's intervals and note into the week form (for a GET)."""
    intervals = [Interval(item.weekday, item.opens, item.closes) for item in shop.hours]
    for name, value in week_values(intervals).items():
        form[name].data = value
    form[HOURS_NOTE].data = note_of(shop.opening_hours, intervals)


def week_raw(form: Any) -> dict[str, str | None]:
    """The week's typed values by field name, for the services."""
    return {name: form[name].data for name in (*WEEK_FIELDS, HOURS_NOTE)}


HOURS_MESSAGES: dict[tuple[str, str] | str, Any] = {
    "bad_time": _l("„%(value)s“ ist keine Uhrzeit. Bitte im Format 09:30 eingeben."),
    "half_interval": _l("Bitte geben Sie beide Zeiten an (öffnet und schließt) – oder "
                        "keine, wenn an diesem Tag geschlossen ist."),
    "closes_before_opens": _l("Die Zeit, zu der geschlossen wird, muss nach der "
                              "Öffnungszeit liegen."),
    "overlap": _l("Die zweite Zeit überschneidet sich mit der ersten. Bitte geben Sie "
                  "für eine Mittagspause zum Beispiel 9:00–13:00 und 14:00–18:00 ein."),
    "hours_too_long": _l("Öffnungszeiten und Hinweis sind zusammen zu lang (höchstens "
                         "%(max)d Zeichen). Bitte kürzen Sie den Hinweis."),
    "bad_hours": _l("„%(value)s“ lässt sich nicht als Öffnungszeiten lesen. Bitte so "
                    "schreiben: Mo–Fr 9–18, Sa 10–14 Uhr (Mittagspause: Mo–Fr 9–13 und "
                    "14–18 Uhr)."),
}
