"""The event registration form ("Sie"): CSRF and the refusal of control characters from
BaseForm; the service checks the details once more."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, Field, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..forms import BaseForm
from ..services.accounts import EMAIL_MAX, AccountError, normalise_email
from ..services.events import COMPANY_MAX, NAME_MAX


class RegistrationForm(BaseForm):
    """Name, e-mail, optional company, consent."""

    name = StringField(
        _l("Ihr Name"),
        validators=[
            InputRequired(message=_l("Bitte geben Sie Ihren Namen ein.")),
            Length(max=NAME_MAX, message=_l("Der Name darf höchstens 100 Zeichen lang sein.")),
        ],
        render_kw={"autocomplete": "name", "maxlength": str(NAME_MAX)},
    )
    email = EmailField(
        _l("E-Mail-Adresse"),
        validators=[
            InputRequired(message=_l("Bitte geben Sie Ihre E-Mail-Adresse ein.")),
            Length(max=EMAIL_MAX, message=_l("Das ist zu lang für eine E-Mail-Adresse.")),
        ],
        render_kw={"autocomplete": "email", "maxlength": str(EMAIL_MAX)},
    )
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

    def validate_email(self, field: Field) -> None:
        """Say at once when the address cannot be one (with the other fields' errors)."""
        try:
            normalise_email(field.data or "")
        except AccountError as error:
            raise ValidationError(_l("Das ist keine gültige E-Mail-Adresse.")) from error


class ActionForm(BaseForm):
    """A button on the personal page (confirm, cancel, leave the list): CSRF only."""


class LinksForm(BaseForm):
    """"Link vergessen?": the address to send the personal links to."""

    email = EmailField(
        _l("E-Mail-Adresse"),
        validators=[
            InputRequired(message=_l("Bitte geben Sie Ihre E-Mail-Adresse ein.")),
            Length(max=EMAIL_MAX, message=_l("Das ist zu lang für eine E-Mail-Adresse.")),
        ],
        render_kw={"autocomplete": "email", "maxlength": str(EMAIL_MAX)},
    )

    def validate_email(self, field: Field) -> None:
        """Refuse what cannot be an address, with a German message."""
        try:
            normalise_email(field.data or "")
        except AccountError as error:
            raise ValidationError(_l("Das ist keine gültige E-Mail-Adresse.")) from error
