"""Forms of the events pages, and the German words for the events' refusals."""

from datetime import date, datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    Field,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, DateInput, ListWidget, TimeInput

from ..forms import BaseForm
from ..services import event_admin
from ..services.events import AUDIENCE_LABELS, KIND_LABELS
from ..services.images import MAX_BYTES
from .advent_forms import PICTURE_TYPES
from .forms import GermanIntegerField

NO_CHOICE = 0  # the selects' value for "no host shop" / "no service page"


def _max(length: int) -> Length:
    """``Length(max=...)`` with a German message."""
    return Length(max=length, message=_l("Höchstens %(max)d Zeichen.", max=length))


class _EmptyIsNone(Field):
    """A date or time input: empty means ``None`` (the service names what is missing),
    anything unreadable gets a German message."""

    parse_message: Any = ""

    def parse(self, text: str) -> Any:
        """The value of a non-empty input (subclasses)."""
        raise NotImplementedError

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Read the input; empty → ``None``."""
        text = " ".join(valuelist).strip() if valuelist else ""
        self.data = None
        if not text:
            return
        try:
            self.data = self.parse(text)
        except ValueError as error:
            raise ValueError(self.parse_message) from error

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.isoformat() if self.data is not None else ""


class DayField(_EmptyIsNone):
    """A date in one ``date`` input (``2026-12-10``), years 2000–2100."""

    parse_message = _l("Bitte geben Sie ein Datum ein, z. B. 10.12.2026.")

    widget = DateInput()

    def parse(self, text: str) -> date:
        day = date.fromisoformat(text)
        if not 2000 <= day.year <= 2100:
            raise ValueError(text)
        return day


class ClockField(_EmptyIsNone):
    """A wall-clock time in one ``time`` input (``18:00``)."""

    parse_message = _l("Bitte geben Sie eine Uhrzeit ein, z. B. 18:00.")

    widget = TimeInput()

    def parse(self, text: str) -> time:
        return datetime.strptime(text[:5], "%H:%M").time()

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%H:%M") if self.data is not None else ""


class CapacityField(GermanIntegerField):
    """The number of places: empty means ``None`` (the service asks for it)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse a whole number; an empty input is no value, not an error."""
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EventForm(BaseForm):
    """One event: texts, times, place or online link, host, capacity, audiences, picture,
    status. The service checks everything; the fields only parse."""

    title = StringField(_l("Titel"), validators=[_max(event_admin.TITLE_MAX)])
    kind = SelectField(_l("Art"), choices=[SelectChoice("", _l("Bitte wählen"))] + [
        SelectChoice(key, label) for key, label in KIND_LABELS.items()], default="",
        validate_choice=False)
    summary = TextAreaField(
        _l("Kurzbeschreibung"), validators=[_max(event_admin.SUMMARY_MAX)],
        description=_l("Ein bis zwei Sätze für die Übersicht und den Kalender."))
    description = TextAreaField(
        _l("Beschreibung"), validators=[_max(event_admin.DESCRIPTION_MAX)],
        description=_l("In Markdown: eine Leerzeile zwischen Absätzen, **fett** für "
                       "Betonung, „- “ für Aufzählungen."))
    start_date = DayField(_l("Datum"))
    start_time = ClockField(_l("Beginn"))
    end_date = DayField(_l("Enddatum (optional)"),
                        description=_l("Nur wenn die Veranstaltung an einem anderen Tag "
                                       "endet."))
    end_time = ClockField(_l("Ende"))
    closes_date = DayField(_l("Anmeldeschluss: Datum (optional)"),
                           description=_l("Ohne Angabe: bis zum Beginn."))
    closes_time = ClockField(_l("Anmeldeschluss: Uhrzeit"))
    place = TextAreaField(
        _l("Ort (Adresse)"), validators=[_max(event_admin.PLACE_MAX)],
        description=_l("Leer lassen, wenn die Veranstaltung nur online stattfindet."))
    online_url = StringField(
        _l("Online-Zugang (Link)"), validators=[_max(event_admin.ONLINE_URL_MAX)],
        description=_l("Beginnt mit https://. Nur bestätigte Teilnehmende bekommen ihn "
                       "per E-Mail; er steht nie auf der Website."))
    host_shop_id = SelectField(_l("Gastgebendes Geschäft (optional)"), coerce=int,
                               default=NO_CHOICE, validate_choice=False)
    service_id = SelectField(_l("Serviceseite (optional)"), coerce=int, default=NO_CHOICE,
                             validate_choice=False,
                             description=_l("Die Serviceseite zeigt die Veranstaltung "
                                            "unter ihren nächsten Terminen."))
    capacity = CapacityField(
        _l("Plätze"), description=_l("1 bis 1000. Nicht weniger als schon vergeben."))
    audiences = CheckboxesField(_l("Zielgruppen (optional)"), choices=[
        SelectChoice(key, label) for key, label in AUDIENCE_LABELS.items()],
        validate_choice=False)
    picture = FileField(
        _l("Bilddatei"),
        validators=[FileAllowed(PICTURE_TYPES, message=_l(
            "Bitte wählen Sie ein Foto im Format JPEG, PNG oder WebP."))],
        description=_l("JPEG, PNG oder WebP, höchstens %(mb)d MB. Das Bild wird verkleinert; "
                       "Standort und andere Angaben aus der Kamera werden entfernt.",
                       mb=MAX_BYTES // (1024 * 1024)))
    image_alt = StringField(
        _l("Bildbeschreibung (Alternativtext)"), validators=[_max(event_admin.ALT_MAX)],
        description=_l("Pflicht bei einem Bild: Was ist darauf zu sehen?"))
    remove_picture = BooleanField(_l("Bild entfernen"))
    status = RadioField(_l("Status"), choices=[
        SelectChoice("draft", _l("Entwurf (nur im Büro sichtbar)")),
        SelectChoice("published", _l("Veröffentlicht (auf der Website, Anmeldung offen)"))],
        default="draft", validate_choice=False)


class ActionForm(BaseForm):
    """A button (copy, take off, check in): CSRF token only."""


class CancelForm(BaseForm):
    """Calling an event off, with the reason everyone registered is told."""

    reason = TextAreaField(
        _l("Grund (steht in der E-Mail an alle Angemeldeten)"),
        validators=[_max(event_admin.REASON_MAX)],
        description=_l("Zum Beispiel: Die Referentin ist erkrankt. Ein neuer Termin folgt."))


MESSAGES: dict[tuple[str, str] | str, Any] = {
    ("title", "missing"): _l("Bitte geben Sie einen Titel ein."),
    ("kind", "missing"): _l("Bitte wählen Sie die Art der Veranstaltung."),
    ("start_date", "missing"): _l("Bitte geben Sie das Datum der Veranstaltung ein."),
    ("start_time", "missing"): _l("Bitte geben Sie die Uhrzeit des Beginns ein."),
    ("end_date", "missing"): _l("Bitte geben Sie das Enddatum ein."),
    ("end_time", "missing"): _l("Bitte geben Sie die Uhrzeit des Endes ein."),
    ("closes_date", "missing"): _l("Bitte geben Sie das Datum des Anmeldeschlusses ein."),
    ("closes_time", "missing"): _l("Bitte geben Sie die Uhrzeit des Anmeldeschlusses ein."),
    ("capacity", "missing"): _l("Bitte geben Sie die Zahl der Plätze ein."),
    "no_such_time": _l("Den %(time)s Uhr gibt es am %(date)s nicht: In dieser Nacht werden "
                       "die Uhren von 2 auf 3 Uhr vorgestellt. Bitte wählen Sie eine andere "
                       "Uhrzeit."),
    "end_before_start": _l("Das Ende muss nach dem Beginn liegen."),
    "closes_after_start": _l("Der Anmeldeschluss darf nicht nach dem Beginn liegen."),
    "no_place": _l("Bitte geben Sie einen Ort oder einen Online-Zugang an."),
    "not_https": _l("Bitte geben Sie einen vollständigen Link ein, der mit https:// "
                    "beginnt."),
    "capacity_range": _l("Bitte geben Sie %(min)d bis %(max)d Plätze an."),
    "below_taken": _l("Es sind schon %(taken)d Plätze vergeben; weniger geht nicht. Nehmen "
                      "Sie sonst erst Anmeldungen heraus."),
    "unknown_choice": _l("Bitte wählen Sie einen Eintrag aus der Liste."),
    "missing_alt": _l("Bitte beschreiben Sie das Bild in wenigen Worten (Alternativtext)."),
    "has_registrations": _l("Es gibt schon Anmeldungen. Eine veröffentlichte Veranstaltung "
                            "mit Anmeldungen kann nur abgesagt werden, nicht zum Entwurf "
                            "werden."),
    "too_long": _l("Höchstens %(max)d Zeichen."),
    "control_characters": BaseForm.control_character_message,
    "empty": _l("Die Bilddatei ist leer."),
    "too_large": _l("Das Bild ist zu groß: höchstens 8 MB."),
    "too_many_pixels": _l("Das Bild hat zu viele Bildpunkte. Bitte verkleinern Sie es vorher "
                          "(höchstens 40 Megapixel)."),
    "not_an_image": _l("Diese Datei ist kein Bild im Format JPEG, PNG oder WebP."),
    "unreadable": _l("Das Bild ist beschädigt oder unvollständig und lässt sich nicht lesen. "
                     "Bitte laden Sie es noch einmal hoch."),
    # Refusals of an action, not a field.
    "cancelled": _l("Diese Veranstaltung ist abgesagt und lässt sich nicht mehr ändern."),
    "already_cancelled": _l("Diese Veranstaltung ist schon abgesagt."),
    "draft": _l("Ein Entwurf ist nicht öffentlich; es gibt niemanden zu benachrichtigen. "
                "Ändern Sie ihn oder lassen Sie ihn einfach unveröffentlicht."),
    "begun": _l("Diese Veranstaltung hat schon begonnen; absagen geht nicht mehr."),
    "reason_too_long": _l("Der Grund darf höchstens %(max)d Zeichen lang sein."),
    "not_active": _l("Diese Anmeldung ist nicht mehr aktiv."),
    "not_confirmed": _l("Nur bestätigte Teilnehmende lassen sich einchecken."),
}


def event_message(field: str, code: str, context: dict[str, Any]) -> str:
    """The German text for one refusal of an event edit or action."""
    template = MESSAGES.get((field, code)) or MESSAGES.get(code)
    if template is None:
        return str(_l("Diese Angabe ist ungültig."))
    return str(template) % context if context else str(template)
