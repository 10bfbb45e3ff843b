"""Login forms. CSRF comes from BaseForm (Flask-WTF; CSRFProtect for the logout button)."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from ..forms import BaseForm

# Long enough for any real address and password, short enough to keep hashing cheap.
MAX_EMAIL = 254
MAX_PASSWORD = 1024


def password_field(
    label: str = _l("Passwort"),
    missing: str = _l("Bitte geben Sie Ihr Passwort ein."),
) -> PasswordField:
    """The current password's input, shared by login, re-authentication and the change."""
    return PasswordField(
        label,
        validators=[
            InputRequired(message=missing),
            Length(max=MAX_PASSWORD, message=_l("Das Passwort ist zu lang.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )


def login_email_field() -> EmailField:
    """The address of an account, shared by login and the forgotten-password form."""
    return EmailField(
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


class LoginForm(BaseForm):
    """E-mail address and password of a staff member or shopkeeper."""

    email = login_email_field()
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


class ForgotPasswordForm(BaseForm):
    """The address to send a reset link to."""

    email = login_email_field()


class ResetPasswordForm(InvitationForm):
    """The new password, twice, on the page of a reset link."""


class PasswordChangeForm(InvitationForm):
    """The current password, then the new one twice (staff and shopkeepers)."""

    current = password_field(
        _l("Bisheriges Passwort"), _l("Bitte geben Sie Ihr bisheriges Passwort ein.")
    )


class CodeForm(BaseForm):
    """A code of the authenticator app, or a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[
            InputRequired(message=_l("Bitte geben Sie den Code ein.")),
            Length(max=64, message=_l("Der Code ist zu lang.")),
        ],
        description=_l("Die sechs Ziffern aus Ihrer Authenticator-App, oder einer Ihrer "
                       "Wiederherstellungscodes."),
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "none",
                   "spellcheck": "false", "maxlength": "64"},
    )


class EnrolmentForm(BaseForm):
    """The first code of the authenticator app, confirming the enrolment."""

    code = StringField(
        _l("Code aus der App"),
        validators=[
            InputRequired(message=_l("Bitte geben Sie den Code aus der App ein.")),
            Length(max=16, message=_l("Der Code hat sechs Ziffern.")),
        ],
        description=_l("Sechs Ziffern; die App zeigt alle 30 Sekunden einen neuen Code."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "16"},
    )


class ConfirmForm(BaseForm):
    """A form that is only a button (CSRF)."""
