"""The site's sign-language (DGS) video in the back office: upload a video with its text
alternative and captions, choose the one the site shows, delete old ones.

Staff and admins only (``staff_required``), as the news. A video may be far larger than
the app's ``MAX_CONTENT_LENGTH``: the upload URL raises the limit for its own request
(Flask's ``request.max_content_length``) to ``DGS_VIDEO_MAX_MB``, and only for a staff
login, so nobody else can make the server take in a large body. Werkzeug
keeps an uploaded file above 500 KB in a temporary file, never in memory; the service
copies it from there in chunks. The domain work is in app.services.dgs_videos; every
change there is audited.
"""

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from ..auth.decorators import STAFF_ROLES, staff_required
from ..extensions import csrf, db
from ..models import DgsVideo
from ..office.dgs import media_folder
from ..services import dgs_videos as service
from ..services.editing import EditError, InvalidInput
from ..services.errors import Problem
from . import bp
from .dgs_forms import DgsActionForm, DgsVideoForm, dgs_message
from .routes import actor_id, now

# Room for the form's other fields and the captions beside the video itself.
FORM_ALLOWANCE = 1024 * 1024
MEGABYTE = 1024 * 1024


def max_video_bytes() -> int:
    """The largest video file accepted, in bytes."""
    return int(current_app.config["DGS_VIDEO_MAX_MB"]) * MEGABYTE


def size_label(size: int) -> str:
    """A file's size in megabytes, German style ("12,3 MB"); under 0.1 MB in kilobytes."""
    if size < MEGABYTE // 10:
        return _("%(kb)s KB", kb=format_decimal(max(1, round(size / 1024)), format="#,##0"))
    return _("%(mb)s MB", mb=format_decimal(size / MEGABYTE, format="#,##0.0"))


def render_page(form: DgsVideoForm, loose: list[str] | None = None) -> str:
    """The list of videos and the upload form."""
    return render_template(
        "backoffice/dgs_videos.html", form=form, videos=service.all_videos(),
        action_form=DgsActionForm(formdata=None), loose=loose or [],
        max_mb=current_app.config["DGS_VIDEO_MAX_MB"], size_label=size_label)


def refused(form: DgsVideoForm, field: str, code: str, status: int,
            **context: Any) -> tuple[str, int]:
    """The page again with one refusal at its field."""
    form[field].errors = [*form[field].errors, dgs_message(code, context, field)]
    return render_page(form), status


def show_problems(form: DgsVideoForm, problems: list[Problem]) -> tuple[str, int]:
    """The page again with each refusal at its field: 413 for a video too large, else
    400."""
    loose = []
    for problem in problems:
        message = dgs_message(problem.code, problem.context, problem.field)
        if problem.field in form:
            form[problem.field].errors = [*form[problem.field].errors, message]
        else:
            loose.append(message)
    status = 413 if any(problem.code == "too_large" for problem in problems) else 400
    return render_page(form, loose), status


def too_large() -> tuple[str, int]:
    """The page again, saying how large a video may be (413)."""
    return refused(DgsVideoForm(formdata=None), "video", "too_large", 413,
                   max_mb=max_video_bytes() // MEGABYTE)


@bp.route("/gebaerdensprache", methods=["GET", "POST"])
@csrf.exempt  # checked here, after the upload limit is raised for staff
def dgs_videos() -> BaseResponse | tuple[str, int] | str:
    """The videos and the upload form (CSRF checked before the access rules, as
    everywhere). Only for staff is the request's limit raised to a video's size; anyone
    else's body stays within the app's ``MAX_CONTENT_LENGTH``."""
    if request.method == "POST":
        staff = current_user.is_authenticated and current_user.role in STAFF_ROLES
        if staff:
            request.max_content_length = max_video_bytes() + FORM_ALLOWANCE
            if (request.content_length or 0) > request.max_content_length:
                return too_large()  # refused before a byte of the body is read
        try:
            csrf.protect()
        except RequestEntityTooLarge:  # a body without Content-Length that grew too long
            if not staff:
                raise
            return too_large()
    return video_page()


@staff_required
def video_page() -> BaseResponse | tuple[str, int] | str:
    """The list and the form, or an upload (not shown until staff choose it)."""
    if request.method == "GET":
        return render_page(DgsVideoForm(formdata=None))
    limit = max_video_bytes()
    form = DgsVideoForm()
    if not form.validate_on_submit():
        return render_page(form), 400
    title = " ".join((form.title.data or "").split())
    transcript = (form.transcript.data or "").strip().replace("\r\n", "\n")
    video = request.files.get("video")
    if video is None or not video.filename:
        problems = [Problem("video", "missing_video"), *service.check_texts(title, transcript)]
        return show_problems(form, problems)
    captions_file = request.files.get("captions")
    captions = None
    if captions_file is not None and captions_file.filename:
        captions = captions_file.stream.read(service.CAPTIONS_MAX_BYTES + 1)
    try:
        saved = service.upload(
            stream=video.stream, title=title, transcript=transcript, captions=captions,
            folder=media_folder(), max_bytes=limit, now=now(), actor_id=actor_id())
    except InvalidInput as error:  # rolled back, no file kept
        return show_problems(form, error.problems)
    except EditError as error:
        return refused(form, "video", error.code, 409 if error.code == "already_uploaded"
                       else 400, **error.context)
    flash(_("„%(title)s“ ist hochgeladen. Prüfen Sie es in der Vorschau und wählen Sie dann "
            "„Auf der Website zeigen“.", title=saved.title), "ok")
    return redirect(url_for("backoffice.dgs_videos", _anchor=f"video-{saved.id}"), code=303)


def act(video_id: int, action: Any, done: str) -> BaseResponse:
    """Show or stop showing a video by POST; back to the list with what happened."""
    db.get_or_404(DgsVideo, video_id)
    if not DgsActionForm().validate_on_submit():
        abort(400)
    try:
        video = action(video_id=video_id, now=now(), actor_id=actor_id())
    except EditError as error:
        flash(dgs_message(error.code, error.context), "error")
    else:
        flash(done % {"title": video.title}, "ok")
    return redirect(url_for("backoffice.dgs_videos"), code=303)


@bp.post("/gebaerdensprache/<int:video_id>/zeigen")
@staff_required
def dgs_video_activate(video_id: int) -> BaseResponse:
    """Show this video on /gebaerdensprache instead of any other."""
    return act(video_id, service.activate,
               _("„%(title)s“ steht jetzt auf der Seite „Gebärdensprache“."))


@bp.post("/gebaerdensprache/<int:video_id>/ausblenden")
@staff_required
def dgs_video_deactivate(video_id: int) -> BaseResponse:
    """Show no video any more (this one stays stored)."""
    return act(video_id, service.deactivate,
               _("„%(title)s“ ist nicht mehr auf der Website. Die Seite „Gebärdensprache“ "
                 "sagt jetzt, dass das Video noch in Arbeit ist."))


@bp.route("/gebaerdensprache/<int:video_id>/loeschen", methods=["GET", "POST"])
@staff_required
def dgs_video_delete(video_id: int) -> BaseResponse | str:
    """Ask, then delete a video and its file."""
    video = db.get_or_404(DgsVideo, video_id)
    form = DgsActionForm()
    if request.method == "GET":
        return render_template("backoffice/dgs_video_delete.html", video=video, form=form)
    if not form.validate_on_submit():
        abort(400)
    try:
        title = service.delete(video_id=video_id, folder=media_folder(), now=now(),
                               actor_id=actor_id())
    except EditError as error:
        flash(dgs_message(error.code, error.context), "error")
    else:
        flash(_("„%(title)s“ ist gelöscht, mit seiner Datei.", title=title), "ok")
    return redirect(url_for("backoffice.dgs_videos"), code=303)
