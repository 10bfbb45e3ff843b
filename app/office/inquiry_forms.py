"""The inquiry form ("Sie"), for every subject an inquiry can be about (a successor
profile, an empty shop): CSRF and the refusal of control characters from BaseForm; the
service checks the details once more. :func:`answer_inquiry` is the view's part that
every subject shares."""

from collections.abc import Callable

from flask import abort, redirect
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response
from wtforms import BooleanField, Field, TelField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from .. import clock
from ..forms import BaseForm, email_field, person_name_field
from ..services import inquiries
from ..services.inquiries import (
    MESSAGE_MAX,
    NAME_MAX,
    PHONE_MAX,
    InquiryError,
    phone_looks_right,
)

# The service's refusals, as the field and the German message they belong to.
INQUIRY_MESSAGES = {
    "bad_name": ("name", _l("Bitte geben Sie Ihren Namen ein (höchstens 100 Zeichen).")),
    "bad_email": ("email", _l("Das ist keine gültige E-Mail-Adresse.")),
    "bad_phone": ("phone", _l("Bitte geben Sie eine Telefonnummer nur mit Ziffern, "
                              "Leerzeichen und + ( ) / - ein.")),
    "bad_message": ("message", _l("Bitte schreiben Sie uns kurz, worum es Ihnen geht "
                                  "(höchstens 3000 Zeichen).")),
    "consent_missing": ("consent", _l("Bitte stimmen Sie zu, damit wir Ihre Anfrage "
                                      "bearbeiten können.")),
    "control_characters": ("name", _l("Bitte entfernen Sie Steuerzeichen (unsichtbare "
                                      "Zeichen, oft aus kopiertem Text).")),
}


class InquiryForm(BaseForm):
    """Name, e-mail, optional phone, message, consent."""

    name = person_name_field(NAME_MAX)
    email = email_field()
    phone = TelField(
        _l("Telefon (freiwillig)"),
        validators=[
            Optional(),
            Length(max=PHONE_MAX, message=_l("Die Telefonnummer darf höchstens 40 Zeichen "
                                             "lang sein.")),
        ],
        render_kw={"autocomplete": "tel", "maxlength": str(PHONE_MAX)},
    )
    message = TextAreaField(
        _l("Ihre Nachricht"),
        validators=[
            InputRequired(message=_l("Bitte schreiben Sie uns kurz, worum es Ihnen geht.")),
            Length(max=MESSAGE_MAX, message=_l("Die Nachricht darf höchstens 3000 Zeichen "
                                               "lang sein.")),
        ],
        render_kw={"rows": "6", "maxlength": str(MESSAGE_MAX)},
    )
    consent = BooleanField(
        _l("Ich bin einverstanden, dass das Büro meine Angaben für diese Anfrage verwendet."),
        validators=[InputRequired(message=_l("Bitte stimmen Sie zu, damit wir Ihre Anfrage "
                                             "bearbeiten können."))],
    )

    def validate_phone(self, field: Field) -> None:
        """Say at once when the number cannot be one."""
        value = " ".join((field.data or "").split())
        if value and len(value) <= PHONE_MAX and not phone_looks_right(value):
            raise ValidationError(_l("Bitte geben Sie eine Telefonnummer nur mit Ziffern, "
                                     "Leerzeichen und + ( ) / - ein."))


def answer_inquiry(kind: str, subject_id: int, page: Callable[["InquiryForm"], str],
                   thanks_url: str) -> Response | tuple[str, int] | str:
    """The page with the form (GET), the form again with its problems (400), or the
    inquiry sent and a redirect to ``thanks_url`` (303). A subject no longer public
    meanwhile is a 404."""
    form = InquiryForm()
    if not form.is_submitted():
        return page(form)
    if not form.validate():
        return page(form), 400
    try:
        inquiries.submit(subject_kind=kind, subject_id=subject_id,
                         name=form.name.data or "", email=form.email.data or "",
                         phone=form.phone.data or "", message=form.message.data or "",
                         consent=bool(form.consent.data), now=clock.utcnow())
    except InquiryError as error:
        if error.code in INQUIRY_MESSAGES:
            field, message = INQUIRY_MESSAGES[error.code]
            getattr(form, field).errors = [message]
            return page(form), 400
        abort(404)
    return redirect(thanks_url, code=303)
