"""Forms of the Nachfolgebörse and inquiry pages, and the German words for their
refusals."""

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from ..forms import BaseForm
from ..services.successors import (
    AREA_LABELS,
    DESCRIPTION_MAX,
    EMPLOYEE_LABELS,
    NAME_MAX,
    NOTE_MAX,
    PHONE_MAX,
    SALES_AREA_LABELS,
    SECTOR_LABELS,
    TIMELINE_LABELS,
    TITLE_MAX,
)


def _max(length: int) -> Length:
    """``Length(max=...)`` with a German message."""
    return Length(max=length, message=_l("Höchstens %(max)d Zeichen.", max=length))


def _choices(labels: dict[str, Any]) -> list[SelectChoice]:
    return [SelectChoice("", _l("Bitte wählen"))] + [
        SelectChoice(key, label) for key, label in labels.items()]


class ProfileForm(BaseForm):
    """A successor profile: the public part, then the office's internal part."""

    title = StringField(_l("Überschrift (ohne Namen des Betriebs)"), validators=[_max(TITLE_MAX)],
                        description=_l("Zum Beispiel „Traditionsbäckerei mit Café“. Nichts, "
                                       "woran man den Betrieb erkennt."))
    sector = SelectField(_l("Branche"), choices=_choices(SECTOR_LABELS),
                         validate_choice=False)
    employees = SelectField(_l("Beschäftigte"), choices=_choices(EMPLOYEE_LABELS),
                         validate_choice=False)
    sales_area = SelectField(_l("Verkaufsfläche"), choices=_choices(SALES_AREA_LABELS),
                         validate_choice=False)
    area = SelectField(_l("Lage"), choices=_choices(AREA_LABELS),
                         validate_choice=False)
    timeline = SelectField(_l("Übergabe"), choices=_choices(TIMELINE_LABELS),
                         validate_choice=False)
    description = TextAreaField(_l("Kurzbeschreibung (Markdown)"),
                                validators=[_max(DESCRIPTION_MAX)])
    internal_note = TextAreaField(_l("Interne Notiz (nie öffentlich)"),
                                  validators=[_max(NOTE_MAX)])
    owner_name = StringField(_l("Inhaber/in: Name (nie öffentlich)"),
                             validators=[_max(NAME_MAX)])
    owner_email = EmailField(_l("Inhaber/in: E-Mail (nie öffentlich)"),
                             validators=[_max(254)])
    owner_phone = TelField(_l("Inhaber/in: Telefon (nie öffentlich)"),
                           validators=[_max(PHONE_MAX)])


class ActionForm(BaseForm):
    """A button (publish, retire): CSRF token only."""


class InquiryNoteForm(BaseForm):
    """The office's note on an inquiry; the button says whether it is handled."""

    staff_note = TextAreaField(_l("Notiz des Büros"), validators=[_max(3000)])


MESSAGES: dict[Any, Any] = {
    ("title", "bad_title"): _l("Bitte geben Sie eine Überschrift ein (höchstens "
                               "%(max)d Zeichen)."),
    "unknown_choice": _l("Bitte wählen Sie einen Eintrag aus der Liste."),
    "too_long": _l("Höchstens %(max)d Zeichen."),
    "bad_email": _l("Das ist keine gültige E-Mail-Adresse."),
    "bad_phone": _l("Bitte geben Sie eine Telefonnummer nur mit Ziffern, Leerzeichen und "
                    "+ ( ) / - ein."),
    "control_characters": _l("Bitte entfernen Sie Steuerzeichen (unsichtbare Zeichen, oft "
                             "aus kopiertem Text)."),
    "unknown_profile": _l("Dieses Profil gibt es nicht (mehr)."),
    "unchanged": _l("Das Profil hat diesen Stand schon."),
    "code_taken": _l("Gleichzeitig wurde ein anderes Profil angelegt. Bitte speichern Sie "
                     "noch einmal."),
    "note_too_long": _l("Die Notiz darf höchstens 3000 Zeichen lang sein."),
    "unknown_inquiry": _l("Diese Anfrage gibt es nicht (mehr)."),
}


def successor_message(field: str, code: str, context: dict[str, Any]) -> str:
    """The German text for one refusal of a profile edit or an inquiry action."""
    template = MESSAGES.get((field, code)) or MESSAGES.get(code)
    if template is None:
        return str(_l("Diese Angabe ist ungültig."))
    return str(template) % context if context else str(template)
