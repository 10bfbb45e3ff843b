"""Open survey respondents in the privacy registry: purged SURVEY_RETENTION_MONTHS after
the survey's close (address, company, free texts; the choices and scale values stay for
the results), exported and deleted by address; shops' answers are not touched."""

import json
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models.surveys import SurveyAnswer, SurveyAnswerChoice, SurveyRespondent
from app.services import privacy, survey_results

from .helpers import make_shop
from .test_survey_results import CLOSES, NOW, answer, make_survey, questions_of, respondent

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)

ADDRESS = "chefin@kanzlei.example"
KIND = privacy.KIND_BY_KEY["survey_respondents"]


def world() -> tuple[int, int, int]:
    """A closed survey answered by a shop and two open respondents (one a draft), and a
    later survey the same address answered too; the ids of the two open respondents of
    the first survey and of the later one's."""
    survey = make_survey(open_link=True)
    website, wishes, scale, free = questions_of(survey)
    shop = respondent(survey, shop=make_shop(name="Juwelier Goldglanz"))
    answer(shop, free, "Text des Ladens")
    first = respondent(survey, email=ADDRESS, company="Kanzlei Adler", category="Dienste")
    answer(first, website, "Ja")
    answer(first, wishes, ["Parkplätze", "Schulungen"])
    answer(first, scale, 2)
    answer(first, free, "Parken ist zu teuer.")
    draft = respondent(survey, email="zweite@example.org", company="Zweite GmbH",
                       submitted=False)
    answer(draft, free, "Noch nicht fertig")
    later = make_survey(slug="spaeter", open_link=True, closes_at=CLOSES + timedelta(days=90))
    other = respondent(later, email=ADDRESS.upper(), company="Kanzlei Adler")
    answer(other, questions_of(later)[3], "Im Frühjahr wieder")
    db.session.commit()
    return first.id, draft.id, other.id


def test_purge_after_the_retention_keeps_choices_and_scale(app: Flask) -> None:
    first_id, draft_id, later_id = world()
    assert app.config["SURVEY_RETENTION_MONTHS"] == 12
    assert privacy.retention(KIND) == "12 Monate nach dem Ende der Umfrage"
    assert KIND.count() == 3
    survey = survey_results.load_survey(db.session.get_one(SurveyRespondent, first_id).survey_id)
    assert survey is not None
    before = survey_results.results(survey)
    old_hash = db.session.get_one(SurveyRespondent, first_id).token_hash

    twelve_months = CLOSES.replace(year=CLOSES.year + 1)
    done = {item.kind.key: item.count
            for item in privacy.purge(now=twelve_months - timedelta(minutes=1))}
    assert done["survey_respondents"] == 0
    done = {item.kind.key: item.count
            for item in privacy.purge(now=twelve_months + timedelta(minutes=1))}
    assert done["survey_respondents"] == 2
    db.session.expire_all()
    for respondent_id in (first_id, draft_id):
        row = db.session.get_one(SurveyRespondent, respondent_id)
        assert (row.email, row.company, row.purged_at is not None) == (None, "", True)
    first = db.session.get_one(SurveyRespondent, first_id)
    assert first.token_hash != old_hash  # the link opens nothing any more
    assert first.category == "Dienste" and first.submitted_at is not None
    texts = db.session.scalars(select(SurveyAnswer.text).where(
        SurveyAnswer.respondent_id.in_([first_id, draft_id]))).all()
    assert set(texts) == {""}
    assert db.session.scalar(select(func.count()).select_from(SurveyAnswerChoice).where(
        SurveyAnswerChoice.respondent_id == first_id)) == 3
    # The shop's text, and the later survey's respondent, stay.
    assert db.session.get_one(SurveyRespondent, later_id).email == ADDRESS.upper()
    after = survey_results.results(survey)
    assert [r.options for r in after.questions[:2]] == [r.options for r in before.questions[:2]]
    assert after.questions[2].scale == before.questions[2].scale
    assert [t.text for t in after.questions[3].texts] == ["Text des Ladens"]
    assert KIND.count() == 1
    # Purging again changes nothing.
    again = {item.kind.key: item.count for item in privacy.purge(now=twelve_months + timedelta(
        days=1))}
    assert again["survey_respondents"] == 0


def test_export_lists_the_respondents_of_an_address_with_their_answers(app: Flask) -> None:
    world()
    data = privacy.export("Chefin@Kanzlei.example", now=NOW)["data"]
    records = data["survey_respondents"]
    assert [(r["survey"], r["company"]) for r in records] == [
        ("Bedarfsabfrage Innenstadt", "Kanzlei Adler")] * 2
    answers = records[0]["answers"]
    assert [(a["question"], a["choices"], a["scale"], a["text"]) for a in answers] == [
        ("Haben Sie eine Website?", ["Ja"], None, ""),
        ("Was wünschen Sie sich?", ["Parkplätze", "Schulungen"], None, ""),
        ("Wie zufrieden sind Sie mit der Innenstadt?", [], 2, ""),
        ("Was sollte das Büro als Erstes anpacken?", [], None, "Parken ist zu teuer."),
    ]
    assert records[1]["answers"][0]["text"] == "Im Frühjahr wieder"
    text = json.dumps(data)
    assert "Goldglanz" not in text and "zweite@example.org" not in text
    assert "Text des Ladens" not in text


def test_delete_removes_the_respondents_and_their_answers(app: Flask) -> None:
    first_id, draft_id, later_id = world()
    done = {item.kind.key: item.count for item in privacy.delete(ADDRESS, now=NOW)}
    assert done["survey_respondents"] == 2
    db.session.expire_all()
    assert db.session.get(SurveyRespondent, first_id) is None
    assert db.session.get(SurveyRespondent, later_id) is None
    assert db.session.scalar(select(func.count()).select_from(SurveyAnswer).where(
        SurveyAnswer.respondent_id.in_([first_id, later_id]))) == 0
    assert db.session.scalar(select(func.count()).select_from(SurveyAnswerChoice).where(
        SurveyAnswerChoice.respondent_id == first_id)) == 0
    assert "survey_respondents" not in privacy.export(ADDRESS, now=NOW)["data"]
    assert db.session.get_one(SurveyRespondent, draft_id).email == "zweite@example.org"
    assert KIND.count() == 1


def test_the_privacy_notice_lists_the_survey_kind(app: Flask) -> None:
    app.config["SURVEY_RETENTION_MONTHS"] = 6
    html = app.test_client().get("/datenschutz").text
    assert f"<dt>{KIND.label}</dt>\n      <dd>6 Monate nach dem Ende der Umfrage</dd>" in html
