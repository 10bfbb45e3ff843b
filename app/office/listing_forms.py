"""The Leerstandsbörse's public forms ("Sie"): an owner's offer and a founder's search
profile. CSRF and the refusal of control characters come from BaseForm; the fields parse
German numbers ("1.250", "87,50"); the services check everything once more."""

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    Field,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import BaseForm, email_field, person_name_field
from ..services import listing_offers, search_profiles
from ..services.inquiries import NAME_MAX, PHONE_MAX, phone_looks_right
from ..services.listings import FLOOR_LABELS, USE_LABELS

# At most nine digits before the comma: no amount here comes near, and nothing larger
# reaches a float division or an INTEGER column.
NUMBER_RE = re.compile(r"[0-9]{1,3}(\.[0-9]{3}){1,2}|[0-9]{1,9}")


def parse_amount(text: str) -> tuple[int, int] | None:
    """A German amount ("1.250", "87,50", "12,5") as whole and hundredths, or None."""
    text = text.strip().removesuffix("€").removesuffix("m²").removesuffix("m").strip()
    whole, _sep, fraction = text.partition(",")
    if not NUMBER_RE.fullmatch(whole) or not (fraction == "" and not _sep
                                              or re.fullmatch(r"[0-9]{1,2}", fraction)):
        return None
    return int(whole.replace(".", "")), int(fraction.ljust(2, "0")) if fraction else 0


class AmountField(StringField):
    """An optional German amount; ``data`` is hundredths (cent, cm) or None."""

    message: Any = _l("Bitte geben Sie eine Zahl ein, z. B. 850 oder 87,50.")
    whole_only = False

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the amount; an empty input is no value, not an error."""
        self.raw_data = valuelist
        text = str(valuelist[0]).strip() if valuelist else ""
        if not text:
            self.data = None
            return
        parsed = parse_amount(text)
        if parsed is None or (self.whole_only and parsed[1]):
            self.data = None
            raise ValueError(self.message)
        self.data = parsed[0] * 100 + parsed[1]

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return ""


class AreaField(AmountField):
    """An area in whole m²; ``data`` is m² or None."""

    message = _l("Bitte geben Sie die Fläche in ganzen Quadratmetern ein, z. B. 85.")
    whole_only = True

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None:
            self.data //= 100


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        """Refuse a value that is none of the choices, in German."""
        known = {choice.value for choice in self.iter_choices()}
        if any(value not in known for value in self.data or ()):
            raise ValidationError(_l("Bitte wählen Sie nur aus der Liste."))


def _uses_field(label: Any) -> CheckboxesField:
    return CheckboxesField(label, choices=[SelectChoice(key, word)
                                           for key, word in USE_LABELS.items()])


def _phone_field() -> TelField:
    return TelField(
        _l("Telefon (freiwillig)"),
        validators=[Optional(), Length(max=PHONE_MAX, message=_l(
            "Die Telefonnummer darf höchstens 40 Zeichen lang sein."))],
        render_kw={"autocomplete": "tel", "maxlength": str(PHONE_MAX)})


def check_phone(field: Field) -> None:
    value = " ".join((field.data or "").split())
    if value and len(value) <= PHONE_MAX and not phone_looks_right(value):
        raise ValidationError(_l("Bitte geben Sie eine Telefonnummer nur mit Ziffern, "
                                 "Leerzeichen und + ( ) / - ein."))


class OfferForm(BaseForm):
    """An owner's offer: the space's facts and a description, the owner's contact, consent."""

    title = StringField(
        _l("Kurz: Was für ein Raum?"),
        validators=[InputRequired(message=_l("Bitte beschreiben Sie den Raum in wenigen "
                                             "Worten.")),
                    Length(max=listing_offers.TITLE_MAX, message=_l(
                        "Höchstens %(max)d Zeichen.", max=listing_offers.TITLE_MAX))],
        render_kw={"maxlength": str(listing_offers.TITLE_MAX)})
    street = StringField(
        _l("Straße und Hausnummer"),
        validators=[InputRequired(message=_l("Bitte geben Sie die Adresse des Raums an.")),
                    Length(max=listing_offers.STREET_MAX, message=_l(
                        "Höchstens %(max)d Zeichen.", max=listing_offers.STREET_MAX))],
        render_kw={"autocomplete": "street-address",
                   "maxlength": str(listing_offers.STREET_MAX)})
    postcode = StringField(
        _l("Postleitzahl (freiwillig)"),
        validators=[Optional(), Length(max=listing_offers.POSTCODE_MAX, message=_l(
            "Höchstens %(max)d Zeichen.", max=listing_offers.POSTCODE_MAX))],
        render_kw={"autocomplete": "postal-code", "inputmode": "numeric",
                   "maxlength": str(listing_offers.POSTCODE_MAX)})
    area_m2 = AreaField(_l("Fläche in m²"), render_kw={"inputmode": "numeric"})
    frontage_m = AmountField(_l("Breite der Schaufensterfront in m (freiwillig)"),
                             render_kw={"inputmode": "decimal"})
    floor = SelectField(_l("Etage"), choices=[SelectChoice(str(key), label)
                                              for key, label in FLOOR_LABELS.items()],
                        default="0")
    rent = AmountField(_l("Kaltmiete im Monat in € (freiwillig)"),
                       render_kw={"inputmode": "decimal"})
    service_charge = AmountField(_l("Nebenkosten im Monat in € (freiwillig)"),
                                 render_kw={"inputmode": "decimal"})
    available_from = DateField(
        _l("Frei ab (freiwillig)"), validators=[Optional()],
        format="%Y-%m-%d")
    temporary_use = BooleanField(_l("Auch für eine Zwischennutzung (befristet) zu haben"))
    uses = _uses_field(_l("Geeignet für (freiwillig)"))
    description = TextAreaField(
        _l("Beschreibung (freiwillig)"),
        validators=[Length(max=listing_offers.DESCRIPTION_MAX, message=_l(
            "Höchstens %(max)d Zeichen.", max=listing_offers.DESCRIPTION_MAX))],
        render_kw={"rows": "5", "maxlength": str(listing_offers.DESCRIPTION_MAX)})
    owner_name = person_name_field(NAME_MAX)
    owner_email = email_field()
    owner_phone = _phone_field()
    consent = BooleanField(
        _l("Ich bin einverstanden, dass das Büro meine Angaben für dieses Angebot verwendet."),
        validators=[InputRequired(message=_l("Bitte stimmen Sie zu, damit wir Ihr Angebot "
                                             "bearbeiten können."))])

    def validate_area_m2(self, field: Field) -> None:
        """The area is the one fact a listing needs."""
        if field.data is None and not field.errors:
            raise ValidationError(_l("Bitte geben Sie die Fläche in Quadratmetern an."))
        if field.data is not None and not 0 < field.data <= listing_offers.AREA_MAX:
            raise ValidationError(_l("Bitte geben Sie eine Fläche zwischen 1 und "
                                     "%(max)d m² an.", max=listing_offers.AREA_MAX))

    def validate_owner_phone(self, field: Field) -> None:
        """Say at once when the number cannot be one."""
        check_phone(field)


class SearchProfileForm(BaseForm):
    """A founder's profile: size, uses, rent, temporary only, their idea and contact."""

    min_area_m2 = AreaField(_l("Fläche von (m², freiwillig)"),
                            render_kw={"inputmode": "numeric"})
    max_area_m2 = AreaField(_l("Fläche bis (m², freiwillig)"),
                            render_kw={"inputmode": "numeric"})
    uses = _uses_field(_l("Wofür suchen Sie? (freiwillig; ohne Auswahl: jede Nutzung)"))
    max_rent = AmountField(_l("Kaltmiete höchstens, € im Monat (freiwillig)"),
                           render_kw={"inputmode": "decimal"})
    temporary_only = BooleanField(_l("Ich suche nur eine Zwischennutzung (befristet)"))
    message = TextAreaField(
        _l("Ihre Idee (freiwillig)"),
        validators=[Length(max=search_profiles.MESSAGE_MAX, message=_l(
            "Höchstens %(max)d Zeichen.", max=search_profiles.MESSAGE_MAX))],
        render_kw={"rows": "5", "maxlength": str(search_profiles.MESSAGE_MAX)})
    name = person_name_field(NAME_MAX)
    email = email_field()
    phone = _phone_field()
    consent = BooleanField(
        _l("Ich bin einverstanden, dass das Büro mein Suchprofil speichert und mich zu "
           "passenden Räumen anspricht."),
        validators=[InputRequired(message=_l("Bitte stimmen Sie zu, damit wir Ihr "
                                             "Suchprofil speichern können."))])

    def validate_max_area_m2(self, field: Field) -> None:
        """"bis" not below "von"."""
        low = self.min_area_m2.data
        if field.data is not None and low is not None and field.data < low:
            raise ValidationError(_l("„Bis“ darf nicht kleiner sein als „von“."))

    def validate_phone(self, field: Field) -> None:
        """Say at once when the number cannot be one."""
        check_phone(field)
