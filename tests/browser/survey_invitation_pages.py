"""A survey's invitations page (/buero/umfragen/<id>/einladungen) in its states, as
scenarios for the page tests, on the demo's "Bedarfsabfrage Innenstadt".

The demo gave every shop its link, so "Links anlegen" adds nothing: the scenarios may
run in any order and many times in a session. Nothing here mails or prints (both would
replace links).
"""

from collections.abc import Callable

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.demo_data import SURVEY_SLUG
from app.extensions import db
from app.models import Survey

from .conftest import LiveServer
from .news_pages import ContextFactory, Scenario, live_app, logged_in


def invitations_path(live_server: LiveServer) -> str:
    """The demo survey's invitations page."""
    with live_app(live_server).app_context():
        survey_id = db.session.scalar(select(Survey.id).where(Survey.slug == SURVEY_SLUG))
    assert survey_id is not None, "the demo has no survey"
    return f"/buero/umfragen/{survey_id}/einladungen"


def invitations(then: Callable[[Page], None] | None = None) -> Scenario:
    """The page as staff see it, after ``then``."""

    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        page = logged_in(contexts, live_server)
        response = page.goto(live_server.url(invitations_path(live_server)))
        assert response is not None and response.status == 200
        expect(page.get_by_role("heading", level=1)).to_contain_text("Bedarfsabfrage")
        if then is not None:
            then(page)
        return page

    return scenario


def press_create_links(page: Page) -> None:
    """Press "Links anlegen": every demo shop has one already, the page says so."""
    page.get_by_role("button", name="Links anlegen").click()
    expect(page.get_by_text("Jedes Geschäft hat schon seinen Link.")).to_be_visible()


BACKOFFICE_SURVEY_INVITATION_PAGES: dict[str, Scenario] = {
    "bo-survey-invitations": invitations(),
    "bo-survey-invitations-links": invitations(press_create_links),
}
