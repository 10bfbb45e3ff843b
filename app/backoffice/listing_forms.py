"""Forms of the Leerstandsbörse in the back office, the German words of its choices, and
the German texts of its refusals."""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import TextInput

from ..forms import BaseForm
from ..services import listing_admin as service
from ..services import listing_media
from ..services.images import MAX_BYTES
from ..services.listings import FLOOR_LABELS, RENT_MODEL_LABELS, USE_LABELS
from .advent_forms import PICTURE_TYPES
from .event_forms import CapacityField, CheckboxesField, DayField, _max

DIGITS_MAX = 9
THOUSANDS_RE = re.compile(r"\d{1,3}(\.\d{3})+")


def german_decimal(text: str, *, thousands: bool) -> Decimal:
    """``1.250,50`` or ``1250.5`` → Decimal; with ``thousands`` a lone dot followed by
    three digits (``1.250``) is a thousands separator, as Germans write money."""
    text = text.replace(" ", "").replace("\u00a0", "").removesuffix("€")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif thousands and THOUSANDS_RE.fullmatch(text):
        text = text.replace(".", "")
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(text) from error
    if not value.is_finite():
        raise ValueError(text)
    return value


class DecimalInputField(Field):
    """A number typed the German way; empty means ``None``. ``cents`` turns euros into
    whole cents."""

    widget = TextInput()

    def __init__(self, label: Any = None, validators: Any = None, *, cents: bool = False,
                 message: Any = None, **kwargs: Any) -> None:
        """Set how the input is read and what an unreadable one is told."""
        super().__init__(label, validators, **kwargs)
        self.cents = cents
        self.message = message or _l("Bitte geben Sie eine Zahl ein, z. B. 12,5.")

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Read the input; empty → ``None``."""
        text = str(valuelist[0]).strip() if valuelist else ""
        self.data: float | int | None = None
        if not text:
            return
        try:
            value = german_decimal(text, thousands=self.cents)
        except (ValueError, ArithmeticError) as error:  # decimal.InvalidOperation too
            raise ValueError(self.message) from error
        # Nine digits before the comma at most ("1e30" is a number, but no rent or width).
        if not value.is_finite() or value.adjusted() >= DIGITS_MAX:
            raise ValueError(self.message)
        if self.cents:
            if value != value.quantize(Decimal("0.01")):
                raise ValueError(self.message)
            self.data = int(value * 100)
        else:
            self.data = float(value)

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(str(v) for v in self.raw_data)
        if self.data is None:
            return ""
        if self.cents:
            return f"{self.data / 100:.2f}".replace(".", ",").removesuffix(",00")
        return str(self.data).replace(".", ",")


def _choices(labels: dict[Any, Any]) -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in labels.items()]


MONEY_MESSAGE = _l("Bitte geben Sie einen Betrag in Euro ein, z. B. 850 oder 1.250,50.")


class ListingForm(BaseForm):
    """A listing: the public part, then the office's internal part. The service checks
    everything; the fields only parse."""

    title = StringField(_l("Überschrift"), validators=[_max(service.TITLE_MAX)],
                        description=_l("Zum Beispiel „Ladenlokal mit großem Schaufenster“."))
    street = StringField(_l("Straße und Hausnummer"), validators=[_max(service.STREET_MAX)])
    postcode = StringField(_l("Postleitzahl"), validators=[_max(10)])
    latitude = DecimalInputField(
        _l("Breitengrad (optional)"),
        message=_l("Bitte geben Sie den Breitengrad als Zahl ein, z. B. 51,5963."),
        description=_l("Für den Lageplan; beide Koordinaten oder keine."))
    longitude = DecimalInputField(
        _l("Längengrad (optional)"),
        message=_l("Bitte geben Sie den Längengrad als Zahl ein, z. B. 7,1428."))
    area_m2 = CapacityField(_l("Fläche in m²"))
    frontage_m = DecimalInputField(_l("Schaufensterfront in m (optional)"))
    floor = SelectField(_l("Etage"), choices=_choices(FLOOR_LABELS), coerce=int,
                        validate_choice=False, default=0)
    rent = DecimalInputField(
        _l("Kaltmiete pro Monat in €"), cents=True, message=MONEY_MESSAGE,
        description=_l("Leer lassen: „Miete auf Anfrage“."))
    service_charge = DecimalInputField(
        _l("Nebenkosten pro Monat in € (optional)"), cents=True, message=MONEY_MESSAGE)
    available_from = DayField(_l("Frei ab (optional)"),
                              description=_l("Leer lassen: sofort frei."))
    temporary_use = BooleanField(_l("Zwischennutzung möglich"))
    temporary_min_months = CapacityField(_l("Mindestdauer in Monaten (optional)"))
    temporary_max_months = CapacityField(
        _l("Höchstdauer in Monaten (optional)"),
        description=_l("Das Förderprogramm: höchstens 24 Monate, höchstens 300 m², "
                       "Erdgeschoss."))
    rent_model = SelectField(_l("Miete"), choices=_choices(RENT_MODEL_LABELS),
                             validate_choice=False, default="market")
    uses = CheckboxesField(_l("Geeignet für"), choices=_choices(USE_LABELS),
                           validate_choice=False)
    description = TextAreaField(_l("Beschreibung (Markdown)"),
                                validators=[_max(service.DESCRIPTION_MAX)])
    owner_name = StringField(_l("Eigentümer/in: Name (nie öffentlich)"),
                             validators=[_max(service.NAME_MAX)])
    owner_email = EmailField(_l("Eigentümer/in: E-Mail (nie öffentlich)"),
                             validators=[_max(254)])
    owner_phone = TelField(_l("Eigentümer/in: Telefon (nie öffentlich)"),
                           validators=[_max(service.PHONE_MAX)])
    internal_note = TextAreaField(_l("Interne Notiz (nie öffentlich)"),
                                  validators=[_max(service.NOTE_MAX)])


class PhotoForm(BaseForm):
    """One photo with its alt text."""

    photo = FileField(
        _l("Foto"),
        validators=[FileAllowed(PICTURE_TYPES, message=_l(
            "Bitte wählen Sie ein Foto im Format JPEG, PNG oder WebP."))],
        description=_l("JPEG, PNG oder WebP, höchstens %(mb)d MB. Das Foto wird verkleinert; "
                       "Standort und andere Angaben aus der Kamera werden entfernt.",
                       mb=MAX_BYTES // (1024 * 1024)))
    alt = StringField(_l("Bildbeschreibung (Alternativtext)"),
                      validators=[_max(listing_media.ALT_MAX)],
                      description=_l("Pflicht: Was ist auf dem Foto zu sehen?"))


class PhotoAltForm(BaseForm):
    """A photo's alt text, changed."""

    alt = StringField(_l("Bildbeschreibung"), validators=[_max(listing_media.ALT_MAX)])


class FloorPlanForm(BaseForm):
    """The floor plan as PDF (checked by its content, not its name)."""

    plan = FileField(
        _l("Grundriss (PDF)"),
        description=_l("Eine PDF-Datei, höchstens %(mb)d MB, nicht verschlüsselt.",
                       mb=listing_media.FLOOR_PLAN_MAX_BYTES // (1024 * 1024)))


class ListingActionForm(BaseForm):
    """A button (publish, confirm, retire, reject, remove): CSRF token only."""


MESSAGES: dict[Any, Any] = {
    ("title", "bad_title"): _l("Bitte geben Sie eine Überschrift ein (höchstens %(max)d "
                               "Zeichen)."),
    ("street", "bad_street"): _l("Bitte geben Sie Straße und Hausnummer ein (höchstens "
                                 "%(max)d Zeichen)."),
    "bad_postcode": _l("Die Postleitzahl hat fünf Ziffern, z. B. 45699."),
    "point_incomplete": _l("Bitte geben Sie beide Koordinaten an oder keine."),
    "bad_latitude": _l("Der Breitengrad liegt zwischen -90 und 90."),
    "bad_longitude": _l("Der Längengrad liegt zwischen -180 und 180."),
    "missing_area": _l("Bitte geben Sie die Fläche in m² an."),
    "bad_area": _l("Die Fläche muss größer als 0 und höchstens %(max)d m² sein."),
    "bad_frontage": _l("Die Schaufensterfront muss größer als 0 und höchstens 200 m sein."),
    "bad_money": _l("Bitte geben Sie einen Betrag ab 0 € ein."),
    "bad_months": _l("Bitte geben Sie 1 bis %(max)d Monate an."),
    "months_reversed": _l("Die Höchstdauer darf nicht kürzer sein als die Mindestdauer."),
    "months_without_temporary_use": _l("Eine Dauer gibt es nur bei einer Zwischennutzung: "
                                       "bitte „Zwischennutzung möglich“ ankreuzen oder die "
                                       "Dauer leeren."),
    "programme_is_temporary": _l("Das Förderprogramm gilt nur für eine Zwischennutzung."),
    "missing_uses": _l("Bitte kreuzen Sie mindestens eine Nutzung an."),
    "unknown_choice": _l("Bitte wählen Sie einen Eintrag aus der Liste."),
    "too_long": _l("Höchstens %(max)d Zeichen."),
    "bad_email": _l("Das ist keine gültige E-Mail-Adresse."),
    "bad_phone": _l("Bitte geben Sie eine Telefonnummer nur mit Ziffern, Leerzeichen und "
                    "+ ( ) / - ein."),
    "control_characters": _l("Bitte entfernen Sie Steuerzeichen (unsichtbare Zeichen, oft "
                             "aus kopiertem Text)."),
    "code_taken": _l("Gleichzeitig wurde eine andere Anzeige angelegt. Bitte speichern Sie "
                     "noch einmal."),
    "unknown_listing": _l("Diese Anzeige gibt es nicht (mehr)."),
    "already_published": _l("Diese Anzeige ist schon veröffentlicht."),
    "rejected": _l("Ein abgelehntes Angebot lässt sich nicht veröffentlichen."),
    "incomplete": _l("Die Anzeige ist noch unvollständig. Bitte ergänzen Sie die Angaben "
                     "(z. B. die Nutzungen), speichern Sie sie und veröffentlichen Sie dann."),
    "not_published": _l("Nur eine veröffentlichte Anzeige lässt sich bestätigen."),
    "not_retirable": _l("Diese Anzeige ist nicht veröffentlicht und kein Entwurf."),
    "not_submitted": _l("Ablehnen lässt sich nur ein Angebot, das noch nicht geprüft ist."),
    "missing_alt": _l("Bitte beschreiben Sie das Foto in wenigen Worten (Alternativtext)."),
    "too_many_photos": _l("Eine Anzeige hat höchstens %(max)d Fotos. Bitte entfernen Sie "
                          "erst eines."),
    "missing_photo": _l("Bitte wählen Sie ein Foto aus."),
    ("photo", "too_large"): _l("Das Foto ist zu groß: höchstens 8 MB."),
    "too_many_pixels": _l("Das Foto hat zu viele Bildpunkte. Bitte verkleinern Sie es "
                          "vorher (höchstens 40 Megapixel)."),
    "not_an_image": _l("Diese Datei ist kein Foto im Format JPEG, PNG oder WebP."),
    "unreadable": _l("Das Foto ist beschädigt oder unvollständig und lässt sich nicht lesen."),
    "empty": _l("Die Datei ist leer."),
    "unknown_photo": _l("Dieses Foto gibt es nicht (mehr)."),
    "cannot_move": _l("Das Foto steht schon an dieser Stelle."),
    "bad_step": _l("Das Foto steht schon an dieser Stelle."),
    "missing_plan": _l("Bitte wählen Sie eine PDF-Datei aus."),
    "too_large": _l("Die Datei ist zu groß: höchstens %(max)d MB."),
    "not_a_pdf": _l("Diese Datei ist kein PDF, auch wenn sie so heißt."),
    "encrypted": _l("Das PDF ist verschlüsselt oder mit einem Passwort geschützt. Bitte "
                    "speichern Sie es ohne Schutz."),
    "broken_pdf": _l("Das PDF ist beschädigt oder unvollständig und lässt sich nicht öffnen."),
    "too_many_pages": _l("Ein Grundriss hat höchstens %(max)d Seiten."),
    "no_floor_plan": _l("Diese Anzeige hat keinen Grundriss."),
    "unknown_search_profile": _l("Dieses Suchprofil gibt es nicht (mehr)."),
    "already_closed": _l("Dieses Suchprofil ist schon geschlossen."),
}


def listing_message(field: str, code: str, context: dict[str, Any]) -> str:
    """The German text for one refusal of a listing edit or action."""
    template = MESSAGES.get((field, code)) or MESSAGES.get(code)
    if template is None:
        return str(_l("Diese Angabe ist ungültig."))
    return str(template) % context if context else str(template)
