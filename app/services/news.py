"""The office's news ("Aktuelles"): writing, publishing and reading posts, the Atom feed.

Staff write a post as a draft, look at its preview, publish it and may take it back.
Every change checks everything before it writes, runs in one write transaction, records
an audit entry (``news.create``, ``news.edit``, ``news.publish``, ``news.unpublish``) and
refuses with an ``EditError`` (``InvalidInput`` field by field) that leaves nothing
written. A draft never leaves the back office: not on a page, not in the feed.

The feed is Atom (RFC 4287), built by feedgen: the office as author, absolute links from
``BASE_URL``, each entry with its summary and the body as sanitised HTML. No tracking:
no counters, no campaign parameters, no pictures from elsewhere.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from feedgen.feed import FeedGenerator
from sqlalchemy import Select, func, select

from ..control_characters import has_control_characters
from ..db import begin_write
from ..extensions import db
from ..models import NewsPost
from .content import render_markdown
from .editing import EditError, audit, refuse, slugify
from .errors import Problem
from .event_admin import berlin_moment
from .images import ImageError, store_picture

# The model's column lengths, checked so that the database never refuses.
TITLE_MAX = 120
SUMMARY_MAX = 300
BODY_MAX = 20_000
ALT_MAX = 200
SLUG_MAX = 100  # room for "-2", "-3" … within the column's 120
PER_PAGE = 10
FEED_ENTRIES = 20
PATH = "/aktuelles"


@dataclass(frozen=True)
class NewsInput:
    """A post as staff enter it. ``published_date``/``published_time`` (Berlin time)
    date a post; both empty means "when it is published"."""

    title: str
    summary: str
    body: str
    image_alt: str
    published_date: date | None = None
    published_time: time | None = None


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def _public() -> Select[NewsPost]:
    """Published posts, newest first."""
    return (select(NewsPost).where(NewsPost.status == "published")
            .order_by(NewsPost.published_at.desc(), NewsPost.id.desc()))


def latest(n: int) -> list[NewsPost]:
    """The ``n`` newest published posts."""
    return list(db.session.scalars(_public().limit(n)))


def page_of(number: int, per_page: int = PER_PAGE) -> tuple[list[NewsPost], int]:
    """The published posts of page ``number`` (1 = newest) and the number of pages (at
    least 1)."""
    total = int(db.session.scalar(select(func.count()).select_from(NewsPost)
                                  .where(NewsPost.status == "published")) or 0)
    pages = max(1, -(-total // per_page))
    posts = list(db.session.scalars(_public().offset((number - 1) * per_page)
                                    .limit(per_page)))
    return posts, pages


def by_slug(slug: str, *, drafts: bool = False) -> NewsPost | None:
    """The post at ``/aktuelles/<slug>``; a draft only when asked (staff)."""
    if not slug or len(slug) > 120:
        return None
    post = db.session.scalars(select(NewsPost).where(NewsPost.slug == slug)).first()
    if post is None or (post.status != "published" and not drafts):
        return None
    return post


def staff_posts() -> list[NewsPost]:
    """Every post for the back office: drafts first (newest first), then the published."""
    return list(db.session.scalars(select(NewsPost).order_by(
        NewsPost.status, func.coalesce(NewsPost.published_at, NewsPost.updated_at).desc(),
        NewsPost.id.desc())))


def make_slug(title: str) -> str:
    """A free URL word from the title: "advents-rallye-gestartet", else "-2", "-3" …"""
    base = slugify(title)[:SLUG_MAX].strip("-") or "beitrag"
    slug, n = base, 2
    while db.session.scalar(select(NewsPost.id).where(NewsPost.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def _text(problems: list[Problem], field: str, value: str, limit: int, *,
          required: bool = False) -> None:
    """Length, presence and control characters of one text field."""
    if required and not value:
        problems.append(Problem(field, "missing"))
    elif len(value) > limit:
        problems.append(Problem(field, "too_long", {"max": limit}))
    elif has_control_characters(value.replace("\n", "")):
        problems.append(Problem(field, "control_characters"))


def check_post(values: NewsInput, *, with_picture: bool, now: datetime
               ) -> tuple[list[Problem], datetime | None]:
    """Every reason to refuse ``values``, and the chosen publication moment (UTC) if one
    was given. ``with_picture`` says whether the post will have a picture (its alt text
    is then required)."""
    problems: list[Problem] = []
    _text(problems, "title", values.title, TITLE_MAX, required=True)
    _text(problems, "summary", values.summary, SUMMARY_MAX, required=True)
    _text(problems, "body", values.body, BODY_MAX)
    _text(problems, "image_alt", values.image_alt, ALT_MAX)
    if with_picture and not values.image_alt:
        problems.append(Problem("image_alt", "missing_alt"))
    moment = None
    if values.published_date is not None or values.published_time is not None:
        if values.published_date is None:
            problems.append(Problem("published_date", "missing_date"))
        elif values.published_time is None:
            problems.append(Problem("published_time", "missing_time"))
        else:
            moment = berlin_moment(values.published_date, values.published_time)
            if moment is None:
                problems.append(Problem("published_time", "no_such_time", {
                    "time": values.published_time.strftime("%H:%M"),
                    "date": values.published_date.strftime("%d.%m.%Y")}))
            elif moment > now:
                problems.append(Problem("published_date", "in_future"))
    return problems, moment


def _picture(picture: bytes | None, problems: list[Problem]) -> int | None:
    """Store an uploaded picture (cleaned by app.services.images); its id, or None."""
    if picture is None:
        return None
    try:
        return store_picture(picture).id
    except ImageError as error:
        problems.append(Problem("picture", error.code, dict(error.context)))
        return None


def create_post(*, values: NewsInput, picture: bytes | None, now: datetime,
                actor_id: int | None) -> NewsPost:
    """A new draft from the form; its slug from the title. Audited as ``news.create``."""
    begin_write()
    problems, moment = check_post(values, with_picture=picture is not None, now=now)
    image_id = _picture(picture, problems)
    if problems:
        refuse(problems)
    post = NewsPost(slug=make_slug(values.title), status="draft", title=values.title,
                    summary=values.summary, body=values.body, image_id=image_id,
                    image_alt=values.image_alt if image_id is not None else "",
                    published_at=moment, author_id=actor_id, created_at=now,
                    updated_at=now)
    db.session.add(post)
    db.session.flush()
    audit(now, actor_id, "news.create", post.slug)
    db.session.commit()
    return post


def _locked(post_id: int) -> NewsPost:
    """The post, its row locked for this transaction; ``unknown_post`` if there is none."""
    post = db.session.get(NewsPost, post_id, with_for_update=True, populate_existing=True)
    if post is None:
        db.session.rollback()
        raise EditError("unknown_post")
    return post


def update_post(*, post_id: int, values: NewsInput, picture: bytes | None,
                remove_picture: bool, now: datetime, actor_id: int | None) -> NewsPost:
    """Save an edit (the slug and the status stay). Audited as ``news.edit`` with the
    names of the changed fields."""
    begin_write()
    post = _locked(post_id)
    with_picture = picture is not None or (post.image_id is not None and not remove_picture)
    problems, moment = check_post(values, with_picture=with_picture, now=now)
    image_id = _picture(picture, problems)
    if problems:
        refuse(problems)
    fields = ("title", "summary", "body", "image_id", "image_alt", "published_at")
    before = {name: getattr(post, name) for name in fields}
    post.title, post.summary, post.body = values.title, values.summary, values.body
    if image_id is not None:
        post.image_id = image_id
    elif remove_picture:
        post.image_id = None
    post.image_alt = values.image_alt if post.image_id is not None else ""
    shown = post.published_at.replace(second=0, microsecond=0) if post.published_at else None
    if moment is not None and moment != shown:  # the form shows minutes: same minute, kept
        post.published_at = moment
    elif moment is None and post.status == "draft":
        post.published_at = None  # the date field emptied: "when it is published"
    changed = sorted(name for name, old in before.items() if getattr(post, name) != old)
    post.updated_at = now
    audit(now, actor_id, "news.edit", post.slug, changed=changed)
    db.session.commit()
    return post


def publish(*, post_id: int, now: datetime, actor_id: int | None) -> NewsPost:
    """Put a draft on the site and into the feed. Its ``published_at`` is kept when staff
    chose one (or it was published before), else it is ``now``. Refused:
    ``unknown_post``, ``already_published``, ``incomplete`` (no title or summary: a
    post written before a rule changed). Audited as ``news.publish``."""
    begin_write()
    post = _locked(post_id)
    if post.status == "published":
        db.session.rollback()
        raise EditError("already_published")
    if not post.title or not post.summary:
        db.session.rollback()
        raise EditError("incomplete")
    post.status = "published"
    if post.published_at is None or post.published_at > now:
        post.published_at = now
    post.updated_at = now
    audit(now, actor_id, "news.publish", post.slug,
          published_at=post.published_at.isoformat())
    db.session.commit()
    return post


def unpublish(*, post_id: int, now: datetime, actor_id: int | None) -> NewsPost:
    """Take a post back to a draft (off the site and the feed; its date stays for a
    later publication). Refused: ``unknown_post``, ``not_published``. Audited as
    ``news.unpublish``."""
    begin_write()
    post = _locked(post_id)
    if post.status != "published":
        db.session.rollback()
        raise EditError("not_published")
    post.status = "draft"
    post.updated_at = now
    audit(now, actor_id, "news.unpublish", post.slug)
    db.session.commit()
    return post


# ---------------------------------------------------------------------------
# The Atom feed
# ---------------------------------------------------------------------------


def post_link(base_url: str, post: NewsPost) -> str:
    """The absolute address of a post's page."""
    return f"{base_url.rstrip('/')}{PATH}/{post.slug}"


def entry_updated(post: NewsPost) -> datetime:
    """When a post last changed for a reader: its last edit, never before its date."""
    published = post.published_at or post.updated_at
    return max(post.updated_at, published)


def feed_xml(*, base_url: str, office: dict[str, str], now: datetime,
             title: str, subtitle: str) -> bytes:
    """The Atom feed of the newest published posts (UTF-8 bytes). ``office`` (name,
    e-mail) is the author; ``now`` dates an empty feed."""
    base = base_url.rstrip("/")
    posts = list(db.session.scalars(_public().limit(FEED_ENTRIES)))
    feed = FeedGenerator()
    feed.id(base + PATH)
    feed.title(title)
    feed.subtitle(subtitle)
    feed.author({"name": office["name"], "email": office["email"]})
    feed.link(href=base + PATH, rel="alternate", type="text/html")
    feed.link(href=base + PATH + ".atom", rel="self", type="application/atom+xml")
    feed.language("de")
    feed.updated(max((entry_updated(post) for post in posts), default=now))
    for post in posts:
        link = post_link(base, post)
        entry = feed.add_entry(order="append")
        entry.id(link)
        entry.title(post.title)
        entry.link(href=link, rel="alternate", type="text/html")
        entry.author({"name": office["name"], "email": office["email"]})
        entry.published(post.published_at)
        entry.updated(entry_updated(post))
        entry.summary(post.summary)
        entry.content(str(render_markdown(post.body)), type="html")
    result: bytes = feed.atom_str(pretty=True)
    return result
