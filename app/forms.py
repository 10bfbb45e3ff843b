"""The base of every form of the app: Flask-WTF's CSRF protection, and no control
characters in anything a form receives.

Each blueprint's forms inherit :class:`BaseForm` (staff and businesses, "Sie") or
:class:`ShopperForm` (shoppers, "du"); a test checks that no form inherits
``FlaskForm`` directly. The check runs after the fields' own validators and replaces
their messages on a field that holds a control character: that is the one thing to fix,
and a validator such as ``Optional`` (which strips blanks, and takes ``\\x1f`` for one)
cannot wave such a value through.
"""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, StringField, TextAreaField
from wtforms.csrf.core import CSRFTokenField
from wtforms.validators import InputRequired, Length, ValidationError

from .control_characters import has_control_characters


def submitted_texts(field: Field) -> list[str]:
    """What the browser sent for ``field``: its values, or an upload's file name."""
    texts = []
    for value in field.raw_data or ():
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(filename := getattr(value, "filename", None), str):
            texts.append(filename)
    return texts


def carries_control_characters(field: Field) -> bool:
    """Whether ``field`` received a control character (\\t \\n \\r pass in text areas)."""
    if isinstance(field, CSRFTokenField):
        return False  # checked by Flask-WTF; a broken token is a CSRF failure
    multiline = isinstance(field, TextAreaField)
    return any(has_control_characters(text, multiline=multiline)
               for text in submitted_texts(field))


class BaseForm(FlaskForm):
    """A Flask-WTF form that refuses control characters in every field ("Sie")."""

    control_character_message: Any = _l(
        "Bitte entfernen Sie Steuerzeichen aus diesem Feld (unsichtbare Zeichen, oft aus "
        "kopiertem Text)."
    )

    def validate(self, extra_validators: dict[str, Any] | None = None) -> bool:
        """Validate as Flask-WTF does, then refuse every field with a control character."""
        valid = super().validate(extra_validators=extra_validators)
        refused = [field for field in self if carries_control_characters(field)]
        for field in refused:
            field.errors = [self.control_character_message]
        return valid and not refused


class ShopperForm(BaseForm):
    """A form for shoppers: the same check, the message in "du"."""

    control_character_message = _l(
        "Bitte entferne Steuerzeichen aus diesem Feld (unsichtbare Zeichen, oft aus "
        "kopiertem Text)."
    )


# --- fields the office's public forms share ("Sie") ------------------------------------

def person_name_field(max_length: int) -> StringField:
    """"Ihr Name", required, at most ``max_length`` characters."""
    return StringField(
        _l("Ihr Name"),
        validators=[
            InputRequired(message=_l("Bitte geben Sie Ihren Namen ein.")),
            Length(max=max_length,
                   message=_l("Der Name darf höchstens %(max)d Zeichen lang sein.",
                              max=max_length)),
        ],
        render_kw={"autocomplete": "name", "maxlength": str(max_length)},
    )


def address_check(form: Any, field: Field) -> None:
    """Say at once, with the other fields' errors, when the address cannot be one."""
    # Imported here: app.services.accounts reaches the auth views, which import this module.
    from .services.accounts import AccountError, normalise_email

    try:
        normalise_email(field.data or "")
    except AccountError as error:
        raise ValidationError(_l("Das ist keine gültige E-Mail-Adresse.")) from error


def email_field(*, checked: bool = True) -> EmailField:
    """"E-Mail-Adresse", required; ``checked`` also refuses what cannot be an address."""
    from .services.accounts import EMAIL_MAX  # see address_check

    return EmailField(
        _l("E-Mail-Adresse"),
        validators=[
            InputRequired(message=_l("Bitte geben Sie Ihre E-Mail-Adresse ein.")),
            Length(max=EMAIL_MAX, message=_l("Das ist zu lang für eine E-Mail-Adresse.")),
            *([address_check] if checked else []),
        ],
        render_kw={"autocomplete": "email", "maxlength": str(EMAIL_MAX)},
    )
