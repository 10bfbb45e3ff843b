"""Back-office forms, and the German words for the services' refusal codes.

The forms check what a browser sends (presence, type, length); the services check what
the domain needs (dates in order, free slugs, prizes a draw uses) and answer with codes
that :func:`problem_message` turns into text.
"""

from typing import Any

from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional

from ..forms import BaseForm
from ..hours_form import HOURS_MESSAGES, WeekHoursFields, week_raw
from ..services.cards import NOTE_MAX, STAFF_FLAGS
from ..services.errors import Problem

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
MIN_YEAR, MAX_YEAR = 2000, 2100


class GermanIntegerField(IntegerField):
    """An integer field whose parse error speaks the office's German."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse like ``IntegerField`` but explain a wrong entry in plain words."""
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_l("Bitte geben Sie eine ganze Zahl ein, z. B. 10.")) from error


class LocalDateTimeField(DateTimeLocalField):
    """Date and time in local time (one ``datetime-local`` input), with a German error.

    Years outside 2000–2100 are refused too: they are typing slips, and year 1 or 9999
    cannot even be converted to UTC.
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse ``2026-12-01T09:00``; anything else gets a German message."""
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(
                _l("Bitte geben Sie Datum und Uhrzeit ein, z. B. 01.12.2026, 09:00.")
            ) from error
        moment = getattr(self, "data", None)  # set by the parent class
        if moment is not None and not MIN_YEAR <= moment.year <= MAX_YEAR:
            self.data = None
            raise ValueError(_l("Bitte ein Datum zwischen %(min)d und %(max)d.",
                                min=MIN_YEAR, max=MAX_YEAR))


def _required(message: Any) -> InputRequired:
    """``InputRequired`` with a German message."""
    return InputRequired(message=message)


def _max(length: int) -> Length:
    """``Length(max=...)`` with a German message."""
    return Length(max=length, message=_l("Höchstens %(max)d Zeichen.", max=length))


RALLY_STATUS_CHOICES = [
    SelectChoice("draft", _l("Entwurf – nur im Büro sichtbar")),
    SelectChoice("published", _l("Veröffentlicht – Stempeln möglich in der Laufzeit")),
    SelectChoice("archived", _l("Archiviert – abgeschlossen, nicht mehr öffentlich")),
]


class RallyForm(BaseForm):
    """A rally with its dates, rules and prizes. Times are entered in local time."""

    name = StringField(
        _l("Name"), validators=[_required(_l("Bitte geben Sie einen Namen ein.")), _max(120)]
    )
    slug = StringField(
        _l("Kürzel für Adressen"),
        validators=[Optional(), _max(80)],
        description=_l("Nur a–z, 0–9 und Bindestriche, z. B. advent-2026. Leer lassen: "
                       "wird aus dem Namen gebildet."),
    )
    starts_at = LocalDateTimeField(
        _l("Beginn"),
        format=LOCAL_FORMAT,
        validators=[_required(_l("Bitte geben Sie Datum und Uhrzeit des Beginns ein."))],
    )
    ends_at = LocalDateTimeField(
        _l("Ende"),
        format=LOCAL_FORMAT,
        validators=[_required(_l("Bitte geben Sie Datum und Uhrzeit des Endes ein."))],
    )
    entry_closes_at = LocalDateTimeField(
        _l("Teilnahmeschluss für die Verlosung"),
        format=LOCAL_FORMAT,
        validators=[_required(_l("Bitte geben Sie den Teilnahmeschluss ein."))],
        description=_l("Spätestens das Ende der Rallye."),
    )
    stamp_goal = GermanIntegerField(
        _l("Stempel für die Teilnahme"),
        validators=[
            _required(_l("Bitte geben Sie an, wie viele Stempel nötig sind.")),
            NumberRange(min=1, max=1000,
                        message=_l("Bitte eine Zahl von 1 bis 1000.")),
        ],
    )
    stamps_per_lot = GermanIntegerField(
        _l("Stempel je Los"),
        validators=[
            Optional(),
            NumberRange(min=1, max=1000, message=_l("Bitte eine Zahl von 1 bis 1000.")),
        ],
        description=_l("Leer lassen: ein Los pro Teilnahme. Sonst: ein Los je so viele "
                       "Stempel."),
    )
    repeat_winners = BooleanField(_l("Wer gewonnen hat, kann in späteren Ziehungen erneut "
                                     "gewinnen"))
    status = RadioField(
        _l("Status"),
        choices=RALLY_STATUS_CHOICES,
        default="draft",
        validators=[_required(_l("Bitte wählen Sie einen Status."))],
    )
    draw_at = LocalDateTimeField(
        _l("Ziehung der Gewinner"),
        format=LOCAL_FORMAT,
        validators=[Optional()],
        description=_l("Frühestens zum Teilnahmeschluss. Leer lassen: drei Tage nach dem "
                       "Teilnahmeschluss um 12 Uhr."),
    )
    winners_notice = TextAreaField(
        _l("So erfahren Gewinnerinnen und Gewinner davon"),
        validators=[_max(1000)],
        description=_l("Steht in den Teilnahmebedingungen. Leer lassen: Nachricht innerhalb "
                       "einer Woche an die E-Mail-Adresse oder Telefonnummer der Teilnahme."),
    )
    claim_until = LocalDateTimeField(
        _l("Gewinne abholen bis"),
        format=LOCAL_FORMAT,
        validators=[Optional()],
        description=_l("Danach verfällt ein Gewinn, der nicht abgeholt wurde. Leer lassen: "
                       "vier Wochen nach der Ziehung."),
    )
    rules_text = TextAreaField(
        _l("Teilnahmebedingungen"),
        validators=[_max(20000)],
        description=_l("In Markdown: „## 1. Veranstalter“ für eine Überschrift, eine "
                       "Leerzeile zwischen Absätzen, „- “ für Aufzählungen, "
                       "„[Ziehungen](/ziehungen)“ für einen Link. Veranstalter, Zeitraum, "
                       "Preise, Termine und Speicherdauer zeigt die Seite selbst darüber."),
    )
    prizes = TextAreaField(
        _l("Preise"),
        validators=[_max(10000)],
        description=_l("Ein Preis pro Zeile, der wertvollste zuerst. Nach einem „|“ optional "
                       "das Geschäft, das ihn stiftet (Name oder Kürzel), nach einem "
                       "zweiten „|“ eine kurze Beschreibung, z. B. „Frühstück für zwei | "
                       "Café Kornblume | im Wert von 30 €“. Preise, die schon in einer "
                       "Ziehung stehen, bleiben an ihrem Platz."),
    )


class ShopForm(BaseForm, WeekHoursFields):
    """A shop, its hours as a week form. The content is checked by
    ``services.shops.parse_shop``, as in the import."""

    name = StringField(_l("Name"), validators=[_max(200)])
    slug = StringField(
        _l("Kürzel"),
        validators=[_max(200)],
        description=_l("Für Dateinamen und Adressen: a–z, 0–9 und Bindestriche. Leer "
                       "lassen: wird aus dem Namen gebildet."),
    )
    category = StringField(_l("Kategorie"), validators=[_max(200)],
                           description=_l("Zum Beispiel: Café, Mode, Handwerk, Soziales."))
    street = StringField(_l("Straße und Hausnummer"), validators=[_max(200)])
    postcode = StringField(_l("Postleitzahl"), validators=[_max(20)])
    city = StringField(_l("Ort"), validators=[_max(200)])
    lat = StringField(_l("Geografische Breite (optional)"), validators=[_max(40)],
                      description=_l("Zum Beispiel 51,5955"))
    lon = StringField(_l("Geografische Länge (optional)"), validators=[_max(40)],
                      description=_l("Zum Beispiel 7,1415"))
    website = StringField(_l("Webseite (optional)"), validators=[_max(400)])
    description = TextAreaField(_l("Beschreibung"), validators=[_max(8000)])

    def raw_values(self) -> dict[str, str | None]:
        """The typed values by field name (the hours as the week), for the service."""
        return {**{name: self[name].data for name in (
            "name", "slug", "category", "street", "postcode", "city", "lat", "lon",
            "website", "description")}, **week_raw(self)}


class AddStationForm(BaseForm):
    """Let one of the office's shops take part in the rally."""

    shop_id = SelectField(
        _l("Geschäft"),
        coerce=int,
        validators=[_required(_l("Bitte wählen Sie ein Geschäft."))],
    )


class ImportForm(BaseForm):
    """A CSV file of shops."""

    file = FileField(
        _l("CSV-Datei"),
        validators=[
            FileRequired(message=_l("Bitte wählen Sie eine Datei aus.")),
            FileAllowed(["csv", "txt"], message=_l("Bitte wählen Sie eine CSV-Datei (.csv).")),
        ],
    )


class FlagForm(BaseForm):
    """Flag, clear or exclude a card with a note; the pressed button carries the new
    flag. The service insists on a note for an exclusion."""

    flag = StringField(validators=[AnyOf(STAFF_FLAGS, message=_l("Unbekannte Aktion."))])
    note = TextAreaField(
        _l("Notiz"),
        validators=[Length(max=NOTE_MAX, message=_l("Höchstens %(max)d Zeichen, bitte."))],
    )


class ButtonForm(BaseForm):
    """A form that is only a button: CSRF token and nothing else."""


# --- Refusal codes of the services in German -----------------------------------------

# The CSV import's columns (the file's English header names) in the office's words.
COLUMN_LABELS: dict[str, Any] = {
    "name": _l("Name"),
    "slug": _l("Kürzel"),
    "category": _l("Kategorie"),
    "street": _l("Straße und Hausnummer"),
    "postcode": _l("Postleitzahl"),
    "city": _l("Ort"),
    "lat": _l("Geografische Breite"),
    "lon": _l("Geografische Länge"),
    "opening_hours": _l("Öffnungszeiten"),
    "description": _l("Beschreibung"),
    "website": _l("Webseite"),
}

PROBLEM_MESSAGES: dict[tuple[str, str] | str, Any] = {
    **HOURS_MESSAGES,
    ("name", "missing"): _l("Bitte geben Sie einen Namen ein."),
    ("category", "missing"): _l("Bitte geben Sie eine Kategorie ein, z. B. „Café“."),
    ("street", "missing"): _l("Bitte geben Sie Straße und Hausnummer ein."),
    ("postcode", "missing"): _l("Bitte geben Sie die Postleitzahl ein."),
    ("city", "missing"): _l("Bitte geben Sie den Ort ein."),
    ("slug", "missing"): _l("Bitte geben Sie ein Kürzel ein (a–z, 0–9 und Bindestriche)."),
    "missing": _l("Bitte füllen Sie dieses Feld aus."),
    "too_long": _l("Höchstens %(max)d Zeichen."),
    ("slug", "bad_format"): _l("Das Kürzel darf nur Kleinbuchstaben a–z, Ziffern und "
                               "einzelne Bindestriche enthalten, z. B. „advent-2026“."),
    ("slug", "taken"): _l("Das Kürzel „%(slug)s“ hat schon eine andere Rallye."),
    "slug_taken": _l("Das Kürzel „%(slug)s“ hat schon ein anderes Geschäft. Bitte wählen Sie "
                     "ein anderes Kürzel."),
    ("postcode", "bad_format"): _l("Die Postleitzahl besteht aus fünf Ziffern, z. B. 45699."),
    ("lat", "bad_coordinate"): _l("„%(value)s“ ist keine gültige geografische Breite (eine "
                                  "Zahl zwischen -90 und 90, z. B. 51,5955)."),
    ("lon", "bad_coordinate"): _l("„%(value)s“ ist keine gültige geografische Länge (eine "
                                  "Zahl zwischen -180 und 180, z. B. 7,1415)."),
    ("lat", "half_coordinates"): _l("Die geografische Breite fehlt: Bitte geben Sie beide "
                                    "Koordinaten an oder keine."),
    ("lon", "half_coordinates"): _l("Die geografische Länge fehlt: Bitte geben Sie beide "
                                    "Koordinaten an oder keine."),
    "bad_url": _l("Bitte geben Sie eine Webadresse wie https://www.beispiel.de ein."),
    ("ends_at", "not_after_start"): _l("Das Ende muss nach dem Beginn liegen."),
    ("entry_closes_at", "not_after_start"): _l("Der Teilnahmeschluss muss nach dem Beginn "
                                               "liegen."),
    "after_end": _l("Der Teilnahmeschluss darf nicht nach dem Ende der Rallye liegen."),
    ("stamp_goal", "too_small"): _l("Es muss mindestens ein Stempel nötig sein."),
    ("stamps_per_lot", "too_small"): _l("Mindestens 1 – oder leer lassen für ein Los pro "
                                        "Teilnahme."),
    ("status", "unknown"): _l("Bitte wählen Sie einen Status."),
    ("prizes", "too_long"): _l("Der Preis in Zeile %(line)d ist zu lang (höchstens %(max)d "
                               "Zeichen)."),
    "too_many_parts": _l("Zeile %(line)d hat zu viele „|“: Preis, Geschäft und "
                         "Beschreibung werden durch je ein „|“ getrennt."),
    "missing_name": _l("In Zeile %(line)d fehlt vor dem „|“ der Name des Preises."),
    "description_too_long": _l("Die Beschreibung in Zeile %(line)d ist zu lang (höchstens "
                               "%(max)d Zeichen)."),
    "unknown_donor": _l("Zeile %(line)d: Ein Geschäft „%(donor)s“ gibt es nicht. Bitte "
                        "schreiben Sie den Namen wie in der Liste der Geschäfte, oder sein "
                        "Kürzel."),
    "ambiguous_donor": _l("Zeile %(line)d: Mehrere Geschäfte heißen „%(donor)s“. Bitte "
                          "geben Sie das Kürzel des Geschäfts an."),
    "before_entry_close": _l("Die Ziehung darf nicht vor dem Teilnahmeschluss liegen."),
    "not_after_draw": _l("Die Frist zum Abholen der Gewinne muss nach der Ziehung enden."),
    "after_deletion": _l("Die Frist zum Abholen muss vor dem Löschen der Teilnahmedaten "
                         "enden, also spätestens %(months)d Monate nach dem Ende der "
                         "Rallye."),
    "prize_removed": _l("„%(name)s“ wird schon in einer Ziehung vergeben. Er muss als Preis "
                        "%(position)d in Zeile %(position)d stehen bleiben."),
    "prize_moved": _l("„%(name)s“ wird schon in einer Ziehung vergeben und darf nicht "
                      "verschoben werden: Er muss in Zeile %(position)d bleiben."),
    "duplicate_in_file": _l("Das Kürzel „%(slug)s“ steht schon in Zeile %(line)d."),
    "derived_taken": _l("Aus dem Namen ergibt sich das Kürzel „%(slug)s“, das schon "
                        "„%(other)s“ gehört. Tragen Sie ein eigenes Kürzel ein – oder "
                        "„%(slug)s“, um „%(other)s“ zu aktualisieren."),
    "control_characters": _l("Bitte entfernen Sie Steuerzeichen aus diesem Feld (unsichtbare "
                             "Zeichen, oft aus kopiertem Text)."),
    "cell_count": _l("Die Zeile hat %(found)d statt %(expected)d Spalten. Enthält ein Feld "
                     "ein Trennzeichen, muss es in Anführungszeichen stehen."),
}

IMPORT_MESSAGES: dict[str, Any] = {
    "not_utf8": _l("Die Datei ist nicht UTF-8-kodiert. Speichern Sie sie in Excel über "
                   "„Speichern unter“ als „CSV UTF-8 (durch Trennzeichen getrennt)“."),
    "empty": _l("Die Datei ist leer."),
    "missing_columns": _l("In der Kopfzeile fehlen Spalten: %(columns)s."),
    "unknown_columns": _l("Unbekannte Spalten in der Kopfzeile: %(columns)s."),
    "duplicate_columns": _l("Spalten doppelt in der Kopfzeile: %(columns)s."),
    "no_rows": _l("Die Datei enthält keine Geschäfte, nur die Kopfzeile."),
    "too_many_rows": _l("Eine Datei darf höchstens %(max)d Geschäfte enthalten."),
    "field_too_large": _l("Zeile %(line)d lässt sich nicht lesen: Ein Feld ist länger als "
                          "%(max)s Zeichen. Meist fehlt dort ein schließendes "
                          "Anführungszeichen (\"), sodass der Rest der Datei als ein Feld "
                          "gelesen wird."),
    "conflict": _l("Während des Imports wurden Geschäfte geändert. Bitte laden Sie die Datei "
                   "noch einmal hoch."),
    "unknown_rally": _l("Diese Rallye gibt es nicht mehr."),
}


def problem_message(problem: Problem) -> str:
    """The German text for one refusal of a service."""
    template = PROBLEM_MESSAGES.get((problem.field, problem.code)) or PROBLEM_MESSAGES.get(
        problem.code
    )
    if template is None:
        return str(_l("Diese Angabe ist ungültig."))
    return str(template) % problem.context if problem.context else str(template)


def column_label(column: str) -> str:
    """The German name of a CSV column (``postcode`` → ``Postleitzahl``)."""
    label = COLUMN_LABELS.get(column)
    return column if label is None else str(label)


def column_in_header(column: str) -> str:
    """A column of the header as named in the file, with its German meaning if known."""
    label = COLUMN_LABELS.get(column)
    if label is None:
        return f"„{column}“"
    return _("„%(column)s“ (%(label)s)", column=column, label=label)


def import_message(code: str, context: dict[str, object]) -> str:
    """The German text for a file-level refusal of the CSV import."""
    values = dict(context)
    if "columns" in values and isinstance(values["columns"], list):
        values["columns"] = ", ".join(column_in_header(str(column))
                                      for column in values["columns"])
    if code == "field_too_large":
        values["max"] = format_number(values["max"])  # 131.072
    template = IMPORT_MESSAGES.get(code, _l("Die Datei konnte nicht gelesen werden."))
    return str(template) % values if values else str(template)
