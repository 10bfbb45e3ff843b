"""The survey forms ("Sie"): the open link's request, and the CSRF of the answer pages
(their questions are fields the page builds from the survey; the service checks them)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import InputRequired, Length

from ..forms import BaseForm, email_field
from ..services.survey_answers import COMPANY_MAX


class LinkRequestForm(BaseForm):
    """Company, e-mail, category and consent, for a personal link by mail."""

    company = StringField(
        _l("Unternehmen"),
        validators=[
            InputRequired(message=_l("Bitte geben Sie den Namen Ihres Unternehmens an.")),
            Length(max=COMPANY_MAX, message=_l("Der Name des Unternehmens darf höchstens "
                                               "120 Zeichen lang sein.")),
        ],
        render_kw={"autocomplete": "organization", "maxlength": str(COMPANY_MAX)},
    )
    email = email_field()
    category = SelectField(
        _l("Branche"), choices=[],
        validate_choice=False,  # the service checks it against the categories in use
        validators=[InputRequired(message=_l("Bitte wählen Sie eine Branche."))],
    )
    consent = BooleanField(
        _l("Ich bin mit der Verarbeitung meiner Angaben wie oben beschrieben "
           "einverstanden."),
        validators=[InputRequired(message=_l("Bitte stimmen Sie zu, damit wir Ihnen den "
                                             "Link schicken können."))],
    )


class AnswerForm(BaseForm):
    """An answer page or the submit step: CSRF only."""
