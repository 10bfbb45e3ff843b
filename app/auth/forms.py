"""Login forms. CSRF comes from BaseForm (Flask-WTF; CSRFProtect for the logout button)."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField
from wtforms.validators import EqualTo, InputRequired, Length

from ..forms import BaseForm

# Long enough for any real address and password, short enough to keep hashing cheap.
MAX_EMAIL = 254
MAX_PASSWORD = 1024


def password_field() -> PasswordField:
    """The password input, shared by login and re-authentication."""
    return PasswordField(
        _l("Passwort"),
        validators=[
            InputRequired(message=_l("Bitte geben Sie Ihr Passwort ein.")),
            Length(max=MAX_PASSWORD, message=_l("Das Passwort ist zu lang.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )


class LoginForm(BaseForm):
    """E-mail address and password of a staff member or shopkeeper."""

    email = EmailField(
        _l("E-Mail-Adresse"),
        validators=[
            InputRequired(message=_l("Bitte geben Sie Ihre E-Mail-Adresse ein.")),
            Length(max=MAX_EMAIL, message=_l("Die E-Mail-Adresse ist zu lang.")),
        ],
        render_kw={
            "autocomplete": "username",
            "autocapitalize": "none",
            "spellcheck": "false",
            "maxlength": str(MAX_EMAIL),
        },
    )
    password = password_field()


class ReauthenticateForm(BaseForm):
    """The password once more, before a draw or an export."""

    password = password_field()



class InvitationForm(BaseForm):
    """A shopkeeper's new password, twice, on the invitation page."""

    password = PasswordField(
        _l("Neues Passwort"),
        validators=[
            InputRequired(message=_l("Bitte wählen Sie ein Passwort.")),
            Length(max=MAX_PASSWORD, message=_l("Das Passwort ist zu lang.")),
        ],
        description=_l("Mindestens 12 Zeichen. Gut zu merken und schwer zu erraten sind drei "
                       "oder vier Wörter, die nichts miteinander zu tun haben."),
        render_kw={"autocomplete": "new-password", "minlength": "12"},
    )
    confirm = PasswordField(
        _l("Passwort wiederholen"),
        validators=[
            InputRequired(message=_l("Bitte geben Sie das Passwort ein zweites Mal ein.")),
            EqualTo("password", message=_l("Die beiden Passwörter sind nicht gleich. Bitte "
                                           "geben Sie es zweimal genau gleich ein.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
