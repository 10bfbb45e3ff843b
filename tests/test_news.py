"""The news ("Aktuelles"): the service (create, edit, publish, take back, refusals), the
public pages (drafts never public, pages), the Atom feed (parses, absolute links, times)
and the sanitising of the Markdown on the post's page and in the feed."""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, NewsPost
from app.services import news
from app.services.demo import load_demo
from app.services.editing import EditError, InvalidInput
from app.services.news import NewsInput

from .helpers import FIRST_DAY

pytestmark = pytest.mark.usefixtures("freeze")
# The tests whose writes lock rows or order in SQL run on both databases.
BOTH = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)

NOW = FIRST_DAY.astimezone(UTC)
BASE = "https://innenstadt.example"
EVIL = (
    "## Neue Termine\n\n"
    "<script>alert('x')</script>\n\n"
    "[Klick](javascript:alert(1)) und [gut](https://example.org)\n\n"
    '<img src="x" onerror="alert(2)">\n\n'
    '<a href="https://example.org" onclick="alert(3)">roh</a>\n\n'
    "<div style=\"color:red\">Rohes HTML</div>\n"
)


class Elements(HTMLParser):
    """The elements of an HTML fragment with their attributes (text stays text)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def assert_sanitised(html: str) -> None:
    """``EVIL`` rendered: the heading and the good link as elements, nothing else; what
    was raw HTML is at most visible text."""
    elements = Elements(html).found
    tags = {tag for tag, _attrs in elements}
    assert tags <= {"h2", "p", "a"}, tags
    assert ("h2", {}) in elements
    links = [attrs for tag, attrs in elements if tag == "a"]
    assert links == [{"href": "https://example.org", "rel": "noopener noreferrer"}]
    assert not any(name.startswith("on") or name == "style"
                   for _tag, attrs in elements for name in attrs)
    assert "<h2>Neue Termine</h2>" in html


def values(**overrides: object) -> NewsInput:
    """A valid post."""
    data: dict[str, object] = {"title": "Die Advents-Rallye hat begonnen",
                               "summary": "40 Geschäfte machen mit.",
                               "body": "Sammeln Sie **Stempel**.", "image_alt": ""}
    data.update(overrides)
    return NewsInput(**data)  # type: ignore[arg-type]


def make_post(*, publish: bool = True, at: datetime = NOW, **overrides: object) -> NewsPost:
    """A post through the service, published at ``at`` unless ``publish`` is false."""
    post = news.create_post(values=values(**overrides), picture=None, now=at, actor_id=None)
    if publish:
        post = news.publish(post_id=post.id, now=at, actor_id=None)
    return post


def count() -> int:
    db.session.expire_all()
    return int(db.session.scalar(select(func.count()).select_from(NewsPost)) or 0)


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# ---------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------


def test_a_new_post_is_a_draft_with_a_slug_from_its_title(app: Flask) -> None:
    post = make_post(publish=False)
    again = make_post(publish=False)
    assert (post.status, post.published_at, post.slug) == (
        "draft", None, "die-advents-rallye-hat-begonnen")
    assert again.slug == "die-advents-rallye-hat-begonnen-2"
    assert news.latest(5) == [] and news.by_slug(post.slug) is None
    assert news.by_slug(post.slug, drafts=True) is post
    assert actions() == ["news.create", "news.create"]


@BOTH
def test_publishing_dates_a_post_once_and_taking_it_back_keeps_the_date(app: Flask) -> None:
    post = make_post(publish=False)
    published = news.publish(post_id=post.id, now=NOW, actor_id=None)
    assert (published.status, published.published_at) == ("published", NOW)
    with pytest.raises(EditError) as excinfo:
        news.publish(post_id=post.id, now=NOW, actor_id=None)
    assert excinfo.value.code == "already_published"

    later = NOW + timedelta(days=2)
    news.unpublish(post_id=post.id, now=later, actor_id=None)
    assert news.latest(5) == []
    with pytest.raises(EditError) as excinfo:
        news.unpublish(post_id=post.id, now=later, actor_id=None)
    assert excinfo.value.code == "not_published"
    again = news.publish(post_id=post.id, now=later, actor_id=None)
    assert again.published_at == NOW
    assert actions() == ["news.create", "news.publish", "news.unpublish", "news.publish"]


def test_staff_may_date_a_post_back_but_not_ahead(app: Flask) -> None:
    post = make_post(publish=False, published_date=date(2026, 11, 28),
                     published_time=time(10, 30))
    assert post.published_at == datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
    assert news.publish(post_id=post.id, now=NOW, actor_id=None).published_at == \
        datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
    with pytest.raises(InvalidInput) as excinfo:
        make_post(publish=False, published_date=date(2026, 12, 5), published_time=time(9))
    assert [(p.field, p.code) for p in excinfo.value.problems] == [
        ("published_date", "in_future")]


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"title": ""}, "title", "missing"),
    ({"summary": ""}, "summary", "missing"),
    ({"title": "x" * 121}, "title", "too_long"),
    ({"summary": "x" * 301}, "summary", "too_long"),
    ({"body": "x" * 20_001}, "body", "too_long"),
    ({"title": "Hallo\x00"}, "title", "control_characters"),
    ({"published_date": date(2026, 11, 1)}, "published_time", "missing_time"),
    ({"published_time": time(9)}, "published_date", "missing_date"),
    ({"published_date": date(2027, 3, 28), "published_time": time(2, 30)},
     "published_time", "no_such_time"),
])
def test_bad_input_is_refused_and_nothing_is_written(
    app: Flask, overrides: dict[str, object], field: str, code: str
) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        make_post(publish=False, **overrides)
    assert (field, code) in [(p.field, p.code) for p in excinfo.value.problems]
    assert count() == 0 and actions() == []


@BOTH
def test_a_picture_needs_its_alt_text_also_in_the_database(app: Flask) -> None:
    from .backoffice.test_events import png

    with pytest.raises(InvalidInput) as excinfo:
        news.create_post(values=values(), picture=png(), now=NOW, actor_id=None)
    assert ("image_alt", "missing_alt") in [(p.field, p.code) for p in excinfo.value.problems]
    assert count() == 0
    post = news.create_post(values=values(image_alt="Ein Schaufenster"), picture=png(),
                            now=NOW, actor_id=None)
    assert post.image is not None and post.image_alt == "Ein Schaufenster"
    post.image_alt = ""
    with pytest.raises(Exception, match="image_has_alt_text"):
        db.session.commit()
    db.session.rollback()


@BOTH
def test_latest_and_pages_are_newest_first(app: Flask) -> None:
    for day in range(12):
        make_post(title=f"Beitrag {day}", at=NOW - timedelta(days=12 - day))
    make_post(publish=False, title="Entwurf")
    assert [post.title for post in news.latest(2)] == ["Beitrag 11", "Beitrag 10"]
    first, pages = news.page_of(1)
    second, _pages = news.page_of(2)
    assert pages == 2 and len(first) == 10 and [p.title for p in second] == [
        "Beitrag 1", "Beitrag 0"]


# ---------------------------------------------------------------------------
# The public pages
# ---------------------------------------------------------------------------


def test_drafts_are_never_public(app: Flask, client: FlaskClient) -> None:
    draft = make_post(publish=False, title="Geheimer Entwurf")
    shown = make_post(title="Öffentlich")
    assert client.get(f"/aktuelles/{draft.slug}").status_code == 404
    for path in ("/aktuelles", "/aktuelles.atom", "/"):
        text = client.get(path).get_data(as_text=True)
        assert "Geheimer Entwurf" not in text and draft.slug not in text, path
    assert client.get(f"/aktuelles/{shown.slug}").status_code == 200
    news.unpublish(post_id=shown.id, now=NOW, actor_id=None)
    assert client.get(f"/aktuelles/{shown.slug}").status_code == 404


def test_the_list_pages_and_links_the_feed(app: Flask, client: FlaskClient) -> None:
    for day in range(11):
        make_post(title=f"Beitrag {day}", at=NOW - timedelta(days=11 - day))
    first = client.get("/aktuelles").get_data(as_text=True)
    assert first.index("Beitrag 10") < first.index("Beitrag 9")
    assert "Beitrag 0<" not in first and 'href="/aktuelles?seite=2"' in first
    assert re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]*'
                     r'href="/aktuelles.atom"', first)
    second = client.get("/aktuelles?seite=2").get_data(as_text=True)
    assert "Beitrag 0<" in second and "Beitrag 10" not in second
    for bad in ("3", "0", "-1", "abc", "1.5", "9" * 9):
        assert client.get(f"/aktuelles?seite={bad}").status_code == 404, bad


def test_the_home_page_shows_the_two_newest_posts(app: Flask, client: FlaskClient) -> None:
    for day in range(3):
        make_post(title=f"Neuigkeit {day}", at=NOW - timedelta(days=3 - day))
    home = client.get("/").get_data(as_text=True)
    assert "Neuigkeit 2" in home and "Neuigkeit 1" in home and "Neuigkeit 0" not in home
    main = home.split('<footer class="site-footer">', 1)[0]
    assert 'href="/aktuelles"' in main  # the section's "Alle Neuigkeiten"


def test_every_page_links_the_news_in_its_footer(app: Flask, client: FlaskClient) -> None:
    for path in ("/", "/impressum", "/veranstaltungen", "/aktuelles"):
        footer = client.get(path).get_data(as_text=True).split(
            '<footer class="site-footer">', 1)[1]
        assert '<a href="/aktuelles">Aktuelles</a>' in footer, path


def test_a_post_page_sanitises_the_markdown(app: Flask, client: FlaskClient) -> None:
    post = make_post(body=EVIL)
    page = client.get(f"/aktuelles/{post.slug}").get_data(as_text=True)
    body = page.split('class="prose news-body">', 1)[1].split("</div>", 1)[0]
    assert_sanitised(body)
    assert "<script" not in page.split("<main", 1)[1]


def test_get_changes_nothing(app: Flask, client: FlaskClient) -> None:
    post = make_post()
    before = (count(), actions(), post.updated_at)
    for path in ("/aktuelles", f"/aktuelles/{post.slug}", "/aktuelles.atom", "/"):
        assert client.get(path).status_code == 200
    db.session.expire_all()
    assert (count(), actions(), db.session.get(NewsPost, post.id).updated_at) == before


# ---------------------------------------------------------------------------
# The feed
# ---------------------------------------------------------------------------


@BOTH
def test_the_feed_parses_with_absolute_links_and_times(
    app: Flask, client: FlaskClient, freeze: Callable[[datetime], None]
) -> None:
    app.config["BASE_URL"] = BASE
    older = make_post(title="Neue Workshop-Termine", at=NOW - timedelta(days=3))
    newer = make_post(title="Die Advents-Rallye hat begonnen", at=NOW)
    make_post(publish=False, title="Entwurf")
    edited_at = NOW + timedelta(hours=5)
    freeze(edited_at)
    news.update_post(post_id=older.id, values=values(title="Neue Workshop-Termine",
                                                     body="Jetzt **anmelden**."),
                     picture=None, remove_picture=False, now=edited_at, actor_id=None)

    response = client.get("/aktuelles.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.author_detail.name == app.config["OFFICE"]["name"]
    assert feed.feed.id == f"{BASE}/aktuelles"
    assert {link.href for link in feed.feed.links} == {f"{BASE}/aktuelles",
                                                      f"{BASE}/aktuelles.atom"}
    assert feed.feed.updated_parsed[:6] == edited_at.timetuple()[:6]
    assert [entry.title for entry in feed.entries] == [newer.title, older.title]
    first, second = feed.entries
    assert first.link == f"{BASE}/aktuelles/{newer.slug}" and first.id == first.link
    assert second.link == f"{BASE}/aktuelles/{older.slug}"
    assert first.updated_parsed[:6] == NOW.timetuple()[:6]
    assert second.published_parsed[:6] == (NOW - timedelta(days=3)).timetuple()[:6]
    assert second.updated_parsed[:6] == edited_at.timetuple()[:6]
    assert first.summary == "40 Geschäfte machen mit."
    assert second.content[0].type == "text/html"
    assert "<strong>anmelden</strong>" in second.content[0].value


def test_the_feed_sanitises_the_markdown(app: Flask, client: FlaskClient) -> None:
    make_post(body=EVIL)
    raw = client.get("/aktuelles.atom").data
    # The content as sent, before feedparser's own sanitiser could hide anything.
    feed = feedparser.parse(raw, sanitize_html=False)
    assert_sanitised(feed.entries[0].content[0].value)


def test_an_empty_feed_is_valid(app: Flask, client: FlaskClient) -> None:
    feed = feedparser.parse(client.get("/aktuelles.atom").data)
    assert not feed.bozo and feed.entries == []
    assert feed.feed.updated_parsed[:6] == NOW.timetuple()[:6]


# ---------------------------------------------------------------------------
# The demo
# ---------------------------------------------------------------------------


def test_the_demo_has_news_once_and_its_links_lead_somewhere(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    load_demo(NOW, tmp_path)
    first = [(p.slug, p.published_at, p.updated_at) for p in news.latest(10)]
    assert len(first) == 3 and first[0][1] == NOW
    load_demo(NOW + timedelta(days=1), tmp_path)
    assert [(p.slug, p.published_at, p.updated_at) for p in news.latest(10)] == first
    home = client.get("/").get_data(as_text=True)
    assert home.count('href="/aktuelles/') == 2
    for post in news.latest(10):
        page = client.get(f"/aktuelles/{post.slug}").get_data(as_text=True)
        for href in re.findall(r'href="(/[^"]*)"', page.split('class="prose news-body">')[1]
                               .split("</div>")[0]):
            assert client.get(href).status_code == 200, href
