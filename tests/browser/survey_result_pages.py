"""A survey's results pages (/buero/umfragen/<id>/ergebnisse, .../bericht) as scenarios
for the page tests (axe at 390 and 1280 px, no sideways scroll at 320 px).

The scenarios write their own surveys into the live server's database once per session
(an anonymous one and one that names the shops), answered by demo shops and by
businesses through the open link; nothing else of the demo changes.
"""

from collections.abc import Callable
from datetime import timedelta

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Shop
from app.models.surveys import (
    Survey,
    SurveyAnswer,
    SurveyAnswerChoice,
    SurveyChoice,
    SurveyQuestion,
    SurveyRespondent,
)
from app.services.survey_links import issue_token

from .backoffice_event_pages import logged_in
from .conftest import LiveServer
from .event_pages import live_app

# As in pages.py, which imports this module (so this one cannot import it).
ContextFactory = Callable[[], BrowserContext]
Scenario = Callable[[ContextFactory, LiveServer], Page]

QUESTIONS = [
    ("one", "Hat Ihr Geschäft eine eigene Website oder ein Profil im Netz?",
     ["Ja, eine eigene Website", "Nur ein Profil (Google, Instagram)", "Nein"]),
    ("many", "Was würde Ihrem Geschäft in der Innenstadt am meisten helfen?",
     ["Mehr Parkplätze in der Nähe", "Gemeinsame Veranstaltungen", "Einheitliche "
      "Öffnungszeiten am Samstag", "Schulungen zu Online-Marketing und sozialen Medien"]),
    ("scale", "Wie zufrieden sind Sie mit der Erreichbarkeit Ihres Geschäfts?", []),
    ("long", "Was sollte das Innenstadtbüro als Erstes anpacken?", []),
]
TEXTS = ["Die leeren Schaufenster am Markt bespielen – zum Beispiel mit Kunst aus der Stadt.",
         "Mehr Bänke und Grün in der Fußgängerzone.",
         "Ein gemeinsamer Adventsabend mit allen Geschäften, bis 21 Uhr."]
# Open respondents' own categories: four of one (shown on its own) and one alone.
OPEN = [("Dienstleistung", 4), ("Handwerk", 1)]
SURVEYS: dict[tuple[str, bool], int] = {}


def seeded_survey(live_server: LiveServer, *, names_shops: bool = False) -> int:
    """A closed survey with answers (once per session); its id."""
    key = (live_server.base_url, names_shops)
    if key in SURVEYS:
        return SURVEYS[key]
    now = clock.utcnow()
    with live_app(live_server).app_context():
        survey = Survey(
            slug="bedarf-ergebnisse-namen" if names_shops else "bedarf-ergebnisse",
            title="Bedarfsabfrage Innenstadt" + (" (mit Namen)" if names_shops else ""),
            intro="", status="published", opens_at=now - timedelta(days=30),
            closes_at=now - timedelta(days=1), names_shops=names_shops, open_link=True,
            open_consent="Ich willige ein.", locked_at=now - timedelta(days=29))
        db.session.add(survey)
        db.session.flush()
        questions = []
        for position, (kind, prompt, options) in enumerate(QUESTIONS, start=1):
            question = SurveyQuestion(survey_id=survey.id, position=position, page=1,
                                      kind=kind, prompt=prompt, help="", required=False)
            db.session.add(question)
            db.session.flush()
            choices = [SurveyChoice(question_id=question.id, position=n, label=label)
                       for n, label in enumerate(options, start=1)]
            db.session.add_all(choices)
            db.session.flush()
            questions.append((question, [choice.id for choice in choices]))
        people = [SurveyRespondent(shop_id=shop_id) for shop_id in db.session.scalars(
            select(Shop.id).order_by(Shop.id).limit(6))]
        people += [SurveyRespondent(email=f"{category.lower()}-{n}@betrieb.example",
                                    company=f"{category} {n} GmbH", category=category,
                                    consent_at=now - timedelta(days=20))
                   for category, count in OPEN for n in range(count)]
        for index, person in enumerate(people):
            person.survey_id = survey.id
            person.token_hash = issue_token()[1]
            person.created_at = now - timedelta(days=25)
            person.updated_at = person.submitted_at = now - timedelta(days=20 - index)
        draft = SurveyRespondent(survey_id=survey.id, token_hash=issue_token()[1],
                                 email="entwurf@betrieb.example", company="Entwurf",
                                 category="Handwerk", consent_at=now - timedelta(days=2),
                                 created_at=now - timedelta(days=2))
        db.session.add_all([*people, draft])
        db.session.flush()
        for index, person in enumerate(people):
            moment = now - timedelta(days=20 - index)
            for question, choice_ids in questions:
                answer = SurveyAnswer(respondent_id=person.id, question_id=question.id,
                                      survey_id=survey.id, updated_at=moment)
                if question.kind == "scale":
                    answer.scale = 1 + index % 5
                elif question.kind == "long":
                    answer.text = TEXTS[index % len(TEXTS)]
                db.session.add(answer)
                db.session.flush()
                picked = ([choice_ids[index % len(choice_ids)]] if question.kind == "one"
                          else choice_ids[: 1 + index % len(choice_ids)]
                          if question.kind == "many" else [])
                db.session.add_all([SurveyAnswerChoice(respondent_id=person.id,
                                                       question_id=question.id,
                                                       choice_id=choice_id)
                                    for choice_id in picked])
        db.session.commit()
        SURVEYS[key] = survey.id
        db.session.remove()
    return SURVEYS[key]


def results_page(suffix: str = "", *, names_shops: bool = False, text: str = "") -> Scenario:
    """A scenario opening the seeded survey's ``/buero/umfragen/<id>/<suffix>``."""

    def scenario(contexts: ContextFactory, live_server: LiveServer) -> Page:
        survey_id = seeded_survey(live_server, names_shops=names_shops)
        page = logged_in(contexts, live_server)
        response = page.goto(live_server.url(f"/buero/umfragen/{survey_id}/{suffix}"))
        assert response is not None and response.status == 200
        if text:
            expect(page.get_by_text(text).first).to_be_visible()
        return page

    return scenario


def filtered_by_form(contexts: ContextFactory, live_server: LiveServer) -> Page:
    """The category chosen in the filter's select and sent."""
    page = results_page("ergebnisse")(contexts, live_server)
    page.get_by_label("Kategorie").select_option(label="Dienstleistung (4)")
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Nur die Kategorie „Dienstleistung“: 4 Antworten.")).to_be_visible()
    return page


SURVEY_RESULT_PAGES: dict[str, Scenario] = {
    "survey-results": results_page("ergebnisse", text="Abgeschickte Antworten"),
    "survey-results-category": filtered_by_form,
    "survey-results-small-group": results_page(
        "ergebnisse?kategorie=Handwerk", text="zu wenige Antworten, um sie getrennt zu zeigen"),
    "survey-results-named": results_page("ergebnisse", names_shops=True,
                                         text="Die leeren Schaufenster"),
    "survey-results-report": results_page("bericht", text="Bericht zur Umfrage"),
}
