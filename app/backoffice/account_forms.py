"""Forms of the shop page's accounts section, and the German words for its refusals."""

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import EmailField
from wtforms.validators import InputRequired, Length

from ..forms import BaseForm
from ..services.accounts import EMAIL_MAX


class InviteForm(BaseForm):
    """The address of a shopkeeper to invite (checked by ``services.accounts``)."""

    email = EmailField(
        _l("E-Mail-Adresse"),
        validators=[
            InputRequired(message=_l("Bitte geben Sie die E-Mail-Adresse ein.")),
            Length(max=EMAIL_MAX, message=_l("Höchstens %(max)d Zeichen.", max=EMAIL_MAX)),
        ],
        description=_l("Die Adresse wird der Anmeldename. Ist sie schon ein Zugang dieses "
                       "Geschäfts, wählt die Person mit dem Link ein neues Passwort."),
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )


# services.accounts' refusal codes in the office's words.
ACCOUNT_MESSAGES: dict[str, Any] = {
    "bad_email": _l("Das ist keine gültige E-Mail-Adresse, z. B. inhaberin@laden.de."),
    "email_taken": _l("Diese Adresse gehört schon zu einem Zugang des Büros oder eines anderen "
                      "Geschäfts. Jede Adresse kann nur einen Zugang haben."),
    "invited_elsewhere": _l("Diese Adresse hat schon eine offene Einladung für „%(shop)s“. "
                            "Ziehen Sie sie dort zurück oder nehmen Sie eine andere Adresse."),
    "unknown_shop": _l("Dieses Geschäft gibt es nicht mehr."),
    "unknown_account": _l("Diesen Zugang gibt es nicht."),
    "unknown_invitation": _l("Diese Einladung gibt es nicht."),
    "not_open": _l("Diese Einladung war schon benutzt, abgelaufen oder zurückgezogen."),
}


def account_message(code: str, context: dict[str, object]) -> str:
    """The German text for a refusal of ``services.accounts``."""
    template = ACCOUNT_MESSAGES.get(code, _l("Das hat nicht geklappt."))
    return str(template) % context if context else str(template)
