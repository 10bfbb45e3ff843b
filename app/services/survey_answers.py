"""Answering a needs survey through a personal link, and asking for one (open link).

A respondent's answers are saved page by page as a draft: each page's POST replaces
that page's answers of the respondent in one transaction, with the respondent's row
locked (PostgreSQL's ``FOR UPDATE``; SQLite's write lock), so two tabs saving at once
leave one set of answers. Submitting checks every required question of every page and
sets ``submitted_at``; until the survey closes the answers can be revised (and
submitted again). The first answer sets ``Survey.locked_at`` in the same transaction,
which fixes the questions.

Answers are taken only while the survey is published and ``opens_at <= now <
closes_at``. Every refusal writes nothing.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import formats
from ..control_characters import has_control_characters
from ..db import begin_write
from ..extensions import db
from ..models import (
    SCALE_MAX,
    SCALE_MIN,
    Shop,
    Survey,
    SurveyAnswer,
    SurveyAnswerChoice,
    SurveyQuestion,
    SurveyRespondent,
)
from .accounts import AccountError, normalise_email
from .errors import DomainError, Problem
from .mail import queue_mail
from .survey_links import answer_url, hash_token, issue_token

SHORT_MAX = 200
LONG_MAX = 4000
COMPANY_MAX = 120
CATEGORY_MAX = 60
# The open link's category for businesses outside the shops' categories.
OTHER_CATEGORY = "Sonstiges"
# The longest token the links carry (32 bytes in URL-safe base64 are 43 characters).
TOKEN_MAX = 64


class SurveyAnswerError(DomainError):
    """An answer or a link request refused. Codes: ``not_open`` (before the survey
    opens, or not published), ``closed`` (after its close or archived), ``invalid``
    (context ``problems``: a list of :class:`Problem`, one per field, codes
    ``unknown_question``, ``bad_choice``, ``several_choices``, ``bad_scale``,
    ``too_long``, ``control_characters``, ``required``), ``incomplete`` (submitting
    with required questions unanswered; context ``missing``: their questions),
    ``no_open_link``, ``bad_company``, ``bad_email``, ``bad_category``,
    ``consent_missing``, ``control_characters``, ``unknown_respondent`` (no such
    link)."""


# What a respondent answered to one question: the chosen options' ids, a scale value,
# or a text.
@dataclass
class Answer:
    """One saved (or submitted) answer, as the pages show it."""

    choices: set[int] = field(default_factory=set)
    scale: int | None = None
    text: str = ""

    @property
    def given(self) -> bool:
        """Whether anything is answered."""
        return bool(self.choices) or self.scale is not None or bool(self.text)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def respondent_by_token(token: str) -> SurveyRespondent | None:
    """The respondent behind a personal link, or None."""
    if not token or len(token) > TOKEN_MAX:
        return None
    return db.session.scalars(select(SurveyRespondent).where(
        SurveyRespondent.token_hash == hash_token(token))).first()


def survey_of(respondent: SurveyRespondent) -> Survey:
    """The respondent's survey, with its questions and their options."""
    return db.session.scalars(
        select(Survey).where(Survey.id == respondent.survey_id)
        .options(selectinload(Survey.questions).selectinload(SurveyQuestion.choices))).one()


def published_by_slug(slug: str) -> Survey | None:
    """The published survey at ``slug`` (drafts and archived ones stay hidden), or None."""
    return db.session.scalars(select(Survey).where(
        Survey.slug == slug, Survey.status == "published")).first()


def state(survey: Survey, now: datetime) -> str:
    """``not_open`` (a draft, or before ``opens_at``), ``open`` or ``closed`` (after
    ``closes_at``, or archived)."""
    if survey.status == "archived" or (survey.status == "published"
                                       and now >= survey.closes_at):
        return "closed"
    if survey.status != "published" or now < survey.opens_at:
        return "not_open"
    return "open"


def pages(survey: Survey) -> list[int]:
    """The survey's page numbers in order (1 for a survey without questions)."""
    return sorted({question.page for question in survey.questions}) or [1]


def questions_on(survey: Survey, page: int) -> list[SurveyQuestion]:
    """The questions of ``page``, in their order."""
    return [question for question in survey.questions if question.page == page]


def saved_answers(respondent: SurveyRespondent) -> dict[int, Answer]:
    """The respondent's saved answers by question id."""
    answers: dict[int, Answer] = {}
    for row in db.session.scalars(select(SurveyAnswer).where(
            SurveyAnswer.respondent_id == respondent.id)):
        answers[row.question_id] = Answer(scale=row.scale, text=row.text)
    for chosen in db.session.scalars(select(SurveyAnswerChoice).where(
            SurveyAnswerChoice.respondent_id == respondent.id)):
        answers.setdefault(chosen.question_id, Answer()).choices.add(chosen.choice_id)
    return answers


def missing_required(survey: Survey, answers: Mapping[int, Answer]) -> list[SurveyQuestion]:
    """The required questions without an answer, in their order."""
    return [question for question in survey.questions if question.required
            and not (question.id in answers and answers[question.id].given)]


def categories() -> list[str]:
    """The open link's categories: the shops' categories in use, then "Sonstiges"."""
    found = [name for name in db.session.scalars(
        select(Shop.category).where(Shop.category != "").distinct().order_by(Shop.category))
        if name != OTHER_CATEGORY]
    return [*found, OTHER_CATEGORY]


# ---------------------------------------------------------------------------
# Checking a page's answers
# ---------------------------------------------------------------------------


def question_field(question_id: int) -> str:
    """The form field's name of a question (``q17``)."""
    return f"q{question_id}"


def check_page(questions: Sequence[SurveyQuestion], submitted: Mapping[int, Sequence[str]],
               *, require: bool = False) -> dict[int, Answer]:
    """The answers to ``questions`` in ``submitted`` (raw form values by question id),
    checked; ``require``: the required ones must be answered. Raises ``invalid`` with a
    problem per field."""
    by_id = {question.id: question for question in questions}
    problems = [Problem(question_field(question_id), "unknown_question")
                for question_id in submitted if question_id not in by_id]
    answers: dict[int, Answer] = {}
    for question in questions:
        values = [value for value in submitted.get(question.id, ()) if value != ""]
        answer, code = _check_one(question, values)
        if code is None and require and question.required and not answer.given:
            code = "required"
        if code is not None:
            problems.append(Problem(question_field(question.id), code))
        elif answer.given:
            answers[question.id] = answer
    if problems:
        raise SurveyAnswerError("invalid", problems=problems)
    return answers


def _check_one(question: SurveyQuestion, values: list[str]) -> tuple[Answer, str | None]:
    """One question's answer from its raw values, or the code of its problem."""
    if any(has_control_characters(value, multiline=question.kind == "long")
           for value in values):
        return Answer(), "control_characters"
    if question.kind in ("one", "many"):
        offered = {choice.id for choice in question.choices}
        chosen: set[int] = set()
        for value in values:
            if not value.isdigit() or int(value) not in offered:
                return Answer(), "bad_choice"
            chosen.add(int(value))
        if question.kind == "one" and len(chosen) > 1:
            return Answer(), "several_choices"
        return Answer(choices=chosen), None
    if len(values) > 1:
        return Answer(), "bad_scale" if question.kind == "scale" else "too_long"
    if question.kind == "scale":
        if not values:
            return Answer(), None
        value = values[0].strip()
        if not value.isdigit() or not SCALE_MIN <= int(value) <= SCALE_MAX:
            return Answer(), "bad_scale"
        return Answer(scale=int(value)), None
    text = values[0].strip() if values else ""
    if question.kind == "short":
        text = " ".join(text.split())
    if len(text) > (SHORT_MAX if question.kind == "short" else LONG_MAX):
        return Answer(), "too_long"
    return Answer(text=text), None


# ---------------------------------------------------------------------------
# Saving and submitting
# ---------------------------------------------------------------------------


def _locked_respondent(token: str) -> SurveyRespondent | None:
    """The respondent behind the link, its row locked for this transaction."""
    if not token or len(token) > TOKEN_MAX:
        return None
    return db.session.scalars(
        select(SurveyRespondent).where(SurveyRespondent.token_hash == hash_token(token))
        .with_for_update().execution_options(populate_existing=True)).first()


def _open_respondent(token: str, now: datetime) -> tuple[SurveyRespondent, Survey]:
    """Begin the write, lock the respondent and check that the survey takes answers."""
    begin_write()
    respondent = _locked_respondent(token)
    if respondent is None:
        db.session.rollback()
        raise SurveyAnswerError("unknown_respondent")
    survey = db.session.scalars(
        select(Survey).where(Survey.id == respondent.survey_id)
        .options(selectinload(Survey.questions).selectinload(SurveyQuestion.choices))
        .execution_options(populate_existing=True)).one()
    current = state(survey, now)
    if current != "open":
        db.session.rollback()
        raise SurveyAnswerError(current)
    return respondent, survey


def save_page(*, token: str, page: int, submitted: Mapping[int, Sequence[str]],
              now: datetime) -> SurveyRespondent:
    """Replace the respondent's answers of ``page`` with ``submitted`` (raw form values
    by question id) and commit; lock the survey's questions with its first answer. A
    respondent who has submitted already must keep the page's required answers."""
    respondent, survey = _open_respondent(token, now)
    questions = questions_on(survey, page)
    try:
        answers = check_page(questions, submitted,
                             require=respondent.submitted_at is not None)
    except SurveyAnswerError:
        db.session.rollback()
        raise
    ids = [question.id for question in questions]
    db.session.execute(delete(SurveyAnswerChoice).where(
        SurveyAnswerChoice.respondent_id == respondent.id,
        SurveyAnswerChoice.question_id.in_(ids)))
    db.session.execute(delete(SurveyAnswer).where(
        SurveyAnswer.respondent_id == respondent.id, SurveyAnswer.question_id.in_(ids)))
    for question_id, answer in answers.items():
        db.session.add(SurveyAnswer(
            respondent_id=respondent.id, question_id=question_id, survey_id=survey.id,
            scale=answer.scale, text=answer.text, updated_at=now))
    db.session.flush()
    for question_id, answer in answers.items():
        for choice_id in sorted(answer.choices):
            db.session.add(SurveyAnswerChoice(respondent_id=respondent.id,
                                              question_id=question_id, choice_id=choice_id))
    if answers:
        db.session.execute(update(Survey).where(
            Survey.id == survey.id, Survey.locked_at.is_(None)).values(locked_at=now))
    respondent.updated_at = now
    try:
        db.session.commit()
    except IntegrityError as error:  # a question or option removed meanwhile
        db.session.rollback()
        raise SurveyAnswerError("invalid", problems=[]) from error
    return respondent


def submit(*, token: str, now: datetime) -> SurveyRespondent:
    """Send the answers: every required question must be answered; sets (or, for a
    revision, renews) ``submitted_at`` and commits."""
    respondent, survey = _open_respondent(token, now)
    missing = missing_required(survey, saved_answers(respondent))
    if missing:
        db.session.rollback()
        raise SurveyAnswerError("incomplete", missing=missing)
    respondent.submitted_at = now
    respondent.updated_at = now
    db.session.commit()
    return respondent


# ---------------------------------------------------------------------------
# The open link: a personal link by mail for businesses outside the rally
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkRequest:
    """A business's details for the open link, cleaned."""

    company: str
    email: str
    category: str


def check_link_request(*, company: str, email: str, category: str,
                       consent: bool) -> LinkRequest:
    """Clean and check the open link's form; raise the first problem's code."""
    for value in (company, email, category):
        if has_control_characters(value):
            raise SurveyAnswerError("control_characters")
    clean_company = " ".join(company.split())
    if not clean_company or len(clean_company) > COMPANY_MAX:
        raise SurveyAnswerError("bad_company")
    try:
        address = normalise_email(email)
    except AccountError as error:
        raise SurveyAnswerError("bad_email") from error
    if category not in categories():
        raise SurveyAnswerError("bad_category")
    if not consent:
        raise SurveyAnswerError("consent_missing")
    return LinkRequest(company=clean_company, email=address, category=category)


def request_link(*, slug: str, company: str, email: str, category: str, consent: bool,
                 now: datetime) -> None:
    """Mail a personal link to the address and commit: a new respondent for a new
    address, a new link (the old one stops working) for a known one. The caller answers
    the same either way, so the form tells nobody who asked before."""
    details = check_link_request(company=company, email=email, category=category,
                                 consent=consent)
    begin_write()
    survey = published_by_slug(slug)
    if survey is None or not survey.open_link:
        db.session.rollback()
        raise SurveyAnswerError("no_open_link")
    current = state(survey, now)
    if current != "open":
        db.session.rollback()
        raise SurveyAnswerError(current)
    token, token_hash = issue_token()
    respondent = db.session.scalars(select(SurveyRespondent).where(
        SurveyRespondent.survey_id == survey.id,
        SurveyRespondent.email == details.email)).first()
    if respondent is None:
        respondent = SurveyRespondent(
            survey_id=survey.id, token_hash=token_hash, email=details.email,
            company=details.company, category=details.category, consent_at=now,
            created_at=now, language=formats.current_language())
        db.session.add(respondent)
        try:
            db.session.flush()
        except IntegrityError:  # the same address at the same moment: one link, theirs
            db.session.rollback()
            return
    else:
        respondent.token_hash = token_hash
    respondent.sent_at = now
    queue_mail(kind="survey_open_link", to=details.email,
               subject=_("Ihr Link zur Umfrage „%(title)s“", title=survey.title),
               template="survey_open_link",
               context={"survey": survey, "link": answer_url(token)},
               forget_after_sending=True, now=now)
    db.session.commit()

