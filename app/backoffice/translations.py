"""Staff's English and Turkish translations of their own texts: one page per text,
``/buero/uebersetzungen/<kind>/<key>``, linked from each text's edit page.

Staff and admins only (``staff_required``), as the texts themselves. The page shows the
German fields read-only beside the English and Turkish ones; the work is in
app.services.translations (checked, one transaction, audited).
"""

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from ..auth.decorators import staff_required
from ..models.common import TRANSLATED_LANGUAGES
from ..services import translations as service
from ..services.editing import EditError, InvalidInput
from . import bp
from .routes import actor_id, now
from .translation_forms import (
    FIELD_LABELS,
    KIND_LABELS,
    LANGUAGE_NAMES,
    TranslationForm,
    translation_message,
)

KINDS = "block, event, door, listing, service"
# Where each kind's German text is edited, and what the edit URL takes.
EDIT_PAGES: dict[str, tuple[str, str]] = {
    "block": ("backoffice.text_block", "key"), "event": ("backoffice.event_edit", "event_id"),
    "door": ("backoffice.advent_door_edit", "door_id"),
    "listing": ("backoffice.listing_edit", "listing_id"),
    "service": ("backoffice.text_service", "service_id"),
}


def cleaned(value: str | None, *, multiline: bool) -> str:
    """A field's value trimmed: Unix line ends in a body, one line elsewhere."""
    if multiline:
        return (value or "").strip().replace("\r\n", "\n")
    return " ".join((value or "").split())


def edit_url(kind: str, key: str) -> str:
    """The German text's edit page."""
    endpoint, argument = EDIT_PAGES[kind]
    values: dict[str, Any] = {argument: key if kind == "block" else int(key)}
    return url_for(endpoint, **values)


@bp.route(f"/uebersetzungen/<any({KINDS}):kind>/<key>", methods=["GET", "POST"])
@staff_required
def translations(kind: str, key: str) -> BaseResponse | tuple[str, int]:
    """The translations of one text: German read-only, the English and Turkish forms."""
    subject = service.subject_of(kind, key)
    try:
        _kind, german = service.german_text(subject, current_app.config["OFFICE"])
    except EditError:
        abort(404)
    fields = service.FIELDS[kind]
    stored = service.stored(subject)
    data = {f"{language}_{name}": stored.get((language, name), "")
            for language in TRANSLATED_LANGUAGES for name in fields}
    form = TranslationForm(data=data)
    for language in TRANSLATED_LANGUAGES:  # "Überschrift (Englisch)": one name per field
        for name in fields:
            form[f"{language}_{name}"].label.text = (
                f"{FIELD_LABELS[name]} ({LANGUAGE_NAMES[language]})")
    status = 200
    if form.is_submitted():
        if not form.validate():
            if form.csrf_token.errors:
                abort(400)
            status = 400
        else:
            values = {language: {name: cleaned(form[f"{language}_{name}"].data,
                                               multiline=field.multiline)
                                 for name, field in fields.items()}
                      for language in TRANSLATED_LANGUAGES}
            try:
                service.save_languages(subject, values, actor_id=actor_id(), now=now(),
                                       office=current_app.config["OFFICE"])
            except InvalidInput as error:  # rolled back: nothing written
                for problem in error.problems:
                    form[problem.field].errors = [
                        translation_message(problem.code, problem.context)]
                status = 400
            except EditError as error:
                flash(translation_message(error.code, error.context), "error")
                return redirect(url_for("backoffice.translations", kind=kind, key=key),
                                code=303)
            else:
                flash(_("Die Übersetzungen sind gespeichert und stehen jetzt auf der "
                        "Website."), "ok")
                return redirect(url_for("backoffice.translations", kind=kind, key=key),
                                code=303)
    german_fields: dict[str, Any] = {
        name: getattr(german, field.attribute) or "" for name, field in fields.items()}
    return render_template(
        "backoffice/translations.html", form=form, kind=kind, key=key, fields=fields,
        german=german_fields, kind_label=KIND_LABELS[kind], labels=FIELD_LABELS,
        languages=TRANSLATED_LANGUAGES, language_labels=LANGUAGE_NAMES,
        edit_url=edit_url(kind, key)), status
