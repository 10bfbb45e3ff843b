"""The inquiry form ("Sie"), for every subject an inquiry can be about (a successor
profile now, an empty shop later): CSRF and the refusal of control characters from
BaseForm; the service checks the details once more."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, TelField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..forms import BaseForm, email_field, person_name_field
from ..services.inquiries import MESSAGE_MAX, NAME_MAX, PHONE_MAX, phone_looks_right


class InquiryForm(BaseForm):
    """Name, e-mail, optional phone, message, consent."""

    name = person_name_field(NAME_MAX)
    email = email_field()
    phone = TelField(
        _l("Telefon (freiwillig)"),
        validators=[
            Optional(),
            Length(max=PHONE_MAX, message=_l("Die Telefonnummer darf höchstens 40 Zeichen "
                                             "lang sein.")),
        ],
        render_kw={"autocomplete": "tel", "maxlength": str(PHONE_MAX)},
    )
    message = TextAreaField(
        _l("Ihre Nachricht"),
        validators=[
            InputRequired(message=_l("Bitte schreiben Sie uns kurz, worum es Ihnen geht.")),
            Length(max=MESSAGE_MAX, message=_l("Die Nachricht darf höchstens 3000 Zeichen "
                                               "lang sein.")),
        ],
        render_kw={"rows": "6", "maxlength": str(MESSAGE_MAX)},
    )
    consent = BooleanField(
        _l("Ich bin einverstanden, dass das Büro meine Angaben für diese Anfrage verwendet."),
        validators=[InputRequired(message=_l("Bitte stimmen Sie zu, damit wir Ihre Anfrage "
                                             "bearbeiten können."))],
    )

    def validate_phone(self, field: Field) -> None:
        """Say at once when the number cannot be one."""
        value = " ".join((field.data or "").split())
        if value and len(value) <= PHONE_MAX and not phone_looks_right(value):
            raise ValidationError(_l("Bitte geben Sie eine Telefonnummer nur mit Ziffern, "
                                     "Leerzeichen und + ( ) / - ein."))
