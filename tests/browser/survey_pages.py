"""The public survey pages in their states, as scenarios for the page tests: a survey's
first page with the open link, the link sent, answering page by page (with errors), the
last step, the thanks, a survey not yet open and one that has ended.

Each scenario writes a survey (and respondent) of its own into the live server's
database, so that the runs of the session do not share answers.
"""

import uuid
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect

from app import clock
from app.extensions import db
from app.models import Survey, SurveyChoice, SurveyQuestion, SurveyRespondent
from app.services import survey_answers
from app.services.survey_links import answer_path, issue_token

from .conftest import LiveServer

# As in pages.py, which imports this module (so this one cannot import it).
ContextFactory = Callable[[], BrowserContext]
Scenario = Callable[[ContextFactory, LiveServer], Page]


def live_app(live_server: LiveServer) -> Flask:
    """The live server's app, to write the scenario's own data."""
    assert live_server.accounts is not None
    return live_server.accounts.app


def new_survey(live_server: LiveServer, *, days: tuple[int, int] = (-1, 20),
               answered: bool = False, submitted: bool = False) -> tuple[str, str]:
    """A published survey over two pages open from ``days[0]`` to ``days[1]`` days from
    now, with an open link, and one respondent (its answers saved while it was open);
    the survey's slug and the respondent's token."""
    now = clock.utcnow()
    with live_app(live_server).app_context():
        survey = Survey(
            slug="bedarf-" + uuid.uuid4().hex[:8], title="Bedarfsabfrage Innenstadt",
            intro="Was braucht **Ihr Geschäft**, damit die Innenstadt lebendig bleibt?\n\n"
                  "Die Umfrage dauert etwa fünf Minuten.",
            status="published", opens_at=now + timedelta(days=days[0]),
            closes_at=now + timedelta(days=days[1]), open_link=True,
            open_consent="Wir nutzen Ihre Adresse und Ihren Firmennamen nur für diese "
                         "Umfrage und löschen sie sechs Monate nach ihrem Ende.")
        survey.questions = [
            SurveyQuestion(position=1, page=1, kind="one", required=True,
                           prompt="Hat Ihr Geschäft eine eigene Website?",
                           choices=[SurveyChoice(position=1, label="Ja"),
                                    SurveyChoice(position=2, label="Nein, aber geplant"),
                                    SurveyChoice(position=3, label="Nein")]),
            SurveyQuestion(position=2, page=1, kind="many",
                           prompt="Welche Veranstaltungen würden Ihnen helfen?",
                           help="Mehrere Antworten möglich",
                           choices=[SurveyChoice(position=1, label="Verkaufsoffene Abende"),
                                    SurveyChoice(position=2, label="Stadtfeste"),
                                    SurveyChoice(position=3, label="Schulungen")]),
            SurveyQuestion(position=3, page=1, kind="scale",
                           prompt="Die Parkmöglichkeiten reichen für meine Kundschaft."),
            SurveyQuestion(position=4, page=2, kind="short", required=True,
                           prompt="Ihre Öffnungszeiten am Samstag",
                           help="Zum Beispiel „9 bis 14 Uhr“"),
            SurveyQuestion(position=5, page=2, kind="long",
                           prompt="Was sollte sich in der Innenstadt ändern?"),
        ]
        db.session.add(survey)
        db.session.flush()
        token, token_hash = issue_token()
        db.session.add(SurveyRespondent(
            survey_id=survey.id, token_hash=token_hash, company="Blumen Kaya",
            email=f"kaya-{uuid.uuid4().hex[:6]}@example.org", consent_at=survey.opens_at,
            category="Sonstiges", created_at=survey.opens_at))
        db.session.commit()
        slug = survey.slug
        if answered:
            q1, q2, q3, q4, q5 = survey.questions
            moment = survey.opens_at + timedelta(minutes=5)
            survey_answers.save_page(token=token, page=1, now=moment, submitted={
                q1.id: [str(q1.choices[0].id)], q2.id: [str(q2.choices[2].id)],
                q3.id: ["2"]})
            survey_answers.save_page(token=token, page=2, now=moment, submitted={
                q4.id: ["9 bis 14 Uhr"], q5.id: ["Mehr Bänke und Fahrradständer."]})
            if submitted:
                survey_answers.submit(token=token, now=moment)
        db.session.remove()
    return slug, token


def intro(contexts: ContextFactory, live_server: LiveServer) -> Page:
    page = contexts().new_page()
    slug, _ = new_survey(live_server)
    page.goto(live_server.url("/umfragen/" + slug))
    expect(page.get_by_role("button", name="Link anfordern")).to_be_visible()
    return page


def link_sent(contexts: ContextFactory, live_server: LiveServer) -> Page:
    page = intro(contexts, live_server)
    page.get_by_label("Unternehmen").fill("Blumen Kaya")
    page.get_by_label("E-Mail-Adresse").fill(f"kaya-{uuid.uuid4().hex[:8]}@example.org")
    page.get_by_label("Branche").select_option("Sonstiges")
    page.get_by_label("Ich bin mit der Verarbeitung").check()
    page.get_by_role("button", name="Link anfordern").click()
    expect(page.get_by_role("heading", name="Wir haben Ihnen einen Link geschickt")
           ).to_be_visible()
    return page


def link_errors(contexts: ContextFactory, live_server: LiveServer) -> Page:
    page = intro(contexts, live_server)
    page.get_by_label("E-Mail-Adresse").fill("kaya@")
    page.get_by_role("button", name="Link anfordern").click()
    expect(page.locator(".field.has-error")).to_have_count(4)
    return page


def answering(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The first page of a personal link, filled in and saved: on to page 2."""
    page = contexts().new_page()
    _, token = new_survey(live_server)
    page.goto(live_server.url(answer_path(token)))
    expect(page.get_by_text("Seite 1 von 2")).to_be_visible()
    return page


def second_page(contexts: ContextFactory, live_server: LiveServer) -> Page:
    page = answering(contexts, live_server)
    page.get_by_label("Nein, aber geplant").check()
    page.get_by_label("Schulungen").check()
    page.get_by_label("4 – trifft eher zu").check()
    page.get_by_role("button", name="Speichern und weiter").click()
    expect(page.get_by_text("Seite 2 von 2")).to_be_visible()
    return page


def page_errors(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """A revision that leaves a required question empty: the summary and the field."""
    page = contexts().new_page()
    _, token = new_survey(live_server, answered=True, submitted=True)
    page.goto(live_server.url(answer_path(token) + "?seite=2"))
    page.get_by_label("Ihre Öffnungszeiten am Samstag").fill("")
    page.get_by_role("button", name="Speichern und prüfen").click()
    expect(page.get_by_role("heading", name="Bitte prüfen Sie Ihre Antworten")).to_be_visible()
    return page


def review(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The last step with a required question still open."""
    page = second_page(contexts, live_server)
    page.get_by_role("button", name="Speichern und prüfen").click()
    expect(page.get_by_role("heading", name="Antworten absenden")).to_be_visible()
    return page


def thanks(contexts: ContextFactory, live_server: LiveServer) -> Page:
    page = second_page(contexts, live_server)
    page.get_by_label("Ihre Öffnungszeiten am Samstag").fill("9 bis 14 Uhr")
    page.get_by_label("Was sollte sich in der Innenstadt ändern?").fill("Mehr Grün.")
    page.get_by_role("button", name="Speichern und prüfen").click()
    page.get_by_role("button", name="Absenden").click()
    expect(page.get_by_role("heading", name="Vielen Dank für Ihre Antworten")).to_be_visible()
    return page


def not_open(contexts: ContextFactory, live_server: LiveServer) -> Page:
    page = contexts().new_page()
    _, token = new_survey(live_server, days=(3, 20))
    page.goto(live_server.url(answer_path(token)))
    expect(page.get_by_text("noch nicht geöffnet")).to_be_visible()
    return page


def closed(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """A survey that ended with the respondent's answers read-only."""
    now = clock.utcnow()
    _, token = new_survey(live_server)
    with live_app(live_server).app_context():
        respondent = survey_answers.respondent_by_token(token)
        assert respondent is not None
        survey = db.session.get(Survey, respondent.survey_id)
        assert survey is not None
        q1, _q2, _q3, q4, _q5 = survey.questions
        survey_answers.save_page(token=token, page=1, now=now,
                                 submitted={q1.id: [str(q1.choices[1].id)]})
        survey_answers.save_page(token=token, page=2, now=now,
                                 submitted={q4.id: ["10 bis 16 Uhr"]})
        survey_answers.submit(token=token, now=now)
        survey = db.session.get(Survey, respondent.survey_id)
        assert survey is not None
        survey.opens_at, survey.closes_at = now - timedelta(days=9), now - timedelta(minutes=1)
        db.session.commit()
        db.session.remove()
    page = contexts().new_page()
    page.goto(live_server.url(answer_path(token)))
    expect(page.get_by_role("heading", name="Die Umfrage ist beendet")).to_be_visible()
    return page


def unknown(contexts: ContextFactory, live_server: LiveServer) -> Page:
    page = contexts().new_page()
    response = page.goto(live_server.url(answer_path("A" * 43)))
    assert response is not None and response.status == 404
    return page


SURVEY_PAGES: dict[str, Scenario] = {
    "survey-answer-intro": intro,
    "survey-answer-link-errors": link_errors,
    "survey-answer-link-sent": link_sent,
    "survey-answer-page": answering,
    "survey-answer-page-2": second_page,
    "survey-answer-page-errors": page_errors,
    "survey-answer-review": review,
    "survey-answer-thanks": thanks,
    "survey-answer-not-open": not_open,
    "survey-answer-closed": closed,
    "survey-answer-unknown-404": unknown,
}
