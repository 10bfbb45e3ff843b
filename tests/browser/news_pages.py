"""The news pages (/aktuelles and /buero/aktuelles) in their states, as scenarios for the
page tests, on the demo's posts and one post with a picture of their own.

Nothing here changes the demo's posts (the edit scenarios only preview or send a form
that is refused), so the scenarios may run in any order and many times in a session.
"""

import io
import re
from collections.abc import Callable

from flask import Flask
from PIL import Image as PILImage
from playwright.sync_api import BrowserContext, Page, expect

from app import clock
from app.extensions import db
from app.services import news

from .conftest import LiveServer

# As in pages.py, which imports this module (so this one cannot import it).
ContextFactory = Callable[[], BrowserContext]
Scenario = Callable[[ContextFactory, LiveServer], Page]

LIST = "/buero/aktuelles"
PICTURE_TITLE = "Schaufenster-Wettbewerb: Die Gewinner stehen fest"
POST_ID = re.compile(r"/buero/aktuelles/(\d+)$")


def live_app(live_server: LiveServer) -> Flask:
    """The live server's app, to write the scenario's own data."""
    assert live_server.accounts is not None
    return live_server.accounts.app


def picture() -> bytes:
    """A small photo-like PNG."""
    buffer = io.BytesIO()
    image = PILImage.new("RGB", (640, 360), (155, 28, 44))
    image.paste((240, 200, 80), (40, 40, 300, 320))
    image.save(buffer, "PNG")
    return buffer.getvalue()


def post_with_picture(live_server: LiveServer) -> str:
    """The slug of a published post with a picture (made once per server)."""
    with live_app(live_server).app_context():
        found = [post for post in news.latest(20) if post.title == PICTURE_TITLE]
        if found:
            slug = found[0].slug
        else:
            now = clock.utcnow()
            post = news.create_post(values=news.NewsInput(
                title=PICTURE_TITLE,
                summary="Zwölf Geschäfte haben mitgemacht; drei Fenster hat die Jury "
                        "besonders gelobt.",
                body="## Die Jury\n\nDrei Fachleute aus Handel und Gestaltung.\n\n"
                     "- **Platz 1**: Blumen am Markt\n- **Platz 2**: Buchhandlung "
                     "Lesezeichen\n\n[Alle Veranstaltungen](/veranstaltungen)",
                image_alt="Ein weihnachtlich geschmücktes Schaufenster"),
                picture=picture(), now=now, actor_id=None)
            slug = news.publish(post_id=post.id, now=now, actor_id=None).slug
        db.session.remove()
    return slug


def open_path(path: str | Callable[[LiveServer], str], status: int = 200) -> Scenario:
    """A scenario that opens ``path`` anew and expects ``status``."""

    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        page = contexts().new_page()
        response = page.goto(live_server.url(path if isinstance(path, str)
                                             else path(live_server)))
        assert response is not None and response.status == status
        return page

    return scenario


def first_demo_post(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """From the list, the first demo post (a heading and a list in its text)."""
    page = contexts().new_page()
    page.goto(live_server.url("/aktuelles"))
    page.get_by_role("link", name="Die Advents-Rallye hat begonnen").click()
    expect(page.get_by_role("heading", name="Was Sie als Geschäft tun können")).to_be_visible()
    return page


def logged_in(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """A page with the demo staff logged in (as pages.staff_page does)."""
    page = contexts().new_page()
    page.goto(live_server.url("/anmelden"))
    page.get_by_label("E-Mail-Adresse").fill(live_server.staff_email)
    page.get_by_label("Passwort").fill(live_server.staff_password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(live_server.url("/buero/"))
    return page


def staff(path: str, then: Callable[[Page], None] | None = None) -> Scenario:
    """A back-office scenario opening ``path`` (``{id}``: the first demo post's id)."""

    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        page = logged_in(contexts, live_server)
        target = path
        if "{id}" in path:
            page.goto(live_server.url(LIST))
            href = page.locator("tbody tr th a").first.get_attribute("href") or ""
            match = POST_ID.search(href)
            assert match, href
            target = path.format(id=match.group(1))
        response = page.goto(live_server.url(target))
        assert response is not None and response.status == 200
        if then is not None:
            then(page)
        return page

    return scenario


def preview_text(page: Page) -> None:
    """Type a text with a heading and press the text's preview."""
    page.get_by_label("Text", exact=True).fill("## Neu im Januar\n\nMit **Imbiss**.")
    page.get_by_role("button", name="Vorschau des Textes").click()
    expect(page.locator("#vorschau h2", has_text="Neu im Januar")).to_be_visible()


def submit_empty(page: Page) -> None:
    """Send the form without title and summary: messages at the fields and a summary."""
    page.get_by_label("Titel").fill("")
    page.get_by_label("Kurzfassung").fill("")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".error-summary")).to_be_visible()


NEWS_PAGES: dict[str, Scenario] = {
    "news": open_path("/aktuelles"),
    "news-post": first_demo_post,
    "news-post-picture": open_path(lambda server: "/aktuelles/" + post_with_picture(server)),
    "news-unknown-404": open_path("/aktuelles/gibt-es-nicht", 404),
}

BACKOFFICE_NEWS_PAGES: dict[str, Scenario] = {
    "bo-news": staff(LIST),
    "bo-news-new": staff(f"{LIST}/neu"),
    "bo-news-new-preview": staff(f"{LIST}/neu", preview_text),
    "bo-news-edit": staff(LIST + "/{id}"),
    "bo-news-edit-errors": staff(LIST + "/{id}", submit_empty),
    "bo-news-preview": staff(LIST + "/{id}/vorschau"),
}
