"""The event registration form ("Sie"): CSRF and the refusal of control characters from
BaseForm; the service checks the details once more."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import InputRequired, Length, Optional

from ..forms import BaseForm, email_field, person_name_field
from ..services.events import COMPANY_MAX, NAME_MAX


class RegistrationForm(BaseForm):
    """Name, e-mail, optional company, consent."""

    name = person_name_field(NAME_MAX)
    email = email_field()
    company = StringField(
        _l("Unternehmen (freiwillig)"),
        validators=[
            Optional(),
            Length(max=COMPANY_MAX, message=_l("Der Name des Unternehmens darf höchstens "
                                               "120 Zeichen lang sein.")),
        ],
        render_kw={"autocomplete": "organization", "maxlength": str(COMPANY_MAX)},
    )
    consent = BooleanField(
        _l("Ich bin einverstanden, dass das Büro meine Angaben für diese Veranstaltung "
           "verwendet."),
        validators=[InputRequired(message=_l("Bitte stimmen Sie zu, damit wir Sie anmelden "
                                             "können."))],
    )


class ActionForm(BaseForm):
    """A button on the personal page (confirm, cancel, leave the list): CSRF only."""


class LinksForm(BaseForm):
    """"Link vergessen?": the address to send the personal links to."""

    email = email_field()
