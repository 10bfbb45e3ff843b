"""The booking form ("Sie"): CSRF and the refusal of control characters from BaseForm."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, TelField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..forms import BaseForm, email_field, person_name_field
from ..services.appointments import NAME_MAX, NOTE_MAX, PHONE_MAX


class BookingForm(BaseForm):
    """Name, e-mail, optional phone and note, consent; the chosen time rides along."""

    zeit = HiddenField()
    name = person_name_field(NAME_MAX)
    email = email_field(checked=False)
    phone = TelField(
        _l("Telefon (freiwillig)"),
        validators=[
            Optional(),
            Length(max=PHONE_MAX, message=_l("Das ist zu lang für eine Telefonnummer.")),
        ],
        render_kw={"autocomplete": "tel", "maxlength": str(PHONE_MAX)},
    )
    note = TextAreaField(
        _l("Worum geht es? (freiwillig)"),
        validators=[
            Optional(),
            Length(max=NOTE_MAX, message=_l("Bitte fassen Sie sich kürzer (höchstens 1000 "
                                            "Zeichen).")),
        ],
        render_kw={"rows": "3", "maxlength": str(NOTE_MAX)},
    )
    consent = BooleanField(
        _l("Ich bin einverstanden, dass das Büro meine Angaben für diesen Termin verwendet."),
        validators=[InputRequired(message=_l("Bitte stimmen Sie zu, damit wir den Termin "
                                             "vereinbaren können."))],
    )


class ChangeForm(BaseForm):
    """The button of a move or a cancellation (CSRF only); a move names its new time."""

    zeit = HiddenField()
