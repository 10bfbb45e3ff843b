"""The office's events in the back office: the list, create, edit (with a picture),
copy, cancel, a preview of drafts, the registrations with the waiting list, their CSV
export, a printable check-in list, check-in on a phone, and the attendance report.

Staff and admins only (``staff_required``), as the appointment desk. The domain work is
in app.services.event_admin (and app.services.events).
"""

import csv
import io
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from .. import clock
from ..auth.decorators import fresh_login_required, staff_required
from ..extensions import csrf, db
from ..models import AuditEvent, Event, EventRegistration, Service, Shop
from ..services import event_admin
from ..services import events as event_service
from ..services.content import render_markdown
from ..services.editing import EditError, InvalidInput
from ..services.event_admin import EventInput
from ..services.events import AUDIENCE_LABELS, KIND_LABELS
from ..services.images import MAX_BYTES
from . import bp
from .draws import csv_safe, iso_or_empty
from .event_forms import NO_CHOICE, ActionForm, CancelForm, EventForm, event_message
from .routes import actor_id, now

PREVIEW = "vorschau"
UPLOAD_LIMIT = MAX_BYTES + 256 * 1024
STATUS_LABELS = {
    "draft": _l("Entwurf"), "published": _l("veröffentlicht"), "cancelled": _l("abgesagt"),
}
REGISTRATION_LABELS = {
    "confirmed": _l("bestätigt"), "offered": _l("Platz angeboten"), "waiting": _l("wartet"),
    "cancelled": _l("selbst abgesagt"), "expired": _l("Angebot verfallen"),
    "removed": _l("vom Büro entfernt"),
}


def status_label(status: str) -> str:
    """German word of an event's status."""
    return str(STATUS_LABELS.get(status, status))


def registration_label(status: str) -> str:
    """German word of a registration's status."""
    return str(REGISTRATION_LABELS.get(status, status))


def local_text(moment: Any) -> str:
    """"10.12.2026, 18:00" in Berlin time, or empty."""
    if moment is None:
        return ""
    at = clock.local(moment)
    return f"{format_date(at, 'dd.MM.y')}, {format_time(at, 'HH:mm')}"


def get_event(event_id: int) -> Event:
    """The event or 404."""
    return db.get_or_404(Event, event_id)


def helpers() -> dict[str, Any]:
    """What every events template uses."""
    return {"status_label": status_label, "registration_label": registration_label,
            "kind_labels": KIND_LABELS, "audience_labels": AUDIENCE_LABELS,
            "when_text": event_service.when_text, "local_text": local_text,
            "places_left": event_service.places_left,
            "event_begun": lambda event: now() >= event.starts_at}


# ---------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------


@bp.get("/veranstaltungen")
@staff_required
def events() -> str:
    """Upcoming events (drafts and cancelled ones too), then the past ones."""
    coming, over = event_admin.staff_events(now())
    waiting = event_admin.waiting_counts([event.id for event in coming + over])
    return render_template("backoffice/events.html", coming=coming, over=over,
                           waiting=waiting, copy_form=ActionForm(), **helpers())


# ---------------------------------------------------------------------------
# New and edit
# ---------------------------------------------------------------------------


def with_choices(form: EventForm) -> EventForm:
    """The form's shop and service choices."""
    form.host_shop_id.choices = [SelectChoice(NO_CHOICE, _("Kein Geschäft"))] + [
        SelectChoice(shop.id, shop.name)
        for shop in db.session.scalars(select(Shop).order_by(Shop.name))]
    form.service_id.choices = [SelectChoice(NO_CHOICE, _("Keine Serviceseite"))] + [
        SelectChoice(service.id, service.title)
        for service in db.session.scalars(select(Service).order_by(Service.position,
                                                                   Service.title))]
    return form


def filled_form(event: Event) -> EventForm:
    """The edit form filled from the event."""
    start, end = clock.local(event.starts_at), clock.local(event.ends_at)
    closes = clock.local(event.registration_closes_at)
    data: dict[str, Any] = {
        "title": event.title, "kind": event.kind, "summary": event.summary,
        "description": event.description, "start_date": start.date(),
        "start_time": start.time(), "end_date": end.date() if end.date() != start.date()
        else None, "end_time": end.time(), "place": event.place,
        "online_url": event.online_url, "host_shop_id": event.host_shop_id or NO_CHOICE,
        "service_id": event.service_id or NO_CHOICE, "capacity": event.capacity,
        "audiences": event.audience_keys, "image_alt": event.image_alt,
        "status": event.status if event.status != "cancelled" else "published",
    }
    if closes != start:
        data["closes_date"], data["closes_time"] = closes.date(), closes.time()
    return with_choices(EventForm(formdata=None, data=data))


def event_input(form: EventForm) -> EventInput:
    """The service's input from the form, texts trimmed and with Unix line ends."""

    def text(value: str | None) -> str:
        return (value or "").strip().replace("\r\n", "\n")

    return EventInput(
        title=" ".join((form.title.data or "").split()), kind=form.kind.data or "",
        summary=text(form.summary.data), description=text(form.description.data),
        start_date=form.start_date.data, start_time=form.start_time.data,
        end_date=form.end_date.data, end_time=form.end_time.data,
        closes_date=form.closes_date.data, closes_time=form.closes_time.data,
        place=text(form.place.data), online_url=text(form.online_url.data),
        host_shop_id=form.host_shop_id.data or None, service_id=form.service_id.data or None,
        capacity=form.capacity.data, audiences=tuple(form.audiences.data or ()),
        image_alt=text(form.image_alt.data), status=form.status.data or "")


def attach_problems(form: EventForm, problems: list[Any]) -> list[str]:
    """Put each refusal on its field; return the messages without a field."""
    loose = []
    for problem in problems:
        message = event_message(problem.field, problem.code, problem.context)
        if problem.field in form:
            if message not in form[problem.field].errors:
                form[problem.field].errors = [*form[problem.field].errors, message]
        else:
            loose.append(message)
    return loose


def render_form(form: EventForm, event: Event | None, **extra: Any) -> str:
    """The new or edit page."""
    extra.setdefault("loose", [])
    return render_template("backoffice/event_form.html", form=form, event=event,
                           **helpers(), **extra)


def uploaded(form: EventForm) -> bytes | None:
    """The picture's bytes if one was chosen."""
    upload = form.picture.data
    return upload.read() if upload and getattr(upload, "filename", "") else None


def form_preview(form: EventForm, event: Event | None) -> str:
    """The form as typed and, below it, the description as it will read; nothing saved."""
    return render_form(form, event, preview=render_markdown(event_input(form).description))


def save(form: EventForm, event: Event | None) -> BaseResponse | tuple[str, int] | str:
    """Validate and save a posted form (new when ``event`` is None)."""
    if request.form.get("aktion") == PREVIEW:
        form.validate_on_submit()
        return form_preview(form, event)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return render_form(form, event), 400
    try:
        if event is None:
            saved = event_admin.create_event(values=event_input(form), picture=uploaded(form),
                                             now=now(), actor_id=actor_id())
        else:
            saved = event_admin.update_event(
                event_id=event.id, values=event_input(form), picture=uploaded(form),
                remove_picture=bool(form.remove_picture.data), now=now(),
                actor_id=actor_id())
    except InvalidInput as error:  # rolled back: nothing written
        loose = attach_problems(form, error.problems)
        return render_form(form, event and db.session.get(Event, event.id), loose=loose), 400
    except EditError as error:
        flash(event_message("", error.code, error.context), "error")
        return redirect(url_for("backoffice.events"), code=303)
    flash(_("„%(title)s“ ist gespeichert.", title=saved.title), "ok")
    return redirect(url_for("backoffice.event_registrations", event_id=saved.id), code=303)


@bp.route("/veranstaltungen/neu", methods=["GET", "POST"])
@csrf.exempt  # checked here, after the upload limit is raised for this one form
def event_new() -> BaseResponse | tuple[str, int] | str:
    """A new event (CSRF checked before the access rules, as everywhere)."""
    if request.method == "POST":
        request.max_content_length = UPLOAD_LIMIT
        csrf.protect()
    return new_event_page()


@staff_required
def new_event_page() -> BaseResponse | tuple[str, int] | str:
    """The empty form, or saving it."""
    if request.method == "GET":
        return render_form(with_choices(EventForm(formdata=None)), None)
    return save(with_choices(EventForm()), None)


@bp.route("/veranstaltungen/<int:event_id>", methods=["GET", "POST"])
@csrf.exempt  # checked here, after the upload limit is raised for this one form
def event_edit(event_id: int) -> BaseResponse | tuple[str, int] | str:
    """Edit an event (CSRF checked before the access rules, as everywhere)."""
    if request.method == "POST":
        request.max_content_length = UPLOAD_LIMIT
        csrf.protect()
    return edit_event_page(event_id)


@staff_required
def edit_event_page(event_id: int) -> BaseResponse | tuple[str, int] | str:
    """The filled form, or saving it."""
    event = get_event(event_id)
    if request.method == "GET" and event.status == "cancelled":
        flash(event_message("", "cancelled", {}), "error")
        return redirect(url_for("backoffice.event_registrations", event_id=event.id),
                        code=303)
    if request.method == "GET":
        return render_form(filled_form(event), event)
    return save(with_choices(EventForm()), event)


@bp.get("/veranstaltungen/<int:event_id>/vorschau")
@staff_required
def event_preview(event_id: int) -> str:
    """The event as visitors will see it (drafts too)."""
    event = get_event(event_id)
    return render_template("backoffice/event_preview.html", event=event,
                           description=render_markdown(event.description), **helpers())


# ---------------------------------------------------------------------------
# Copy and cancel
# ---------------------------------------------------------------------------


@bp.post("/veranstaltungen/<int:event_id>/kopieren")
@staff_required
def event_copy(event_id: int) -> BaseResponse:
    """A new draft one week later in the same series; on to its form."""
    get_event(event_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    copy = event_admin.copy_event(event_id=event_id, now=now(), actor_id=actor_id())
    flash(_("Die Kopie ist ein Entwurf eine Woche später. Bitte prüfen Sie Datum und "
            "Uhrzeit und veröffentlichen Sie sie dann."), "ok")
    return redirect(url_for("backoffice.event_edit", event_id=copy.id), code=303)


@bp.route("/veranstaltungen/<int:event_id>/absagen", methods=["GET", "POST"])
@staff_required
def event_cancel(event_id: int) -> BaseResponse | tuple[str, int]:
    """The confirmation page with the reason; POST calls the event off and mails
    everyone registered or waiting."""
    event = get_event(event_id)
    form = CancelForm()
    told_count = len(event_service.registrations(event.id, ("confirmed", "offered",
                                                            "waiting")))
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                told = event_admin.cancel_event(event_id=event.id,
                                                reason=form.reason.data or "", now=now(),
                                                actor_id=actor_id())
            except EditError as error:
                flash(event_message("", error.code, error.context), "error")
                return redirect(url_for("backoffice.events"), code=303)
            flash(_("„%(title)s“ ist abgesagt; %(count)d Personen bekommen eine E-Mail.",
                    title=event.title, count=told), "ok")
            return redirect(url_for("backoffice.events"), code=303)
        if form.csrf_token.errors:
            abort(400)
        status = 400
    return render_template("backoffice/event_cancel.html", event=event, form=form,
                           told_count=told_count, **helpers()), status


# ---------------------------------------------------------------------------
# Registrations, CSV, check-in
# ---------------------------------------------------------------------------


def grouped(event: Event) -> dict[str, list[EventRegistration]]:
    """The event's registrations by status (each in the order they came)."""
    groups: dict[str, list[EventRegistration]] = {key: [] for key in REGISTRATION_LABELS}
    for registration in event_service.registrations(event.id):
        groups.setdefault(registration.status, []).append(registration)
    return groups


@bp.get("/veranstaltungen/<int:event_id>/anmeldungen")
@staff_required
def event_registrations(event_id: int) -> str:
    """Confirmed, offered (until when), waiting (in order), and the rest."""
    event = get_event(event_id)
    return render_template("backoffice/event_registrations.html", event=event,
                           groups=grouped(event), form=ActionForm(), **helpers())


@bp.post("/veranstaltungen/<int:event_id>/anmeldungen/<int:registration_id>/entfernen")
@staff_required
def event_remove(event_id: int, registration_id: int) -> BaseResponse:
    """Take someone off; a freed place goes to the next waiting."""
    get_event(event_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        removed = event_admin.remove_registration(
            event_id=event_id, registration_id=registration_id, now=now(),
            actor_id=actor_id())
    except EditError as error:
        if error.code == "unknown_registration":
            abort(404)
        flash(event_message("", error.code, error.context), "error")
    else:
        flash(_("%(name)s ist nicht mehr angemeldet. Bitte sagen Sie der Person selbst "
                "Bescheid.", name=removed.name), "ok")
    return redirect(url_for("backoffice.event_registrations", event_id=event_id), code=303)


def csv_response(rows: list[list[Any]], filename: str) -> Response:
    """A semicolon CSV with a BOM (for spreadsheet programs), never cached."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    response = Response("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/veranstaltungen/<int:event_id>/anmeldungen.csv")
@staff_required
@fresh_login_required
def event_registrations_csv(event_id: int) -> Response:
    """Every registration with name and contact (fresh login; formulas defused; audited)."""
    event = get_event(event_id)
    rows: list[list[Any]] = [["Name", "E-Mail", "Firma", "Status", "Angemeldet am",
                              "Platz angeboten bis", "Eingecheckt"]]
    for registration in event_service.registrations(event.id):
        rows.append([
            csv_safe(registration.name), csv_safe(registration.email),
            csv_safe(registration.company), registration_label(registration.status),
            iso_or_empty(registration.created_at), iso_or_empty(registration.offered_until),
            iso_or_empty(registration.checked_in_at)])
    db.session.add(AuditEvent(created_at=now(), actor_id=actor_id(),
                              action="export.event_registrations", subject=event.slug,
                              details={"rows": len(rows) - 1}))
    db.session.commit()
    return csv_response(rows, f"anmeldungen-{event.slug}.csv")


def confirmed_by_name(event: Event) -> list[EventRegistration]:
    """The confirmed participants, sorted by name."""
    return sorted(event_service.registrations(event.id, ("confirmed",)),
                  key=lambda registration: (registration.name.casefold(), registration.id))


@bp.get("/veranstaltungen/<int:event_id>/einlassliste")
@staff_required
def event_checkin_list(event_id: int) -> str:
    """The printable check-in list: name, company, a box to tick."""
    event = get_event(event_id)
    return render_template("backoffice/event_checkin_list.html", event=event,
                           people=confirmed_by_name(event), **helpers())


@bp.get("/veranstaltungen/<int:event_id>/einlass")
@staff_required
def event_checkin(event_id: int) -> str:
    """Check-in on a phone: one big button per confirmed participant; ``?q=`` searches."""
    event = get_event(event_id)
    query = " ".join(request.args.get("q", "").split())[:100]
    people = confirmed_by_name(event)
    shown = [person for person in people
             if query.casefold() in f"{person.name} {person.company}".casefold()]
    present = sum(1 for person in people if person.checked_in_at is not None)
    return render_template("backoffice/event_checkin.html", event=event, people=shown,
                           total=len(people), present=present, query=query,
                           form=ActionForm(), **helpers())


@bp.post("/veranstaltungen/<int:event_id>/einlass/<int:registration_id>")
@staff_required
def event_check_in(event_id: int, registration_id: int) -> BaseResponse:
    """Mark a participant as there ("da") or not ("weg"); back to the list."""
    get_event(event_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    present = request.form.get("da")
    if present not in ("ja", "nein"):
        abort(400)
    try:
        person = event_admin.check_in(event_id=event_id, registration_id=registration_id,
                                      present=present == "ja", now=now(),
                                      actor_id=actor_id())
    except EditError as error:
        if error.code == "unknown_registration":
            abort(404)
        flash(event_message("", error.code, error.context), "error")
        return redirect(url_for("backoffice.event_checkin", event_id=event_id), code=303)
    flash(_("%(name)s: da.", name=person.name) if present == "ja"
          else _("%(name)s: nicht da.", name=person.name), "ok")
    query = request.form.get("q", "") or None  # None leaves it out of the URL
    return redirect(url_for("backoffice.event_checkin", event_id=event_id, q=query,
                            _anchor=f"person-{registration_id}"), code=303)


# ---------------------------------------------------------------------------
# The attendance report
# ---------------------------------------------------------------------------


def report_rows() -> list[tuple[str, str, int, int, int, int]]:
    """The attendance report's rows (month, kind label, events, booked, came, absent)."""
    return [(month, str(KIND_LABELS.get(kind, kind)), count, booked, came, absent)
            for month, kind, count, booked, came, absent in event_service.attendance(now())]


def month_label(month: str) -> str:
    """"Dezember 2026" from "2026-12"."""
    year, number = (int(part) for part in month.split("-"))
    return format_date(clock.local(now()).date().replace(year=year, month=number, day=1),
                       "MMMM y")


@bp.get("/veranstaltungen/bericht")
@staff_required
def event_report() -> str:
    """Events held, places booked, who came, per month and kind (for the funders)."""
    rows = report_rows()
    labels = (_("Veranstaltungen"), _("Plätze gebucht"), _("Teilgenommen"),
              _("Nicht erschienen"))
    totals = [(label, sum(int(row[index]) for row in rows))
              for label, index in zip(labels, (2, 3, 4, 5), strict=True)]
    return render_template("backoffice/event_report.html", rows=rows, totals=totals,
                           month_label=month_label, **helpers())


@bp.get("/veranstaltungen/bericht.csv")
@staff_required
def event_report_csv() -> Response:
    """The attendance report as CSV (figures only, no personal data)."""
    rows: list[list[Any]] = [["Monat", "Art", "Veranstaltungen", "Plätze gebucht",
                              "Teilgenommen", "Nicht erschienen"]]
    rows += [list(row) for row in report_rows()]
    return csv_response(rows, "veranstaltungen-teilnahme.csv")
