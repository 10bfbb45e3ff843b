"""Forms of the news pages in the back office, and the German words for their refusals."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import BooleanField, StringField, TextAreaField

from ..forms import BaseForm
from ..services import news
from ..services.images import MAX_BYTES
from .advent_forms import PICTURE_TYPES
from .event_forms import MESSAGES as EVENT_MESSAGES
from .event_forms import ClockField, DayField, _max


class NewsForm(BaseForm):
    """One post: title, summary, Markdown body, picture with alt text, optional date.
    The service checks everything; the fields only parse."""

    title = StringField(_l("Titel"), validators=[_max(news.TITLE_MAX)])
    summary = TextAreaField(
        _l("Kurzfassung"), validators=[_max(news.SUMMARY_MAX)],
        description=_l("Ein bis zwei Sätze für die Übersicht, die Startseite und den "
                       "Feed."))
    body = TextAreaField(
        _l("Text"), validators=[_max(news.BODY_MAX)],
        description=_l("In Markdown: eine Leerzeile zwischen Absätzen, „## “ für eine "
                       "Zwischenüberschrift, **fett** für Betonung, „- “ für Aufzählungen, "
                       "[Linktext](https://…) für Links."))
    picture = FileField(
        _l("Bilddatei"),
        validators=[FileAllowed(PICTURE_TYPES, message=_l(
            "Bitte wählen Sie ein Foto im Format JPEG, PNG oder WebP."))],
        description=_l("JPEG, PNG oder WebP, höchstens %(mb)d MB. Das Bild wird verkleinert; "
                       "Standort und andere Angaben aus der Kamera werden entfernt.",
                       mb=MAX_BYTES // (1024 * 1024)))
    image_alt = StringField(
        _l("Bildbeschreibung (Alternativtext)"), validators=[_max(news.ALT_MAX)],
        description=_l("Pflicht bei einem Bild: Was ist darauf zu sehen?"))
    remove_picture = BooleanField(_l("Bild entfernen"))
    published_date = DayField(
        _l("Datum (optional)"),
        description=_l("Leer lassen: das Datum, an dem Sie ihn veröffentlichen. Nicht in "
                       "der Zukunft."))
    published_time = ClockField(_l("Uhrzeit"))


class NewsActionForm(BaseForm):
    """A button (publish, take back): CSRF token only."""


MESSAGES: dict[tuple[str, str] | str, Any] = {
    ("title", "missing"): _l("Bitte geben Sie einen Titel ein."),
    ("summary", "missing"): _l("Bitte schreiben Sie eine Kurzfassung in ein bis zwei "
                               "Sätzen."),
    "missing_date": _l("Bitte geben Sie zur Uhrzeit auch das Datum an."),
    "missing_time": _l("Bitte geben Sie zum Datum auch die Uhrzeit an, z. B. 09:00."),
    "in_future": _l("Das Datum darf nicht in der Zukunft liegen. Veröffentlichen Sie den "
                    "Beitrag an dem Tag, an dem er erscheinen soll."),
    "unknown_post": _l("Diesen Beitrag gibt es nicht mehr."),
    "already_published": _l("Dieser Beitrag ist schon veröffentlicht."),
    "not_published": _l("Dieser Beitrag ist nicht veröffentlicht."),
    "incomplete": _l("Bitte ergänzen Sie erst Titel und Kurzfassung."),
}


def news_message(field: str, code: str, context: dict[str, Any]) -> str:
    """The German text for one refusal of a news edit or action (the events' texts for
    what both share: lengths, pictures, alt text, times)."""
    template = (MESSAGES.get((field, code)) or MESSAGES.get(code)
                or EVENT_MESSAGES.get((field, code)) or EVENT_MESSAGES.get(code))
    if template is None:
        return str(_l("Diese Angabe ist ungültig."))
    return str(template) % context if context else str(template)
