"""A survey's results for staff: the counts match the stored answers, drafts stay out,
the category filter hides groups under three, anonymous surveys name nobody on the
page, the report or the CSV, the CSV is defused and behind a fresh login, and the page
costs a fixed number of queries."""

import csv
import io
import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from app import clock
from app.extensions import db
from app.models import AuditEvent, Shop, User
from app.models.surveys import (
    Survey,
    SurveyAnswer,
    SurveyAnswerChoice,
    SurveyChoice,
    SurveyQuestion,
    SurveyRespondent,
)
from app.services import survey_results
from app.services.survey_links import issue_token

from .backoffice.conftest import log_in
from .helpers import BERLIN, make_shop

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)

OPENS = datetime(2026, 11, 2, 8, 0, tzinfo=BERLIN)
CLOSES = datetime(2026, 11, 30, 18, 0, tzinfo=BERLIN)
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=BERLIN)
# question kinds with their options
QUESTIONS: list[tuple[str, str, list[str]]] = [
    ("one", "Haben Sie eine Website?", ["Ja", "Nein", "In Arbeit"]),
    ("many", "Was wünschen Sie sich?", ["Parkplätze", "Veranstaltungen", "Schulungen",
                                         "Längere Öffnungszeiten"]),
    ("scale", "Wie zufrieden sind Sie mit der Innenstadt?", []),
    ("long", "Was sollte das Büro als Erstes anpacken?", []),
]


def make_survey(*, names_shops: bool = False, questions: list[tuple[str, str, list[str]]]
                | None = None, slug: str = "bedarf", closes_at: datetime = CLOSES,
                open_link: bool = False) -> Survey:
    """A published survey (2–30 Nov 2026) with ``questions`` (kind, prompt, options)."""
    survey = Survey(slug=slug, title="Bedarfsabfrage Innenstadt", intro="", status="published",
                    opens_at=OPENS, closes_at=closes_at, names_shops=names_shops,
                    open_link=open_link, open_consent="Ich willige ein." if open_link else "",
                    locked_at=OPENS)
    db.session.add(survey)
    db.session.flush()
    for position, (kind, prompt, options) in enumerate(questions or QUESTIONS, start=1):
        question = SurveyQuestion(survey_id=survey.id, position=position, page=1, kind=kind,
                                  prompt=prompt, help="", required=False)
        db.session.add(question)
        db.session.flush()
        for number, label in enumerate(options, start=1):
            db.session.add(SurveyChoice(question_id=question.id, position=number, label=label))
    db.session.flush()
    db.session.expire(survey)
    return survey


def respondent(survey: Survey, *, shop: Shop | None = None, email: str | None = None,
               company: str = "", category: str = "", submitted: bool = True,
               at: datetime = NOW - timedelta(days=5)) -> SurveyRespondent:
    """A respondent by shop or (open link) by address; submitted unless told."""
    row = SurveyRespondent(
        survey_id=survey.id, token_hash=issue_token()[1], shop_id=shop.id if shop else None,
        email=email, company=company, category=category,
        consent_at=at if email else None, created_at=at - timedelta(hours=1),
        updated_at=at, submitted_at=at if submitted else None)
    db.session.add(row)
    db.session.flush()
    return row


def questions_of(survey: Survey) -> list[SurveyQuestion]:
    return list(db.session.scalars(select(SurveyQuestion).where(
        SurveyQuestion.survey_id == survey.id).order_by(SurveyQuestion.position)))


def answer(row: SurveyRespondent, question: SurveyQuestion, value: object,
           at: datetime | None = None) -> None:
    """Store an answer: option labels (one/many), an int (scale) or a text."""
    stored = SurveyAnswer(respondent_id=row.id, question_id=question.id,
                          survey_id=row.survey_id, updated_at=at or row.updated_at)
    if question.kind == "scale":
        stored.scale = int(value)  # type: ignore[call-overload]
    elif question.kind in ("short", "long"):
        stored.text = str(value)
    db.session.add(stored)
    db.session.flush()
    if question.kind in ("one", "many"):
        labels = [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]
        ids = {c.label: c.id for c in question.choices}
        for label in labels:
            db.session.add(SurveyAnswerChoice(respondent_id=row.id, question_id=question.id,
                                              choice_id=ids[label]))
        db.session.flush()


def shops(count: int, category: str = "Mode") -> list[Shop]:
    return [make_shop(name=f"{category}haus {n}", category=category) for n in range(count)]


@pytest.fixture
def staff(app: Flask, freeze: Callable[[datetime], None]) -> Iterator[tuple[FlaskClient, User]]:
    """A logged-in (fresh) staff client on 1 December."""
    from app.services.users import create_user

    freeze(NOW)
    user = create_user(email="team@buero.test", password="ein-langes-passwort-123",
                       role="staff", name="Team")
    client = app.test_client()
    log_in(client, user, clock.utcnow())
    yield client, user


def by_prompt(found: survey_results.SurveyResults) -> dict[str, survey_results.QuestionResult]:
    return {result.question.prompt: result for result in found.questions}


# --- the figures -------------------------------------------------------------------------


def test_counts_shares_scale_and_texts_without_drafts(app: Flask) -> None:
    survey = make_survey()
    website, wishes, scale, free = questions_of(survey)
    people = [respondent(survey, shop=shop) for shop in shops(4)]
    for row, (site, wish, value, text) in zip(people, [
            ("Ja", ["Parkplätze"], 4, "Mehr Bänke"),
            ("Ja", ["Parkplätze", "Schulungen"], 5, ""),
            ("Nein", [], 2, "Parken billiger"),
            ("Ja", ["Veranstaltungen"], 4, "Weihnachtsmarkt länger")], strict=True):
        answer(row, website, site)
        if wish:
            answer(row, wishes, wish)
        answer(row, scale, value)
        answer(row, free, text, at=row.updated_at + timedelta(minutes=len(text)))
    draft = respondent(survey, shop=make_shop(), submitted=False)
    answer(draft, website, "Nein")
    answer(draft, scale, 1)
    answer(draft, free, "Nur ein Entwurf")
    db.session.commit()

    found = survey_results.results(survey_results.load_survey(survey.id))  # type: ignore[arg-type]
    assert (found.submitted, found.drafts, found.respondents) == (4, 1, 4)
    results = by_prompt(found)
    one = results[website.prompt]
    assert one.answered == 4
    assert [(o.label, o.count, o.percent) for o in one.options] == [
        ("Ja", 3, 75), ("Nein", 1, 25), ("In Arbeit", 0, 0)]
    many = results[wishes.prompt]
    assert many.answered == 3
    assert [(o.label, o.count, o.percent) for o in many.options] == [
        ("Parkplätze", 2, 67), ("Veranstaltungen", 1, 33), ("Schulungen", 1, 33),
        ("Längere Öffnungszeiten", 0, 0)]
    rated = results[scale.prompt]
    assert rated.scale == [(1, 0), (2, 1), (3, 0), (4, 2), (5, 1)]
    assert rated.mean == pytest.approx(3.75) and rated.median == 4.0
    texts = results[free.prompt]
    # Newest first (the longer text was saved later here); the draft's and "" are left out.
    assert [t.text for t in texts.texts] == ["Weihnachtsmarkt länger", "Parken billiger",
                                             "Mehr Bänke"]
    assert all(t.by == "" for t in texts.texts)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_match_random_stored_answers(app: Flask, seed: int) -> None:
    """Random answer sets, counted naively in Python, against the results."""
    rng = random.Random(seed)
    survey = make_survey()
    website, wishes, scale, free = questions_of(survey)
    expected_site: dict[str, int] = dict.fromkeys(["Ja", "Nein", "In Arbeit"], 0)
    expected_wish: dict[str, int] = dict.fromkeys([c.label for c in wishes.choices], 0)
    expected_scale = dict.fromkeys(range(1, 6), 0)
    wish_answered = texts = submitted = 0
    for shop in shops(rng.randint(3, 25), rng.choice(["Mode", "Gastronomie"])):
        done = rng.random() < 0.8
        row = respondent(survey, shop=shop, submitted=done)
        submitted += done
        if rng.random() < 0.9:
            site = rng.choice(list(expected_site))
            answer(row, website, site)
            expected_site[site] += done
        wish = rng.sample(list(expected_wish), rng.randint(0, 4))
        if wish:
            answer(row, wishes, wish)
            wish_answered += done
            for label in wish:
                expected_wish[label] += done
        if rng.random() < 0.7:
            value = rng.randint(1, 5)
            answer(row, scale, value)
            expected_scale[value] += done
        text = rng.choice(["", "Mehr Grün", "=SUMME(A1)"])
        answer(row, free, text)
        texts += done and bool(text)
    db.session.commit()
    results = by_prompt(survey_results.results(survey_results.load_survey(survey.id)))  # type: ignore[arg-type]
    assert {o.label: o.count for o in results[website.prompt].options} == expected_site
    assert results[website.prompt].answered == sum(expected_site.values())
    assert {o.label: o.count for o in results[wishes.prompt].options} == expected_wish
    assert results[wishes.prompt].answered == wish_answered
    assert dict(results[scale.prompt].scale) == expected_scale
    assert len(results[free.prompt].texts) == texts
    stored = db.session.scalar(select(func.count()).select_from(SurveyRespondent).where(
        SurveyRespondent.submitted_at.is_not(None)))
    assert stored == submitted


def test_category_filter_and_the_threshold_of_three(app: Flask) -> None:
    survey = make_survey()
    website = questions_of(survey)[0]
    for shop in shops(3, "Mode"):
        answer(respondent(survey, shop=shop), website, "Ja")
    for shop in shops(2, "Gastronomie"):
        answer(respondent(survey, shop=shop), website, "Nein")
    # An open respondent's own category counts with the shops' of the same name.
    answer(respondent(survey, email="buero@steuer.example", company="Steuerkanzlei Berg",
                      category="Gastronomie"), website, "In Arbeit")
    answer(respondent(survey, shop=make_shop(category="Optik"), submitted=False),
           website, "Nein")
    db.session.commit()
    loaded = survey_results.load_survey(survey.id)
    assert loaded is not None
    whole = survey_results.results(loaded)
    assert [(c.name, c.respondents, c.shown) for c in whole.categories] == [
        ("Gastronomie", 3, True), ("Mode", 3, True)]  # Optik has only a draft
    fashion = survey_results.results(loaded, category="Mode")
    assert fashion.shown and fashion.respondents == 3
    assert [o.count for o in fashion.questions[0].options] == [3, 0, 0]
    food = survey_results.results(loaded, category="Gastronomie")
    assert [o.count for o in food.questions[0].options] == [0, 2, 1]

    # One Gastronomie answer withdrawn to a draft: two left, not shown on their own.
    db.session.execute(SurveyRespondent.__table__.update().where(
        SurveyRespondent.email == "buero@steuer.example").values(submitted_at=None))
    db.session.commit()
    small = survey_results.results(loaded, category="Gastronomie")
    assert not small.shown and small.questions == [] and small.respondents == 0


def test_results_page_filter_and_small_group_message(app: Flask, staff: tuple[FlaskClient, User]
                                                     ) -> None:
    client, _user = staff
    survey = make_survey()
    website, wishes, scale, free = questions_of(survey)
    for shop in shops(3, "Mode"):
        row = respondent(survey, shop=shop)
        answer(row, website, "Ja")
        answer(row, wishes, ["Parkplätze", "Schulungen"])
        answer(row, scale, 3)
        answer(row, free, "Mehr Licht am Abend")
    answer(respondent(survey, shop=make_shop(category="Optik")), website, "Nein")
    db.session.commit()
    path = f"/buero/umfragen/{survey.id}/ergebnisse"
    page = client.get(path)
    assert page.status_code == 200
    assert "zusammen ergeben die Anteile mehr als 100 %." in page.text
    assert "<title>Parkplätze: 3 (100 %)</title>" in page.text
    assert "<dd>3,0</dd>" in page.text
    # An anonymous survey's texts come without a name and without a date.
    assert "<li><p>Mehr Licht am Abend</p></li>" in page.text
    assert '<option value="Optik">Optik (1)</option>' in page.text
    assert "Abgeschickte Antworten" in page.text
    assert 'role="img"' in page.text and "<title id=" in page.text
    small = client.get(path + "?kategorie=Optik")
    assert small.status_code == 200
    assert "zu wenige Antworten, um sie getrennt zu zeigen" in small.text
    assert website.prompt not in small.text.split("zu wenige Antworten")[1]
    fashion = client.get(path + "?kategorie=Mode")
    assert "Nur die Kategorie „Mode“: 3 Antworten." in fashion.text
    unknown = client.get(path + "?kategorie=" + "x" * 500)
    assert unknown.status_code == 404 and "kommt in den abgeschickten Antworten nicht vor" \
        in unknown.text
    assert client.get("/buero/umfragen/999999/ergebnisse").status_code == 404


# --- anonymity ---------------------------------------------------------------------------


def named_world(names_shops: bool) -> Survey:
    """Three shops and an open respondent answered, one of them with a text."""
    survey = make_survey(names_shops=names_shops, open_link=True)
    website, _wishes, _scale, free = questions_of(survey)
    for shop in [make_shop(name="Juwelier Goldglanz", category="Schmuck"),
                 *shops(2, "Schmuck")]:
        row = respondent(survey, shop=shop)
        answer(row, website, "Ja")
        answer(row, free, f"Text von {shop.name}")
    row = respondent(survey, email="chefin@kanzlei.example", company="Kanzlei Adler",
                     category="Dienstleistung")
    answer(row, website, "Nein")
    answer(row, free, "Text der Kanzlei")
    db.session.commit()
    return survey


def pages(client: FlaskClient, survey: Survey) -> dict[str, str]:
    base = f"/buero/umfragen/{survey.id}"
    found = {}
    for path in (f"{base}/ergebnisse", f"{base}/ergebnisse?kategorie=Schmuck", f"{base}/bericht",
                 f"{base}/ergebnisse.csv"):
        response = client.get(path)
        assert response.status_code == 200, path
        found[path] = response.text
    return found


def test_an_anonymous_survey_names_nobody(app: Flask, staff: tuple[FlaskClient, User]) -> None:
    client, _user = staff
    survey = named_world(names_shops=False)
    for path, text in pages(client, survey).items():
        for secret in ("Goldglanz", "Kanzlei Adler", "chefin@kanzlei.example", "Schmuckhaus"):
            # The texts themselves stay ("Text von Juwelier Goldglanz" is what they wrote).
            assert secret not in text.replace("Text von Juwelier Goldglanz", "")\
                .replace("Text von Schmuckhaus 0", "").replace("Text von Schmuckhaus 1", ""), \
                (path, secret)
    rows = list(csv.reader(io.StringIO(pages(client, survey)[
        f"/buero/umfragen/{survey.id}/ergebnisse.csv"].lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Kategorie" and len(rows) == 5
    # The open respondent's category is a group of one: not named in the CSV either.
    assert sorted(row[0] for row in rows[1:]) == ["(kleine Gruppe)", "Schmuck", "Schmuck",
                                                  "Schmuck"]


def test_a_survey_that_names_shops_says_who_wrote_what(app: Flask,
                                                       staff: tuple[FlaskClient, User]) -> None:
    client, _user = staff
    survey = named_world(names_shops=True)
    found = pages(client, survey)
    base = f"/buero/umfragen/{survey.id}"
    assert "Juwelier Goldglanz ·" in found[f"{base}/ergebnisse"]
    assert "Kanzlei Adler ·" in found[f"{base}/bericht"]
    rows = list(csv.reader(io.StringIO(found[f"{base}/ergebnisse.csv"].lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[0][:3] == ["Geschäft", "Kategorie", "Haben Sie eine Website?"]
    assert ["Juwelier Goldglanz", "Schmuck", "Ja"] == rows[1][:3]
    assert "chefin@kanzlei.example" not in found[f"{base}/ergebnisse.csv"]


# --- the CSV -----------------------------------------------------------------------------


def test_csv_needs_a_fresh_login_is_defused_and_not_cached(
        app: Flask, staff: tuple[FlaskClient, User]) -> None:
    _client, user = staff
    survey = make_survey()
    website, wishes, scale, free = questions_of(survey)
    row = respondent(survey, shop=make_shop())
    answer(row, website, "Ja")
    answer(row, wishes, ["Schulungen", "Parkplätze"])
    answer(row, scale, 3)
    answer(row, free, "=HYPERLINK(\"http://böse.example\")")
    answer(respondent(survey, shop=make_shop(), submitted=False), free, "Entwurf")
    db.session.commit()
    path = f"/buero/umfragen/{survey.id}/ergebnisse.csv"
    client = app.test_client()
    log_in(client, user, clock.utcnow() - timedelta(minutes=11))
    stale = client.get(path)
    assert stale.status_code == 302 and "/anmelden/bestaetigen" in stale.headers["Location"]
    assert not db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "export.survey_results")).all()

    log_in(client, user, clock.utcnow())
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Kategorie", *[q.prompt for q in (website, wishes, scale, free)]]
    assert rows[1] == ["(kleine Gruppe)", "Ja", "Parkplätze | Schulungen", "3",
                       "'=HYPERLINK(\"http://böse.example\")"]
    assert len(rows) == 2  # the draft is not exported
    [entry] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "export.survey_results")).all()
    assert entry.details == {"rows": 1} and entry.actor_id == user.id


# --- queries -----------------------------------------------------------------------------


@pytest.fixture
def statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement sent while counting."""
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("SELECT"):  # not a connection's PRAGMA, BEGIN
            sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    yield sent
    event.remove(db.engine, "before_cursor_execute", count)


def test_the_results_cost_a_fixed_number_of_queries(app: Flask, statements: list[str]) -> None:
    small = make_survey(slug="klein", questions=QUESTIONS[:1])
    big = make_survey(slug="gross", questions=QUESTIONS * 4)
    for survey, count in ((small, 3), (big, 12)):
        questions = questions_of(survey)
        for shop in shops(count):
            row = respondent(survey, shop=shop)
            for question in questions:
                value: object = {"one": "Ja", "many": ["Parkplätze", "Schulungen"],
                                 "scale": 4, "long": "Mehr Licht"}[question.kind]
                if question.kind == "one":
                    value = question.choices[0].label
                answer(row, question, value)
    db.session.commit()
    used = []
    for survey_id in (small.id, big.id):
        db.session.expire_all()
        statements.clear()
        loaded = survey_results.load_survey(survey_id)
        assert loaded is not None
        survey_results.results(loaded)
        survey_results.results(loaded, category="Mode")
        survey_results.csv_table(loaded, small_group="-")
        used.append(len(statements))
    assert used[0] == used[1] == 3 + 2 * survey_results.RESULT_QUERIES \
        + survey_results.CSV_QUERIES


def test_the_report_has_every_question(app: Flask, staff: tuple[FlaskClient, User]) -> None:
    client, _user = staff
    survey = make_survey()
    questions = questions_of(survey)
    for shop in shops(3):
        row = respondent(survey, shop=shop)
        answer(row, questions[0], "Nein")
        answer(row, questions[2], 5)
    db.session.commit()
    html = client.get(f"/buero/umfragen/{survey.id}/bericht").text
    assert "3 abgeschickte Antworten" in html
    assert "Zeitraum:" in html
    for number, question in enumerate(questions, start=1):
        assert f"Frage {number}:</span> {question.prompt}" in html
    assert "Noch keine Antwort auf diese Frage." in html  # the many-choice question
    assert "<dd>5,0</dd>" in html  # the mean
