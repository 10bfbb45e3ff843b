"""The office's texts in the back office: the list, the edit page of each text with a
preview and its history, and the restore of an older version.

Staff and admins only (``staff_required``), as the news. The domain work is in
app.services.office_texts; every save and restore there is audited and kept as a version.
"""

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from ..auth.decorators import staff_required
from ..extensions import db
from ..models import BLOCK_KEYS, ContentRevision, Service
from ..services import office_texts as service
from ..services.content import render_markdown
from ..services.editing import EditError, InvalidInput
from ..services.office_texts import TextInput
from . import bp
from .routes import actor_id, now
from .text_forms import BLOCK_LABELS, BLOCK_PAGES, RestoreForm, TextForm, text_message

PREVIEW = "vorschau"
# The edit page of one text, given its form (and a preview, a status, messages).
Page = Callable[..., tuple[str, int]]
# The save of one text: values, now and actor as keywords.
Save = Callable[..., ContentRevision]


def office() -> dict[str, str]:
    """The office's facts from configuration (for the shipped defaults)."""
    facts: dict[str, str] = current_app.config["OFFICE"]
    return facts


@bp.get("/texte")
@staff_required
def texts() -> str:
    """Every office text with its last change and who made it."""
    return render_template("backoffice/texts.html", texts=service.all_texts(office()),
                           labels=BLOCK_LABELS)


def text_input(form: TextForm) -> TextInput:
    """The service's input from the form, texts trimmed and with Unix line ends."""

    def text(value: str | None) -> str:
        return (value or "").strip().replace("\r\n", "\n")

    return TextInput(title=" ".join((form.title.data or "").split()),
                     summary=text(form.summary.data), body=text(form.body.data))


def attach_problems(form: TextForm, problems: list[Any]) -> list[str]:
    """Put each refusal on its field; return the messages without a field."""
    loose = []
    for problem in problems:
        message = text_message(problem.field, problem.code, problem.context)
        if problem.field in form:
            form[problem.field].errors = [*form[problem.field].errors, message]
        else:
            loose.append(message)
    return loose


def edit_page(form: TextForm, *, subject: str, label: str, public_url: str,
              with_summary: bool, restore_endpoint: str, ident: dict[str, Any],
              status: int = 200, **extra: Any) -> tuple[str, int]:
    """The edit page of one text: the form, maybe a preview, the history."""
    extra.setdefault("loose", [])
    return render_template(
        "backoffice/text_form.html", form=form, subject=subject, label=label,
        public_url=public_url, with_summary=with_summary, versions=service.history(subject),
        restore_form=RestoreForm(), restore_endpoint=restore_endpoint, ident=ident,
        render_markdown=render_markdown, **extra), status


def handle(form: TextForm, *, save: Save, page: Page, done_url: str
           ) -> BaseResponse | tuple[str, int]:
    """A posted edit form: the preview (nothing saved), or the save."""
    if request.form.get("aktion") == PREVIEW:
        form.validate_on_submit()
        values = text_input(form)
        return page(form, preview=render_markdown(values.body), preview_values=values)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return page(form, status=400)
    try:
        revision = save(values=text_input(form), now=now(), actor_id=actor_id())
    except InvalidInput as error:  # rolled back: nothing written
        return page(form, status=400, loose=attach_problems(form, error.problems))
    except EditError as error:
        flash(text_message("", error.code, error.context), "error")
        return redirect(done_url, code=303)
    flash(_("Gespeichert als Fassung %(version)d. So steht der Text jetzt auf der Website.",
            version=revision.version), "ok")
    return redirect(done_url, code=303)


@bp.route("/texte/<key>", methods=["GET", "POST"])
@staff_required
def text_block(key: str) -> BaseResponse | tuple[str, int]:
    """Edit one block (home page, contact, legal pages, Leichte Sprache)."""
    if key not in BLOCK_KEYS:
        abort(404)
    current = service.office_text(key, office())

    def page(form: TextForm, **extra: Any) -> tuple[str, int]:
        return edit_page(form, subject=service.block_subject(key),
                         label=str(BLOCK_LABELS[key]), public_url=url_for(BLOCK_PAGES[key]),
                         with_summary=False, restore_endpoint="backoffice.text_block_restore",
                         ident={"key": key}, **extra)

    if request.method == "GET":
        return page(TextForm(formdata=None, data={"title": current.title,
                                                  "body": current.body}))

    def save(**kwargs: Any) -> ContentRevision:
        return service.save_block(key=key, **kwargs)

    return handle(TextForm(), save=save, page=page,
                  done_url=url_for("backoffice.text_block", key=key))


@bp.route("/texte/angebote/<int:service_id>", methods=["GET", "POST"])
@staff_required
def text_service(service_id: int) -> BaseResponse | tuple[str, int]:
    """Edit one service page (title, summary, body)."""
    item = db.get_or_404(Service, service_id)

    def page(form: TextForm, **extra: Any) -> tuple[str, int]:
        return edit_page(form, subject=service.service_subject(service_id),
                         label=_("Angebotsseite"),
                         public_url=url_for("office.service", slug=item.slug),
                         with_summary=True, restore_endpoint="backoffice.text_service_restore",
                         ident={"service_id": service_id}, **extra)

    if request.method == "GET":
        return page(TextForm(formdata=None, data={
            "title": item.title, "summary": item.summary, "body": item.body}))

    def save(**kwargs: Any) -> ContentRevision:
        return service.save_service(service_id=service_id, **kwargs)

    return handle(TextForm(), save=save, page=page,
                  done_url=url_for("backoffice.text_service", service_id=service_id))


def restore(subject: str, version: int, done_url: str) -> BaseResponse:
    """Save an old version again as the newest; back to the edit page."""
    if not RestoreForm().validate_on_submit():
        abort(400)
    try:
        revision = service.restore(subject=subject, version=version, now=now(),
                                   actor_id=actor_id())
    except EditError as error:
        flash(text_message("", error.code, error.context), "error")
    else:
        flash(_("Fassung %(old)d ist wiederhergestellt: Sie steht jetzt als Fassung "
                "%(version)d auf der Website.", old=version, version=revision.version), "ok")
    return redirect(done_url, code=303)


@bp.post("/texte/<key>/fassungen/<int:version>/wiederherstellen")
@staff_required
def text_block_restore(key: str, version: int) -> BaseResponse:
    """Bring back an older version of a block."""
    if key not in BLOCK_KEYS:
        abort(404)
    return restore(service.block_subject(key), version,
                   url_for("backoffice.text_block", key=key))


@bp.post("/texte/angebote/<int:service_id>/fassungen/<int:version>/wiederherstellen")
@staff_required
def text_service_restore(service_id: int, version: int) -> BaseResponse:
    """Bring back an older version of a service page."""
    db.get_or_404(Service, service_id)
    return restore(service.service_subject(service_id), version,
                   url_for("backoffice.text_service", service_id=service_id))
