"""Forms of the survey editor, and the German words for its refusals."""

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from ..forms import BaseForm
from ..services import surveys
from .event_forms import ClockField, DayField
from .forms import GermanIntegerField

KIND_LABELS = {
    "one": _l("Eine Antwort aus einer Liste"),
    "many": _l("Mehrere Antworten aus einer Liste"),
    "scale": _l("Skala von 1 bis 5"),
    "short": _l("Kurzer Text (eine Zeile)"),
    "long": _l("Längerer Text"),
}
STATUS_LABELS = {
    "draft": _l("Entwurf"), "published": _l("veröffentlicht"), "archived": _l("archiviert"),
}


def _max(length: int) -> Length:
    """``Length(max=...)`` with a German message."""
    return Length(max=length, message=_l("Höchstens %(max)d Zeichen.", max=length))


class SurveyForm(BaseForm):
    """The survey's own fields; the service checks everything, the fields only parse."""

    title = StringField(_l("Titel"), validators=[_max(surveys.TITLE_MAX)])
    slug = StringField(
        _l("Adresse (optional)"), validators=[_max(surveys.SLUG_MAX)],
        description=_l("Der letzte Teil der Adresse /umfragen/…: kleine Buchstaben, Ziffern "
                       "und Bindestriche. Leer lassen: aus dem Titel."))
    intro = TextAreaField(
        _l("Einleitung"), validators=[_max(surveys.INTRO_MAX)],
        description=_l("In Markdown: eine Leerzeile zwischen Absätzen, **fett** für "
                       "Betonung, „- “ für Aufzählungen. Sagen Sie, worum es geht und wie "
                       "lange das Ausfüllen dauert."))
    opens_date = DayField(_l("Beginn: Datum"))
    opens_time = ClockField(_l("Beginn: Uhrzeit"))
    closes_date = DayField(_l("Ende: Datum"))
    closes_time = ClockField(_l("Ende: Uhrzeit"))
    names_shops = BooleanField(
        _l("Ergebnisse zeigen, welches Geschäft was geantwortet hat"),
        description=_l("Steht vorab auf der ersten Seite der Umfrage. Ohne Haken bleiben "
                       "die Antworten anonym: Die Ergebnisse nennen nie ein Geschäft. Lässt "
                       "sich nicht mehr ändern, sobald es Antworten gibt."))
    open_link = BooleanField(
        _l("Offener Zugang für Unternehmen außerhalb der Rallye"),
        description=_l("Unternehmen fordern auf der Seite der Umfrage mit ihrer E-Mail-"
                       "Adresse einen persönlichen Link an (einer je Adresse)."))
    open_consent = TextAreaField(
        _l("Einwilligungstext für den offenen Zugang"), validators=[_max(surveys.CONSENT_MAX)],
        description=_l("Pflicht beim offenen Zugang: wofür die Angaben verwendet und wie "
                       "lange sie gespeichert werden."))


class QuestionForm(BaseForm):
    """One question; one form per question on the edit page (each with its prefix)."""

    kind = SelectField(_l("Art der Frage"), choices=[SelectChoice("", _l("Bitte wählen"))] + [
        SelectChoice(key, label) for key, label in KIND_LABELS.items()], default="",
        validate_choice=False)
    prompt = StringField(_l("Frage"), validators=[_max(surveys.PROMPT_MAX)])
    help = StringField(_l("Hinweis unter der Frage (optional)"),
                       validators=[_max(surveys.HELP_MAX)],
                       description=_l("Zum Beispiel: Mehrere Antworten möglich."))
    options = TextAreaField(
        _l("Antwortmöglichkeiten"),
        description=_l("Nur bei einer Auswahl: eine Antwortmöglichkeit je Zeile, "
                       "mindestens zwei."))
    page = GermanIntegerField(_l("Seite"), default=1,
                              description=_l("Fragen mit derselben Nummer stehen auf einer "
                                             "Seite; die Seiten kommen nacheinander."))
    required = BooleanField(_l("Pflichtfrage"))


class ActionForm(BaseForm):
    """A button (copy, publish, archive, delete, move): CSRF token only."""


MESSAGES: dict[tuple[str, str] | str, Any] = {
    ("title", "missing"): _l("Bitte geben Sie einen Titel ein."),
    ("prompt", "missing"): _l("Bitte geben Sie die Frage ein."),
    ("opens_date", "missing"): _l("Bitte geben Sie das Datum des Beginns ein."),
    ("opens_time", "missing"): _l("Bitte geben Sie die Uhrzeit des Beginns ein."),
    ("closes_date", "missing"): _l("Bitte geben Sie das Datum des Endes ein."),
    ("closes_time", "missing"): _l("Bitte geben Sie die Uhrzeit des Endes ein."),
    "bad_slug": _l("Bitte nur kleine Buchstaben, Ziffern und einzelne Bindestriche "
                   "(höchstens %(max)d Zeichen), z. B. bedarfsabfrage-2027."),
    "slug_taken": _l("Diese Adresse hat schon eine andere Umfrage."),
    "no_such_time": _l("Den %(time)s Uhr gibt es am %(date)s nicht: In dieser Nacht werden "
                       "die Uhren von 2 auf 3 Uhr vorgestellt. Bitte wählen Sie eine andere "
                       "Uhrzeit."),
    "closes_before_opening": _l("Das Ende muss nach dem Beginn liegen."),
    "consent_missing": _l("Beim offenen Zugang ist ein Einwilligungstext Pflicht."),
    "names_fixed": _l("Diese Umfrage hat schon Antworten. Ob die Ergebnisse die Geschäfte "
                      "nennen, wurde vorab gesagt und bleibt so."),
    "too_long": _l("Höchstens %(max)d Zeichen."),
    "control_characters": BaseForm.control_character_message,
    "unknown_kind": _l("Bitte wählen Sie eine Art der Frage aus der Liste."),
    "page_range": _l("Bitte geben Sie eine Seite von 1 bis %(max)d an."),
    "too_many_options": _l("Höchstens %(max)d Antwortmöglichkeiten."),
    "option_too_long": _l("Jede Antwortmöglichkeit darf höchstens %(max)d Zeichen lang "
                          "sein."),
    "duplicate_option": _l("Jede Antwortmöglichkeit darf nur einmal vorkommen."),
    "no_options_here": _l("Antwortmöglichkeiten gibt es nur bei einer Auswahl. Eine Skala "
                          "und ein Text nehmen keine; bitte leeren Sie das Feld."),
    "too_many_questions": _l("Eine Umfrage hat höchstens %(max)d Fragen."),
    "no_questions": _l("Die Umfrage hat noch keine Fragen."),
    "too_few_options": _l("Die Frage „%(prompt)s“ braucht mindestens zwei "
                          "Antwortmöglichkeiten."),
    "page_gap": _l("Die Seiten müssen ohne Lücke von 1 an gezählt sein (jetzt: "
                   "%(pages)s). Bitte ändern Sie die Seitennummern."),
    # Refusals of an action, not a field.
    "locked": _l("Diese Umfrage hat schon Antworten; ihre Fragen bleiben, wie sie sind. "
                 "Kopieren Sie die Umfrage, um Fragen zu ändern."),
    "archived": _l("Diese Umfrage ist archiviert; ihre Fragen bleiben, wie sie sind. "
                   "Kopieren Sie die Umfrage, um sie noch einmal zu stellen."),
    "not_draft": _l("Nur ein Entwurf lässt sich veröffentlichen."),
    "not_published": _l("Nur eine veröffentlichte Umfrage lässt sich archivieren."),
    "closed": _l("Das Ende der Umfrage liegt in der Vergangenheit. Bitte ändern Sie erst "
                 "die Daten."),
    "at_edge": _l("Die Frage steht schon ganz am Anfang oder am Ende."),
    "bad_direction": _l("Diese Angabe ist ungültig."),
    "unknown_question": _l("Diese Frage gibt es in dieser Umfrage nicht (mehr)."),
    "unknown_survey": _l("Diese Umfrage gibt es nicht (mehr)."),
}


def survey_message(field: str, code: str, context: dict[str, Any]) -> str:
    """The German text for one refusal of the survey editor."""
    template = MESSAGES.get((field, code)) or MESSAGES.get(code)
    if template is None:
        return str(_l("Diese Angabe ist ungültig."))
    return str(template) % context if context else str(template)
