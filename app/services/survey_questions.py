"""The questions of a survey in the back office: add, edit, move and delete them with
their options (app.services.surveys has the survey itself).

Every function takes the survey's row lock first and refuses once the survey has answers
(``locked``); see app.services.surveys for the order of the questions (positions follow
the pages) and the lock. A published survey not answered yet may still change its
questions, but only so that it could still be published.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..control_characters import has_control_characters
from ..db import begin_write
from ..extensions import db
from ..models import CHOICE_KINDS, QUESTION_KINDS, Survey, SurveyChoice, SurveyQuestion
from .editing import EditError, audit, refuse
from .errors import Problem
from .surveys import (
    HELP_MAX,
    LABEL_MAX,
    OPTIONS_MAX,
    PAGE_MAX,
    PROMPT_MAX,
    QUESTIONS_MAX,
    check_text,
    publication_problems,
    survey_for_question_change,
)

DIRECTIONS = ("up", "down")


@dataclass(frozen=True)
class QuestionInput:
    """A question as staff enter it: ``options`` one per line of the form's text area
    (blank lines already dropped); ``page`` ``None`` when unreadable."""

    kind: str
    prompt: str
    help: str
    required: bool
    page: int | None
    options: tuple[str, ...]


def check_question(values: QuestionInput) -> list[Problem]:
    """Every reason to refuse a question as entered."""
    problems: list[Problem] = []
    if values.kind not in QUESTION_KINDS:
        problems.append(Problem("kind", "unknown_kind"))
    check_text(problems, "prompt", values.prompt, PROMPT_MAX, required=True)
    check_text(problems, "help", values.help, HELP_MAX)
    if values.page is None or not 1 <= values.page <= PAGE_MAX:
        problems.append(Problem("page", "page_range", {"max": PAGE_MAX}))
    if values.kind in CHOICE_KINDS:
        if len(values.options) > OPTIONS_MAX:
            problems.append(Problem("options", "too_many_options", {"max": OPTIONS_MAX}))
        for label in values.options:
            if len(label) > LABEL_MAX:
                problems.append(Problem("options", "option_too_long", {"max": LABEL_MAX}))
                break
            if has_control_characters(label):
                problems.append(Problem("options", "control_characters"))
                break
        folded = [label.casefold() for label in values.options]
        if len(set(folded)) != len(folded):
            problems.append(Problem("options", "duplicate_option"))
    elif values.options and values.kind in QUESTION_KINDS:
        problems.append(Problem("options", "no_options_here"))
    return problems


# ---------------------------------------------------------------------------
# Questions
# ---------------------------------------------------------------------------


def _keep_publishable(survey: Survey) -> None:
    """A published survey (not answered yet) stays as it could be published: refuse a
    change that leaves it without questions, with a choice of fewer than two options, or
    with a gap in its pages (:func:`publication_problems`)."""
    if survey.status == "published":
        problems = publication_problems(survey)
        if problems:
            refuse(problems)


def _renumber(questions: Sequence[SurveyQuestion]) -> None:
    """Give ``questions`` (all of one survey, in their new order) the positions 1…n.

    UNIQUE (survey, position) is checked per statement on PostgreSQL, so the rows first
    move above every position in use, then down to their places, in this transaction.
    """
    above = max(question.position for question in questions) + 1
    for offset, question in enumerate(questions):
        question.position = above + offset
    db.session.flush()
    for number, question in enumerate(questions, start=1):
        question.position = number
    db.session.flush()


def _in_page_order(questions: Sequence[SurveyQuestion]) -> list[SurveyQuestion]:
    """The questions by page, and within a page as they were."""
    return sorted(questions, key=lambda question: (question.page, question.position))


def _question(survey: Survey, question_id: int) -> SurveyQuestion:
    """The survey's question ``question_id``; else ``unknown_question``."""
    for question in survey.questions:
        if question.id == question_id:
            return question
    db.session.rollback()
    raise EditError("unknown_question")


def _set_options(question: SurveyQuestion, options: Sequence[str]) -> None:
    """The question's options as given (none for a scale or a text question)."""
    if [choice.label for choice in question.choices] == list(options):
        return
    question.choices.clear()
    db.session.flush()
    question.choices.extend(SurveyChoice(position=number, label=label)
                            for number, label in enumerate(options, start=1))


def add_question(*, survey_id: int, values: QuestionInput, now: datetime,
                 actor_id: int | None) -> SurveyQuestion:
    """A new question at the end of its page. Refused: ``locked``, ``archived``,
    ``too_many_questions``, and field by field. Audited as ``survey.question_add``."""
    begin_write()
    survey = survey_for_question_change(survey_id)
    problems = check_question(values)
    if len(survey.questions) >= QUESTIONS_MAX:
        problems.append(Problem("", "too_many_questions", {"max": QUESTIONS_MAX}))
    if problems:
        refuse(problems)
    last = max((question.position for question in survey.questions), default=0)
    question = SurveyQuestion(
        position=last + 1, page=values.page, kind=values.kind, prompt=values.prompt,
        help=values.help, required=values.required,
        choices=[SurveyChoice(position=number, label=label)
                 for number, label in enumerate(values.options, start=1)])
    survey.questions.append(question)
    db.session.flush()
    _renumber(_in_page_order(survey.questions))
    _keep_publishable(survey)
    survey.updated_at = now
    audit(now, actor_id, "survey.question_add", survey.slug, question=question.id,
          kind=question.kind)
    db.session.commit()
    return question


def update_question(*, survey_id: int, question_id: int, values: QuestionInput,
                    now: datetime, actor_id: int | None) -> SurveyQuestion:
    """Save a changed question and its options; a new page moves it to the end of that
    page. Refused as :func:`add_question`, and ``unknown_question``. Audited as
    ``survey.question_edit``."""
    begin_write()
    survey = survey_for_question_change(survey_id)
    question = _question(survey, question_id)
    problems = check_question(values)
    if problems:
        refuse(problems)
    fields = ("kind", "prompt", "help", "required", "page")
    before = {name: getattr(question, name) for name in fields}
    options_before = [choice.label for choice in question.choices]
    new_page = values.page != question.page
    question.kind, question.prompt, question.help = values.kind, values.prompt, values.help
    question.required = values.required
    question.page = values.page or question.page
    _set_options(question, values.options if values.kind in CHOICE_KINDS else ())
    changed = sorted(name for name, old in before.items() if getattr(question, name) != old)
    if options_before != [choice.label for choice in question.choices]:
        changed.append("options")
    if new_page:
        # After every question of its new page: last of all, then sorted by page.
        question.position = max(other.position for other in survey.questions) + 1
        db.session.flush()
        _renumber(_in_page_order(survey.questions))
    _keep_publishable(survey)
    survey.updated_at = now
    audit(now, actor_id, "survey.question_edit", survey.slug, question=question.id,
          changed=changed)
    db.session.commit()
    return question


def delete_question(*, survey_id: int, question_id: int, now: datetime,
                    actor_id: int | None) -> None:
    """Remove a question with its options; the others close the gap. Refused as
    :func:`update_question`. Audited as ``survey.question_delete``."""
    begin_write()
    survey = survey_for_question_change(survey_id)
    question = _question(survey, question_id)
    prompt = question.prompt
    survey.questions.remove(question)
    db.session.flush()
    if survey.questions:
        _renumber(survey.questions)
    _keep_publishable(survey)
    survey.updated_at = now
    audit(now, actor_id, "survey.question_delete", survey.slug, question=question_id,
          prompt=prompt)
    db.session.commit()


def move_question(*, survey_id: int, question_id: int, direction: str, now: datetime,
                  actor_id: int | None) -> SurveyQuestion:
    """Move a question one place ``up`` or ``down``. Next to a question of another page
    it changes page instead (the last place of the page before, the first of the page
    after), so the pages keep their order. Refused as :func:`update_question`,
    ``bad_direction``, ``at_edge`` (already first or last). Audited as
    ``survey.question_move``."""
    if direction not in DIRECTIONS:
        raise EditError("bad_direction")
    begin_write()
    survey = survey_for_question_change(survey_id)
    question = _question(survey, question_id)
    order = list(survey.questions)
    index = order.index(question)
    neighbour_index = index - 1 if direction == "up" else index + 1
    if not 0 <= neighbour_index < len(order):
        db.session.rollback()
        raise EditError("at_edge")
    neighbour = order[neighbour_index]
    if neighbour.page != question.page:
        question.page = neighbour.page
    else:
        order[index], order[neighbour_index] = neighbour, question
        _renumber(order)
    _keep_publishable(survey)
    survey.updated_at = now
    audit(now, actor_id, "survey.question_move", survey.slug, question=question.id,
          direction=direction, position=question.position, page=question.page)
    db.session.commit()
    return question


