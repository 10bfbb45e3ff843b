"""Forms of the draw pages."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import BaseForm


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (works without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SealForm(BaseForm):
    """What to seal: final or daily draw, which day, which prizes."""

    kind = RadioField(
        _l("Art der Ziehung"),
        choices=[
            SelectChoice("final", _l("Hauptziehung")),
            SelectChoice("daily", _l("Tagesziehung")),
        ],
        default="final",
        validators=[InputRequired(message=_l("Bitte wählen Sie die Art der Ziehung."))],
    )
    day = DateField(_l("Tag (nur bei Tagesziehungen)"), validators=[Optional()])
    prizes = CheckboxListField(
        _l("Preise, in der Reihenfolge der Ränge"),
        coerce=int,
        validators=[InputRequired(message=_l("Bitte wählen Sie mindestens einen Preis."))],
    )
    title = StringField(
        _l("Titel (optional)"),
        validators=[Optional(), Length(max=120, message=_l("Höchstens 120 Zeichen."))],
    )


class BeaconForm(BaseForm):
    """A public randomness value fixed after sealing, e.g. a drand round's value."""

    beacon = StringField(
        _l("Öffentlicher Zufallswert (hexadezimal)"),
        validators=[
            InputRequired(message=_l("Bitte geben Sie den Wert ein.")),
            Length(max=200, message=_l("Der Wert ist zu lang.")),
        ],
    )
