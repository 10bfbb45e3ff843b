"""The booking form ("Sie"): CSRF and the refusal of control characters from BaseForm."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, StringField, TelField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..forms import BaseForm
from ..services.accounts import EMAIL_MAX
from ..services.appointments import NAME_MAX, NOTE_MAX, PHONE_MAX


class BookingForm(BaseForm):
    """Name, e-mail, optional phone and note, consent; the chosen time rides along."""

    zeit = HiddenField()
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
