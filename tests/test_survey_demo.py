"""The demo's "Bedarfsabfrage Innenstadt": published and open for four weeks, anonymous
with the open link, eight questions on two pages, a link per demo shop, ten shops'
answers sent; loaded only once."""

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import clock, demo_data
from app.clock import local
from app.extensions import db
from app.models import (
    Shop,
    Survey,
    SurveyAnswer,
    SurveyAnswerChoice,
    SurveyChoice,
    SurveyQuestion,
    SurveyRespondent,
)
from app.services.demo import load_demo

BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


def counts() -> tuple[int, ...]:
    """How many rows each survey table has."""
    return tuple(int(db.session.scalar(select(func.count()).select_from(model)) or 0)
                 for model in (Survey, SurveyQuestion, SurveyChoice, SurveyRespondent,
                               SurveyAnswer, SurveyAnswerChoice))


@BOTH_DATABASES
def test_demo_survey(app: Flask, tmp_path: Path) -> None:
    now = clock.utcnow()
    load_demo(now, tmp_path)
    [survey] = db.session.scalars(select(Survey))
    assert survey.slug == demo_data.SURVEY_SLUG and survey.title == "Bedarfsabfrage Innenstadt"
    assert survey.status == "published" and not survey.names_shops
    assert survey.open_link and survey.open_consent
    assert survey.opens_at <= now < survey.closes_at
    assert local(survey.opens_at).date() == local(now).date()
    assert local(survey.closes_at).date() == local(now).date() + timedelta(weeks=4)
    assert survey.locked_at is not None

    questions = survey.questions
    assert len(questions) == 8
    assert [q.position for q in questions] == list(range(1, 9))
    assert {q.page for q in questions} == {1, 2}
    kinds = [q.kind for q in questions]
    assert kinds.count("many") == 1 and kinds.count("scale") == 1 and kinds[-1] == "long"
    assert questions[-1].prompt == "Was wünschen Sie sich vom Innenstadtbüro?"
    assert all(q.choices for q in questions if q.kind in ("one", "many"))

    respondents = list(db.session.scalars(select(SurveyRespondent)))
    shops = int(db.session.scalar(select(func.count(Shop.id))) or 0)
    assert len(respondents) == shops == len(demo_data.SHOPS)
    submitted = [r for r in respondents if r.submitted_at is not None]
    assert len(submitted) == 10
    assert len({r.token_hash for r in respondents}) == len(respondents)
    # Every required question is answered by every shop that sent its answers.
    answered = {(a.respondent_id, a.question_id) for a in db.session.scalars(
        select(SurveyAnswer))}
    chosen = {(c.respondent_id, c.question_id) for c in db.session.scalars(
        select(SurveyAnswerChoice))}
    for respondent in submitted:
        for question in questions:
            if question.required:
                assert (respondent.id, question.id) in answered
            if question.kind == "one" and (respondent.id, question.id) in answered:
                assert (respondent.id, question.id) in chosen
    # Varied: the satisfaction spreads over the scale, the categories over several.
    scale = questions[6]
    values = set(db.session.scalars(select(SurveyAnswer.scale).where(
        SurveyAnswer.question_id == scale.id)))
    assert len(values) >= 4
    assert len({r.category for r in submitted}) >= 6


def test_loading_the_demo_twice_adds_no_survey_rows(app: Flask, tmp_path: Path) -> None:
    load_demo(clock.utcnow(), tmp_path)
    first = counts()
    hashes = set(db.session.scalars(select(SurveyRespondent.token_hash)))
    load_demo(clock.utcnow(), tmp_path)
    assert counts() == first
    assert set(db.session.scalars(select(SurveyRespondent.token_hash))) == hashes


def test_every_demo_answer_fits_its_question() -> None:
    """The demo's answers name choices the questions offer, in question order."""
    shops = {shop["slug"] for shop in demo_data.SHOPS}
    for item in demo_data.SURVEY_ANSWERS:
        assert item["shop"] in shops
        assert len(item["answers"]) == len(demo_data.SURVEY_QUESTIONS)
        for question, value in zip(demo_data.SURVEY_QUESTIONS, item["answers"], strict=True):
            if value is None or value == "":
                assert not question["required"]
            elif question["kind"] == "one":
                assert isinstance(value, int) and 1 <= value <= len(question["choices"])
            elif question["kind"] == "many":
                assert isinstance(value, list) and value
                assert all(1 <= n <= len(question["choices"]) for n in value)
            elif question["kind"] == "scale":
                assert isinstance(value, int) and 1 <= value <= 5
            else:
                assert isinstance(value, str)
    assert len({item["shop"] for item in demo_data.SURVEY_ANSWERS}) == 10
