"""The form of staff's translations (English and Turkish) of one text, and the German
words for its refusals."""

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField

from ..forms import BaseForm

# The fields' labels, for every kind of text.
FIELD_LABELS: dict[str, Any] = {
    "title": _l("Überschrift"),
    "summary": _l("Kurzfassung"),
    "body": _l("Text"),
    "offer": _l("Angebot des Tages"),
    "image_alt": _l("Alternativtext des Bildes"),
}
LANGUAGE_NAMES: dict[str, Any] = {"en": _l("Englisch"), "tr": _l("Türkisch")}
# Which text each kind is, for the page's eyebrow.
KIND_LABELS: dict[str, Any] = {
    "block": _l("Text des Büros"),
    "event": _l("Veranstaltung"),
    "door": _l("Türchen des Adventskalenders"),
    "listing": _l("Leerstandsanzeige"),
    "service": _l("Angebotsseite"),
}
MESSAGES: dict[str, Any] = {
    "too_long": _l("Bitte kürzen Sie den Text auf höchstens %(max)d Zeichen."),
    "control_characters": _l("Bitte entfernen Sie Steuerzeichen aus diesem Feld "
                             "(unsichtbare Zeichen, oft aus kopiertem Text)."),
    "unknown_field": _l("Dieses Feld lässt sich bei diesem Text nicht übersetzen."),
    "conflict": _l("Jemand hat die Übersetzung gerade gleichzeitig gespeichert. Bitte "
                   "prüfen Sie sie und speichern Sie erneut."),
}


def translation_message(code: str, context: dict[str, Any]) -> str:
    """The German text for one refusal."""
    template = MESSAGES.get(code)
    if template is None:
        return str(_l("Diese Angabe ist ungültig."))
    return str(template) % context if context else str(template)


class TranslationForm(BaseForm):
    """The English and the Turkish fields of one text; the page shows those its kind
    has. The service checks every length and character; the fields only parse."""

    en_title = StringField(FIELD_LABELS["title"])
    en_summary = TextAreaField(FIELD_LABELS["summary"])
    en_body = TextAreaField(FIELD_LABELS["body"])
    en_offer = StringField(FIELD_LABELS["offer"])
    en_image_alt = StringField(FIELD_LABELS["image_alt"])
    tr_title = StringField(FIELD_LABELS["title"])
    tr_summary = TextAreaField(FIELD_LABELS["summary"])
    tr_body = TextAreaField(FIELD_LABELS["body"])
    tr_offer = StringField(FIELD_LABELS["offer"])
    tr_image_alt = StringField(FIELD_LABELS["image_alt"])
