"""Forms of the appointment desk and its settings, and the German words for refusals."""

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from ..forms import BaseForm
from ..hours_form import DAY_NAMES
from ..models import SLOT_MINUTES
from ..services import appointment_desk as desk
from ..services import appointment_settings as settings
from .advent_forms import GermanDateField

NO_SERVICE = 0  # the select's value for "no service page"


def _max(length: int) -> Length:
    """``Length(max=...)`` with a German message."""
    return Length(max=length, message=_l("Höchstens %(max)d Zeichen.", max=length))


class ActionForm(BaseForm):
    """A button on a booking (confirm, "nicht erschienen"): CSRF token and nothing else."""


class DeclineForm(BaseForm):
    """Declining a booking, with an optional message to the person."""

    message = TextAreaField(
        _l("Nachricht an die Person (optional)"),
        validators=[_max(desk.DECLINE_MESSAGE_MAX)],
        description=_l("Steht in der Absage-E-Mail, zum Beispiel ein anderer Vorschlag."),
    )


class NoteForm(BaseForm):
    """The office's own note on a booking."""

    staff_note = TextAreaField(
        _l("Notiz des Büros"),
        validators=[_max(desk.STAFF_NOTE_MAX)],
        description=_l("Nur für das Büro, die Person sieht sie nie."),
    )


class FeedForm(BaseForm):
    """Create, renew or switch off the private calendar feed: CSRF token only."""


def _week_field(day: int, number: int, part: str) -> Any:
    """One field of the office's week, labelled with its day and interval."""
    labels = {
        "opens": _l("%(day)s, Zeit %(number)d: von", day=DAY_NAMES[day], number=number),
        "closes": _l("%(day)s, Zeit %(number)d: bis", day=DAY_NAMES[day], number=number),
        "advisers": _l("%(day)s, Zeit %(number)d: Beratungsplätze", day=DAY_NAMES[day],
                       number=number),
    }
    if part == "advisers":
        return StringField(labels[part], validators=[Length(max=5)],
                           render_kw={"inputmode": "numeric", "size": "3",
                                      "autocomplete": "off"})
    return StringField(labels[part], validators=[Length(max=8)],
                       render_kw={"type": "time", "step": str(SLOT_MINUTES * 60)})


# WTForms collects the unbound fields of a class: one per day, interval and part.
OfficeWeekForm: type[BaseForm] = type("OfficeWeekForm", (BaseForm,), {
    **{settings.week_field(day, number, part): _week_field(day, number, part)
       for day in settings.SETTINGS_DAYS
       for number in range(1, settings.INTERVALS_PER_DAY + 1)
       for part in ("opens", "closes", "advisers")},
    "__doc__": "The office's week: up to three intervals a weekday with their advisers.",
})


def week_rows(form: Any) -> list[tuple[Any, list[tuple[Field, Field, Field]]]]:
    """The week form by day for the template: (day name, [(from, to, advisers), …])."""
    return [
        (DAY_NAMES[day], [tuple(form[settings.week_field(day, number, part)]
                                for part in ("opens", "closes", "advisers"))
                          for number in range(1, settings.INTERVALS_PER_DAY + 1)])
        for day in settings.SETTINGS_DAYS
    ]


def duration_choices() -> list[tuple[int, str]]:
    """15, 30, … 240 minutes."""
    return [(minutes, str(_l("%(minutes)d Minuten", minutes=minutes)))
            for minutes in range(SLOT_MINUTES, settings.TOPIC_MAX_MINUTES + 1, SLOT_MINUTES)]


class DurationField(SelectField):
    """The length of a topic; a value that is no number stays ``None`` for the service."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Keep a number as int, anything else as ``None``."""
        if valuelist:
            text = str(valuelist[0]).strip()
            self.data = int(text) if text.isdigit() else None

    def pre_validate(self, form: Any) -> None:
        """The service checks the grid and range, with its German message."""


class TopicForm(BaseForm):
    """One topic people can book."""

    name = StringField(_l("Name des Themas"), validators=[_max(settings.TOPIC_NAME_MAX)])
    duration_minutes = DurationField(_l("Dauer"), coerce=int)
    position = StringField(
        _l("Reihenfolge"), validators=[Length(max=5)],
        render_kw={"inputmode": "numeric", "size": "3"},
    )
    active = BooleanField(_l("Buchbar"))
    service_id = SelectField(_l("Serviceseite"), coerce=int, default=NO_SERVICE)


class ClosureForm(BaseForm):
    """A closure of the office: first and last day, reason."""

    starts_on = GermanDateField(_l("Geschlossen vom"))
    ends_on = GermanDateField(_l("bis einschließlich"))
    reason = StringField(
        _l("Grund (optional)"), validators=[_max(settings.CLOSURE_REASON_MAX)],
        description=_l("Zum Beispiel: Fortbildung, Betriebsausflug."),
    )


DESK_MESSAGES: dict[tuple[str, str] | str, Any] = {
    "unknown_appointment": _l("Diesen Termin gibt es nicht mehr."),
    "not_open": _l("Dieser Termin ist schon abgesagt oder als „nicht erschienen“ "
                   "vermerkt."),
    "past": _l("Dieser Termin hat schon begonnen; bestätigen geht nicht mehr."),
    "not_started": _l("„Nicht erschienen“ geht erst, wenn der Termin begonnen hat."),
    "note_too_long": _l("Höchstens %(max)d Zeichen."),
    "message_too_long": _l("Höchstens %(max)d Zeichen."),
    "unknown_topic": _l("Dieses Thema gibt es nicht."),
    "unknown_user": _l("Dieses Konto gibt es nicht."),
    "bad_time": _l("„%(value)s“ ist keine Uhrzeit. Bitte im Format 09:30 eingeben."),
    "off_grid": _l("„%(value)s“ liegt nicht im Viertelstundenraster. Bitte eine volle "
                   "Viertelstunde eingeben (:00, :15, :30 oder :45)."),
    "half_interval": _l("Bitte geben Sie beide Zeiten an (von und bis) – oder keine, wenn "
                        "es diese Zeit nicht gibt."),
    "closes_before_opens": _l("Das Ende muss nach dem Beginn liegen."),
    "overlap": _l("Diese Zeit überschneidet sich mit einer anderen Zeit desselben Tages."),
    "bad_advisers": _l("Bitte eine ganze Zahl von 1 bis %(max)d eingeben."),
    ("name", "missing"): _l("Bitte geben Sie einen Namen ein."),
    "too_long": _l("Höchstens %(max)d Zeichen."),
    "bad_duration": _l("Die Dauer muss ein Vielfaches von %(step)d Minuten sein, "
                       "höchstens %(max)d Minuten."),
    "bad_position": _l("Bitte eine ganze Zahl von 0 bis 999 eingeben."),
    "unknown_service": _l("Diese Serviceseite gibt es nicht."),
    ("starts_on", "missing"): _l("Bitte geben Sie den ersten geschlossenen Tag ein."),
    ("ends_on", "missing"): _l("Bitte geben Sie den letzten geschlossenen Tag ein."),
    "ends_before_start": _l("Der letzte Tag darf nicht vor dem ersten liegen."),
    "too_long_closure": _l("Eine Schließung dauert höchstens ein Jahr."),
}


def desk_message(field: str, code: str, context: dict[str, Any]) -> str:
    """The German text for one refusal."""
    template = DESK_MESSAGES.get((field, code)) or DESK_MESSAGES.get(code)
    if template is None:
        return str(_l("Diese Angabe ist ungültig."))
    return str(template) % context if context else str(template)
