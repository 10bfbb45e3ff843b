"""The office's side of the needs surveys: create and edit a survey, copy, publish and
archive it (its questions: app.services.survey_questions).

Every function checks everything before it writes, runs in one write transaction with
the survey's row locked, records an audit entry, and refuses with an ``EditError``
(``InvalidInput`` field by field) that leaves nothing written.

Questions are ordered by ``position`` (UNIQUE per survey), and the positions always
follow the pages: every question of page 1 comes before every question of page 2. So
the order staff see is the order respondents see, page by page. Once a survey has an
answer (``locked_at``, set by app.services.survey_answers under the same row lock) its
questions and options stay as they are (``locked``); title, introduction and dates may
still change. Staff copy the survey to ask other questions.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select

from ..control_characters import has_control_characters
from ..db import begin_write
from ..extensions import db
from ..models import (
    CHOICE_KINDS,
    Survey,
    SurveyAnswer,
    SurveyChoice,
    SurveyQuestion,
    SurveyRespondent,
)
from .editing import SLUG_MAX, SLUG_RE, EditError, audit, refuse, slugify
from .errors import Problem
from .event_admin import form_moment

# The model's column lengths (and sensible bounds of the texts), checked so that the
# database never refuses.
TITLE_MAX = 120
INTRO_MAX = 20_000
CONSENT_MAX = 5_000
PROMPT_MAX = 300
HELP_MAX = 300
LABEL_MAX = 200
OPTIONS_MAX = 30
PAGE_MAX = 20
QUESTIONS_MAX = 100
COPY_SUFFIX = "-kopie"


@dataclass(frozen=True)
class SurveyInput:
    """A survey as staff enter it; a date or time is ``None`` when it was left empty or
    unreadable."""

    title: str
    slug: str
    intro: str
    opens_date: date | None
    opens_time: time | None
    closes_date: date | None
    closes_time: time | None
    names_shops: bool
    open_link: bool
    open_consent: str


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------


def check_text(problems: list[Problem], field: str, value: str, limit: int, *,
          required: bool = False, multiline: bool = False) -> None:
    """Presence, length and control characters of one text."""
    if required and not value:
        problems.append(Problem(field, "missing"))
    elif len(value) > limit:
        problems.append(Problem(field, "too_long", {"max": limit}))
    elif has_control_characters(value, multiline=multiline):
        problems.append(Problem(field, "control_characters"))


def _slug_taken(slug: str, survey_id: int | None) -> bool:
    """Whether another survey has ``slug``."""
    query = select(Survey.id).where(Survey.slug == slug)
    if survey_id is not None:
        query = query.where(Survey.id != survey_id)
    return db.session.scalar(query) is not None


def free_slug(base: str, survey_id: int | None = None) -> str:
    """``base`` or, when taken, ``base-2``, ``base-3`` … (within the column's length)."""
    base = base[:SLUG_MAX].strip("-") or "umfrage"
    slug, n = base, 2
    while _slug_taken(slug, survey_id):
        suffix = f"-{n}"
        slug, n = base[:SLUG_MAX - len(suffix)].strip("-") + suffix, n + 1
    return slug


def check_survey(values: SurveyInput, *, survey_id: int | None
                 ) -> tuple[list[Problem], tuple[datetime, datetime] | None]:
    """Every reason to refuse ``values`` (for the survey ``survey_id``, or a new one), and
    the open and close moments in UTC when they are all right."""
    problems: list[Problem] = []
    check_text(problems, "title", values.title, TITLE_MAX, required=True)
    if values.slug:
        if len(values.slug) > SLUG_MAX or not SLUG_RE.fullmatch(values.slug):
            problems.append(Problem("slug", "bad_slug", {"max": SLUG_MAX}))
        elif _slug_taken(values.slug, survey_id):
            problems.append(Problem("slug", "slug_taken"))
    check_text(problems, "intro", values.intro, INTRO_MAX, multiline=True)
    opens = form_moment("opens", values.opens_date, values.opens_time, problems)
    closes = form_moment("closes", values.closes_date, values.closes_time, problems)
    if opens and closes and closes <= opens:
        problems.append(Problem("closes_date", "closes_before_opening"))
    check_text(problems, "open_consent", values.open_consent, CONSENT_MAX, multiline=True)
    if values.open_link and not values.open_consent:
        problems.append(Problem("open_consent", "consent_missing"))
    if problems or opens is None or closes is None:
        return problems, None
    return problems, (opens, closes)


# ---------------------------------------------------------------------------
# The survey
# ---------------------------------------------------------------------------


def _locked_survey(survey_id: int) -> Survey:
    """The survey, its row locked for this transaction and read afresh (so ``locked_at``
    is what the first answer wrote, never an older copy); else ``unknown_survey``."""
    survey = db.session.get(Survey, survey_id, with_for_update=True, populate_existing=True)
    if survey is None:
        db.session.rollback()
        raise EditError("unknown_survey")
    return survey


def has_answers(survey_id: int) -> bool:
    """Whether any answer to the survey is stored (drafts included)."""
    return db.session.scalar(select(SurveyAnswer.question_id).where(
        SurveyAnswer.survey_id == survey_id).limit(1)) is not None


def questions_fixed(survey: Survey) -> bool:
    """Whether the survey's questions may no longer change: it has answers."""
    return survey.locked_at is not None or has_answers(survey.id)


def survey_for_question_change(survey_id: int) -> Survey:
    """The survey under its row lock, for a change of its questions: refused with
    ``locked`` once it has answers, ``archived`` when archived."""
    survey = _locked_survey(survey_id)
    if questions_fixed(survey):
        db.session.rollback()
        raise EditError("locked")
    if survey.status == "archived":
        db.session.rollback()
        raise EditError("archived")
    return survey


def create_survey(*, values: SurveyInput, now: datetime, actor_id: int | None) -> Survey:
    """A new draft; its slug from the title when none is given. Audited as
    ``survey.create``."""
    begin_write()
    problems, moments = check_survey(values, survey_id=None)
    if problems or moments is None:
        refuse(problems)
    survey = Survey(slug=values.slug or free_slug(slugify(values.title)), status="draft",
                    created_at=now, updated_at=now, created_by=actor_id)
    _apply(survey, values, moments)
    db.session.add(survey)
    db.session.flush()
    audit(now, actor_id, "survey.create", survey.slug)
    db.session.commit()
    return survey


def _apply(survey: Survey, values: SurveyInput, moments: tuple[datetime, datetime]) -> None:
    """Write the checked values onto ``survey`` (not its slug or status)."""
    survey.title = values.title
    survey.intro = values.intro
    survey.opens_at, survey.closes_at = moments
    survey.names_shops = values.names_shops
    survey.open_link = values.open_link
    survey.open_consent = values.open_consent


def update_survey(*, survey_id: int, values: SurveyInput, now: datetime,
                  actor_id: int | None) -> Survey:
    """Save the survey's own fields (allowed even after answers: they are not questions).
    An empty slug keeps the old one. Whether results name the shops is said up front and
    cannot change once answers exist (``names_fixed``). Audited as ``survey.edit``."""
    begin_write()
    survey = _locked_survey(survey_id)
    problems, moments = check_survey(values, survey_id=survey.id)
    if values.names_shops != survey.names_shops and questions_fixed(survey):
        problems.append(Problem("names_shops", "names_fixed"))
    if problems or moments is None:
        refuse(problems)
    fields = ("slug", "title", "intro", "opens_at", "closes_at", "names_shops", "open_link",
              "open_consent")
    before = {name: getattr(survey, name) for name in fields}
    _apply(survey, values, moments)
    if values.slug:
        survey.slug = values.slug
    changed = sorted(name for name, old in before.items() if getattr(survey, name) != old)
    survey.updated_at = now
    audit(now, actor_id, "survey.edit", survey.slug, changed=changed)
    db.session.commit()
    return survey


def copy_survey(*, survey_id: int, now: datetime, actor_id: int | None) -> Survey:
    """A new draft with the same texts, dates, questions and options, ``copied_from_id``
    set, slug ``…-kopie``; no respondents, not locked. Audited as ``survey.copy``."""
    begin_write()
    original = _locked_survey(survey_id)
    copy = Survey(
        slug=free_slug(original.slug[:SLUG_MAX - len(COPY_SUFFIX)] + COPY_SUFFIX),
        title=original.title, intro=original.intro, status="draft",
        opens_at=original.opens_at, closes_at=original.closes_at,
        names_shops=original.names_shops, open_link=original.open_link,
        open_consent=original.open_consent, copied_from_id=original.id, created_at=now,
        updated_at=now, created_by=actor_id,
        questions=[SurveyQuestion(
            position=question.position, page=question.page, kind=question.kind,
            prompt=question.prompt, help=question.help, required=question.required,
            choices=[SurveyChoice(position=choice.position, label=choice.label)
                     for choice in question.choices])
            for question in original.questions])
    db.session.add(copy)
    db.session.flush()
    audit(now, actor_id, "survey.copy", copy.slug, original=original.slug)
    db.session.commit()
    return copy


def publication_problems(survey: Survey) -> list[Problem]:
    """Why the survey cannot be published yet (empty: it can)."""
    problems: list[Problem] = []
    if not survey.questions:
        problems.append(Problem("", "no_questions"))
    for question in survey.questions:
        if question.kind in CHOICE_KINDS and len(question.choices) < 2:
            problems.append(Problem("", "too_few_options", {"prompt": question.prompt}))
    pages = sorted({question.page for question in survey.questions})
    if pages and pages != list(range(1, len(pages) + 1)):
        problems.append(Problem("", "page_gap", {"pages": ", ".join(map(str, pages))}))
    return problems


def publish_survey(*, survey_id: int, now: datetime, actor_id: int | None) -> Survey:
    """Draft → published. Refused: ``not_draft``, ``closed`` (its close lies in the past),
    and as ``InvalidInput`` :func:`publication_problems`. Audited as ``survey.publish``."""
    begin_write()
    survey = _locked_survey(survey_id)
    if survey.status != "draft":
        db.session.rollback()
        raise EditError("not_draft")
    if survey.closes_at <= now:
        db.session.rollback()
        raise EditError("closed")
    problems = publication_problems(survey)
    if problems:
        refuse(problems)
    survey.status = "published"
    survey.updated_at = now
    audit(now, actor_id, "survey.publish", survey.slug, questions=len(survey.questions))
    db.session.commit()
    return survey


def archive_survey(*, survey_id: int, now: datetime, actor_id: int | None) -> Survey:
    """Published → archived (kept for its results, no longer answerable); refused with
    ``not_published``. Audited as ``survey.archive``."""
    begin_write()
    survey = _locked_survey(survey_id)
    if survey.status != "published":
        db.session.rollback()
        raise EditError("not_published")
    survey.status = "archived"
    survey.updated_at = now
    audit(now, actor_id, "survey.archive", survey.slug)
    db.session.commit()
    return survey


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """How many respondents of a survey have sent their answers, and how many have only
    saved a draft."""

    submitted: int = 0
    drafts: int = 0


def staff_surveys() -> list[Survey]:
    """Every survey for the back office: drafts and published ones first (opening
    newest first), then the archived ones."""
    rows = db.session.scalars(select(Survey).order_by(Survey.opens_at.desc(), Survey.id))
    return sorted(rows, key=lambda survey: survey.status == "archived")


def answer_counts(survey_ids: Sequence[int]) -> dict[int, Counts]:
    """Submitted and draft respondents per survey (only those that answered anything
    count as drafts: a link not yet opened is no draft)."""
    counts: dict[int, Counts] = {}
    if not survey_ids:
        return counts
    answered = select(SurveyAnswer.respondent_id).where(
        SurveyAnswer.survey_id.in_(survey_ids))
    rows = db.session.execute(
        select(SurveyRespondent.survey_id, SurveyRespondent.submitted_at.is_not(None),
               func.count())
        .where(SurveyRespondent.survey_id.in_(survey_ids),
               (SurveyRespondent.submitted_at.is_not(None))
               | SurveyRespondent.id.in_(answered))
        .group_by(SurveyRespondent.survey_id, SurveyRespondent.submitted_at.is_not(None)))
    for survey_id, submitted, count in rows:
        old = counts.get(survey_id, Counts())
        counts[survey_id] = (Counts(count, old.drafts) if submitted
                             else Counts(old.submitted, count))
    return counts


def pages(survey: Survey) -> list[tuple[int, list[SurveyQuestion]]]:
    """The survey's questions page by page, as respondents see them."""
    grouped: dict[int, list[SurveyQuestion]] = {}
    for question in survey.questions:
        grouped.setdefault(question.page, []).append(question)
    return sorted(grouped.items())
