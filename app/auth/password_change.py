"""Changing the own password, shared by the back office and the shop portal.

The views of each audience (``/buero/konto``, ``/laden/konto``) render their own page
and call :func:`apply_password_change`; it checks the current password (throttled like
a login), applies the policy to the new one, ends every session of the account and
starts a new one on this device.
"""

from flask import flash
from flask_babel import gettext as _
from flask_login import current_user

from .. import clock
from ..models import User
from ..services.auth import AuthError
from ..services.password_resets import ResetError, change_password
from ..services.passwords import PasswordError
from .forms import PasswordChangeForm
from .invitations import password_message
from .routes import client_address, device_token, refusal, start_session


def apply_password_change(form: PasswordChangeForm) -> int | None:
    """Change the logged-in user's password from a submitted form.

    Returns ``None`` when it is changed (a new session is started and a message
    flashed), else the HTTP status to render the form with (its fields carry the
    messages).
    """
    if not form.validate_on_submit():
        return 400
    user: User = current_user._get_current_object()
    try:
        account = change_password(user=user, current=form.current.data or "",
                                  new=form.password.data or "", address=client_address(),
                                  now=clock.utcnow(), device=device_token())
    except AuthError as error:
        if error.code == "bad_credentials":
            form.current.errors = [_("Das bisherige Passwort stimmt nicht.")]
            return 400
        message, status = refusal(error.code)
        form.current.errors = [message]
        return status
    except ResetError:
        form.password.errors = [_("Das neue Passwort ist dasselbe wie das bisherige. Bitte "
                                  "wählen Sie ein anderes.")]
        return 400
    except PasswordError as error:
        form.password.errors = [password_message(error)]
        return 400
    start_session(account)
    flash(_("Ihr neues Passwort ist gespeichert. Auf allen anderen Geräten sind Sie jetzt "
            "abgemeldet."), "ok")
    return None
