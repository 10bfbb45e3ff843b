"""Shopper forms. CSRF comes from FlaskForm (and CSRFProtect for the button-only forms)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length


class ShortCodeForm(FlaskForm):
    """The six characters under a shop's QR code, typed instead of scanned."""

    code = StringField(
        _l("Code vom Plakat"),
        validators=[
            InputRequired(message=_l("Bitte gib den Code vom Plakat ein.")),
            Length(max=20, message=_l("Der Code hat nur sechs Zeichen.")),
        ],
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
            "inputmode": "text",
            "maxlength": "20",
        },
    )
