"""Forms of the sign-language (DGS) video page in the back office, and the German words
for their refusals."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField

from ..forms import BaseForm
from ..services import dgs_videos
from .event_forms import _max


class DgsVideoForm(BaseForm):
    """A new video: the file, its title, its text alternative, optional captions. The
    service checks the files by their content; the fields only parse."""

    video = FileField(
        _l("Videodatei"),
        description=_l("MP4 oder WebM. Die Datei wird an ihrem Inhalt erkannt, nicht an "
                       "ihrer Endung."))
    title = StringField(
        _l("Titel"), validators=[_max(dgs_videos.TITLE_MAX)],
        description=_l("Zum Beispiel: „Die Website der Innenstadt in Gebärdensprache“."))
    transcript = TextAreaField(
        _l("Der Inhalt als Text (Textalternative)"),
        validators=[_max(dgs_videos.TRANSCRIPT_MAX)],
        description=_l("Pflicht: Was sagt das Video? Für alle, die es nicht sehen oder "
                       "hören können. In Markdown: eine Leerzeile zwischen Absätzen, „## “ "
                       "für eine Zwischenüberschrift."))
    captions = FileField(
        _l("Untertitel (optional)"),
        description=_l("Eine WebVTT-Datei (.vtt), höchstens %(kb)d KB.",
                       kb=dgs_videos.CAPTIONS_MAX_BYTES // 1024))


class DgsActionForm(BaseForm):
    """A button (show, stop showing, delete): CSRF token only."""


MESSAGES: dict[tuple[str, str] | str, Any] = {
    ("title", "missing"): _l("Bitte geben Sie einen Titel ein."),
    ("transcript", "missing"): _l("Bitte schreiben Sie den Inhalt des Videos als Text auf: "
                                  "für alle, die das Video nicht sehen können."),
    "too_long": _l("Höchstens %(max)d Zeichen."),
    "control_characters": BaseForm.control_character_message,
    "empty": _l("Bitte wählen Sie eine Videodatei aus. Die gewählte Datei ist leer."),
    "missing_video": _l("Bitte wählen Sie eine Videodatei aus."),
    "too_large": _l("Das Video ist zu groß: höchstens %(max_mb)d MB. Bitte verkleinern Sie "
                    "es (zum Beispiel mit geringerer Auflösung) und laden Sie es erneut hoch."),
    "not_a_video": _l("Diese Datei ist kein Video im Format MP4 oder WebM (geprüft wird der "
                      "Inhalt, nicht die Endung). Bitte wählen Sie eine MP4- oder "
                      "WebM-Datei."),
    "captions_not_webvtt": _l("Die Untertitel sind keine WebVTT-Datei: Eine solche Datei "
                              "beginnt mit „WEBVTT“ und ist in UTF-8 gespeichert."),
    "captions_too_large": _l("Die Untertitel-Datei ist zu groß: höchstens %(max_kb)d KB."),
    "already_uploaded": _l("Dieses Video ist schon hochgeladen. Sie finden es in der Liste."),
    "unknown_video": _l("Dieses Video gibt es nicht mehr."),
    "conflict": _l("Gerade hat jemand anderes ein Video gezeigt. Bitte versuchen Sie es noch "
                   "einmal."),
}


def dgs_message(code: str, context: dict[str, Any], field: str = "") -> str:
    """The German text for one refusal of a video upload or action."""
    template = MESSAGES.get((field, code)) or MESSAGES.get(code)
    if template is None:
        return str(_l("Diese Angabe ist ungültig."))
    return str(template) % context if context else str(template)
