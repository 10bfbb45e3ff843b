"""The sign-language pages (/gebaerdensprache and /buero/gebaerdensprache) in their
states, as scenarios for the page tests.

Each scenario first puts the video into the state it shows (one shown with captions, or
none shown), so that the scenarios may run in any order and many times in a session.
"""

import io
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect

from app import clock
from app.extensions import db
from app.models import DgsVideo
from app.services import dgs_videos

from .conftest import LiveServer

# As in pages.py, which imports this module (so this one cannot import it).
ContextFactory = Callable[[], BrowserContext]
Scenario = Callable[[ContextFactory, LiveServer], Page]

PAGE = "/buero/gebaerdensprache"
TITLE = "Die Innenstadt-Website in Gebärdensprache"
CAPTIONS = b"WEBVTT\n\n00:00.000 --> 00:04.000\nWillkommen in der Innenstadt.\n"
TRANSCRIPT = (
    "## Was Sie hier finden\n\n"
    "Auf dieser Website finden Sie die Advents-Rallye, die Angebote des Büros für "
    "Geschäfte und Gründerinnen, Termine und Veranstaltungen.\n\n"
    "Sie erreichen uns **Montag bis Donnerstag** im Büro in der Hermannstraße."
)


def tiny_mp4() -> bytes:
    """The header of an MP4 (an ``ftyp`` box) and an ``mdat`` box: enough to be kept."""
    ftyp = b"isom\x00\x00\x02\x00isommp41"
    mdat = b"\x00" * 4096
    return ((8 + len(ftyp)).to_bytes(4, "big") + b"ftyp" + ftyp
            + (8 + len(mdat)).to_bytes(4, "big") + b"mdat" + mdat)


def live_app(live_server: LiveServer) -> Flask:
    """The live server's app, to write the scenario's own data."""
    assert live_server.accounts is not None
    return live_server.accounts.app


def set_state(live_server: LiveServer, *, shown: bool) -> None:
    """One stored video with captions, shown on the site or not."""
    application = live_app(live_server)
    with application.app_context():
        video = db.session.query(DgsVideo).filter_by(title=TITLE).first()
        now = clock.utcnow()
        if video is None:
            video = dgs_videos.upload(
                stream=io.BytesIO(tiny_mp4()), title=TITLE, transcript=TRANSCRIPT,
                captions=CAPTIONS, folder=Path(application.config["MEDIA_FOLDER"]),
                max_bytes=10 * 1024 * 1024, now=now, actor_id=None)
        if shown and not video.active:
            dgs_videos.activate(video_id=video.id, now=now, actor_id=None)
        elif not shown and video.active:
            dgs_videos.deactivate(video_id=video.id, now=now, actor_id=None)
        db.session.remove()


def public(*, shown: bool) -> Scenario:
    """/gebaerdensprache with the video shown, or without one."""

    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        set_state(live_server, shown=shown)
        page = contexts().new_page()
        response = page.goto(live_server.url("/gebaerdensprache"))
        assert response is not None and response.status == 200
        if shown:
            expect(page.locator("video")).to_be_visible()
            expect(page.get_by_role("heading", name="Was Sie hier finden")).to_be_visible()
        else:
            expect(page.get_by_text("noch in Arbeit")).to_be_visible()
        return page

    return scenario


def logged_in(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """A page with the demo staff logged in (as pages.staff_page does)."""
    page = contexts().new_page()
    page.goto(live_server.url("/anmelden"))
    page.get_by_label("E-Mail-Adresse").fill(live_server.staff_email)
    page.get_by_label("Passwort").fill(live_server.staff_password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(live_server.url("/buero/"))
    return page


def staff(then: Callable[[Page], None] | None = None) -> Scenario:
    """The back-office page with the video stored and shown, then ``then``."""

    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        set_state(live_server, shown=True)
        page = logged_in(contexts, live_server)
        response = page.goto(live_server.url(PAGE))
        assert response is not None and response.status == 200
        expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
        if then is not None:
            then(page)
        return page

    return scenario


def submit_empty(page: Page) -> None:
    """Send the upload form without file, title and text: messages and a summary."""
    page.get_by_role("button", name="Hochladen").click()
    expect(page.locator(".error-summary")).to_be_visible()


def open_preview(page: Page) -> None:
    """Open the stored video's preview."""
    page.locator("summary", has_text="Vorschau").first.click()
    expect(page.locator(".dgs-preview video").first).to_be_visible()


def ask_to_delete(page: Page) -> None:
    """Open the delete question (nothing is deleted)."""
    page.locator(".dgs-item", has_text=TITLE).get_by_role("link", name="Löschen").click()
    expect(page.get_by_role("button", name="Endgültig löschen")).to_be_visible()


DGS_PAGES: dict[str, Scenario] = {
    "sign-language": public(shown=True),
    "sign-language-none": public(shown=False),
}

BACKOFFICE_DGS_PAGES: dict[str, Scenario] = {
    "bo-dgs": staff(),
    "bo-dgs-preview": staff(open_preview),
    "bo-dgs-errors": staff(submit_empty),
    "bo-dgs-delete": staff(ask_to_delete),
}
