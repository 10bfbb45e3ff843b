"""Booking a consultation: topics, free times by day, the form, the personal page.

The personal page ``/termine/<token>`` is a capability (unknown → 404) and never
cached. Every GET only shows; moving and cancelling happen by POST buttons on the
linked pages, so a mail scanner that opens every link changes nothing.
"""

from datetime import UTC, date, datetime, timedelta
from itertools import groupby

from flask import (
    Response,
    abort,
    current_app,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from .. import clock
from ..extensions import limiter
from ..models import Appointment, AppointmentTopic
from ..security import NO_STORE, no_store
from ..services import appointments as service
from ..services.appointments import AppointmentError, FreeTime
from ..services.calendar import CONTENT_TYPE
from . import bp
from .appointment_forms import BookingForm, ChangeForm

TIME_FORMAT = "%Y-%m-%dT%H:%MZ"

# Field and German text of each refusal of the form.
BOOKING_MESSAGES = {
    "bad_name": ("name", _l("Bitte geben Sie Ihren Namen ein (höchstens 100 Zeichen).")),
    "bad_email": ("email", _l("Das ist keine gültige E-Mail-Adresse.")),
    "bad_phone": ("phone", _l("Das ist keine gültige Telefonnummer.")),
    "note_too_long": ("note", _l("Bitte fassen Sie sich kürzer (höchstens 1000 Zeichen).")),
    "consent_missing": ("consent", _l("Bitte stimmen Sie zu, damit wir den Termin "
                                      "vereinbaren können.")),
    "control_characters": ("name", _l("Bitte entfernen Sie Steuerzeichen (unsichtbare "
                                      "Zeichen, oft aus kopiertem Text).")),
}


def booking_limit() -> str:
    """The configured limit for booking requests (per address)."""
    return str(current_app.config["RATELIMIT_BOOKING"])


def time_param(moment: datetime) -> str:
    """A free time as it travels in links and forms (UTC, to the minute)."""
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def parse_time(value: str | None) -> datetime | None:
    """The UTC instant of a ``zeit`` parameter, or None."""
    try:
        return datetime.strptime(value or "", TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def by_day(times: list[FreeTime]) -> list[tuple[date, list[FreeTime]]]:
    """Free times grouped by their local day."""
    return [(day, list(group)) for day, group in groupby(times, key=lambda free: free.day)]


def week_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def one_week(times: list[FreeTime], start: str | None) -> tuple[list[FreeTime], date | None,
                                                                date | None]:
    """The free times of one week (the one from ``start``, else the first with times),
    and the Mondays of the weeks before and after that have any."""
    weeks = sorted({week_of(free.day) for free in times})
    if not weeks:
        return [], None, None
    try:
        wanted = week_of(date.fromisoformat(start)) if start else weeks[0]
    except ValueError:
        wanted = weeks[0]
    shown = next((week for week in weeks if week >= wanted), weeks[-1])
    earlier = [week for week in weeks if week < shown]
    later = [week for week in weeks if week > shown]
    return ([free for free in times if week_of(free.day) == shown],
            earlier[-1] if earlier else None, later[0] if later else None)


def chosen_topic() -> AppointmentTopic | None:
    """The topic the ``thema`` parameter names (404 for an unknown one), or None."""
    slug = request.args.get("thema", "")
    if not slug:
        return None
    topic = service.topic_by_slug(slug)
    if topic is None:
        abort(404)
    return topic


@bp.get("/termine")
def appointments() -> str:
    """Topics, and with one chosen, its free times of a week as links, by day."""
    topic = chosen_topic()
    page: dict[str, object] = {"topics": service.active_topics(), "topic": topic}
    if topic is not None:
        times, earlier, later = one_week(service.free_times(topic, now=clock.utcnow()),
                                         request.args.get("ab"))
        page.update(days=by_day(times), earlier=earlier, later=later)
    return render_template("office/appointments/index.html", **page,
                           time_param=time_param)


def booking_page(form: BookingForm, topic: AppointmentTopic, starts_at: datetime,
                 alternatives: list[FreeTime] | None = None) -> str:
    """The booking form for ``topic`` at ``starts_at`` (with "gerade vergeben"
    alternatives when the time went meanwhile)."""
    return render_template(
        "office/appointments/book.html", form=form, topic=topic, starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=topic.duration_minutes),
        alternatives=alternatives, time_param=time_param)


@bp.route("/termine/buchen", methods=["GET", "POST"])
@limiter.limit(booking_limit, methods=["POST"])
@no_store
def book() -> BaseResponse | tuple[str, int] | str:
    """The form for one free time; its POST books (or answers 409 "gerade vergeben")."""
    topic = chosen_topic()
    if topic is None:
        return redirect(url_for("office.appointments"))
    form = BookingForm()
    starts_at = parse_time(form.zeit.data if form.is_submitted() else request.args.get("zeit"))
    if starts_at is None:
        if form.is_submitted():
            return render_template("office/appointments/gone.html", topic=topic), 400
        return redirect(url_for("office.appointments", thema=topic.slug))
    if not form.is_submitted():
        form.zeit.data = time_param(starts_at)
        return booking_page(form, topic, starts_at)
    if not form.validate():
        return booking_page(form, topic, starts_at), 400
    now = clock.utcnow()
    try:
        appointment = service.book(
            topic_slug=topic.slug, starts_at=starts_at, name=form.name.data or "",
            email=form.email.data or "", phone=form.phone.data or "",
            note=form.note.data or "", consent=bool(form.consent.data), now=now)
    except AppointmentError as error:
        if error.code == "slot_taken":
            alternatives: list[FreeTime] = error.context.get("alternatives", [])  # type: ignore[assignment]
            return booking_page(form, topic, starts_at, alternatives), 409
        if error.code in BOOKING_MESSAGES:
            field, message = BOOKING_MESSAGES[error.code]
            getattr(form, field).errors = [message]
            return booking_page(form, topic, starts_at), 400
        # not_offered: the time is past the notice or the horizon, or never existed.
        return render_template("office/appointments/gone.html", topic=topic), 400
    flash("booked", "appointment")
    return redirect(url_for("office.appointment", token=appointment.token), code=303)


def appointment_or_404(token: str) -> Appointment:
    """The booking of the personal link, or 404."""
    appointment = service.by_token(token)
    if appointment is None:
        abort(404)
    return appointment


@bp.get("/termine/<token>")
@no_store
def appointment(token: str) -> str:
    """The personal page: the booking, its calendar file, moving and cancelling."""
    found = appointment_or_404(token)
    notices = get_flashed_messages(category_filter=["appointment"])
    return render_template(
        "office/appointments/show.html", appointment=found, notices=notices,
        changeable=service.changeable(found, clock.utcnow()),
        link=service.manage_link(found))


@bp.get("/termine/<token>.ics")
@no_store
def appointment_calendar(token: str) -> Response:
    """The booking as a calendar file to open in a calendar program."""
    found = appointment_or_404(token)
    response = Response(service.calendar_text(found, now=clock.utcnow()),
                        content_type=CONTENT_TYPE)
    response.headers["Content-Disposition"] = 'attachment; filename="termin.ics"'
    response.headers["Cache-Control"] = NO_STORE
    return response


@bp.route("/termine/<token>/verschieben", methods=["GET", "POST"])
@limiter.limit(booking_limit, methods=["POST"])
@no_store
def move(token: str) -> BaseResponse | tuple[str, int] | str:
    """Pick a new time (links, by day), confirm it, and move the booking by POST."""
    found = appointment_or_404(token)
    now = clock.utcnow()
    if not service.changeable(found, now):
        return redirect(url_for("office.appointment", token=token))
    form = ChangeForm()
    if form.is_submitted():
        starts_at = parse_time(form.zeit.data)
        if not form.validate() or starts_at is None:
            abort(400)
        try:
            service.move(token=token, starts_at=starts_at, now=now)
        except AppointmentError as error:
            if error.code == "slot_taken":
                nearby: list[FreeTime] = error.context.get("alternatives", [])  # type: ignore[assignment]
                return render_template(
                    "office/appointments/move.html", appointment=found, chosen=None,
                    form=form, days=by_day(nearby), earlier=None, later=None,
                    taken=True, time_param=time_param), 409
            if error.code == "not_changeable":
                return redirect(url_for("office.appointment", token=token), code=303)
            return render_template("office/appointments/gone.html", topic=found.topic), 400
        flash("moved", "appointment")
        return redirect(url_for("office.appointment", token=token), code=303)
    chosen = parse_time(request.args.get("zeit"))
    if chosen is not None:
        form.zeit.data = time_param(chosen)
        return render_template(
            "office/appointments/move.html", appointment=found, chosen=chosen, form=form,
            chosen_end=chosen + (found.ends_at - found.starts_at), taken=False,
            time_param=time_param)
    # The booking's own time is no choice; leave it out before a week is picked, so that
    # a week whose only free time is the booking's own is not shown empty.
    others = [free for free in service.free_times(found.topic, now=now, ignore=found.id)
              if free.starts_at != found.starts_at]
    times, earlier, later = one_week(others, request.args.get("ab"))
    return render_template(
        "office/appointments/move.html", appointment=found, chosen=None, form=form,
        days=by_day(times), earlier=earlier, later=later, taken=False,
        time_param=time_param)


@bp.route("/termine/<token>/absagen", methods=["GET", "POST"])
@no_store
def cancel(token: str) -> BaseResponse | str:
    """Ask once more, then cancel the booking by POST."""
    found = appointment_or_404(token)
    now = clock.utcnow()
    if not service.changeable(found, now):
        return redirect(url_for("office.appointment", token=token))
    form = ChangeForm()
    if form.is_submitted():
        if not form.validate():
            abort(400)
        try:
            service.cancel(token=token, now=now)
        except AppointmentError:
            return redirect(url_for("office.appointment", token=token), code=303)
        flash("cancelled", "appointment")
        return redirect(url_for("office.appointment", token=token), code=303)
    return render_template("office/appointments/cancel.html", appointment=found, form=form)
