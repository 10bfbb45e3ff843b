"""The office's news in the back office: the list, write and edit a post (with a picture
and a preview of the text), the preview of the whole post, publish and take back.

Staff and admins only (``staff_required``), as the events. The domain work is in
app.services.news; every change there is audited.
"""

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from .. import clock
from ..auth.decorators import staff_required
from ..extensions import csrf, db
from ..models import NewsPost
from ..office.news import render_post
from ..services import news as service
from ..services.content import render_markdown
from ..services.editing import EditError, InvalidInput
from ..services.images import MAX_BYTES
from ..services.news import NewsInput
from . import bp
from .news_forms import NewsActionForm, NewsForm, news_message
from .routes import actor_id, now

PREVIEW = "vorschau"
UPLOAD_LIMIT = MAX_BYTES + 256 * 1024
STATUS_LABELS = {"draft": _l("Entwurf"), "published": _l("veröffentlicht")}


def status_label(status: str) -> str:
    """German word of a post's status."""
    return str(STATUS_LABELS.get(status, status))


def get_post(post_id: int) -> NewsPost:
    """The post or 404."""
    return db.get_or_404(NewsPost, post_id)


@bp.get("/aktuelles")
@staff_required
def news_posts() -> str:
    """Drafts first, then the published posts, newest first."""
    return render_template("backoffice/news.html", posts=service.staff_posts(),
                           form=NewsActionForm(), status_label=status_label)


def filled_form(post: NewsPost) -> NewsForm:
    """The edit form filled from the post."""
    data: dict[str, Any] = {"title": post.title, "summary": post.summary,
                            "body": post.body, "image_alt": post.image_alt}
    if post.published_at is not None:
        moment = clock.local(post.published_at)
        data["published_date"] = moment.date()
        data["published_time"] = moment.time().replace(second=0, microsecond=0)
    return NewsForm(formdata=None, data=data)


def news_input(form: NewsForm) -> NewsInput:
    """The service's input from the form, texts trimmed and with Unix line ends."""

    def text(value: str | None) -> str:
        return (value or "").strip().replace("\r\n", "\n")

    return NewsInput(
        title=" ".join((form.title.data or "").split()), summary=text(form.summary.data),
        body=text(form.body.data), image_alt=text(form.image_alt.data),
        published_date=form.published_date.data, published_time=form.published_time.data)


def attach_problems(form: NewsForm, problems: list[Any]) -> list[str]:
    """Put each refusal on its field; return the messages without a field."""
    loose = []
    for problem in problems:
        message = news_message(problem.field, problem.code, problem.context)
        if problem.field in form:
            if message not in form[problem.field].errors:
                form[problem.field].errors = [*form[problem.field].errors, message]
        else:
            loose.append(message)
    return loose


def render_form(form: NewsForm, post: NewsPost | None, **extra: Any) -> str:
    """The new or edit page."""
    extra.setdefault("loose", [])
    return render_template("backoffice/news_form.html", form=form, post=post,
                           action_form=NewsActionForm(), status_label=status_label, **extra)


def uploaded(form: NewsForm) -> bytes | None:
    """The picture's bytes if one was chosen."""
    upload = form.picture.data
    return upload.read() if upload and getattr(upload, "filename", "") else None


def save(form: NewsForm, post: NewsPost | None) -> BaseResponse | tuple[str, int] | str:
    """Validate and save a posted form (a new draft when ``post`` is None); with
    ``aktion=vorschau`` only show the text as it will read, saving nothing."""
    if request.form.get("aktion") == PREVIEW:
        form.validate_on_submit()
        values = news_input(form)
        return render_form(form, post, preview=render_markdown(values.body),
                           preview_values=values)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return render_form(form, post), 400
    try:
        if post is None:
            saved = service.create_post(values=news_input(form), picture=uploaded(form),
                                        now=now(), actor_id=actor_id())
        else:
            saved = service.update_post(
                post_id=post.id, values=news_input(form), picture=uploaded(form),
                remove_picture=bool(form.remove_picture.data), now=now(),
                actor_id=actor_id())
    except InvalidInput as error:  # rolled back: nothing written
        loose = attach_problems(form, error.problems)
        return render_form(form, post and db.session.get(NewsPost, post.id), loose=loose), 400
    except EditError as error:
        flash(news_message("", error.code, error.context), "error")
        return redirect(url_for("backoffice.news_posts"), code=303)
    if saved.status == "published":
        flash(_("„%(title)s“ ist gespeichert und steht so auf der Website.",
                title=saved.title), "ok")
    else:
        flash(_("„%(title)s“ ist als Entwurf gespeichert. Prüfen Sie die Vorschau und "
                "veröffentlichen Sie ihn dann.", title=saved.title), "ok")
    return redirect(url_for("backoffice.news_edit", post_id=saved.id), code=303)


@bp.route("/aktuelles/neu", methods=["GET", "POST"])
@csrf.exempt  # checked here, after the upload limit is raised for this one form
def news_new() -> BaseResponse | tuple[str, int] | str:
    """A new post (CSRF checked before the access rules, as everywhere)."""
    if request.method == "POST":
        request.max_content_length = UPLOAD_LIMIT
        csrf.protect()
    return new_post_page()


@staff_required
def new_post_page() -> BaseResponse | tuple[str, int] | str:
    """The empty form, or saving it."""
    if request.method == "GET":
        return render_form(NewsForm(formdata=None), None)
    return save(NewsForm(), None)


@bp.route("/aktuelles/<int:post_id>", methods=["GET", "POST"])
@csrf.exempt  # checked here, after the upload limit is raised for this one form
def news_edit(post_id: int) -> BaseResponse | tuple[str, int] | str:
    """Edit a post (CSRF checked before the access rules, as everywhere)."""
    if request.method == "POST":
        request.max_content_length = UPLOAD_LIMIT
        csrf.protect()
    return edit_post_page(post_id)


@staff_required
def edit_post_page(post_id: int) -> BaseResponse | tuple[str, int] | str:
    """The filled form, or saving it."""
    post = get_post(post_id)
    if request.method == "GET":
        return render_form(filled_form(post), post)
    return save(NewsForm(), post)


@bp.get("/aktuelles/<int:post_id>/vorschau")
@staff_required
def news_preview(post_id: int) -> str:
    """The post as visitors will see it (drafts too)."""
    return render_post(get_post(post_id), preview=True)


def act(post_id: int, action: Any, done: str) -> BaseResponse:
    """Publish or take back by POST; back to the edit page with what happened."""
    get_post(post_id)
    if not NewsActionForm().validate_on_submit():
        abort(400)
    try:
        post = action(post_id=post_id, now=now(), actor_id=actor_id())
    except EditError as error:
        flash(news_message("", error.code, error.context), "error")
    else:
        flash(done % {"title": post.title}, "ok")
    return redirect(url_for("backoffice.news_edit", post_id=post_id), code=303)


@bp.post("/aktuelles/<int:post_id>/veroeffentlichen")
@staff_required
def news_publish(post_id: int) -> BaseResponse:
    """Put the post on the site and into the feed."""
    return act(post_id, service.publish,
               _("„%(title)s“ ist veröffentlicht: auf der Website und im Feed."))


@bp.post("/aktuelles/<int:post_id>/zurueckziehen")
@staff_required
def news_unpublish(post_id: int) -> BaseResponse:
    """Take the post back to a draft."""
    return act(post_id, service.unpublish,
               _("„%(title)s“ ist zurückgezogen und wieder ein Entwurf."))
