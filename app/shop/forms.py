"""Forms of the shop portal ("Sie"); CSRF and the refusal of control characters come
from BaseForm. What the fields may hold is checked by the services."""

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Length

from ..forms import BaseForm
from ..hours_form import HOURS_MESSAGES, WeekHoursFields, week_raw
from ..i18n import NAMES
from ..models import LANGUAGES, STATION_MODES
from ..services.errors import Problem


class ConfirmForm(BaseForm):
    """A confirmation that is only a button: CSRF token and nothing else."""


class ModeForm(BaseForm):
    """Switch the station to the mode the confirmation page offers."""

    mode = HiddenField(validators=[AnyOf(STATION_MODES, message=_l("Unbekannter Modus."))])


class PosterLanguageForm(BaseForm):
    """The language the shop's posters are printed in."""

    language = RadioField(
        _l("Sprache des Plakats"), choices=[SelectChoice(code, NAMES[code]) for code in LANGUAGES],
        validators=[AnyOf(LANGUAGES, message=_l("Bitte wählen Sie eine der Sprachen."))])


def _max(limit: int) -> Length:
    """A generous cap on what the browser may send; the service checks the real limit."""
    return Length(max=limit, message=_l("Höchstens %(max)d Zeichen.", max=limit))


class ProfileForm(BaseForm, WeekHoursFields):
    """What a shop says about itself on the rally's pages; its hours as a week form."""

    description = TextAreaField(
        _l("Beschreibung"), validators=[_max(8000)],
        description=_l("Ein paar Sätze über Ihr Geschäft für die Liste der Geschäfte."),
    )
    website = StringField(
        _l("Webseite (optional)"), validators=[_max(400)],
        description=_l("Zum Beispiel: https://www.beispiel.de"),
    )

    def raw_values(self) -> dict[str, str | None]:
        """The typed values by field name (the hours as the week), for the service."""
        return {"description": self.description.data, "website": self.website.data,
                **week_raw(self)}


PROBLEM_MESSAGES: dict[tuple[str, str] | str, Any] = {
    **HOURS_MESSAGES,
    "too_long": _l("Höchstens %(max)d Zeichen."),
    "bad_url": _l("Bitte geben Sie eine Webadresse wie https://www.beispiel.de ein."),
}


def show_problems(form: ProfileForm, problems: list[Problem]) -> None:
    """Put each refusal of the service, in German, on its field."""
    for problem in problems:
        template = PROBLEM_MESSAGES.get(problem.code, _l("Diese Angabe ist ungültig."))
        message = str(template) % problem.context if problem.context else str(template)
        form[problem.field].errors = [message]
