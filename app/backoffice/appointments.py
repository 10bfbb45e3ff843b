"""The appointment desk: the office's week by day and adviser, and what staff do with a
booking (confirm, decline, "nicht erschienen", a note); the private calendar feed.

The settings (week, topics, closures) are in ``appointment_settings``.
"""

from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse

from .. import clock
from ..auth.decorators import staff_required
from ..extensions import db
from ..models import Appointment
from ..services import appointment_desk as desk
from ..services.calendar import CONTENT_TYPE
from . import bp
from .appointment_forms import ActionForm, DeclineForm, NoteForm, desk_message
from .routes import actor_id, now

WEEK_PARAMETER = "woche"


def chosen_monday() -> date:
    """The Monday of ``?woche=YYYY-MM-DD`` (any day of the week), else of today (404 if
    the value is no date)."""
    text = request.args.get(WEEK_PARAMETER, "")
    if not text:
        return desk.monday_of(clock.local(now()).date())
    try:
        return desk.monday_of(date.fromisoformat(text))
    except ValueError:
        abort(404)


def render_week(monday: date, *, status: int = 200,
                forms: dict[tuple[int, str], DeclineForm | NoteForm] | None = None
                ) -> tuple[str, int]:
    """The desk's week; ``forms`` holds a refused form by (booking, kind) to show again."""
    week = desk.desk_week(monday, now=now())
    bound = forms or {}

    def decline_form(appointment: Appointment) -> DeclineForm:
        """The booking's decline form (the refused one if it was sent)."""
        form = bound.get((appointment.id, "decline"))
        return form if isinstance(form, DeclineForm) else \
            DeclineForm(prefix=f"t{appointment.id}", formdata=None)

    def note_form(appointment: Appointment) -> NoteForm:
        """The booking's note form, filled with the stored note."""
        form = bound.get((appointment.id, "note"))
        if isinstance(form, NoteForm):
            return form
        return NoteForm(prefix=f"t{appointment.id}", formdata=None,
                        data={"staff_note": appointment.staff_note})

    page = render_template(
        "backoffice/appointments.html", week=week, now=now(), action_form=ActionForm(),
        decline_form=decline_form, note_form=note_form, status_label=desk.status_label,
        day_label=lambda day: format_date(day, "d. MMMM"),
        weekday_label=lambda day: format_date(day, "EEEE, d. MMMM"),
    )
    return page, status


@bp.get("/termine")
@staff_required
def appointments() -> tuple[str, int]:
    """Today and the week (Monday to Thursday) by adviser; ``?woche=`` another week."""
    return render_week(chosen_monday())


def back_to(appointment_id: int) -> BaseResponse:
    """Back to the week of the booking, at the booking."""
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None:
        return redirect(url_for("backoffice.appointments"), code=303)
    monday = desk.monday_of(clock.local(appointment.starts_at).date())
    return redirect(url_for("backoffice.appointments", woche=monday.isoformat(),
                            _anchor=f"termin-{appointment_id}"), code=303)


def refused(error: desk.DeskError) -> None:
    """Flash the German text of a desk refusal (404 for a booking that does not exist)."""
    if error.code == "unknown_appointment":
        abort(404)
    flash(desk_message("", error.code, error.context), "error")


def refused_form(form: FlaskForm, appointment_id: int, action: str) -> tuple[str, int] | None:
    """None when a booking's form is valid; else the booking's week again with the form's
    messages (400), or 404 for an unknown booking and 400 for a missing CSRF token."""
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None:
        abort(404)
    if form.validate_on_submit():
        return None
    if form.csrf_token.errors:
        abort(400)
    monday = desk.monday_of(clock.local(appointment.starts_at).date())
    return render_week(monday, status=400, forms={(appointment_id, action): form})


@bp.post("/termine/<int:appointment_id>/bestaetigen")
@staff_required
def appointment_confirm(appointment_id: int) -> BaseResponse:
    """Confirm a booking; the person gets a mail with the calendar file."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        changed = desk.confirm(appointment_id, now=now(), actor_id=actor_id())
    except desk.DeskError as error:
        refused(error)
    else:
        flash(_("Der Termin ist bestätigt; die Person bekommt eine E-Mail.") if changed
              else _("Dieser Termin war schon bestätigt."), "ok")
    return back_to(appointment_id)


@bp.post("/termine/<int:appointment_id>/absagen")
@staff_required
def appointment_decline(appointment_id: int) -> BaseResponse | tuple[str, int]:
    """Decline a booking (with an optional message); its time is free again."""
    form = DeclineForm(prefix=f"t{appointment_id}")
    if (page := refused_form(form, appointment_id, "decline")) is not None:
        return page
    try:
        changed = desk.decline(appointment_id, message=form.message.data or "", now=now(),
                               actor_id=actor_id())
    except desk.DeskError as error:
        refused(error)
    else:
        flash(_("Der Termin ist abgesagt und die Zeit wieder frei; die Person bekommt eine "
                "E-Mail.") if changed else _("Dieser Termin war schon abgesagt."), "ok")
    return back_to(appointment_id)


@bp.post("/termine/<int:appointment_id>/nicht-erschienen")
@staff_required
def appointment_no_show(appointment_id: int) -> BaseResponse:
    """Record that the person did not come; no mail."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        desk.mark_no_show(appointment_id, now=now(), actor_id=actor_id())
    except desk.DeskError as error:
        refused(error)
    else:
        flash(_("Vermerkt: nicht erschienen."), "ok")
    return back_to(appointment_id)


@bp.post("/termine/<int:appointment_id>/notiz")
@staff_required
def appointment_note(appointment_id: int) -> BaseResponse | tuple[str, int]:
    """Store the office's own note on a booking."""
    form = NoteForm(prefix=f"t{appointment_id}")
    if (page := refused_form(form, appointment_id, "note")) is not None:
        return page
    try:
        desk.set_staff_note(appointment_id, note=form.staff_note.data or "", now=now(),
                            actor_id=actor_id())
    except desk.DeskError as error:
        refused(error)
    else:
        flash(_("Die Notiz ist gespeichert."), "ok")
    return back_to(appointment_id)


@bp.get("/termine/kalender/<feed_token>.ics")
def appointment_feed(feed_token: str) -> Response:
    """The office's bookings as a calendar feed, for the staff member whose secret URL
    this is. No session: calendar programs cannot log in; the token is the key."""
    if desk.feed_owner(feed_token) is None:
        abort(404)
    response = Response(desk.feed_file(now=now()), content_type=CONTENT_TYPE)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = 'inline; filename="termine.ics"'
    return response
