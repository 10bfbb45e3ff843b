"""The Nachfolgebörse and the inquiries in the back office: the profiles (list, new,
edit with the owner's internal contact, publish and retire by POST) and the inquiries
that came in through the site (open and handled, the office's note).

Staff and admins only (``staff_required``), as the events. The domain work is in
app.services.successors and app.services.inquiries; every change is audited there.
"""

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from ..auth.decorators import staff_required
from ..extensions import db
from ..models import Inquiry, Listing, SuccessorProfile
from ..services import inquiries as inquiry_service
from ..services import successors as service
from ..services.content import render_markdown
from ..services.editing import EditError, InvalidInput
from ..services.inquiries import KIND_WORDS, InquiryError
from ..services.successors import (
    AREA_LABELS,
    EMPLOYEE_LABELS,
    SALES_AREA_LABELS,
    SECTOR_LABELS,
    STATUS_LABELS,
    TIMELINE_LABELS,
    ProfileInput,
)
from . import bp
from .routes import actor_id, now
from .successor_forms import ActionForm, InquiryNoteForm, ProfileForm, successor_message

PREVIEW = "vorschau"


def helpers() -> dict[str, Any]:
    """What every template of these pages uses."""
    return {"sector_labels": SECTOR_LABELS, "area_labels": AREA_LABELS,
            "employee_labels": EMPLOYEE_LABELS, "sales_area_labels": SALES_AREA_LABELS,
            "timeline_labels": TIMELINE_LABELS, "status_labels": STATUS_LABELS,
            "kind_words": KIND_WORDS}


@bp.get("/nachfolge")
@staff_required
def successors() -> str:
    """Every profile with its status and open inquiries."""
    return render_template("backoffice/successors.html", profiles=service.staff_profiles(),
                           open_counts=service.open_inquiry_counts(), form=ActionForm(),
                           **helpers())


def profile_input(form: ProfileForm) -> ProfileInput:
    """The service's input from the form, texts trimmed and with Unix line ends."""

    def text(value: str | None) -> str:
        return (value or "").strip().replace("\r\n", "\n")

    return ProfileInput(
        title=" ".join((form.title.data or "").split()), sector=form.sector.data or "",
        employees=form.employees.data or "", sales_area=form.sales_area.data or "",
        area=form.area.data or "", timeline=form.timeline.data or "",
        description=text(form.description.data), internal_note=text(form.internal_note.data),
        owner_name=" ".join((form.owner_name.data or "").split()),
        owner_email=text(form.owner_email.data), owner_phone=text(form.owner_phone.data))


def render_form(form: ProfileForm, profile: SuccessorProfile | None, **extra: Any) -> str:
    extra.setdefault("loose", [])
    return render_template("backoffice/successor_form.html", form=form, profile=profile,
                           action_form=ActionForm(), **helpers(), **extra)


def save(form: ProfileForm, profile: SuccessorProfile | None
         ) -> BaseResponse | tuple[str, int] | str:
    """Validate and save a posted form (new when ``profile`` is None)."""
    if request.form.get("aktion") == PREVIEW:
        form.validate_on_submit()
        return render_form(form, profile,
                           preview=render_markdown(profile_input(form).description))
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return render_form(form, profile), 400
    try:
        if profile is None:
            saved = service.create_profile(values=profile_input(form), now=now(),
                                           actor_id=actor_id())
        else:
            saved = service.update_profile(profile_id=profile.id, values=profile_input(form),
                                           now=now(), actor_id=actor_id())
    except InvalidInput as error:  # rolled back: nothing written
        loose = []
        for problem in error.problems:
            message = successor_message(problem.field, problem.code, problem.context)
            if problem.field in form:
                form[problem.field].errors = [*form[problem.field].errors, message]
            else:
                loose.append(message)
        return render_form(form, profile and db.session.get(SuccessorProfile, profile.id),
                           loose=loose), 400
    except EditError as error:
        flash(successor_message("", error.code, error.context), "error")
        return redirect(url_for("backoffice.successors"), code=303)
    flash(_("%(code)s ist gespeichert.", code=saved.code), "ok")
    return redirect(url_for("backoffice.successor_edit", profile_id=saved.id), code=303)


@bp.route("/nachfolge/neu", methods=["GET", "POST"])
@staff_required
def successor_new() -> BaseResponse | tuple[str, int] | str:
    """A new profile (a draft until published)."""
    if request.method == "GET":
        return render_form(ProfileForm(formdata=None), None)
    return save(ProfileForm(), None)


@bp.route("/nachfolge/<int:profile_id>", methods=["GET", "POST"])
@staff_required
def successor_edit(profile_id: int) -> BaseResponse | tuple[str, int] | str:
    """Edit a profile, its owner's contact included."""
    profile = db.get_or_404(SuccessorProfile, profile_id)
    if request.method == "GET":
        return render_form(ProfileForm(formdata=None, obj=profile), profile)
    return save(ProfileForm(), profile)


def change_status(profile_id: int, status: str) -> BaseResponse:
    db.get_or_404(SuccessorProfile, profile_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        profile = service.set_status(profile_id=profile_id, status=status, now=now(),
                                     actor_id=actor_id())
    except EditError as error:
        flash(successor_message("", error.code, error.context), "error")
    else:
        flash(_("%(code)s ist veröffentlicht.", code=profile.code) if status == "published"
              else _("%(code)s ist zurückgezogen und nicht mehr öffentlich.",
                     code=profile.code), "ok")
    return redirect(url_for("backoffice.successors"), code=303)


@bp.post("/nachfolge/<int:profile_id>/veroeffentlichen")
@staff_required
def successor_publish(profile_id: int) -> BaseResponse:
    """Put a profile online."""
    return change_status(profile_id, "published")


@bp.post("/nachfolge/<int:profile_id>/zurueckziehen")
@staff_required
def successor_retire(profile_id: int) -> BaseResponse:
    """Take a profile off the site (its page then says it is no longer available)."""
    return change_status(profile_id, "retired")


# ---------------------------------------------------------------------------
# Inquiries
# ---------------------------------------------------------------------------


def note_form(row: Inquiry) -> InquiryNoteForm:
    """The note form of one inquiry (its fields prefixed, so that ids stay unique)."""
    return InquiryNoteForm(formdata=None, prefix=f"anfrage{row.id}",
                           data={"staff_note": row.staff_note})


@bp.get("/anfragen")
@staff_required
def inquiries() -> str:
    """The inquiries, open ones first, each newest first."""
    profiles = {p.id: p for p in db.session.scalars(db.select(SuccessorProfile))}
    listings = {row.id: row for row in db.session.scalars(db.select(Listing))}
    return render_template("backoffice/inquiries.html",
                           open=inquiry_service.staff_inquiries(handled=False),
                           done=inquiry_service.staff_inquiries(handled=True),
                           profiles=profiles, listings=listings, form_for=note_form,
                           **helpers())


@bp.post("/anfragen/<int:inquiry_id>")
@staff_required
def inquiry_update(inquiry_id: int) -> BaseResponse:
    """Save the office's note; "erledigt" marks the inquiry handled, "offen" opens it
    again."""
    db.get_or_404(Inquiry, inquiry_id)
    form = InquiryNoteForm(prefix=f"anfrage{inquiry_id}")
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(successor_message("", "note_too_long", {}), "error")
        return redirect(url_for("backoffice.inquiries"), code=303)
    state = {"erledigt": True, "offen": False}.get(request.form.get("aktion", ""))
    try:
        inquiry_service.update(inquiry_id=inquiry_id, note=form.staff_note.data or "",
                               handled=state, now=now(), actor_id=actor_id())
    except InquiryError as error:
        flash(successor_message("", error.code, error.context), "error")
    else:
        flash(_("Die Anfrage ist als erledigt markiert.") if state is True else
              _("Die Anfrage ist wieder offen.") if state is False else
              _("Die Notiz ist gespeichert."), "ok")
    return redirect(url_for("backoffice.inquiries", _anchor=f"anfrage-{inquiry_id}"),
                    code=303)
