"""Forms of the Advent calendar pages, and the German words for the calendar's refusals."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..forms import BaseForm
from ..services import advent
from ..services.images import MAX_BYTES

NO_SHOP = 0  # the select's value for "no featured shop"
PICTURE_TYPES = ["jpg", "jpeg", "png", "webp"]


class GermanDateField(DateField):
    """A date (one ``date`` input) whose parse error speaks the office's German."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse ``2026-12-07``; anything else gets a German message."""
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_l("Bitte geben Sie ein Datum ein, z. B. 07.12.2026.")) from error


def _max(length: int) -> Length:
    """``Length(max=...)`` with a German message."""
    return Length(max=length, message=_l("Höchstens %(max)d Zeichen.", max=length))


class DoorForm(BaseForm):
    """One door: its day, texts, picture, featured shop and offer, the daily draw."""

    opens_on = GermanDateField(
        _l("Öffnet am"),
        validators=[InputRequired(message=_l("Bitte geben Sie das Datum ein, an dem sich "
                                              "das Türchen öffnet."))],
        description=_l("Um Mitternacht (Ortszeit) dieses Tages geht das Türchen auf. Vorher "
                       "zeigt die Website nichts von seinem Inhalt."),
    )
    title = StringField(
        _l("Titel"),
        validators=[InputRequired(message=_l("Bitte geben Sie einen Titel ein.")),
                    _max(advent.TITLE_MAX)],
    )
    body = TextAreaField(
        _l("Text"),
        validators=[_max(advent.BODY_MAX)],
        description=_l("In Markdown, wie die Teilnahmebedingungen: eine Leerzeile zwischen "
                       "Absätzen, **fett** für Betonung, „- “ für Aufzählungen."),
    )
    picture = FileField(
        _l("Bilddatei"),
        validators=[FileAllowed(PICTURE_TYPES, message=_l(
            "Bitte wählen Sie ein Foto im Format JPEG, PNG oder WebP."))],
        description=_l("JPEG, PNG oder WebP, höchstens %(mb)d MB. Das Bild wird verkleinert; "
                       "Standort und andere Angaben aus der Kamera werden entfernt.",
                       mb=MAX_BYTES // (1024 * 1024)),
    )
    image_alt = StringField(
        _l("Bildbeschreibung (Alternativtext)"),
        validators=[_max(advent.ALT_MAX)],
        description=_l("Pflicht bei einem Bild: Was ist darauf zu sehen? Für Menschen, die "
                       "das Bild nicht sehen können."),
    )
    remove_picture = BooleanField(_l("Bild entfernen"))
    shop_id = SelectField(_l("Geschäft des Tages"), coerce=int, default=NO_SHOP)
    offer = TextAreaField(
        _l("Angebot des Tages"),
        validators=[_max(advent.OFFER_MAX)],
        description=_l("Zum Beispiel: 10 % auf Weihnachtskarten. Nur mit einem Geschäft."),
    )
    daily_draw = BooleanField(_l("An diesem Tag gibt es eine Tagesverlosung"))


class CalendarForm(BaseForm):
    """The button that creates a rally's 24 doors: CSRF token and nothing else."""


DOOR_MESSAGES: dict[tuple[str, str] | str, Any] = {
    ("title", "missing"): _l("Bitte geben Sie einen Titel ein."),
    ("opens_on", "missing"): _l("Bitte geben Sie das Datum ein, an dem sich das Türchen "
                                "öffnet."),
    "outside_rally": _l("Das Datum muss in der Laufzeit der Rallye liegen, vom %(first)s bis "
                        "zum %(last)s."),
    "too_long": _l("Höchstens %(max)d Zeichen."),
    "missing_alt": _l("Bitte beschreiben Sie das Bild in wenigen Worten (Alternativtext)."),
    "offer_without_shop": _l("Ein Angebot des Tages braucht ein Geschäft des Tages."),
    "not_in_rally": _l("Dieses Geschäft nimmt nicht an der Rallye teil."),
    "empty": _l("Die Bilddatei ist leer."),
    "too_large": _l("Das Bild ist zu groß: höchstens 8 MB."),
    "too_many_pixels": _l("Das Bild hat zu viele Bildpunkte. Bitte verkleinern Sie es vorher "
                          "(höchstens 40 Megapixel)."),
    "not_an_image": _l("Diese Datei ist kein Bild im Format JPEG, PNG oder WebP."),
    "unreadable": _l("Das Bild ist beschädigt oder unvollständig und lässt sich nicht lesen. "
                     "Bitte laden Sie es noch einmal hoch."),
}


def door_message(field: str, code: str, context: dict[str, Any]) -> str:
    """The German text for one refusal of a door edit."""
    template = DOOR_MESSAGES.get((field, code)) or DOOR_MESSAGES.get(code)
    if template is None:
        return str(_l("Diese Angabe ist ungültig."))
    return str(template) % context if context else str(template)
