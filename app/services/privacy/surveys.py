"""The survey respondents who came through an open link, for the privacy tools.

A business outside the rally gives its address, company and category to get a personal
link (app.services.survey_answers). Past the retention, counted from the survey's close,
the purge removes address and company and the respondent's free texts, and replaces the
link's hash (the link stops working); its choices and scale values stay, so the
results' counts do not change. Export and deletion go by the address; a deletion removes
the respondent with all its answers.

Shops answer as shops (their accounts are their own kind); their answers are not
personal data of an address here.
"""

import secrets
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update

from ...extensions import db
from ...models.surveys import (
    Survey,
    SurveyAnswer,
    SurveyAnswerChoice,
    SurveyChoice,
    SurveyQuestion,
    SurveyRespondent,
)
from ..survey_links import hash_token
from .kinds import Record, _count, _delete, _iso, _same_address


def _open_held() -> ColumnElement[bool]:
    return SurveyRespondent.email.is_not(None)


def purge_survey_respondents(*, before: datetime, now: datetime) -> int:
    """Remove address, company and free texts of the open respondents of surveys closed
    before ``before``; how many respondents."""
    closed = select(Survey.id).where(Survey.closes_at < before)
    ids = list(db.session.scalars(
        select(SurveyRespondent.id).where(_open_held(),
                                          SurveyRespondent.survey_id.in_(closed))))
    if not ids:
        return 0
    db.session.execute(
        update(SurveyAnswer).where(SurveyAnswer.respondent_id.in_(ids), SurveyAnswer.text != "")
        .values(text="", updated_at=now).execution_options(synchronize_session=False))
    for respondent_id in ids:  # each its own new hash (UNIQUE)
        db.session.execute(
            update(SurveyRespondent).where(SurveyRespondent.id == respondent_id)
            .values(email=None, company="", purged_at=now, updated_at=now,
                    token_hash=hash_token(secrets.token_urlsafe(32)))
            .execution_options(synchronize_session=False))
    return len(ids)


def export_survey_respondents(email: str) -> list[Record]:
    """The survey answers given with this address, question by question."""
    respondents = list(db.session.scalars(
        select(SurveyRespondent).where(_same_address(SurveyRespondent.email, email))
        .order_by(SurveyRespondent.id)))
    if not respondents:
        return []
    ids = [row.id for row in respondents]
    surveys = {survey.id: survey for survey in db.session.scalars(
        select(Survey).where(Survey.id.in_({row.survey_id for row in respondents})))}
    prompts = dict(db.session.execute(
        select(SurveyQuestion.id, SurveyQuestion.prompt)
        .where(SurveyQuestion.survey_id.in_(surveys))).all())
    chosen: dict[tuple[int, int], list[str]] = {}
    for respondent_id, question_id, label in db.session.execute(
            select(SurveyAnswerChoice.respondent_id, SurveyAnswerChoice.question_id,
                   SurveyChoice.label)
            .join(SurveyChoice, SurveyChoice.id == SurveyAnswerChoice.choice_id)
            .where(SurveyAnswerChoice.respondent_id.in_(ids))
            .order_by(SurveyChoice.position)):
        chosen.setdefault((respondent_id, question_id), []).append(label)
    answers: dict[int, list[Record]] = {}
    for answer in db.session.scalars(
            select(SurveyAnswer).join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
            .where(SurveyAnswer.respondent_id.in_(ids)).order_by(SurveyQuestion.position)):
        answers.setdefault(answer.respondent_id, []).append({
            "question": prompts.get(answer.question_id, ""),
            "choices": chosen.get((answer.respondent_id, answer.question_id), []),
            "scale": answer.scale, "text": answer.text,
        })
    return [
        {
            "survey": surveys[row.survey_id].title, "email": row.email,
            "company": row.company, "category": row.category,
            "consent_at": _iso(row.consent_at), "created_at": _iso(row.created_at),
            "submitted_at": _iso(row.submitted_at), "answers": answers.get(row.id, []),
        }
        for row in respondents
    ]


def delete_survey_respondents(email: str, now: datetime) -> int:
    """Delete the respondents of this address with their answers (foreign keys cascade)."""
    return _delete(SurveyRespondent, _same_address(SurveyRespondent.email, email))


def count_survey_respondents() -> int:
    return _count(select(func.count()).select_from(SurveyRespondent).where(_open_held()))
