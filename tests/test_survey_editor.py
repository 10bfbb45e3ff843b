"""The survey editor (issue 23, part B): create and edit a survey, its questions in
order, the lock once answers exist (also under a race with the first answer), copy,
publish and archive, bad input, and the back-office pages."""

import threading
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.db import begin_write
from app.extensions import db
from app.models import (
    AuditEvent,
    Survey,
    SurveyAnswer,
    SurveyChoice,
    SurveyQuestion,
    SurveyRespondent,
)
from app.services import survey_questions as questions
from app.services import surveys as service
from app.services.editing import EditError, InvalidInput
from app.services.survey_links import issue_token
from app.services.survey_questions import QuestionInput
from app.services.surveys import SurveyInput

from .helpers import FIRST_DAY, csrf_token, make_shop
from .test_auth import log_in, make_user

pytestmark = pytest.mark.usefixtures("freeze")

NOW = FIRST_DAY.astimezone(UTC)
BOTH = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


def survey_values(**overrides: object) -> SurveyInput:
    """A complete survey as staff would enter it (open 1–21 December)."""
    values = SurveyInput(
        title="Bedarfsabfrage Innenstadt", slug="", intro="Was **brauchen** Sie?",
        opens_date=date(2026, 12, 1), opens_time=clock_time(8, 0),
        closes_date=date(2026, 12, 21), closes_time=clock_time(18, 0), names_shops=False,
        open_link=False, open_consent="")
    return replace(values, **overrides)  # type: ignore[arg-type]


def question_values(**overrides: object) -> QuestionInput:
    """A complete one-choice question on page 1."""
    values = QuestionInput(kind="one", prompt="Haben Sie eine Website?", help="",
                           required=True, page=1, options=("Ja", "Nein"))
    return replace(values, **overrides)  # type: ignore[arg-type]


def make_survey(**overrides: object) -> Survey:
    """A draft survey through the service."""
    return service.create_survey(values=survey_values(**overrides), now=NOW, actor_id=None)


def add(survey_id: int, **overrides: object) -> SurveyQuestion:
    """A question through the service."""
    return questions.add_question(survey_id=survey_id, values=question_values(**overrides),
                                now=NOW, actor_id=None)


def order(survey_id: int) -> list[tuple[int, int, str]]:
    """(position, page, prompt) of the survey's questions, fresh from the database."""
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(  # type: ignore[misc]
        select(SurveyQuestion.position, SurveyQuestion.page, SurveyQuestion.prompt)
        .where(SurveyQuestion.survey_id == survey_id).order_by(SurveyQuestion.position))]


def count(model: type) -> int:
    """Rows of ``model``."""
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def answer(survey: Survey, question: SurveyQuestion, *, lock: bool = True) -> None:
    """A shop's answer stored directly (part A's service does this), with ``locked_at``
    set as that service does, or without (to show the editor checks the answers too)."""
    _token, token_hash = issue_token()
    respondent = SurveyRespondent(survey_id=survey.id, token_hash=token_hash,
                                  shop_id=make_shop().id, created_at=NOW)
    db.session.add(respondent)
    db.session.flush()
    db.session.add(SurveyAnswer(respondent_id=respondent.id, question_id=question.id,
                                survey_id=survey.id, text=""))
    if lock:
        db.session.get(Survey, survey.id).locked_at = NOW  # type: ignore[union-attr]
    db.session.commit()


def problem_codes(excinfo: pytest.ExceptionInfo[InvalidInput]) -> set[tuple[str, str]]:
    """(field, code) of a refusal."""
    return {(problem.field, problem.code) for problem in excinfo.value.problems}


# ---------------------------------------------------------------------------
# The survey
# ---------------------------------------------------------------------------


@BOTH
def test_create_derives_a_free_slug_and_audits(app: Flask) -> None:
    first = make_survey()
    second = make_survey()
    assert (first.slug, second.slug) == ("bedarfsabfrage-innenstadt",
                                         "bedarfsabfrage-innenstadt-2")
    assert first.status == "draft" and first.locked_at is None
    assert first.opens_at == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # 8:00 in Berlin
    own = make_survey(title="Zweite Runde", slug="runde-2")
    assert own.slug == "runde-2"
    with pytest.raises(InvalidInput) as excinfo:
        make_survey(slug="runde-2")
    assert problem_codes(excinfo) == {("slug", "slug_taken")}
    assert db.session.scalars(select(AuditEvent.action)).all() == ["survey.create"] * 3


@BOTH
def test_update_changes_the_survey_and_keeps_the_slug_when_empty(app: Flask) -> None:
    survey = make_survey()
    service.update_survey(survey_id=survey.id, values=survey_values(
        title="Neu", closes_date=date(2026, 12, 31), open_link=True,
        open_consent="Wir speichern Ihre Adresse bis zum Ende der Umfrage."),
        now=NOW, actor_id=None)
    db.session.expire_all()
    survey = db.session.get(Survey, survey.id)
    assert survey is not None
    assert (survey.title, survey.slug, survey.open_link) == (
        "Neu", "bedarfsabfrage-innenstadt", True)
    entry = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "survey.edit")).one()
    assert entry.details["changed"] == ["closes_at", "open_consent", "open_link", "title"]


BAD_SURVEYS = [
    ({"title": ""}, ("title", "missing")),
    ({"title": "x" * 121}, ("title", "too_long")),
    ({"title": "Nul\x00l"}, ("title", "control_characters")),
    ({"intro": "Text\x07"}, ("intro", "control_characters")),
    ({"intro": "x" * 20_001}, ("intro", "too_long")),
    ({"slug": "Mit Leerzeichen"}, ("slug", "bad_slug")),
    ({"slug": "a" * 81}, ("slug", "bad_slug")),
    ({"opens_date": None}, ("opens_date", "missing")),
    ({"closes_time": None}, ("closes_time", "missing")),
    ({"closes_date": date(2026, 11, 30)}, ("closes_date", "closes_before_opening")),
    ({"closes_date": date(2026, 12, 1), "closes_time": clock_time(8, 0)},
     ("closes_date", "closes_before_opening")),
    ({"opens_date": date(2027, 3, 28), "opens_time": clock_time(2, 30),
      "closes_date": date(2027, 4, 1)}, ("opens_time", "no_such_time")),
    ({"open_link": True}, ("open_consent", "consent_missing")),
    ({"open_consent": "x" * 5001}, ("open_consent", "too_long")),
]


@pytest.mark.parametrize(("overrides", "problem"), BAD_SURVEYS,
                         ids=[f"{p[0]}-{p[1]}" for _, p in BAD_SURVEYS])
def test_bad_survey_input_is_refused_and_nothing_stored(
        app: Flask, overrides: dict[str, object], problem: tuple[str, str]) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        make_survey(**overrides)
    assert problem in problem_codes(excinfo)
    assert count(Survey) == 0 and count(AuditEvent) == 0


# ---------------------------------------------------------------------------
# Questions and their order
# ---------------------------------------------------------------------------


@BOTH
def test_questions_are_ordered_page_by_page(app: Flask) -> None:
    survey = make_survey()
    add(survey.id, prompt="A")
    add(survey.id, prompt="C", page=2, kind="scale", options=())
    add(survey.id, prompt="B", kind="short", options=())
    assert order(survey.id) == [(1, 1, "A"), (2, 1, "B"), (3, 2, "C")]
    choices = db.session.scalars(select(SurveyChoice.label).order_by(SurveyChoice.position))
    assert choices.all() == ["Ja", "Nein"]
    db.session.expire_all()
    fresh = db.session.get(Survey, survey.id)
    assert fresh is not None
    assert [(page, [q.prompt for q in questions]) for page, questions
            in service.pages(fresh)] == [(1, ["A", "B"]), (2, ["C"])]


@BOTH
def test_move_up_and_down_swaps_and_crosses_pages(app: Flask) -> None:
    survey = make_survey()
    a, b = add(survey.id, prompt="A"), add(survey.id, prompt="B")
    c = add(survey.id, prompt="C", page=2)
    a_id, b_id, c_id = a.id, b.id, c.id

    def move(question_id: int, direction: str) -> None:
        questions.move_question(survey_id=survey.id, question_id=question_id,
                              direction=direction, now=NOW, actor_id=None)

    move(b_id, "up")
    assert order(survey.id) == [(1, 1, "B"), (2, 1, "A"), (3, 2, "C")]
    move(a_id, "down")  # the next one is on page 2: A goes to the start of page 2
    assert order(survey.id) == [(1, 1, "B"), (2, 2, "A"), (3, 2, "C")]
    move(a_id, "down")
    assert order(survey.id) == [(1, 1, "B"), (2, 2, "C"), (3, 2, "A")]
    move(c_id, "up")  # back to the end of page 1
    assert order(survey.id) == [(1, 1, "B"), (2, 1, "C"), (3, 2, "A")]
    for question_id, direction in ((b_id, "up"), (a_id, "down")):
        with pytest.raises(EditError) as excinfo:
            move(question_id, direction)
        assert excinfo.value.code == "at_edge"
    with pytest.raises(EditError) as excinfo:
        move(a_id, "sideways")
    assert excinfo.value.code == "bad_direction"
    assert order(survey.id) == [(1, 1, "B"), (2, 1, "C"), (3, 2, "A")]
    assert len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "survey.question_move")).all()) == 4


@BOTH
def test_edit_and_delete_keep_positions_unique_and_gapless(app: Flask) -> None:
    survey = make_survey()
    a = add(survey.id, prompt="A")
    add(survey.id, prompt="B")
    add(survey.id, prompt="C")
    a_id = a.id
    questions.update_question(survey_id=survey.id, question_id=a_id, values=question_values(
        prompt="A2", kind="many", page=2, options=("Laden", "Online", "Beides")),
        now=NOW, actor_id=None)
    assert order(survey.id) == [(1, 1, "B"), (2, 1, "C"), (3, 2, "A2")]
    labels = db.session.scalars(select(SurveyChoice.label).where(
        SurveyChoice.question_id == a_id).order_by(SurveyChoice.position)).all()
    assert labels == ["Laden", "Online", "Beides"]
    questions.update_question(survey_id=survey.id, question_id=a_id, values=question_values(
        prompt="A2", kind="scale", page=2, options=()), now=NOW, actor_id=None)
    assert not db.session.scalars(select(SurveyChoice).where(
        SurveyChoice.question_id == a_id)).all()
    b_id = db.session.scalars(select(SurveyQuestion.id).where(
        SurveyQuestion.prompt == "B")).one()
    questions.delete_question(survey_id=survey.id, question_id=b_id, now=NOW, actor_id=None)
    assert order(survey.id) == [(1, 1, "C"), (2, 2, "A2")]
    other = make_survey(title="Andere")
    with pytest.raises(EditError) as excinfo:  # a question of another survey
        questions.delete_question(survey_id=other.id, question_id=a_id, now=NOW,
                                actor_id=None)
    assert excinfo.value.code == "unknown_question"


BAD_QUESTIONS = [
    ({"kind": "matrix"}, ("kind", "unknown_kind")),
    ({"kind": ""}, ("kind", "unknown_kind")),
    ({"prompt": ""}, ("prompt", "missing")),
    ({"prompt": "x" * 301}, ("prompt", "too_long")),
    ({"prompt": "Frage\x00"}, ("prompt", "control_characters")),
    ({"help": "x" * 301}, ("help", "too_long")),
    ({"page": 0}, ("page", "page_range")),
    ({"page": None}, ("page", "page_range")),
    ({"page": 21}, ("page", "page_range")),
    ({"kind": "scale"}, ("options", "no_options_here")),
    ({"kind": "long"}, ("options", "no_options_here")),
    ({"options": ("Ja", "ja")}, ("options", "duplicate_option")),
    ({"options": ("Ja", "x" * 201)}, ("options", "option_too_long")),
    ({"options": ("Ja", "N\x00ein")}, ("options", "control_characters")),
    ({"options": tuple(str(n) for n in range(31))}, ("options", "too_many_options")),
]


@pytest.mark.parametrize(("overrides", "problem"), BAD_QUESTIONS,
                         ids=[f"{p[0]}-{p[1]}" for _, p in BAD_QUESTIONS])
def test_bad_question_input_is_refused_and_nothing_stored(
        app: Flask, overrides: dict[str, object], problem: tuple[str, str]) -> None:
    survey = make_survey()
    add(survey.id, prompt="Vorher")
    survey_id = survey.id
    with pytest.raises(InvalidInput) as excinfo:
        add(survey_id, **overrides)
    assert problem in problem_codes(excinfo)
    question_id = db.session.scalars(select(SurveyQuestion.id)).one()
    with pytest.raises(InvalidInput):
        questions.update_question(survey_id=survey_id, question_id=question_id,
                                values=question_values(**overrides), now=NOW, actor_id=None)
    assert order(survey_id) == [(1, 1, "Vorher")]
    assert count(SurveyChoice) == 2
    assert db.session.scalars(select(AuditEvent.action)).all() == [
        "survey.create", "survey.question_add"]


# ---------------------------------------------------------------------------
# The lock once answers exist
# ---------------------------------------------------------------------------


@BOTH
@pytest.mark.parametrize("lock", [True, False], ids=["locked_at", "answer_only"])
def test_questions_are_locked_once_answered(app: Flask, lock: bool) -> None:
    survey = make_survey()
    question = add(survey.id, prompt="A")
    add(survey.id, prompt="B")
    answer(survey, question, lock=lock)
    survey_id, question_id = survey.id, question.id
    before = order(survey_id)

    attempts = [
        lambda: add(survey_id, prompt="Neu"),
        lambda: questions.update_question(survey_id=survey_id, question_id=question_id,
                                        values=question_values(prompt="Anders"), now=NOW,
                                        actor_id=None),
        lambda: questions.delete_question(survey_id=survey_id, question_id=question_id,
                                        now=NOW, actor_id=None),
        lambda: questions.move_question(survey_id=survey_id, question_id=question_id,
                                      direction="down", now=NOW, actor_id=None),
    ]
    for attempt in attempts:
        with pytest.raises(EditError) as excinfo:
            attempt()
        assert excinfo.value.code == "locked"
    assert order(survey_id) == before and count(SurveyChoice) == 4
    # The survey's own texts and dates may still change; whether it names shops not.
    service.update_survey(survey_id=survey_id, values=survey_values(title="Neuer Titel"),
                          now=NOW, actor_id=None)
    with pytest.raises(InvalidInput) as refusal:
        service.update_survey(survey_id=survey_id, values=survey_values(names_shops=True),
                              now=NOW, actor_id=None)
    assert problem_codes(refusal) == {("names_shops", "names_fixed")}
    db.session.expire_all()
    assert db.session.get(Survey, survey_id).title == "Neuer Titel"  # type: ignore[union-attr]


@BOTH
def test_a_question_racing_the_first_answer_is_refused(app: Flask) -> None:
    """The first answer locks the survey's row and sets ``locked_at``; an edit arriving
    meanwhile waits for that row and then reads ``locked_at`` afresh: refused."""
    survey = make_survey()
    add(survey.id, prompt="A")
    survey_id = survey.id
    db.session.remove()
    answering = threading.Event()

    def first_answer() -> None:
        with app.app_context():
            begin_write()
            row = db.session.get(Survey, survey_id, with_for_update=True)
            assert row is not None
            row.locked_at = NOW
            db.session.flush()
            answering.set()
            time.sleep(0.6)  # the editor now waits for the row (or SQLite's write lock)
            db.session.commit()
            db.session.remove()

    def edit() -> object:
        with app.app_context():
            # A copy read before the answer: the service must not trust it.
            stale = db.session.get(Survey, survey_id)
            assert stale is not None and stale.locked_at is None
            db.session.commit()
            answering.wait(5)
            started = time.monotonic()
            try:
                return add(survey_id, prompt="Zu spät")
            except EditError as error:
                return error, time.monotonic() - started
            finally:
                db.session.remove()

    writer = threading.Thread(target=first_answer)
    writer.start()
    result = edit()
    writer.join()
    assert isinstance(result, tuple), result
    error, waited = result
    assert isinstance(error, EditError) and error.code == "locked"
    assert waited > 0.3  # it waited for the lock instead of reading the old row
    assert order(survey_id) == [(1, 1, "A")]


# ---------------------------------------------------------------------------
# Copy, publish, archive
# ---------------------------------------------------------------------------


@BOTH
def test_copy_makes_a_draft_with_every_question_and_no_respondents(app: Flask) -> None:
    survey = make_survey(names_shops=True)
    first = add(survey.id, prompt="A")
    add(survey.id, prompt="B", kind="long", options=(), page=2, help="Gern ausführlich")
    answer(survey, first)
    service.publish_survey(survey_id=survey.id, now=NOW, actor_id=None)

    copy = service.copy_survey(survey_id=survey.id, now=NOW, actor_id=None)
    again = service.copy_survey(survey_id=survey.id, now=NOW, actor_id=None)

    assert (copy.slug, again.slug) == ("bedarfsabfrage-innenstadt-kopie",
                                       "bedarfsabfrage-innenstadt-kopie-2")
    assert copy.status == "draft" and copy.locked_at is None
    assert copy.copied_from_id == survey.id and copy.names_shops
    assert order(copy.id) == order(survey.id) == [(1, 1, "A"), (2, 2, "B")]
    copied = db.session.scalars(select(SurveyQuestion).where(
        SurveyQuestion.survey_id == copy.id).order_by(SurveyQuestion.position)).all()
    assert [c.label for c in copied[0].choices] == ["Ja", "Nein"]
    assert copied[1].help == "Gern ausführlich" and copied[0].id != first.id
    assert db.session.scalar(select(func.count()).select_from(SurveyRespondent).where(
        SurveyRespondent.survey_id == copy.id)) == 0
    add(copy.id, prompt="C")  # the copy's questions can change
    assert len(order(copy.id)) == 3


@BOTH
def test_publish_rules_and_archive(app: Flask, freeze) -> None:  # type: ignore[no-untyped-def]
    survey = make_survey()
    survey_id = survey.id

    def publish() -> Survey:
        return service.publish_survey(survey_id=survey_id, now=NOW, actor_id=None)

    with pytest.raises(InvalidInput) as excinfo:
        publish()
    assert problem_codes(excinfo) == {("", "no_questions")}
    single = add(survey_id, prompt="Eine Option", options=("Nur die",))
    add(survey_id, prompt="Später", kind="short", options=(), page=3)
    with pytest.raises(InvalidInput) as excinfo:
        publish()
    assert problem_codes(excinfo) == {("", "too_few_options"), ("", "page_gap")}
    questions.update_question(survey_id=survey_id, question_id=single.id,
                            values=question_values(options=("Ja", "Nein", "Weiß nicht")),
                            now=NOW, actor_id=None)
    later = db.session.scalars(select(SurveyQuestion.id).where(
        SurveyQuestion.prompt == "Später")).one()
    questions.update_question(survey_id=survey_id, question_id=later, values=question_values(
        prompt="Später", kind="short", options=(), page=2), now=NOW, actor_id=None)
    with pytest.raises(EditError) as closed:
        service.publish_survey(survey_id=survey_id, now=NOW + timedelta(days=30),
                               actor_id=None)
    assert closed.value.code == "closed"
    assert db.session.get(Survey, survey_id).status == "draft"  # type: ignore[union-attr]

    assert publish().status == "published"
    with pytest.raises(EditError) as twice:
        publish()
    assert twice.value.code == "not_draft"
    archived = service.archive_survey(survey_id=survey_id, now=NOW, actor_id=None)
    assert archived.status == "archived"
    with pytest.raises(EditError) as again:
        service.archive_survey(survey_id=survey_id, now=NOW, actor_id=None)
    assert again.value.code == "not_published"
    with pytest.raises(EditError) as frozen:
        add(survey_id, prompt="Nach dem Archivieren")
    assert frozen.value.code == "archived"
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["survey.publish", "survey.archive"]


@BOTH
def test_a_published_survey_stays_publishable_until_answered(app: Flask) -> None:
    survey = make_survey()
    question = add(survey.id, prompt="A")
    survey_id, question_id = survey.id, question.id
    service.publish_survey(survey_id=survey_id, now=NOW, actor_id=None)
    with pytest.raises(InvalidInput) as excinfo:
        questions.update_question(survey_id=survey_id, question_id=question_id,
                                  values=question_values(options=("Nur eine",)), now=NOW,
                                  actor_id=None)
    assert problem_codes(excinfo) == {("", "too_few_options")}
    with pytest.raises(InvalidInput) as excinfo:
        questions.delete_question(survey_id=survey_id, question_id=question_id, now=NOW,
                                  actor_id=None)
    assert problem_codes(excinfo) == {("", "no_questions")}
    with pytest.raises(InvalidInput) as excinfo:
        add(survey_id, prompt="Seite drei", page=3)
    assert problem_codes(excinfo) == {("", "page_gap")}
    assert order(survey_id) == [(1, 1, "A")] and count(SurveyChoice) == 2
    add(survey_id, prompt="B", page=2)  # a change that keeps it publishable
    assert order(survey_id) == [(1, 1, "A"), (2, 2, "B")]


def test_answer_counts_separate_submitted_from_drafts(app: Flask) -> None:
    survey = make_survey()
    question = add(survey.id)
    answer(survey, question)
    answer(survey, question)
    _token, token_hash = issue_token()
    db.session.add(SurveyRespondent(survey_id=survey.id, token_hash=token_hash,
                                    shop_id=make_shop().id, created_at=NOW))  # link only
    first = db.session.scalars(select(SurveyRespondent).order_by(SurveyRespondent.id)).first()
    assert first is not None
    first.submitted_at = NOW
    db.session.commit()
    counts = service.answer_counts([survey.id])
    assert counts[survey.id] == service.Counts(submitted=1, drafts=1)
    assert service.answer_counts([]) == {}


# ---------------------------------------------------------------------------
# The pages
# ---------------------------------------------------------------------------


@pytest.fixture
def staff_client(app: Flask, client: FlaskClient) -> FlaskClient:
    """A logged-in staff member."""
    assert log_in(client, make_user("staff").email).status_code == 303
    return client


def survey_form(client: FlaskClient, url: str = "/buero/umfragen/neu",
                **overrides: str) -> dict[str, str]:
    """The survey form's values, with the page's CSRF token."""
    values = {"csrf_token": csrf_token(client.get(url).text),
              "title": "Bedarfsabfrage Innenstadt", "slug": "", "intro": "Hallo",
              "opens_date": "2026-12-01", "opens_time": "08:00",
              "closes_date": "2026-12-21", "closes_time": "18:00"}
    values.update(overrides)
    return values


def question_form(token: str, prefix: str = "neu", **overrides: str) -> dict[str, str]:
    """A question form's values (its fields carry the form's prefix)."""
    values = {"csrf_token": token, "kind": "one", "prompt": "Haben Sie eine Website?",
              "help": "", "options": "Ja\r\n\r\nNein\r\n", "page": "1", "required": "y"}
    values.update(overrides)
    return {f"{prefix}-{key}": value for key, value in values.items()}


@BOTH
def test_staff_create_a_survey_and_its_questions_through_the_pages(
        staff_client: FlaskClient) -> None:
    page = staff_client.get("/buero/umfragen")
    assert page.status_code == 200
    assert 'href="/buero/umfragen"' in page.text and "Neue Umfrage" in page.text
    response = staff_client.post("/buero/umfragen/neu", data=survey_form(staff_client))
    assert response.status_code == 303
    survey = db.session.scalars(select(Survey)).one()
    edit_url = f"/buero/umfragen/{survey.id}"
    assert response.headers["Location"].startswith(edit_url)
    token = csrf_token(staff_client.get(edit_url).text)
    for prompt in ("Erste", "Zweite"):
        response = staff_client.post(f"{edit_url}/fragen",
                                     data=question_form(token, prompt=prompt))
        assert response.status_code == 303
    assert order(survey.id) == [(1, 1, "Erste"), (2, 1, "Zweite")]
    assert count(SurveyChoice) == 4  # blank lines dropped
    second = db.session.scalars(select(SurveyQuestion.id).where(
        SurveyQuestion.prompt == "Zweite")).one()
    response = staff_client.post(f"{edit_url}/fragen/{second}/verschieben",
                                 data={"csrf_token": token, "richtung": "hoch"})
    assert response.status_code == 303
    assert order(survey.id) == [(1, 1, "Zweite"), (2, 1, "Erste")]
    assert staff_client.post(f"{edit_url}/fragen/{second}/verschieben",
                             data={"csrf_token": token, "richtung": "quer"}
                             ).status_code == 400
    response = staff_client.post(f"{edit_url}/fragen/{second}", data=question_form(
        token, prefix=f"frage-{second}", prompt="Zweite, geändert", kind="long", options=""))
    assert response.status_code == 303
    page = staff_client.get(edit_url).text
    assert page.index("<strong>Zweite, geändert<") < page.index("<strong>Erste<")
    assert staff_client.post(f"{edit_url}/fragen/{second}/loeschen",
                             data={"csrf_token": token}).status_code == 303
    assert order(survey.id) == [(1, 1, "Erste")]
    response = staff_client.post(f"{edit_url}/veroeffentlichen", data={"csrf_token": token})
    assert response.status_code == 303
    assert db.session.get(Survey, survey.id).status == "published"  # type: ignore[union-attr]
    listing = staff_client.get("/buero/umfragen").text
    assert "Bedarfsabfrage Innenstadt" in listing and "veröffentlicht" in listing


@pytest.mark.parametrize(("overrides", "message"), [
    ({"title": ""}, "Bitte geben Sie einen Titel ein."),
    ({"title": "Null\x00"}, "Steuerzeichen"),
    ({"closes_date": "2026-11-01"}, "Das Ende muss nach dem Beginn liegen."),
    ({"opens_date": "morgen"}, "Bitte geben Sie ein Datum ein"),
    ({"open_link": "y"}, "ein Einwilligungstext Pflicht"),
    ({"slug": "Ä Ö"}, "Bitte nur kleine Buchstaben"),
])
def test_bad_survey_form_gets_a_german_400_and_stores_nothing(
        staff_client: FlaskClient, overrides: dict[str, str], message: str) -> None:
    response = staff_client.post("/buero/umfragen/neu",
                                 data=survey_form(staff_client, **overrides))
    assert response.status_code == 400
    assert message in response.text and "Bitte prüfen Sie Ihre Angaben" in response.text
    assert count(Survey) == 0


@pytest.mark.parametrize(("overrides", "message"), [
    ({"kind": "scale"}, "Eine Skala und ein Text nehmen keine"),
    ({"kind": "matrix"}, "Bitte wählen Sie eine Art der Frage"),
    ({"page": "zwei"}, "Bitte geben Sie eine ganze Zahl ein"),
    ({"prompt": "x" * 301}, "Höchstens 300 Zeichen."),
    ({"options": "Ja\nJa"}, "nur einmal vorkommen"),
    ({"prompt": "Null\x00"}, "Steuerzeichen"),
])
def test_bad_question_form_gets_a_german_400_and_stores_nothing(
        staff_client: FlaskClient, overrides: dict[str, str], message: str) -> None:
    survey = make_survey()
    url = f"/buero/umfragen/{survey.id}"
    token = csrf_token(staff_client.get(url).text)
    response = staff_client.post(f"{url}/fragen", data=question_form(token, **overrides))
    assert response.status_code == 400
    assert message in response.text
    assert count(SurveyQuestion) == 0


@BOTH
def test_a_locked_survey_refuses_question_changes_in_german(
        staff_client: FlaskClient) -> None:
    survey = make_survey()
    question = add(survey.id)
    answer(survey, question)
    url = f"/buero/umfragen/{survey.id}"
    page = staff_client.get(url).text
    assert "ihre Fragen bleiben, wie sie sind" in page
    assert "Frage hinzufügen" not in page  # no form to add one
    token = csrf_token(page)
    for path, data in ((f"{url}/fragen", question_form(token, prompt="Neu")),
                       (f"{url}/fragen/{question.id}/loeschen", {"csrf_token": token})):
        response = staff_client.post(path, data=data)
        assert response.status_code == 409
        assert ("Diese Umfrage hat schon Antworten; ihre Fragen bleiben, wie sie sind. "
                "Kopieren Sie die Umfrage, um Fragen zu ändern.") in response.text
    assert order(survey.id) == [(1, 1, "Haben Sie eine Website?")]
    response = staff_client.post(f"{url}/kopieren", data={"csrf_token": token})
    assert response.status_code == 303
    copy = db.session.scalars(select(Survey).where(Survey.copied_from_id == survey.id)).one()
    assert response.headers["Location"].endswith(f"/buero/umfragen/{copy.id}")


def test_publishing_without_questions_is_refused_on_the_page(
        staff_client: FlaskClient) -> None:
    survey = make_survey()
    url = f"/buero/umfragen/{survey.id}"
    token = csrf_token(staff_client.get(url).text)
    response = staff_client.post(f"{url}/veroeffentlichen", data={"csrf_token": token})
    assert response.status_code == 400
    assert "Die Umfrage hat noch keine Fragen." in response.text
    assert db.session.get(Survey, survey.id).status == "draft"  # type: ignore[union-attr]
    assert staff_client.post(f"{url}/archivieren",
                             data={"csrf_token": token}).status_code == 409


def test_preview_shows_every_page_disabled_and_the_intro_sanitised(
        staff_client: FlaskClient) -> None:
    survey = make_survey(intro="**Wichtig** <script>alert(1)</script>")
    add(survey.id, prompt="Erste Seite")
    add(survey.id, prompt="Wie zufrieden sind Sie?", kind="scale", options=(), page=2)
    add(survey.id, prompt="Was fehlt?", kind="long", options=(), page=2, required=False)
    before = count(AuditEvent)
    page = staff_client.get(f"/buero/umfragen/{survey.id}/vorschau")
    assert page.status_code == 200
    assert "Vorschau" in page.text and "<fieldset disabled" in page.text
    assert "<strong>Wichtig</strong>" in page.text and "<script>" not in page.text
    assert page.text.index("Erste Seite") < page.text.index("Wie zufrieden")
    assert "Seite 2 von 2" in page.text and 'type="submit"' not in page.text.split(
        "survey-preview-form")[1]
    assert "anonym" in page.text
    assert count(AuditEvent) == before  # GET changes nothing


def test_unknown_survey_and_question_are_404(staff_client: FlaskClient) -> None:
    assert staff_client.get("/buero/umfragen/999").status_code == 404
    survey = make_survey()
    token = csrf_token(staff_client.get(f"/buero/umfragen/{survey.id}").text)
    response = staff_client.post(f"/buero/umfragen/{survey.id}/fragen/999/loeschen",
                                 data={"csrf_token": token})
    assert response.status_code == 404
