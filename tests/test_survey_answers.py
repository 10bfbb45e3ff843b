"""Answering a needs survey: the pages of a personal link, drafts, submitting, revising
until the close, the refusals (nothing stored), two tabs at once, and the open link."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    OutboxMail,
    Survey,
    SurveyAnswer,
    SurveyAnswerChoice,
    SurveyChoice,
    SurveyQuestion,
    SurveyRespondent,
)
from app.services import survey_answers as service
from app.services.survey_answers import SurveyAnswerError
from app.services.survey_links import answer_path, issue_token

from .helpers import BERLIN, csrf_token, make_shop
from .test_concurrency import all_at_once

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN)
OPENS = datetime(2026, 11, 30, 8, 0, tzinfo=BERLIN)
CLOSES = datetime(2026, 12, 24, 12, 0, tzinfo=BERLIN)

both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgres"],
                                         indirect=True)


@pytest.fixture
def clock(freeze: Callable[[datetime], None]) -> Callable[[datetime], None]:
    """The app's clock, frozen at NOW."""
    freeze(NOW)
    return freeze


def make_survey(*, slug: str = "bedarf", status: str = "published",
                open_link: bool = False, names_shops: bool = False) -> Survey:
    """A survey over two pages: page 1 a required one-choice question, a many-choice
    question and a scale; page 2 a required short text and a long text."""
    survey = Survey(slug=slug, title="Bedarfsabfrage Innenstadt", intro="Wir fragen **Sie**.",
                    status=status, opens_at=OPENS, closes_at=CLOSES, names_shops=names_shops,
                    open_link=open_link,
                    open_consent="Wir nutzen Ihre Adresse nur für diese Umfrage."
                    if open_link else "")
    survey.questions = [
        SurveyQuestion(position=1, page=1, kind="one", prompt="Haben Sie eine Website?",
                       required=True, choices=[SurveyChoice(position=1, label="Ja"),
                                               SurveyChoice(position=2, label="Nein")]),
        SurveyQuestion(position=2, page=1, kind="many", prompt="Was wünschen Sie sich?",
                       help="Mehrere Antworten möglich",
                       choices=[SurveyChoice(position=1, label="Parkplätze"),
                                SurveyChoice(position=2, label="Veranstaltungen"),
                                SurveyChoice(position=3, label="Schulungen")]),
        SurveyQuestion(position=3, page=1, kind="scale",
                       prompt="Die Öffnungszeiten passen zu meinen Kunden."),
        SurveyQuestion(position=4, page=2, kind="short", prompt="Ihre Branche in Worten",
                       required=True),
        SurveyQuestion(position=5, page=2, kind="long", prompt="Was sollte sich ändern?"),
    ]
    db.session.add(survey)
    db.session.commit()
    return survey


def make_respondent(survey: Survey, **overrides: object) -> str:
    """A shop's respondent of ``survey``; its personal link's token."""
    token, token_hash = issue_token()
    values: dict[str, object] = {"survey_id": survey.id, "token_hash": token_hash,
                                 "created_at": OPENS - timedelta(days=1)}
    if "email" not in overrides:
        values["shop_id"] = make_shop().id
    db.session.add(SurveyRespondent(**{**values, **overrides}))
    db.session.commit()
    return token


def question(survey: Survey, position: int) -> SurveyQuestion:
    """The survey's question at ``position``."""
    return next(q for q in survey.questions if q.position == position)


def choice(q: SurveyQuestion, label: str) -> int:
    """The id of ``q``'s option ``label``."""
    return next(c.id for c in q.choices if c.label == label)


def counts() -> tuple[int, int]:
    """How many answers and chosen options are stored."""
    return (db.session.scalar(select(func.count()).select_from(SurveyAnswer)) or 0,
            db.session.scalar(select(func.count()).select_from(SurveyAnswerChoice)) or 0)


def respondent_of(token: str) -> SurveyRespondent:
    """The respondent, read afresh."""
    db.session.expire_all()
    found = service.respondent_by_token(token)
    assert found is not None
    return found


def page_one(survey: Survey, *, website: str = "Ja", wishes: tuple[str, ...] = ("Parkplätze",),
             scale: str = "4") -> dict[str, object]:
    """A filled-in first page as the browser posts it."""
    q1, q2, q3 = (question(survey, n) for n in (1, 2, 3))
    return {f"q{q1.id}": str(choice(q1, website)),
            f"q{q2.id}": [str(choice(q2, label)) for label in wishes],
            f"q{q3.id}": scale, "ziel": "weiter"}


def page_two(survey: Survey, *, branch: str = "Buchhandlung",
             wish: str = "Mehr Bänke") -> dict[str, object]:
    """A filled-in second page."""
    return {f"q{question(survey, 4).id}": branch, f"q{question(survey, 5).id}": wish}


def post_page(client: FlaskClient, token: str, page: int, data: dict[str, object]):  # type: ignore[no-untyped-def]
    """Open the page and post ``data`` with its CSRF token."""
    url = f"{answer_path(token)}?seite={page}"
    html = client.get(url).get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": csrf_token(html)})


def post_submit(client: FlaskClient, token: str):  # type: ignore[no-untyped-def]
    """Open the last step and send the answers."""
    url = answer_path(token) + "/absenden"
    html = client.get(url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(html)})


# ---------------------------------------------------------------------------
# The flow
# ---------------------------------------------------------------------------


@both_databases
def test_two_pages_saved_as_drafts_then_submitted(app: Flask, client: FlaskClient,
                                                   clock: Callable[[datetime], None]) -> None:
    survey = make_survey()
    token = make_respondent(survey)

    first = client.get(answer_path(token))
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and "no-store" in first.headers["Cache-Control"]
    assert "Seite 1 von 2" in html and "(Pflichtfrage)" in html
    assert "1 – trifft gar nicht zu" in html and "5 – trifft voll zu" in html
    assert f'aria-describedby="q{question(survey, 2).id}-hilfe"' in html
    assert "<legend>Haben Sie eine Website?" in html

    response = post_page(client, token, 1, page_one(survey, wishes=("Parkplätze", "Schulungen")))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("?seite=2")
    assert counts() == (3, 3)  # one, many (two options) and the scale
    draft = respondent_of(token)
    assert draft.submitted_at is None and draft.updated_at == NOW
    assert db.session.get(Survey, survey.id).locked_at == NOW  # type: ignore[union-attr]

    # The draft is there when the page is opened again.
    again = client.get(answer_path(token) + "?seite=1").get_data(as_text=True)
    q3 = question(survey, 3)
    assert f'id="q{q3.id}-4" name="q{q3.id}" value="4" checked' in again

    response = post_page(client, token, 2, page_two(survey))
    assert response.status_code == 303 and response.headers["Location"].endswith("/absenden")
    review = client.get(answer_path(token) + "/absenden").get_data(as_text=True)
    assert "Buchhandlung" in review and "Parkplätze; Schulungen" in review

    response = post_submit(client, token)
    assert response.status_code == 303
    assert respondent_of(token).submitted_at == NOW
    thanks = client.get(answer_path(token)).get_data(as_text=True)
    assert "Vielen Dank für Ihre Antworten" in thanks and "Antworten ändern" in thanks
    assert counts() == (5, 3)


def test_the_back_button_saves_and_goes_back(app: Flask, client: FlaskClient,
                                             clock: Callable[[datetime], None]) -> None:
    survey = make_survey()
    token = make_respondent(survey)
    response = post_page(client, token, 2, {**page_two(survey), "ziel": "zurueck"})
    assert response.status_code == 303 and response.headers["Location"].endswith("?seite=1")
    assert counts() == (2, 0)


def test_saving_a_page_again_replaces_only_that_page(app: Flask, client: FlaskClient,
                                                     clock: Callable[[datetime], None]) -> None:
    survey = make_survey()
    token = make_respondent(survey)
    post_page(client, token, 1, page_one(survey, wishes=("Parkplätze", "Schulungen")))
    post_page(client, token, 2, page_two(survey))
    post_page(client, token, 1, page_one(survey, website="Nein", wishes=(), scale=""))
    answers = service.saved_answers(respondent_of(token))
    q1 = question(survey, 1)
    assert answers[q1.id].choices == {choice(q1, "Nein")}
    assert question(survey, 2).id not in answers and question(survey, 3).id not in answers
    assert answers[question(survey, 4).id].text == "Buchhandlung"
    assert counts() == (3, 1)


def test_revising_before_the_close_and_read_only_after(
        app: Flask, client: FlaskClient, clock: Callable[[datetime], None]) -> None:
    survey = make_survey()
    token = make_respondent(survey)
    post_page(client, token, 1, page_one(survey))
    post_page(client, token, 2, page_two(survey))
    post_submit(client, token)

    later = NOW + timedelta(days=5)
    clock(later)
    assert post_page(client, token, 2, page_two(survey, branch="Café")).status_code == 303
    assert post_submit(client, token).status_code == 303
    revised = respondent_of(token)
    assert revised.submitted_at == later and revised.updated_at == later
    assert service.saved_answers(revised)[question(survey, 4).id].text == "Café"

    # A revision must keep the required answers of a survey already sent.
    refused = post_page(client, token, 2, page_two(survey, branch=""))
    assert refused.status_code == 400
    assert "Bitte beantworten Sie diese Pflichtfrage." in refused.get_data(as_text=True)
    assert service.saved_answers(respondent_of(token))[question(survey, 4).id].text == "Café"

    clock(CLOSES)
    closed = client.get(answer_path(token) + "?seite=2")
    html = closed.get_data(as_text=True)
    assert closed.status_code == 200 and "Die Umfrage ist beendet" in html
    assert "Café" in html and "survey-form" not in html
    before = counts()
    url = answer_path(token) + "?seite=2"
    response = client.post(url, data={**page_two(survey, branch="Zu spät"),
                                      "csrf_token": _token(client)})
    assert response.status_code == 409
    assert "Die Umfrage ist beendet" in response.get_data(as_text=True)
    assert counts() == before
    assert service.saved_answers(respondent_of(token))[question(survey, 4).id].text == "Café"
    submit = client.post(answer_path(token) + "/absenden", data={"csrf_token": _token(client)})
    assert submit.status_code == 409 and respondent_of(token).submitted_at == later


def _token(client: FlaskClient) -> str:
    """A CSRF token of the session (from a page that still has a form)."""
    return csrf_token(client.get("/veranstaltungen/meine-anmeldungen").get_data(as_text=True))


def test_before_the_opening_a_friendly_page_and_no_answers(
        app: Flask, client: FlaskClient, clock: Callable[[datetime], None]) -> None:
    survey = make_survey()
    token = make_respondent(survey)
    clock(OPENS - timedelta(hours=1))
    page = client.get(answer_path(token))
    assert page.status_code == 200 and "noch nicht geöffnet" in page.get_data(as_text=True)
    response = client.post(answer_path(token) + "?seite=1",
                           data={**page_one(survey), "csrf_token": _token(client)})
    assert response.status_code == 409 and counts() == (0, 0)
    assert db.session.get(Survey, survey.id).locked_at is None  # type: ignore[union-attr]
    with pytest.raises(SurveyAnswerError) as excinfo:
        service.save_page(token=token, page=1, submitted={}, now=OPENS - timedelta(hours=1))
    assert excinfo.value.code == "not_open"


def test_a_draft_survey_takes_no_answers(app: Flask, client: FlaskClient,
                                         clock: Callable[[datetime], None]) -> None:
    survey = make_survey(status="draft")
    token = make_respondent(survey)
    assert "noch nicht geöffnet" in client.get(answer_path(token)).get_data(as_text=True)
    assert client.get("/umfragen/bedarf").status_code == 404
    with pytest.raises(SurveyAnswerError) as excinfo:
        service.save_page(token=token, page=1, submitted={}, now=NOW)
    assert excinfo.value.code == "not_open"


# ---------------------------------------------------------------------------
# Refusals: 400, a German message, nothing stored
# ---------------------------------------------------------------------------


def other_survey_question(survey: Survey) -> dict[str, object]:
    """An answer to a question of another survey."""
    other = make_survey(slug="andere")
    q = question(other, 1)
    return {f"q{q.id}": str(q.choices[0].id)}


REFUSALS: dict[str, tuple[Callable[[Survey], dict[str, object]], str]] = {
    "question of another survey": (other_survey_question,
                                   "Diese Antwort gehört zu keiner Frage dieser Seite."),
    "question id out of range": (lambda s: {"q" + "9" * 5000: "1"},
                                 "Diese Antwort gehört zu keiner Frage dieser Seite."),
    "question of another page": (lambda s: {f"q{question(s, 4).id}": "Buchhandlung"},
                                 "Diese Antwort gehört zu keiner Frage dieser Seite."),
    "choice of another question": (
        lambda s: {f"q{question(s, 1).id}": str(question(s, 2).choices[0].id)},
        "Bitte wählen Sie eine der angebotenen Antworten."),
    "choice not a number": (lambda s: {f"q{question(s, 2).id}": "Parkplätze"},
                            "Bitte wählen Sie eine der angebotenen Antworten."),
    "two choices for one": (
        lambda s: {f"q{question(s, 1).id}": [str(c.id) for c in question(s, 1).choices]},
        "Bitte wählen Sie nur eine Antwort."),
    "scale zero": (lambda s: {f"q{question(s, 3).id}": "0"},
                   "Bitte wählen Sie einen Wert von 1 bis 5."),
    "scale six": (lambda s: {f"q{question(s, 3).id}": "6"},
                  "Bitte wählen Sie einen Wert von 1 bis 5."),
    "scale not a number": (lambda s: {f"q{question(s, 3).id}": "viel"},
                           "Bitte wählen Sie einen Wert von 1 bis 5."),
    "NUL in a choice": (lambda s: {f"q{question(s, 1).id}": "1\x00"},
                        "Bitte entfernen Sie Steuerzeichen"),
}
TEXT_REFUSALS: dict[str, tuple[Callable[[Survey], dict[str, object]], str]] = {
    "short text too long": (lambda s: {f"q{question(s, 4).id}": "x" * 201},
                            "höchstens 200 Zeichen"),
    "long text too long": (lambda s: {f"q{question(s, 4).id}": "Café",
                                      f"q{question(s, 5).id}": "x" * 4001},
                           "höchstens 4000 Zeichen"),
    "NUL in a text": (lambda s: {f"q{question(s, 5).id}": "Mehr\x00Bänke"},
                      "Bitte entfernen Sie Steuerzeichen"),
    "escape in a short text": (lambda s: {f"q{question(s, 4).id}": "Café\x1b[31m"},
                               "Bitte entfernen Sie Steuerzeichen"),
}


@both_databases
@pytest.mark.parametrize(("page", "case"), [(1, name) for name in REFUSALS]
                         + [(2, name) for name in TEXT_REFUSALS])
def test_bad_answers_are_refused_and_nothing_is_stored(
        app: Flask, client: FlaskClient, clock: Callable[[datetime], None], page: int,
        case: str) -> None:
    survey = make_survey()
    token = make_respondent(survey)
    build, message = {**REFUSALS, **TEXT_REFUSALS}[case]
    # The page's other answers are fine: the refusal stores none of them either.
    good = page_one(survey) if page == 1 else page_two(survey)
    response = post_page(client, token, page, {**good, **build(survey)})
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html
    assert message in html and "Nichts davon ist gespeichert." in html
    assert counts() == (0, 0)
    assert db.session.get(Survey, survey.id).locked_at is None  # type: ignore[union-attr]
    assert respondent_of(token).updated_at is None


def test_the_refused_page_shows_the_error_next_to_its_field(
        app: Flask, client: FlaskClient, clock: Callable[[datetime], None]) -> None:
    survey = make_survey()
    token = make_respondent(survey)
    q3 = question(survey, 3)
    response = post_page(client, token, 1, {**page_one(survey), f"q{q3.id}": "7"})
    html = response.get_data(as_text=True)
    assert f'<a href="#q{q3.id}">' in html  # the summary links to the field
    assert f'aria-describedby="q{q3.id}-fehler"' in html
    assert f'id="q{q3.id}-fehler" class="error"' in html
    # What was chosen elsewhere on the page stays chosen.
    q1 = question(survey, 1)
    assert f'value="{choice(q1, "Ja")}" checked' in html


def test_the_service_names_each_problem_by_code(app: Flask,
                                                clock: Callable[[datetime], None]) -> None:
    survey = make_survey()
    token = make_respondent(survey)
    q1, q3 = question(survey, 1), question(survey, 3)
    with pytest.raises(SurveyAnswerError) as excinfo:
        service.save_page(token=token, page=1, now=NOW, submitted={
            q1.id: [str(c.id) for c in q1.choices], q3.id: ["9"], 999999: ["1"]})
    assert excinfo.value.code == "invalid"
    assert sorted((p.field, p.code) for p in excinfo.value.context["problems"]) == sorted([
        ("q999999", "unknown_question"), (f"q{q1.id}", "several_choices"),
        (f"q{q3.id}", "bad_scale")])
    with pytest.raises(SurveyAnswerError) as unknown:
        service.save_page(token="nicht-da", page=1, submitted={}, now=NOW)
    assert unknown.value.code == "unknown_respondent"


def test_submitting_without_the_required_answers_is_refused(
        app: Flask, client: FlaskClient, clock: Callable[[datetime], None]) -> None:
    survey = make_survey()
    token = make_respondent(survey)
    post_page(client, token, 1, page_one(survey))
    post_page(client, token, 2, page_two(survey, branch=""))  # a draft may leave it out
    response = post_submit(client, token)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Es fehlen Pflichtfragen" in html and "Ihre Branche in Worten" in html
    assert respondent_of(token).submitted_at is None
    with pytest.raises(SurveyAnswerError) as excinfo:
        service.submit(token=token, now=NOW)
    assert excinfo.value.code == "incomplete"
    assert [q.position for q in excinfo.value.context["missing"]] == [4]


def test_a_post_without_csrf_is_refused(app: Flask, client: FlaskClient,
                                        clock: Callable[[datetime], None]) -> None:
    survey = make_survey()
    token = make_respondent(survey)
    response = client.post(answer_path(token) + "?seite=1", data=page_one(survey))
    assert response.status_code == 400 and counts() == (0, 0)


def test_an_unknown_page_or_link_is_not_found(app: Flask, client: FlaskClient,
                                              clock: Callable[[datetime], None]) -> None:
    survey = make_survey()
    token = make_respondent(survey)
    assert client.get(answer_path(token) + "?seite=3").status_code == 404
    assert client.get(answer_path(token) + "?seite=eins").status_code == 404
    missing = client.get(answer_path("x" * 43))
    assert missing.status_code == 404 and "nicht gefunden" in missing.get_data(as_text=True)
    assert client.get(answer_path("x" * 43) + "/absenden").status_code == 404
    assert client.post(answer_path("x" * 43), data={}).status_code in (400, 404)


def test_get_changes_nothing(app: Flask, client: FlaskClient,
                             clock: Callable[[datetime], None]) -> None:
    survey = make_survey()
    token = make_respondent(survey)
    for url in ("", "?seite=1", "?seite=2", "/absenden"):
        assert client.get(answer_path(token) + url).status_code == 200
    assert counts() == (0, 0)
    respondent = respondent_of(token)
    assert respondent.updated_at is None and respondent.submitted_at is None
    assert db.session.get(Survey, survey.id).locked_at is None  # type: ignore[union-attr]


# ---------------------------------------------------------------------------
# Two tabs at once
# ---------------------------------------------------------------------------


@both_databases
def test_two_tabs_saving_and_submitting_at_once_leave_one_set_of_answers(
        app: Flask) -> None:
    survey = make_survey()
    token = make_respondent(survey)
    q1, q2, q3 = (question(survey, n) for n in (1, 2, 3))
    tabs = [{q1.id: [str(choice(q1, "Ja"))], q2.id: [str(choice(q2, "Parkplätze")),
                                                        str(choice(q2, "Schulungen"))],
             q3.id: ["2"]},
            {q1.id: [str(choice(q1, "Nein"))], q2.id: [str(choice(q2, "Veranstaltungen"))],
             q3.id: ["5"]}]
    q4 = question(survey, 4)
    service.save_page(token=token, page=2, submitted={q4.id: ["Café"]}, now=NOW)
    db.session.remove()

    def tab(i: int) -> object:
        service.save_page(token=token, page=1, submitted=tabs[i], now=NOW)
        return service.submit(token=token, now=NOW)

    for _ in range(3):
        results = all_at_once(app, tab, 2)
        assert all(isinstance(r, SurveyRespondent) for r in results), results
        answers = service.saved_answers(respondent_of(token))
        got = {q1.id: answers[q1.id].choices, q2.id: answers[q2.id].choices,
               q3.id: answers[q3.id].scale}
        expected = [{q1.id: {int(v) for v in t[q1.id]}, q2.id: {int(v) for v in t[q2.id]},
                     q3.id: int(t[q3.id][0])} for t in tabs]
        assert got in expected  # one tab's answers whole, never a mix
        rows = db.session.scalars(select(SurveyAnswer.question_id)).all()
        assert sorted(rows) == sorted({q1.id, q2.id, q3.id, q4.id})
        assert counts()[1] == len(got[q1.id]) + len(got[q2.id])  # type: ignore[arg-type]
        assert respondent_of(token).submitted_at == NOW
        db.session.remove()


# ---------------------------------------------------------------------------
# The survey's first page and the open link
# ---------------------------------------------------------------------------


def test_the_first_page_says_what_happens_with_the_answers(
        app: Flask, client: FlaskClient, clock: Callable[[datetime], None]) -> None:
    make_survey()
    html = client.get("/umfragen/bedarf").get_data(as_text=True)
    assert "Bedarfsabfrage Innenstadt" in html and "<strong>Sie</strong>" in html
    assert "Die Auswertung nennt keine Geschäfte" in html
    assert "Link anfordern" not in html  # no open link
    make_survey(slug="offen", names_shops=True, open_link=True)
    html = client.get("/umfragen/offen").get_data(as_text=True)
    assert "Die Auswertung nennt, welches Geschäft was geantwortet hat." in html
    assert "Link anfordern" in html and "Wir nutzen Ihre Adresse nur für diese Umfrage." in html
    assert client.get("/umfragen/gibt-es-nicht").status_code == 404


def request_link(client: FlaskClient, email: str, /, **overrides: object):  # type: ignore[no-untyped-def]
    """Ask for a personal link on the open survey's page."""
    html = client.get("/umfragen/offen").get_data(as_text=True)
    data = {"company": "Blumen Kaya", "email": email, "category": "Sonstiges",
            "consent": "y", "csrf_token": csrf_token(html), **overrides}
    return client.post("/umfragen/offen", data=data)


def mails() -> list[OutboxMail]:
    """The queued open-link mails."""
    return list(db.session.scalars(select(OutboxMail).where(
        OutboxMail.kind == "survey_open_link").order_by(OutboxMail.id)))


@both_databases
def test_the_open_link_answers_the_same_for_every_address(
        app: Flask, client: FlaskClient, clock: Callable[[datetime], None]) -> None:
    survey = make_survey(slug="offen", open_link=True)
    first = request_link(client, "Info@Blumen-Kaya.example")
    assert first.status_code == 303
    again = request_link(client, "info@blumen-kaya.example", company="Blumen Kaya GmbH")
    other = request_link(client, "post@cafe.example")
    assert again.status_code == other.status_code == 303
    assert first.headers["Location"] == again.headers["Location"] == other.headers["Location"]
    sent = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Wir haben Ihnen einen Link geschickt" in sent

    respondents = db.session.scalars(select(SurveyRespondent).where(
        SurveyRespondent.survey_id == survey.id).order_by(SurveyRespondent.id)).all()
    assert [r.email for r in respondents] == ["info@blumen-kaya.example", "post@cafe.example"]
    assert respondents[0].consent_at == NOW and respondents[0].category == "Sonstiges"
    assert respondents[0].company == "Blumen Kaya" and respondents[0].sent_at == NOW
    queued = mails()
    assert [m.recipient for m in queued] == ["info@blumen-kaya.example"] * 2 + [
        "post@cafe.example"]
    assert all(m.forget_after_sending for m in queued)
    # The second link replaces the first: only the newest opens the answers.
    links = [m.text_body.split("http://rallye.test", 1)[1].split()[0] for m in queued[:2]]
    assert client.get(links[0]).status_code == 404
    assert client.get(links[1]).status_code == 200


@pytest.mark.parametrize(("overrides", "message"), [
    ({"email": "keine-adresse"}, "keine gültige E-Mail-Adresse"),
    ({"company": ""}, "Bitte geben Sie den Namen Ihres Unternehmens an"),
    ({"company": "x" * 121}, "höchstens 120 Zeichen"),
    ({"company": "Kaya\x00"}, "Bitte entfernen Sie Steuerzeichen"),
    ({"category": "Erfunden"}, "Bitte wählen Sie eine Branche aus der Liste."),
    ({"consent": ""}, "Bitte stimmen Sie zu"),
])
def test_the_open_link_refuses_bad_details(app: Flask, client: FlaskClient,
                                           clock: Callable[[datetime], None],
                                           overrides: dict[str, str], message: str) -> None:
    make_survey(slug="offen", open_link=True)
    response = request_link(client, "info@kaya.example", **overrides)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SurveyRespondent)) == 0
    assert mails() == []


def test_the_open_link_offers_the_shops_categories(app: Flask, client: FlaskClient,
                                                   clock: Callable[[datetime], None]) -> None:
    make_shop(category="Gastronomie")
    make_survey(slug="offen", open_link=True)
    assert service.categories()[-1] == "Sonstiges" and "Gastronomie" in service.categories()
    assert request_link(client, "a@b.example", category="Gastronomie").status_code == 303


def test_no_open_link_no_request_and_none_after_the_close(
        app: Flask, client: FlaskClient, clock: Callable[[datetime], None]) -> None:
    make_survey()
    html = client.get("/umfragen/bedarf").get_data(as_text=True)
    response = client.post("/umfragen/bedarf", data={
        "company": "Kaya", "email": "a@b.example", "category": "Sonstiges", "consent": "y",
        "csrf_token": csrf_token(html) if "csrf_token" in html else _token(client)})
    assert response.status_code == 404
    make_survey(slug="offen", open_link=True)
    token_page = client.get("/umfragen/offen").get_data(as_text=True)
    clock(CLOSES)
    closed = client.post("/umfragen/offen", data={
        "company": "Kaya", "email": "a@b.example", "category": "Sonstiges", "consent": "y",
        "csrf_token": csrf_token(token_page)})
    assert closed.status_code == 409 and "Die Umfrage ist beendet" in closed.get_data(
        as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SurveyRespondent)) == 0


def test_the_open_link_is_rate_limited(app: Flask, client: FlaskClient,
                                       clock: Callable[[datetime], None]) -> None:
    app.config["RATELIMIT_SURVEY_LINK"] = "2 per minute"
    make_survey(slug="offen", open_link=True)
    statuses = [request_link(client, f"p{n}@kaya.example").status_code for n in range(3)]
    assert statuses[:2] == [303, 303] and statuses[2] == 429
