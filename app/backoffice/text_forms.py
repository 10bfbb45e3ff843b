"""Forms of the office's texts in the back office, and the German words for their
refusals."""

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField

from ..forms import BaseForm
from ..services import office_texts
from .event_forms import MESSAGES as EVENT_MESSAGES
from .event_forms import _max

MARKDOWN_HELP = _l("In Markdown: eine Leerzeile zwischen Absätzen, „## “ für eine "
                   "Zwischenüberschrift, **fett** für Betonung, „- “ für Aufzählungen, "
                   "[Linktext](https://…) für Links.")


class TextForm(BaseForm):
    """One office text: title, Markdown body; a service page also has its summary. The
    service checks everything; the fields only parse."""

    title = StringField(_l("Überschrift"), validators=[_max(office_texts.TITLE_MAX)])
    summary = TextAreaField(
        _l("Kurzfassung"), validators=[_max(office_texts.SUMMARY_MAX)],
        description=_l("Ein bis zwei Sätze für die Übersicht der Angebote."))
    body = TextAreaField(_l("Text"), validators=[_max(office_texts.BODY_MAX)],
                         description=MARKDOWN_HELP)


class RestoreForm(BaseForm):
    """The button "Diese Fassung wiederherstellen": CSRF token only."""


# Which block is which, for staff, and where it appears.
BLOCK_LABELS: dict[str, Any] = {
    "home_intro": _l("Startseite: Einleitung des Büros"),
    "contact": _l("Kontakt (Startseite und Angebotsseiten)"),
    "imprint": _l("Impressum: Hinweise"),
    "privacy": _l("Datenschutzerklärung: Einleitung"),
    "accessibility": _l("Erklärung zur Barrierefreiheit: Stand und Lücken"),
    "easy_language": _l("Leichte Sprache"),
}
BLOCK_PAGES = {
    "home_intro": "office.home", "contact": "office.home", "imprint": "office.imprint",
    "privacy": "office.privacy", "accessibility": "office.accessibility",
    "easy_language": "office.easy_language",
}

MESSAGES: dict[tuple[str, str] | str, Any] = {
    ("title", "missing"): _l("Bitte geben Sie eine Überschrift ein."),
    ("summary", "missing"): _l("Bitte schreiben Sie eine Kurzfassung in ein bis zwei "
                               "Sätzen."),
    "unknown_text": _l("Diesen Text gibt es nicht."),
    "unknown_version": _l("Diese Fassung gibt es nicht."),
    "already_current": _l("Diese Fassung ist schon die aktuelle."),
    "conflict": _l("Jemand hat den Text gerade gleichzeitig gespeichert. Bitte prüfen Sie "
                   "die aktuelle Fassung und speichern Sie erneut."),
}


def text_message(field: str, code: str, context: dict[str, Any]) -> str:
    """The German text for one refusal of a text edit (the events' texts for what both
    share: lengths, control characters)."""
    template = (MESSAGES.get((field, code)) or MESSAGES.get(code)
                or EVENT_MESSAGES.get((field, code)) or EVENT_MESSAGES.get(code))
    if template is None:
        return str(_l("Diese Angabe ist ungültig."))
    return str(template) % context if context else str(template)
