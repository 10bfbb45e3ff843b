"""Shopper forms. CSRF comes from ShopperForm (Flask-WTF; CSRFProtect for the button-only
forms), and so does the refusal of control characters, in "du"."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SearchField, StringField
from wtforms.validators import InputRequired, Length, Optional

from ..forms import ShopperForm


class ShortCodeForm(ShopperForm):
    """The six characters under a shop's QR code, typed instead of scanned, or the six
    digits on a live station's counter display."""

    code = StringField(
        _l("Code vom Plakat oder von der Kasse"),
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


class EntryForm(ShopperForm):
    """Entering the draw: a name, one way to reach the winner, age and consent."""

    name = StringField(
        _l("Dein Name"),
        validators=[
            InputRequired(message=_l("Bitte gib deinen Namen ein.")),
            Length(max=100, message=_l("Der Name darf höchstens 100 Zeichen lang sein.")),
        ],
        render_kw={"autocomplete": "name", "maxlength": "100"},
    )
    contact = StringField(
        _l("E-Mail-Adresse oder Telefonnummer"),
        validators=[
            InputRequired(message=_l("Bitte gib eine E-Mail-Adresse oder Telefonnummer an.")),
            Length(max=254, message=_l("Das ist zu lang für eine E-Mail-Adresse.")),
        ],
        render_kw={"autocomplete": "email", "maxlength": "254", "inputmode": "email"},
    )
    adult = BooleanField(
        _l("Ich bin mindestens 16 Jahre alt."),
        validators=[InputRequired(message=_l("Teilnehmen darfst du ab 16 Jahren."))],
    )
    consent = BooleanField(
        _l("Ich akzeptiere die Teilnahmebedingungen und habe die Datenschutzhinweise gelesen."),
        validators=[
            InputRequired(message=_l("Bitte stimme den Teilnahmebedingungen zu."))
        ],
    )


class ShopSearchForm(ShopperForm):
    """The shop directory's search and its "not visited yet" filter.

    Sent as GET parameters: it changes nothing, so a link can carry it and it needs no
    CSRF token; it works without JavaScript.
    """

    class Meta:
        """No CSRF: a GET form that only filters a public list."""

        csrf = False

    suche = SearchField(
        _l("Geschäft suchen"),
        validators=[
            Optional(),
            Length(max=100, message=_l("Bitte such mit höchstens 100 Zeichen.")),
        ],
        render_kw={"maxlength": "100", "autocomplete": "off", "enterkeyhint": "search"},
    )
    offen = BooleanField(_l("Nur Geschäfte, die ich noch nicht besucht habe"))


class CardLinkMailForm(ShopperForm):
    """An address to send this card's recovery link to, once; it is not kept."""

    email = EmailField(
        _l("Deine E-Mail-Adresse"),
        validators=[
            InputRequired(message=_l("Bitte gib deine E-Mail-Adresse ein.")),
            Length(max=254, message=_l("Das ist zu lang für eine E-Mail-Adresse.")),
        ],
        render_kw={"autocomplete": "email", "maxlength": "254", "inputmode": "email"},
    )
