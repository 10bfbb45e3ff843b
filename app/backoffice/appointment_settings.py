"""The settings of the appointment desk: the office's week, the topics, closures, and the
staff member's private calendar feed."""

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from ..auth.decorators import staff_required
from ..extensions import db
from ..models import AppointmentTopic
from ..services import appointment_desk as desk
from ..services import appointment_settings as settings
from ..services.editing import InvalidInput
from ..services.errors import Problem
from . import bp
from .appointment_forms import (
    NO_SERVICE,
    ClosureForm,
    FeedForm,
    OfficeWeekForm,
    TopicForm,
    desk_message,
    duration_choices,
    week_rows,
)
from .routes import actor_id, now


def attach(form: Any, problems: list[Problem]) -> list[str]:
    """Put each refusal on its field; return the messages without a field."""
    loose = []
    for problem in problems:
        message = desk_message(problem.field, problem.code, problem.context)
        if problem.field in form:
            form[problem.field].errors = [*form[problem.field].errors, message]
        else:
            loose.append(message)
    return loose


def feed_url() -> str | None:
    """The logged-in staff member's feed URL, if they have one."""
    token = current_user.calendar_token
    if not token:
        return None
    return url_for("backoffice.appointment_feed", feed_token=token, _external=True)


@bp.route("/termine/einstellungen", methods=["GET", "POST"])
@staff_required
def appointment_settings() -> BaseResponse | tuple[str, int]:
    """The office's week: up to three intervals a weekday, with their advisers."""
    form = OfficeWeekForm()
    loose: list[str] = []
    status = 200
    if form.is_submitted():
        if not form.validate():
            if form.csrf_token.errors:
                abort(400)
            status = 400
        else:
            raw = {name: form[name].data for name in settings.WEEK_FIELDS}
            try:
                settings.save_week(raw, now=now(), actor_id=actor_id())
            except InvalidInput as error:
                loose = attach(form, error.problems)
                status = 400
            else:
                flash(_("Die Woche des Büros ist gespeichert. Schon gebuchte Termine bleiben, "
                        "wie sie sind."), "ok")
                return redirect(url_for("backoffice.appointment_settings"), code=303)
    else:
        for name, value in settings.week_values(settings.office_week()).items():
            form[name].data = value
    page = render_template("backoffice/appointment_settings.html", form=form,
                           rows=week_rows(form), loose=loose, feed_form=FeedForm(),
                           feed_url=feed_url())
    return page, status


def topic_form(topic: AppointmentTopic | None, form: TopicForm | None = None) -> TopicForm:
    """A topic's form (from the request or filled from the topic) with its choices."""
    prefix = f"thema-{topic.id}" if topic else "neu"
    if form is None:
        data: dict[str, Any] = {"duration_minutes": 30, "position": "0", "active": True,
                                "service_id": NO_SERVICE}
        if topic is not None:
            data = {"name": topic.name, "duration_minutes": topic.duration_minutes,
                    "position": str(topic.position), "active": topic.active,
                    "service_id": topic.service_id or NO_SERVICE}
        form = TopicForm(prefix=prefix, formdata=None, data=data)
    form.duration_minutes.choices = duration_choices()
    form.service_id.choices = [SelectChoice(NO_SERVICE, _("keine"))] + [
        SelectChoice(service.id, service.title) for service in settings.services()]
    return form


def render_topics(*, status: int = 200, bound: TopicForm | None = None,
                  bound_id: int | None = None, loose: list[str] | None = None
                  ) -> tuple[str, int]:
    """The topics page; ``bound`` is a refused form (of topic ``bound_id``, or the new one)."""
    topics = settings.topics()
    forms = [(topic, bound if bound is not None and bound_id == topic.id
              else topic_form(topic)) for topic in topics]
    new = bound if bound is not None and bound_id is None else topic_form(None)
    page = render_template("backoffice/appointment_topics.html", forms=forms, new=new,
                           loose=loose or [], bound_id=bound_id if bound else -1)
    return page, status


def topic_input(form: TopicForm) -> settings.TopicInput:
    """The service's input from the form."""
    position = (form.position.data or "").strip()
    return settings.TopicInput(
        name=(form.name.data or "").strip(),
        duration_minutes=form.duration_minutes.data,
        position=int(position) if position.isdigit() else None,
        active=bool(form.active.data),
        service_id=form.service_id.data or None,
    )


@bp.get("/termine/einstellungen/themen")
@staff_required
def appointment_topics() -> tuple[str, int]:
    """The topics people book, each with its form, and a form for a new one."""
    return render_topics()


def save_topic(topic: AppointmentTopic | None) -> BaseResponse | tuple[str, int]:
    """Create (``topic`` None) or change a topic from the posted form."""
    form = topic_form(topic, TopicForm(prefix=f"thema-{topic.id}" if topic else "neu"))
    bound_id = topic.id if topic else None
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return render_topics(status=400, bound=form, bound_id=bound_id)
    try:
        if topic is None:
            saved = settings.add_topic(topic_input(form), now=now(), actor_id=actor_id())
        else:
            saved = settings.edit_topic(topic.id, topic_input(form), now=now(),
                                        actor_id=actor_id())
    except InvalidInput as error:
        loose = attach(form, error.problems)
        return render_topics(status=400, bound=form, bound_id=bound_id, loose=loose)
    flash(_("Das Thema „%(name)s“ ist gespeichert.", name=saved.name), "ok")
    return redirect(url_for("backoffice.appointment_topics", _anchor=f"thema-{saved.id}"),
                    code=303)


@bp.post("/termine/einstellungen/themen")
@staff_required
def appointment_topic_new() -> BaseResponse | tuple[str, int]:
    """Add a topic."""
    return save_topic(None)


@bp.post("/termine/einstellungen/themen/<int:topic_id>")
@staff_required
def appointment_topic_edit(topic_id: int) -> BaseResponse | tuple[str, int]:
    """Change a topic."""
    topic = db.session.get(AppointmentTopic, topic_id)
    if topic is None:
        abort(404)
    return save_topic(topic)


def render_closures(form: ClosureForm | None = None, *, status: int = 200,
                    loose: list[str] | None = None) -> tuple[str, int]:
    """The closures page."""
    items = settings.closures(now=now())
    page = render_template(
        "backoffice/appointment_closures.html", form=form or ClosureForm(), loose=loose or [],
        closures=[(item, settings.bookings_in(item.starts_on, item.ends_on)) for item in items],
        remove_form=FeedForm(),
    )
    return page, status


@bp.route("/termine/einstellungen/schliessungen", methods=["GET", "POST"])
@staff_required
def appointment_closures() -> BaseResponse | tuple[str, int]:
    """The office's closures; the form adds one."""
    form = ClosureForm()
    if not form.is_submitted():
        return render_closures(form)
    if not form.validate():
        if form.csrf_token.errors:
            abort(400)
        return render_closures(form, status=400)
    try:
        settings.add_closure(starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                             reason=form.reason.data or "", now=now(), actor_id=actor_id())
    except InvalidInput as error:
        loose = attach(form, error.problems)
        return render_closures(form, status=400, loose=loose)
    flash(_("Die Schließung ist eingetragen. Termine, die schon gebucht sind, bleiben; "
            "sagen Sie sie bei Bedarf in der Terminübersicht ab."), "ok")
    return redirect(url_for("backoffice.appointment_closures"), code=303)


@bp.post("/termine/einstellungen/schliessungen/<int:closure_id>/entfernen")
@staff_required
def appointment_closure_remove(closure_id: int) -> BaseResponse:
    """Remove a closure (once; a second click changes nothing)."""
    if not FeedForm().validate_on_submit():
        abort(400)
    if settings.remove_closure(closure_id, now=now(), actor_id=actor_id()):
        flash(_("Die Schließung ist entfernt."), "ok")
    return redirect(url_for("backoffice.appointment_closures"), code=303)


@bp.post("/termine/kalender")
@staff_required
def appointment_feed_renew() -> BaseResponse:
    """Create or renew the logged-in staff member's feed URL (the old one stops working)."""
    if not FeedForm().validate_on_submit():
        abort(400)
    had = bool(current_user.calendar_token)
    desk.renew_feed_token(int(current_user.id), now=now(), actor_id=actor_id())
    flash(_("Ihre neue Kalender-Adresse steht unten; die alte funktioniert nicht mehr.")
          if had else _("Ihre Kalender-Adresse steht unten."), "ok")
    return redirect(url_for("backoffice.appointment_settings", _anchor="kalender"), code=303)


@bp.post("/termine/kalender/aus")
@staff_required
def appointment_feed_off() -> BaseResponse:
    """Switch the logged-in staff member's feed off."""
    if not FeedForm().validate_on_submit():
        abort(400)
    desk.remove_feed_token(int(current_user.id), now=now(), actor_id=actor_id())
    flash(_("Ihr Kalender-Abo ist abgeschaltet."), "ok")
    return redirect(url_for("backoffice.appointment_settings", _anchor="kalender"), code=303)
