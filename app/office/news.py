"""The office's news in public: the list (newest first, ten a page), one post, and the
Atom feed. Drafts are not found here (404), whoever asks."""

from flask import Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _

from .. import clock
from ..models import NewsPost
from ..services import news as service
from ..services.content import render_markdown
from . import bp

FEED_TYPE = "application/atom+xml; charset=utf-8"


def page_number() -> int:
    """The page asked for by ``?seite=`` (1 without it); 404 for anything but 1, 2, …"""
    text = request.args.get("seite", "1")
    if not text.isdecimal() or len(text) > 6 or int(text) < 1:
        abort(404)
    return int(text)


@bp.app_template_global()
def news_feed_url() -> str:
    """The feed's address, for the ``<link rel="alternate">`` in a page's head."""
    return url_for("office.news_feed")


@bp.get("/aktuelles")
def news() -> str:
    """The published posts, newest first, ``PER_PAGE`` a page."""
    number = page_number()
    posts, pages = service.page_of(number)
    if number > pages:
        abort(404)
    return render_template("office/news/index.html", posts=posts, number=number,
                           pages=pages)


@bp.get("/aktuelles/<slug>")
def news_post(slug: str) -> str:
    """One published post."""
    post = service.by_slug(slug)
    if post is None:
        abort(404)
    return render_post(post)


def render_post(post: NewsPost, *, preview: bool = False) -> str:
    """A post's page (also the staff's preview of a draft)."""
    return render_template("office/news/show.html", post=post, preview=preview,
                           body=render_markdown(post.body))


@bp.get("/aktuelles.atom")
def news_feed() -> Response:
    """The newest posts as an Atom feed."""
    xml = service.feed_xml(
        base_url=str(current_app.config["BASE_URL"]), office=current_app.config["OFFICE"],
        now=clock.utcnow(), title=_("Aktuelles – %(office)s",
                                    office=current_app.config["OFFICE"]["name"]),
        subtitle=_("Neuigkeiten des Innenstadtbüros für Unternehmen, Gründerinnen und "
                   "Gründer in der Innenstadt."))
    return Response(xml, content_type=FEED_TYPE)
