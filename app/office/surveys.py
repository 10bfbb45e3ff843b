"""The office's needs surveys in public: a survey's first page (with the open link's
request form) and answering through a personal link, page by page.

The personal link ``/umfragen/antworten/<token>`` is a capability (unknown → 404) and
never cached. Its GETs only show; every page is saved by POST as a draft, and a last
step sends the answers. Before the survey opens the link shows when it will; after it
closes, the answers read-only.
"""

import re
from collections.abc import Mapping, Sequence

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from werkzeug.wrappers import Response as BaseResponse

from .. import clock
from ..extensions import limiter
from ..models import Survey, SurveyRespondent
from ..security import no_store
from ..services import survey_answers as service
from ..services.content import render_markdown
from ..services.errors import Problem
from ..services.survey_answers import LONG_MAX, SHORT_MAX, Answer, SurveyAnswerError
from . import bp
from .survey_forms import AnswerForm, LinkRequestForm

FIELD_NAME = re.compile(r"q(\d+)")
# A field naming a question id longer than this names none (refused as unknown).
ID_DIGITS = 9
# The words of the 1-to-5 scale.
SCALE_LABELS = {
    1: _l("1 – trifft gar nicht zu"),
    2: _l("2 – trifft eher nicht zu"),
    3: _l("3 – teils, teils"),
    4: _l("4 – trifft eher zu"),
    5: _l("5 – trifft voll zu"),
}
# The German text of each problem of an answer.
ANSWER_MESSAGES: dict[str, LazyString] = {
    "unknown_question": _l("Diese Antwort gehört zu keiner Frage dieser Seite."),
    "bad_choice": _l("Bitte wählen Sie eine der angebotenen Antworten."),
    "several_choices": _l("Bitte wählen Sie nur eine Antwort."),
    "bad_scale": _l("Bitte wählen Sie einen Wert von 1 bis 5."),
    "control_characters": _l("Bitte entfernen Sie Steuerzeichen (unsichtbare Zeichen, oft "
                             "aus kopiertem Text)."),
    "required": _l("Bitte beantworten Sie diese Pflichtfrage."),
}
TOO_LONG = {
    "short": _l("Bitte fassen Sie sich kürzer: höchstens %(max)s Zeichen.", max=SHORT_MAX),
    "long": _l("Bitte fassen Sie sich kürzer: höchstens %(max)s Zeichen.", max=LONG_MAX),
}
# Field and German text of each refusal of the open link's form.
LINK_MESSAGES = {
    "bad_company": ("company", _l("Bitte geben Sie den Namen Ihres Unternehmens an "
                                  "(höchstens 120 Zeichen).")),
    "bad_email": ("email", _l("Das ist keine gültige E-Mail-Adresse.")),
    "bad_category": ("category", _l("Bitte wählen Sie eine Branche aus der Liste.")),
    "consent_missing": ("consent", _l("Bitte stimmen Sie zu, damit wir Ihnen den Link "
                                      "schicken können.")),
    "control_characters": ("company", _l("Bitte entfernen Sie Steuerzeichen (unsichtbare "
                                         "Zeichen, oft aus kopiertem Text).")),
}
CLOSED_MESSAGE = _l("Die Umfrage ist beendet. Antworten lassen sich nicht mehr ändern.")
NOT_OPEN_MESSAGE = _l("Die Umfrage ist noch nicht geöffnet.")


def link_limit() -> str:
    """The configured limit for link requests (per address)."""
    return str(current_app.config["RATELIMIT_SURVEY_LINK"])


# ---------------------------------------------------------------------------
# The survey's first page and the open link
# ---------------------------------------------------------------------------


def survey_or_404(slug: str) -> Survey:
    """The published survey at ``slug``, or 404 (a draft stays hidden)."""
    survey = service.published_by_slug(slug)
    if survey is None:
        abort(404)
    return survey


def intro_page(survey: Survey, form: LinkRequestForm, *, message: object = None) -> str:
    """The survey's first page, with the open link's form as filled in."""
    form.category.choices = [("", _l("Bitte wählen"))] + [
        (name, name) for name in service.categories()]
    return render_template(
        "office/surveys/intro.html", survey=survey, form=form, message=message,
        intro=render_markdown(survey.intro), state=service.state(survey, clock.utcnow()),
        consent=render_markdown(survey.open_consent))


@bp.route("/umfragen/<slug>", methods=["GET", "POST"])
@limiter.limit(link_limit, methods=["POST"])
@no_store
def survey(slug: str) -> BaseResponse | tuple[str, int] | str:
    """The survey's first page; its POST mails a personal link (open link). Not cached:
    the form carries the session's CSRF token."""
    found = survey_or_404(slug)
    form = LinkRequestForm()
    if not form.is_submitted():
        return intro_page(found, form)
    if not found.open_link:
        abort(404)
    if not form.validate():
        return intro_page(found, form), 400
    try:
        service.request_link(
            slug=found.slug, company=form.company.data or "", email=form.email.data or "",
            category=form.category.data or "", consent=bool(form.consent.data),
            now=clock.utcnow())
    except SurveyAnswerError as error:
        if error.code in LINK_MESSAGES:
            name, message = LINK_MESSAGES[error.code]
            getattr(form, name).errors = [message]
            return intro_page(found, form), 400
        return intro_page(found, form, message=CLOSED_MESSAGE if error.code == "closed"
                          else NOT_OPEN_MESSAGE), 409
    return redirect(url_for("office.survey_link_sent", slug=found.slug), code=303)


@bp.get("/umfragen/<slug>/link-verschickt")
@no_store
def survey_link_sent(slug: str) -> str:
    """The confirmation (the same for every address)."""
    return render_template("office/surveys/link_sent.html", survey=survey_or_404(slug))


# ---------------------------------------------------------------------------
# Answering through the personal link
# ---------------------------------------------------------------------------


def respondent_or_404(token: str) -> SurveyRespondent:
    """The respondent of the personal link, or 404."""
    respondent = service.respondent_by_token(token)
    if respondent is None:
        abort(404)
    return respondent


def page_number(survey: Survey, *, default: int) -> int:
    """The page the query names (``?seite=2``), or ``default``; 404 for another."""
    raw = request.args.get("seite", "")
    if not raw:
        return default
    if not raw.isdigit() or int(raw) not in service.pages(survey):
        abort(404)
    return int(raw)


def submitted_values(form: Mapping[str, object]) -> dict[int, list[str]]:
    """The answer fields of a POST (``q<id>``) by question id; other fields are not
    answers (the CSRF token, the buttons)."""
    values: dict[int, list[str]] = {}
    getlist = request.form.getlist
    for name in form:
        if match := FIELD_NAME.fullmatch(name):
            digits = match.group(1)
            values[int(digits) if len(digits) <= ID_DIGITS else -1] = getlist(name)
    return values


def shown_answers(values: Mapping[int, Sequence[str]]) -> dict[int, Answer]:
    """What a refused page showed as filled in, to fill it in again."""
    answers = {}
    for question_id, raw in values.items():
        numbers = {int(value) for value in raw if value.isdigit() and len(value) < 10}
        answers[question_id] = Answer(choices=numbers,
                                      scale=min(numbers) if numbers else None,
                                      text=raw[0] if raw else "")
    return answers


def problem_messages(survey: Survey, problems: Sequence[Problem]) -> dict[str, object]:
    """The German message of each field's problem."""
    kinds = {service.question_field(q.id): q.kind for q in survey.questions}
    messages: dict[str, object] = {}
    for problem in problems:
        if problem.code == "too_long":
            messages[problem.field] = TOO_LONG[
                "long" if kinds.get(problem.field) == "long" else "short"]
        else:
            messages[problem.field] = ANSWER_MESSAGES.get(
                problem.code, ANSWER_MESSAGES["bad_choice"])
    return messages


def answers_page(respondent: SurveyRespondent, page: int, *, token: str,
                 answers: Mapping[int, Answer] | None = None,
                 problems: Mapping[str, object] | None = None) -> str:
    """Page ``page`` of the survey as a form, filled in with ``answers`` (else the saved
    ones), with each field's problem."""
    survey = service.survey_of(respondent)
    numbers = service.pages(survey)
    return render_template(
        "office/surveys/page.html", survey=survey, respondent=respondent, page=page,
        pages=numbers, questions=service.questions_on(survey, page),
        answers=service.saved_answers(respondent) if answers is None else answers,
        problems=problems or {}, form=AnswerForm(), scale_labels=SCALE_LABELS,
        short_max=SHORT_MAX, long_max=LONG_MAX, token=token)


def closed_page(respondent: SurveyRespondent, *, message: object = None) -> str:
    """The answers read-only, once the survey has ended."""
    survey = service.survey_of(respondent)
    return render_template(
        "office/surveys/closed.html", survey=survey, respondent=respondent,
        answers=service.saved_answers(respondent), message=message,
        scale_labels=SCALE_LABELS, pages=service.pages(survey))


def not_open_page(respondent: SurveyRespondent) -> str:
    """The friendly "not yet" page."""
    return render_template("office/surveys/not_open.html",
                           survey=service.survey_of(respondent), message=None)


def refused_state(respondent: SurveyRespondent, code: str) -> tuple[str, int]:
    """The answer to a POST the survey's dates refuse: 409, nothing stored."""
    if code == "closed":
        return closed_page(respondent, message=CLOSED_MESSAGE), 409
    return render_template("office/surveys/not_open.html",
                           survey=service.survey_of(respondent), message=NOT_OPEN_MESSAGE), 409


@bp.route("/umfragen/antworten/<token>", methods=["GET", "POST"])
@no_store
def survey_answers(token: str) -> BaseResponse | tuple[str, int] | str:
    """A page of the survey (GET: show, POST: save as a draft and go on); without a page
    the first one, or the thanks once the answers are sent."""
    respondent = respondent_or_404(token)
    survey = service.survey_of(respondent)
    current = service.state(survey, clock.utcnow())
    if request.method == "GET":
        if current == "not_open":
            return not_open_page(respondent)
        if current == "closed":
            return closed_page(respondent)
        if "seite" not in request.args and respondent.submitted_at is not None:
            return render_template("office/surveys/thanks.html", survey=survey,
                                   respondent=respondent, token=token,
                                   first_page=service.pages(survey)[0])
        return answers_page(respondent, page_number(survey, default=1), token=token)
    page = page_number(survey, default=1)
    if not AnswerForm().validate():
        abort(400)
    values = submitted_values(request.form)
    try:
        service.save_page(token=token, page=page, submitted=values, now=clock.utcnow())
    except SurveyAnswerError as error:
        if error.code == "unknown_respondent":
            abort(404)
        if error.code != "invalid":
            return refused_state(respondent, error.code)
        problems: list[Problem] = list(error.context.get("problems", ()))  # type: ignore[call-overload]
        return answers_page(respondent, page, token=token, answers=shown_answers(values),
                            problems=problem_messages(survey, problems)), 400
    numbers = service.pages(survey)
    index = numbers.index(page)
    if request.form.get("ziel") == "zurueck" and index > 0:
        return redirect(url_for("office.survey_answers", token=token,
                                seite=numbers[index - 1]), code=303)
    if index + 1 < len(numbers):
        return redirect(url_for("office.survey_answers", token=token,
                                seite=numbers[index + 1]), code=303)
    return redirect(url_for("office.survey_submit", token=token), code=303)


def review_page(respondent: SurveyRespondent, *, token: str, refused: bool = False) -> str:
    """All answers at a glance, the unanswered required questions marked, and the
    button that sends them."""
    survey = service.survey_of(respondent)
    answers = service.saved_answers(respondent)
    return render_template(
        "office/surveys/review.html", survey=survey, respondent=respondent,
        answers=answers, missing=service.missing_required(survey, answers),
        refused=refused, form=AnswerForm(), scale_labels=SCALE_LABELS,
        pages=service.pages(survey), token=token)


@bp.route("/umfragen/antworten/<token>/absenden", methods=["GET", "POST"])
@no_store
def survey_submit(token: str) -> BaseResponse | tuple[str, int] | str:
    """The last step: the answers at a glance (GET); send them (POST)."""
    respondent = respondent_or_404(token)
    current = service.state(service.survey_of(respondent), clock.utcnow())
    if request.method == "GET":
        if current == "not_open":
            return not_open_page(respondent)
        if current == "closed":
            return closed_page(respondent)
        return review_page(respondent, token=token)
    if not AnswerForm().validate():
        abort(400)
    try:
        service.submit(token=token, now=clock.utcnow())
    except SurveyAnswerError as error:
        if error.code == "unknown_respondent":
            abort(404)
        if error.code == "incomplete":
            return review_page(respondent, token=token, refused=True), 400
        return refused_state(respondent, error.code)
    return redirect(url_for("office.survey_answers", token=token), code=303)

