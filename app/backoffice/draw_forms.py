"""Forms of the draw pages."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import BaseForm
from .forms import GermanIntegerField

NO_BEACON = "none"


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
    beacon_chain = RadioField(
        _l("Öffentlicher Zufallswert"),
        choices=[
            SelectChoice("quicknet", _l("drand quicknet (eine Runde alle 3 Sekunden)")),
            SelectChoice("default", _l("drand mainnet (eine Runde alle 30 Sekunden)")),
            SelectChoice(NO_BEACON, _l("Ohne öffentlichen Zufallswert")),
        ],
        default="quicknet",
        validators=[InputRequired(message=_l("Bitte wählen Sie den Zufallswert."))],
    )
    beacon_round = GermanIntegerField(
        _l("drand-Runde"),
        validators=[Optional(), NumberRange(min=1, message=_l("Runden beginnen bei 1."))],
    )
    reason = TextAreaField(
        _l("Begründung (nur für eine Hauptziehung vor Teilnahmeschluss)"),
        validators=[Optional(), Length(max=500, message=_l("Höchstens 500 Zeichen."))],
    )


class RunForm(BaseForm):
    """The run: the named round's value (when the draw named one) and a confirmation."""

    beacon = StringField(
        _l("Wert „randomness“ der genannten drand-Runde"),
        validators=[Optional(), Length(max=200, message=_l("Der Wert ist zu lang."))],
    )
    confirm = BooleanField(
        _l("Ich habe verstanden: Die Ziehung läuft jetzt genau einmal, das Ergebnis wird "
           "sofort veröffentlicht und kann nicht wiederholt werden."),
        validators=[DataRequired(message=_l("Bitte bestätigen Sie, dass jetzt gezogen "
                                            "werden soll."))],
    )
