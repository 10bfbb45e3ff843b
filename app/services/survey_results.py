"""The results of a needs survey, for staff: counts, shares, the scale's distribution,
the free texts, a filter by category, and the rows of the CSV export.

Only submitted respondents count (``submitted_at`` set); drafts are counted apart. A
respondent's category is its shop's, or, for a business that came through the open link,
the one it gave. A category with fewer than :data:`MIN_GROUP` respondents is not shown
on its own, so that nobody in a small group can be picked out.

Unless the survey says up front that results name the shops (``names_shops``), nothing
here carries a shop's name or an open respondent's company or address: the free texts
come without who wrote them, the CSV's rows without a name and in an order that says
nothing about who answered when.

Each function runs a fixed number of queries, whatever the number of questions, options
and answers (:data:`RESULT_QUERIES`, :data:`CSV_QUERIES`).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Shop
from ..models.surveys import (
    SCALE_MAX,
    SCALE_MIN,
    Survey,
    SurveyAnswer,
    SurveyAnswerChoice,
    SurveyChoice,
    SurveyQuestion,
    SurveyRespondent,
)

# The smallest group of respondents whose results are shown on their own.
MIN_GROUP = 3
# Queries of results() and csv_table() once the survey is loaded with its questions and
# their options (load_survey(): three).
RESULT_QUERIES = 5
CSV_QUERIES = 3


@dataclass(frozen=True)
class OptionCount:
    """One option of a choice question: how many chose it, and their share (percent of
    those who answered the question)."""

    label: str
    count: int
    percent: int


@dataclass(frozen=True)
class TextAnswer:
    """One free text; ``by`` names the shop (or company) only when the survey names shops."""

    text: str
    at: datetime
    by: str = ""


@dataclass
class QuestionResult:
    """What the respondents answered to one question."""

    question: SurveyQuestion
    answered: int = 0
    options: list[OptionCount] = field(default_factory=list)
    # The scale: how many gave 1, 2, … 5, with their mean and median (None: no answer).
    scale: list[tuple[int, int]] = field(default_factory=list)
    mean: float | None = None
    median: float | None = None
    texts: list[TextAnswer] = field(default_factory=list)


@dataclass(frozen=True)
class Category:
    """A category among the submitted respondents, and how many they are."""

    name: str
    respondents: int

    @property
    def shown(self) -> bool:
        """Whether its results may be shown on their own."""
        return self.respondents >= MIN_GROUP


@dataclass
class SurveyResults:
    """The results page's figures: the whole survey or one category of it."""

    survey: Survey
    submitted: int  # of the whole survey
    drafts: int
    categories: list[Category]
    category: str | None = None
    # False: the chosen category is too small, nothing of it is shown.
    shown: bool = True
    respondents: int = 0  # those counted below (all submitted, or the category's)
    questions: list[QuestionResult] = field(default_factory=list)


def load_survey(survey_id: int) -> Survey | None:
    """The survey with its questions and their options (three queries)."""
    return db.session.scalars(
        select(Survey).where(Survey.id == survey_id).options(
            selectinload(Survey.questions).selectinload(SurveyQuestion.choices))
    ).first()


def category_of() -> ColumnElement[str]:
    """A respondent's category: its shop's, or its own (open link). Needs the outer join
    with Shop."""
    return func.coalesce(Shop.category, SurveyRespondent.category)


def _counted(survey_id: int, category: str | None) -> Select[Any]:
    """The ids of the respondents counted: submitted, and of ``category`` if given."""
    query = (select(SurveyRespondent.id)
             .outerjoin(Shop, Shop.id == SurveyRespondent.shop_id)
             .where(SurveyRespondent.survey_id == survey_id,
                    SurveyRespondent.submitted_at.is_not(None)))
    if category is not None:
        query = query.where(category_of() == category)
    return query


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def results(survey: Survey, *, category: str | None = None) -> SurveyResults:
    """The survey's results, all submitted respondents or those of ``category``.

    A ``category`` smaller than MIN_GROUP (or not among the ``categories`` at all) gets
    ``shown=False`` and no figures. Five queries."""
    submitted = drafts = 0
    sizes: dict[str, int] = defaultdict(int)
    for submitted_at, name in db.session.execute(
            select(SurveyRespondent.submitted_at, category_of())
            .outerjoin(Shop, Shop.id == SurveyRespondent.shop_id)
            .where(SurveyRespondent.survey_id == survey.id)):
        if submitted_at is None:
            drafts += 1
            continue
        submitted += 1
        sizes[name or ""] += 1
    found = SurveyResults(
        survey=survey, submitted=submitted, drafts=drafts, category=category,
        categories=[Category(name, count) for name, count in sorted(
            sizes.items(), key=lambda item: item[0].casefold()) if name])
    if category is not None and sizes.get(category, 0) < MIN_GROUP:
        found.shown = False
        return found
    found.respondents = submitted if category is None else sizes[category]
    counted = _counted(survey.id, category)

    chosen: dict[int, int] = dict(db.session.execute(
        select(SurveyAnswerChoice.choice_id, func.count())
        .where(SurveyAnswerChoice.respondent_id.in_(counted))
        .group_by(SurveyAnswerChoice.choice_id)).all())
    choosing: dict[int, int] = dict(db.session.execute(
        select(SurveyAnswerChoice.question_id,
               func.count(SurveyAnswerChoice.respondent_id.distinct()))
        .where(SurveyAnswerChoice.respondent_id.in_(counted))
        .group_by(SurveyAnswerChoice.question_id)).all())
    scales: dict[int, dict[int, int]] = defaultdict(dict)
    for question_id, value, count in db.session.execute(
            select(SurveyAnswer.question_id, SurveyAnswer.scale, func.count())
            .where(SurveyAnswer.survey_id == survey.id, SurveyAnswer.scale.is_not(None),
                   SurveyAnswer.respondent_id.in_(counted))
            .group_by(SurveyAnswer.question_id, SurveyAnswer.scale)):
        if value is not None:  # excluded above; for the type checker
            scales[question_id][value] = count
    texts = free_texts(survey, counted)

    for question in survey.questions:
        result = QuestionResult(question=question)
        if question.kind in ("one", "many"):
            result.answered = choosing.get(question.id, 0)
            result.options = [
                OptionCount(choice.label, chosen.get(choice.id, 0),
                            _percent(chosen.get(choice.id, 0), result.answered))
                for choice in question.choices]
        elif question.kind == "scale":
            given = scales.get(question.id, {})
            result.scale = [(value, given.get(value, 0))
                            for value in range(SCALE_MIN, SCALE_MAX + 1)]
            result.answered = sum(given.values())
            values = [value for value, count in result.scale for _ in range(count)]
            if values:
                result.mean = sum(values) / len(values)
                result.median = float(median(values))
        else:
            result.texts = texts.get(question.id, [])
            result.answered = len(result.texts)
        found.questions.append(result)
    return found


def free_texts(survey: Survey, counted: Select[Any]) -> dict[int, list[TextAnswer]]:
    """The non-empty texts per question, newest first; with who wrote them only when the
    survey names shops. One query."""
    columns: list[Any] = [SurveyAnswer.question_id, SurveyAnswer.text, SurveyAnswer.updated_at]
    query = select(*columns)
    if survey.names_shops:
        query = (select(*columns, func.coalesce(Shop.name, SurveyRespondent.company))
                 .join(SurveyRespondent, SurveyRespondent.id == SurveyAnswer.respondent_id)
                 .outerjoin(Shop, Shop.id == SurveyRespondent.shop_id))
    query = (query.where(SurveyAnswer.survey_id == survey.id, SurveyAnswer.text != "",
                         SurveyAnswer.respondent_id.in_(counted))
             .order_by(SurveyAnswer.updated_at.desc(), SurveyAnswer.text))
    found: dict[int, list[TextAnswer]] = defaultdict(list)
    for row in db.session.execute(query):
        by = (row[3] or "") if survey.names_shops else ""
        found[row[0]].append(TextAnswer(text=row[1], at=row[2], by=by))
    return found


# --- the CSV export ----------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """The CSV's content before defusing: the questions' prompts (the columns after the
    name and category) and one row per submitted respondent."""

    prompts: list[str]
    rows: list[list[str]]


MANY_SEPARATOR = " | "


def csv_table(survey: Survey, *, small_group: str) -> Table:
    """One row per submitted respondent, one column per question (in the survey's order).

    Anonymous surveys: no name; the category only where its group has at least
    MIN_GROUP respondents (else ``small_group``); rows sorted by their content, so the
    order says nothing about who answered when. With ``names_shops``: the shop's name
    (or the company) and the category first, rows by name. Three queries."""
    labels = {choice.id: choice.label for question in survey.questions
              for choice in question.choices}
    people = db.session.execute(
        select(SurveyRespondent.id, category_of(),
               func.coalesce(Shop.name, SurveyRespondent.company),
               SurveyRespondent.submitted_at)
        .outerjoin(Shop, Shop.id == SurveyRespondent.shop_id)
        .where(SurveyRespondent.survey_id == survey.id,
               SurveyRespondent.submitted_at.is_not(None))).all()
    ids = select(SurveyRespondent.id).where(SurveyRespondent.survey_id == survey.id,
                                            SurveyRespondent.submitted_at.is_not(None))
    answers: dict[tuple[int, int], str] = {}
    for respondent_id, question_id, scale, text in db.session.execute(
            select(SurveyAnswer.respondent_id, SurveyAnswer.question_id, SurveyAnswer.scale,
                   SurveyAnswer.text)
            .where(SurveyAnswer.survey_id == survey.id,
                   SurveyAnswer.respondent_id.in_(ids))):
        answers[respondent_id, question_id] = str(scale) if scale is not None else text
    picked: dict[tuple[int, int], list[int]] = defaultdict(list)
    for respondent_id, question_id, choice_id in db.session.execute(
            select(SurveyAnswerChoice.respondent_id, SurveyAnswerChoice.question_id,
                   SurveyAnswerChoice.choice_id)
            .join(SurveyChoice, SurveyChoice.id == SurveyAnswerChoice.choice_id)
            .where(SurveyAnswerChoice.respondent_id.in_(ids))
            .order_by(SurveyChoice.position)):
        picked[respondent_id, question_id].append(choice_id)

    sizes: dict[str, int] = defaultdict(int)
    for _id, category, _name, _at in people:
        sizes[category or ""] += 1
    rows = []
    for respondent_id, category, name, _at in people:
        cells = []
        for question in survey.questions:
            key = (respondent_id, question.id)
            if question.kind in ("one", "many"):
                cells.append(MANY_SEPARATOR.join(labels[c] for c in picked.get(key, [])))
            else:
                cells.append(answers.get(key, ""))
        if survey.names_shops:
            rows.append([name or "", category or "", *cells])
        else:
            shown = category if category and sizes[category] >= MIN_GROUP else small_group
            rows.append([shown, *cells])
    rows.sort(key=lambda row: [cell.casefold() for cell in row])
    return Table(prompts=[question.prompt for question in survey.questions], rows=rows)
