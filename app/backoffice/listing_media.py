"""A listing's photos (upload with alt text, reorder, remove, alt text changed) and
floor plan (upload, download, remove) in the back office.

Staff and admins only (``staff_required``). The uploads raise the request size limit for
themselves only, as the news pictures do: the app's 2 MB elsewhere, a phone's photo up
to app.services.images.MAX_BYTES here. The checks and the audit are in
app.services.listing_media.
"""

from collections.abc import Callable

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from ..auth.decorators import staff_required
from ..extensions import csrf
from ..security import private_download
from ..services import listing_admin
from ..services import listing_media as service
from ..services.editing import EditError, InvalidInput
from ..services.images import MAX_BYTES
from . import bp
from .listing_forms import (
    FloorPlanForm,
    ListingActionForm,
    PhotoAltForm,
    PhotoForm,
    listing_message,
)
from .listings import attach_problems, get_listing, render_edit
from .routes import actor_id, now

UPLOAD_LIMIT = max(MAX_BYTES, service.FLOOR_PLAN_MAX_BYTES) + 256 * 1024

# ---------------------------------------------------------------------------
# Photos
# ---------------------------------------------------------------------------


@bp.post("/leerstand/<int:listing_id>/fotos")
@csrf.exempt  # checked here, after the upload limit is raised for this one form
def listing_photo_add(listing_id: int) -> BaseResponse | tuple[str, int] | str:
    """Upload a photo (CSRF checked before the access rules, as everywhere)."""
    request.max_content_length = UPLOAD_LIMIT
    csrf.protect()
    return add_photo_page(listing_id)


@staff_required
def add_photo_page(listing_id: int) -> BaseResponse | tuple[str, int] | str:
    """Store the uploaded photo with its alt text, or show why not."""
    listing = get_listing(listing_id)
    form = PhotoForm()
    upload = form.photo.data
    data = upload.read() if upload and getattr(upload, "filename", "") else None
    if not form.validate_on_submit() or data is None:
        if data is None and not form.photo.errors:
            form.photo.errors = [listing_message("photo", "missing_photo", {})]
        return render_edit(listing, photo_form=form), 400
    try:
        service.add_photo(listing_id=listing_id, data=data, alt=form.alt.data or "",
                          now=now(), actor_id=actor_id())
    except InvalidInput as error:
        loose = attach_problems(form, error.problems)
        return render_edit(get_listing(listing_id), photo_form=form, loose=loose), 400
    except EditError as error:
        flash(listing_message("", error.code, error.context), "error")
    else:
        flash(_("Das Foto ist gespeichert."), "ok")
    return redirect(url_for("backoffice.listing_edit", listing_id=listing_id,
                            _anchor="fotos"), code=303)


def photo_action(listing_id: int, run: Callable[[], object], done: str) -> BaseResponse:
    """A photo's button by POST; back to the photos."""
    get_listing(listing_id)
    if not ListingActionForm().validate_on_submit():
        abort(400)
    try:
        run()
    except EditError as error:
        flash(listing_message("", error.code, error.context), "error")
    else:
        flash(done, "ok")
    return redirect(url_for("backoffice.listing_edit", listing_id=listing_id,
                            _anchor="fotos"), code=303)


@bp.post("/leerstand/<int:listing_id>/fotos/<int:photo_id>/entfernen")
@staff_required
def listing_photo_remove(listing_id: int, photo_id: int) -> BaseResponse:
    """Remove a photo."""
    return photo_action(listing_id, lambda: service.remove_photo(
        listing_id=listing_id, photo_id=photo_id, now=now(), actor_id=actor_id()),
        _("Das Foto ist entfernt."))


@bp.post("/leerstand/<int:listing_id>/fotos/<int:photo_id>/verschieben")
@staff_required
def listing_photo_move(listing_id: int, photo_id: int) -> BaseResponse:
    """Move a photo one place earlier (``richtung=vor``) or later (``zurueck``)."""
    step = {"vor": -1, "zurueck": 1}.get(request.form.get("richtung", ""), 0)
    if step == 0:
        abort(400)
    return photo_action(listing_id, lambda: service.move_photo(
        listing_id=listing_id, photo_id=photo_id, step=step, now=now(), actor_id=actor_id()),
        _("Die Reihenfolge der Fotos ist geändert."))


@bp.post("/leerstand/<int:listing_id>/fotos/<int:photo_id>/text")
@staff_required
def listing_photo_alt(listing_id: int, photo_id: int) -> BaseResponse:
    """Change a photo's alt text."""
    get_listing(listing_id)
    form = PhotoAltForm(prefix=f"foto{photo_id}")
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(listing_message("alt", "too_long", {"max": service.ALT_MAX}), "error")
        return redirect(url_for("backoffice.listing_edit", listing_id=listing_id,
                                _anchor="fotos"), code=303)
    try:
        service.update_photo_alt(listing_id=listing_id, photo_id=photo_id,
                                 alt=form.alt.data or "", now=now(), actor_id=actor_id())
    except InvalidInput as error:
        for problem in error.problems:
            flash(listing_message(problem.field, problem.code, problem.context), "error")
    except EditError as error:
        flash(listing_message("", error.code, error.context), "error")
    else:
        flash(_("Die Bildbeschreibung ist gespeichert."), "ok")
    return redirect(url_for("backoffice.listing_edit", listing_id=listing_id,
                            _anchor="fotos"), code=303)


# ---------------------------------------------------------------------------
# Floor plan
# ---------------------------------------------------------------------------


@bp.post("/leerstand/<int:listing_id>/grundriss")
@csrf.exempt  # checked here, after the upload limit is raised for this one form
def listing_floor_plan_upload(listing_id: int) -> BaseResponse | tuple[str, int] | str:
    """Upload the floor plan (CSRF checked before the access rules, as everywhere)."""
    request.max_content_length = UPLOAD_LIMIT
    csrf.protect()
    return floor_plan_page(listing_id)


@staff_required
def floor_plan_page(listing_id: int) -> BaseResponse | tuple[str, int] | str:
    """Store the uploaded PDF, or show why not."""
    listing = get_listing(listing_id)
    form = FloorPlanForm()
    upload = form.plan.data
    has_file = bool(upload and getattr(upload, "filename", ""))
    if not form.validate_on_submit() or not has_file:
        if not has_file:
            form.plan.errors = [listing_message("plan", "missing_plan", {})]
        return render_edit(listing, plan_form=form), 400
    try:
        pages = service.set_floor_plan(listing_id=listing_id, data=upload.read(),
                                       filename=upload.filename or "", now=now(),
                                       actor_id=actor_id())
    except EditError as error:
        form.plan.errors = [listing_message("plan", error.code, error.context)]
        return render_edit(get_listing(listing_id), plan_form=form), 400
    flash(_("Der Grundriss ist gespeichert (%(pages)d Seiten).", pages=pages) if pages != 1
          else _("Der Grundriss ist gespeichert (1 Seite)."), "ok")
    return redirect(url_for("backoffice.listing_edit", listing_id=listing_id,
                            _anchor="grundriss"), code=303)


@bp.post("/leerstand/<int:listing_id>/grundriss/entfernen")
@staff_required
def listing_floor_plan_remove(listing_id: int) -> BaseResponse:
    """Remove the floor plan."""
    return photo_action(listing_id, lambda: service.remove_floor_plan(
        listing_id=listing_id, now=now(), actor_id=actor_id()),
        _("Der Grundriss ist entfernt."))


@bp.get("/leerstand/<int:listing_id>/grundriss.pdf")
@staff_required
def listing_floor_plan(listing_id: int) -> BaseResponse:
    """Download the floor plan (any status: staff check owners' offers with it)."""
    listing = get_listing(listing_id)
    plan = listing_admin.floor_plan_of(listing)
    if plan is None:
        abort(404)
    return private_download(plan, "application/pdf", listing.floor_plan_name)
