"""The needs surveys in the back office: the list, create and edit a survey with its
questions on one page (add, edit, move, delete), a preview, copy, publish and archive.

Staff and admins only (``staff_required``). The domain work is in app.services.surveys;
the invitations and the results have their own modules.
"""

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from .. import clock
from ..auth.decorators import staff_required
from ..extensions import db
from ..models import Survey, SurveyQuestion
from ..services import survey_questions as questions_service
from ..services import surveys as service
from ..services.content import render_markdown
from ..services.editing import EditError, InvalidInput
from ..services.errors import Problem
from ..services.survey_questions import QuestionInput
from ..services.surveys import SurveyInput
from . import bp
from .events import local_text
from .routes import actor_id, now
from .survey_forms import (
    KIND_LABELS,
    STATUS_LABELS,
    ActionForm,
    QuestionForm,
    SurveyForm,
    survey_message,
)

NEW_QUESTION = "neu"
DIRECTIONS = {"hoch": "up", "runter": "down"}
Page = BaseResponse | tuple[str, int] | str
# Refusals because of the survey's state (not the input): 409.
CONFLICTS = ("locked", "archived", "not_draft", "not_published", "closed")


def get_survey(survey_id: int) -> Survey:
    """The survey or 404."""
    return db.get_or_404(Survey, survey_id)


def helpers() -> dict[str, Any]:
    """What every survey template uses."""
    return {"kind_labels": KIND_LABELS, "status_labels": STATUS_LABELS,
            "local_text": local_text, "action_form": ActionForm(),
            "has_view": lambda endpoint: endpoint in current_app.view_functions}


def _text(value: str | None) -> str:
    """A text area's value trimmed, with Unix line ends."""
    return (value or "").strip().replace("\r\n", "\n")


def survey_input(form: SurveyForm) -> SurveyInput:
    """The service's input from the survey form."""
    return SurveyInput(
        title=" ".join((form.title.data or "").split()),
        slug=(form.slug.data or "").strip(), intro=_text(form.intro.data),
        opens_date=form.opens_date.data, opens_time=form.opens_time.data,
        closes_date=form.closes_date.data, closes_time=form.closes_time.data,
        names_shops=bool(form.names_shops.data), open_link=bool(form.open_link.data),
        open_consent=_text(form.open_consent.data))


def question_input(form: QuestionForm) -> QuestionInput:
    """The service's input from a question form: the options one per line, blank lines
    dropped."""
    lines = (" ".join(line.split()) for line in (form.options.data or "").splitlines())
    return QuestionInput(
        kind=form.kind.data or "", prompt=" ".join((form.prompt.data or "").split()),
        help=" ".join((form.help.data or "").split()), required=bool(form.required.data),
        page=form.page.data, options=tuple(line for line in lines if line))


def filled_survey_form(survey: Survey) -> SurveyForm:
    """The survey form filled from the survey."""
    opens, closes = clock.local(survey.opens_at), clock.local(survey.closes_at)
    return SurveyForm(formdata=None, data={
        "title": survey.title, "slug": survey.slug, "intro": survey.intro,
        "opens_date": opens.date(), "opens_time": opens.time(),
        "closes_date": closes.date(), "closes_time": closes.time(),
        "names_shops": survey.names_shops, "open_link": survey.open_link,
        "open_consent": survey.open_consent})


def filled_question_form(question: SurveyQuestion) -> QuestionForm:
    """A question's edit form, filled from it."""
    return QuestionForm(formdata=None, prefix=f"frage-{question.id}", data={
        "kind": question.kind, "prompt": question.prompt, "help": question.help,
        "options": "\n".join(choice.label for choice in question.choices),
        "page": question.page, "required": question.required})


def new_question_form(survey: Survey | None = None, formdata: bool = False) -> QuestionForm:
    """The empty form for a new question (on the last page so far), or the posted one."""
    if formdata:
        return QuestionForm(prefix=NEW_QUESTION)
    last_page = max((question.page for question in survey.questions), default=1) \
        if survey else 1
    return QuestionForm(formdata=None, prefix=NEW_QUESTION, data={"page": last_page})


def attach_problems(form: Any, problems: list[Problem]) -> list[str]:
    """Put each refusal on its field; return the messages without a field."""
    loose = []
    for problem in problems:
        message = survey_message(problem.field, problem.code, problem.context)
        if problem.field and problem.field in form:
            field = form[problem.field]
            if message not in field.errors:
                field.errors = [*field.errors, message]
        else:
            loose.append(message)
    return loose


def render_edit(survey: Survey | None, *, survey_form: SurveyForm | None = None,
                question_forms: dict[int, QuestionForm] | None = None,
                new_form: QuestionForm | None = None, loose: list[str] | None = None,
                open_question: int | None = None) -> str:
    """The new or edit page: the survey's fields, and (editing) its questions."""
    if survey is not None:
        db.session.refresh(survey)
    forms = question_forms or {}
    if survey is not None:
        forms = {question.id: forms.get(question.id) or filled_question_form(question)
                 for question in survey.questions}
    return render_template(
        "backoffice/surveys/edit.html", survey=survey,
        form=survey_form or (filled_survey_form(survey) if survey else SurveyForm(
            formdata=None)),
        question_forms=forms, new_form=new_form or new_question_form(survey),
        loose=loose or [], open_question=open_question,
        fixed=survey is not None and service.questions_fixed(survey),
        pages=service.pages(survey) if survey else [],
        publication_problems=[
            survey_message(p.field, p.code, p.context)
            for p in service.publication_problems(survey)] if survey and survey.status
        == "draft" else [], **helpers())


def refused(survey: Survey, error: EditError) -> tuple[str, int]:
    """An action refused as a whole: the edit page with its message (409 when the
    survey's state forbids it, 400 otherwise); nothing was written."""
    if error.code in ("unknown_survey", "unknown_question"):
        abort(404)
    if isinstance(error, InvalidInput):
        messages = [survey_message(p.field, p.code, p.context) for p in error.problems]
    else:
        messages = [survey_message("", error.code, error.context)]
    return render_edit(survey, loose=messages), 409 if error.code in CONFLICTS else 400


def checked_action() -> None:
    """A button's POST: its CSRF token checked (400 otherwise)."""
    if not ActionForm().validate_on_submit():
        abort(400)


# ---------------------------------------------------------------------------
# The list, new, edit
# ---------------------------------------------------------------------------


@bp.get("/umfragen")
@staff_required
def surveys() -> str:
    """Every survey with its dates and how many have answered."""
    rows = service.staff_surveys()
    counts = service.answer_counts([survey.id for survey in rows])
    return render_template("backoffice/surveys/list.html", surveys=rows, counts=counts,
                           no_counts=service.Counts(), **helpers())


@bp.route("/umfragen/neu", methods=["GET", "POST"])
@staff_required
def survey_new() -> Page:
    """A new survey (a draft); on to its page to add the questions."""
    if request.method == "GET":
        return render_edit(None)
    form = SurveyForm()
    if not form.validate_on_submit():
        return render_edit(None, survey_form=form), 400
    try:
        survey = service.create_survey(values=survey_input(form), now=now(),
                                       actor_id=actor_id())
    except InvalidInput as error:
        return render_edit(None, survey_form=form,
                           loose=attach_problems(form, error.problems)), 400
    flash(_("Die Umfrage „%(title)s“ ist als Entwurf gespeichert. Fügen Sie jetzt die "
            "Fragen hinzu.", title=survey.title), "ok")
    return redirect(url_for("backoffice.survey_edit", survey_id=survey.id,
                            _anchor="neue-frage"), code=303)


@bp.route("/umfragen/<int:survey_id>", methods=["GET", "POST"])
@staff_required
def survey_edit(survey_id: int) -> Page:
    """The survey's fields and its questions; POST saves the survey's own fields."""
    survey = get_survey(survey_id)
    if request.method == "GET":
        return render_edit(survey)
    form = SurveyForm()
    if not form.validate_on_submit():
        return render_edit(survey, survey_form=form), 400
    try:
        service.update_survey(survey_id=survey.id, values=survey_input(form), now=now(),
                              actor_id=actor_id())
    except InvalidInput as error:
        return render_edit(survey, survey_form=form,
                           loose=attach_problems(form, error.problems)), 400
    except EditError as error:
        return refused(survey, error)
    flash(_("Die Angaben der Umfrage sind gespeichert."), "ok")
    return redirect(url_for("backoffice.survey_edit", survey_id=survey.id), code=303)


# ---------------------------------------------------------------------------
# Questions
# ---------------------------------------------------------------------------


@bp.post("/umfragen/<int:survey_id>/fragen")
@staff_required
def survey_question_add(survey_id: int) -> Page:
    """Add a question at the end of its page."""
    survey = get_survey(survey_id)
    form = new_question_form(formdata=True)
    if not form.validate_on_submit():
        return render_edit(survey, new_form=form), 400
    try:
        question = questions_service.add_question(survey_id=survey.id, values=question_input(form),
                                        now=now(), actor_id=actor_id())
    except InvalidInput as error:
        return render_edit(survey, new_form=form,
                           loose=attach_problems(form, error.problems)), 400
    except EditError as error:
        return refused(survey, error)
    flash(_("Die Frage „%(prompt)s“ ist hinzugefügt.", prompt=question.prompt), "ok")
    return redirect(url_for("backoffice.survey_edit", survey_id=survey.id,
                            _anchor="neue-frage"), code=303)


@bp.post("/umfragen/<int:survey_id>/fragen/<int:question_id>")
@staff_required
def survey_question_edit(survey_id: int, question_id: int) -> Page:
    """Save a changed question."""
    survey = get_survey(survey_id)
    form = QuestionForm(prefix=f"frage-{question_id}")
    if not form.validate_on_submit():
        return render_edit(survey, question_forms={question_id: form},
                           open_question=question_id), 400
    try:
        question = questions_service.update_question(survey_id=survey.id, question_id=question_id,
                                           values=question_input(form), now=now(),
                                           actor_id=actor_id())
    except InvalidInput as error:
        loose = attach_problems(form, error.problems)
        return render_edit(survey, question_forms={question_id: form}, loose=loose,
                           open_question=question_id), 400
    except EditError as error:
        return refused(survey, error)
    flash(_("Die Frage „%(prompt)s“ ist gespeichert.", prompt=question.prompt), "ok")
    return redirect(url_for("backoffice.survey_edit", survey_id=survey.id,
                            _anchor=f"frage-{question.id}"), code=303)


@bp.post("/umfragen/<int:survey_id>/fragen/<int:question_id>/loeschen")
@staff_required
def survey_question_delete(survey_id: int, question_id: int) -> Page:
    """Delete a question and its options."""
    survey = get_survey(survey_id)
    checked_action()
    try:
        questions_service.delete_question(survey_id=survey.id, question_id=question_id, now=now(),
                                actor_id=actor_id())
    except EditError as error:
        return refused(survey, error)
    flash(_("Die Frage ist gelöscht."), "ok")
    return redirect(url_for("backoffice.survey_edit", survey_id=survey.id,
                            _anchor="fragen-titel"), code=303)


@bp.post("/umfragen/<int:survey_id>/fragen/<int:question_id>/verschieben")
@staff_required
def survey_question_move(survey_id: int, question_id: int) -> Page:
    """Move a question one place up (``richtung=hoch``) or down (``runter``)."""
    survey = get_survey(survey_id)
    checked_action()
    direction = DIRECTIONS.get(request.form.get("richtung", ""))
    if direction is None:
        abort(400)
    try:
        questions_service.move_question(survey_id=survey.id, question_id=question_id,
                              direction=direction, now=now(), actor_id=actor_id())
    except EditError as error:
        return refused(survey, error)
    flash(_("Die Frage ist verschoben."), "ok")
    return redirect(url_for("backoffice.survey_edit", survey_id=survey.id,
                            _anchor=f"frage-{question_id}"), code=303)


# ---------------------------------------------------------------------------
# Preview, copy, publish, archive
# ---------------------------------------------------------------------------


@bp.get("/umfragen/<int:survey_id>/vorschau")
@staff_required
def survey_preview(survey_id: int) -> str:
    """The survey as respondents see it, every page one after the other, nothing to
    send."""
    survey = get_survey(survey_id)
    return render_template("backoffice/surveys/preview.html", survey=survey,
                           intro=render_markdown(survey.intro),
                           pages=service.pages(survey), **helpers())


@bp.post("/umfragen/<int:survey_id>/kopieren")
@staff_required
def survey_copy(survey_id: int) -> Page:
    """A draft copy with all questions; on to its page."""
    survey = get_survey(survey_id)
    checked_action()
    try:
        copy = service.copy_survey(survey_id=survey.id, now=now(), actor_id=actor_id())
    except EditError as error:
        return refused(survey, error)
    flash(_("Die Kopie ist ein Entwurf ohne Antworten. Bitte prüfen Sie Titel, Adresse und "
            "Daten."), "ok")
    return redirect(url_for("backoffice.survey_edit", survey_id=copy.id), code=303)


@bp.post("/umfragen/<int:survey_id>/veroeffentlichen")
@staff_required
def survey_publish(survey_id: int) -> Page:
    """Draft → published."""
    survey = get_survey(survey_id)
    checked_action()
    try:
        service.publish_survey(survey_id=survey.id, now=now(), actor_id=actor_id())
    except EditError as error:
        return refused(survey, error)
    flash(_("Die Umfrage ist veröffentlicht. Sie ist zwischen Beginn und Ende über ihre "
            "Links zu beantworten."), "ok")
    return redirect(url_for("backoffice.survey_edit", survey_id=survey.id), code=303)


@bp.post("/umfragen/<int:survey_id>/archivieren")
@staff_required
def survey_archive(survey_id: int) -> Page:
    """Published → archived."""
    survey = get_survey(survey_id)
    checked_action()
    try:
        service.archive_survey(survey_id=survey.id, now=now(), actor_id=actor_id())
    except EditError as error:
        return refused(survey, error)
    flash(_("Die Umfrage ist archiviert. Ihre Ergebnisse bleiben."), "ok")
    return redirect(url_for("backoffice.survey_edit", survey_id=survey.id), code=303)
