"""Datenschutz: the kinds of personal data with their retention and counts, and the export
and deletion of everything held about one e-mail address (a request under Art. 15 or 17
DSGVO). Export and deletion need a fresh login, are POSTs and are audited by the service;
deletion shows what will go before it happens.
"""

import json

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse
from wtforms import HiddenField, StringField
from wtforms.validators import InputRequired, Length

from ..auth.decorators import fresh_login_required, staff_required
from ..forms import BaseForm
from ..services import privacy
from ..services.errors import DomainError
from . import bp
from .routes import actor_id, now

ERRORS = {
    "bad_email": _l("Bitte geben Sie eine gültige E-Mail-Adresse ein, z. B. "
                    "name@example.org."),
    "own_account": _l("Das ist die Adresse Ihres eigenen Kontos. Sie können sie hier nicht "
                      "löschen; bitten Sie eine Kollegin oder einen Kollegen."),
}


class AddressForm(BaseForm):
    """The address of a request for access or deletion."""

    email = StringField(_l("E-Mail-Adresse"), validators=[
        InputRequired(_l("Bitte geben Sie die E-Mail-Adresse der Person ein.")),
        Length(max=254, message=_l("Eine E-Mail-Adresse hat höchstens 254 Zeichen.")),
    ])


class ConfirmDeletionForm(BaseForm):
    """The confirmation step of a deletion: the address, carried over."""

    email = HiddenField(validators=[InputRequired(), Length(max=254)])


def overview(form: AddressForm, status: int = 200) -> tuple[str, int]:
    """The page: every kind with its retention and current count, and the request form."""
    return render_template(
        "backoffice/privacy.html", form=form, counts=privacy.counts(),
        retention=privacy.retention,
    ), status


def checked_address(form: AddressForm) -> str | None:
    """The form's normalised address, or ``None`` with the field's error set."""
    if not form.validate_on_submit():
        return None
    try:
        return privacy.normalise_email(form.email.data or "")
    except DomainError as error:
        form.email.errors = [str(ERRORS[error.code])]
        return None


@bp.get("/datenschutz")
@staff_required
def privacy_page() -> tuple[str, int]:
    """The registry of personal data and the form for one person's request."""
    return overview(AddressForm())


@bp.post("/datenschutz/auskunft")
@staff_required
@fresh_login_required
def privacy_export() -> Response | tuple[str, int]:
    """Everything held about an address as a JSON download (fresh login; audited)."""
    form = AddressForm()
    email = checked_address(form)
    if email is None:
        return overview(form, 400)
    moment = now()
    data = privacy.export(email, now=moment, actor_id=actor_id())
    response = Response(json.dumps(data, ensure_ascii=False, indent=2),
                        content_type="application/json; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="datenauskunft-{moment:%Y-%m-%d}.json"')
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/datenschutz/loeschen")
@staff_required
@fresh_login_required
def privacy_delete_check() -> tuple[str, int]:
    """What a deletion would remove, with the button that does it (fresh login)."""
    form = AddressForm()
    email = checked_address(form)
    if email is None:
        return overview(form, 400)
    found = privacy.held(email)
    held = [(privacy.KIND_BY_KEY[key], len(records)) for key, records in found.items()]
    return render_template(
        "backoffice/privacy_delete.html", email=email, held=held,
        form=ConfirmDeletionForm(formdata=None, email=email),
    ), 200


@bp.post("/datenschutz/loeschen/bestaetigen")
@staff_required
@fresh_login_required
def privacy_delete() -> BaseResponse | tuple[str, int]:
    """Delete or anonymise everything held about the confirmed address (audited)."""
    form = ConfirmDeletionForm()
    if not form.validate_on_submit():
        return overview(AddressForm(formdata=None), 400)
    try:
        done = privacy.delete(form.email.data or "", now=now(), actor_id=actor_id())
    except DomainError as error:
        page = AddressForm(formdata=None, email=form.email.data)
        page.email.errors = [str(ERRORS.get(error.code, ERRORS["bad_email"]))]
        return overview(page, 400)
    if done:
        parts = ", ".join(f"{item.kind.label}: {item.count} {item.kind.done}" for item in done)
        flash(_("Erledigt. %(parts)s.", parts=parts), "ok")
    else:
        flash(_("Zu dieser Adresse war nichts gespeichert."), "ok")
    return redirect(url_for("backoffice.privacy_page"), code=303)
