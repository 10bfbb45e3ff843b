"""The office's events in public: the list, the archive, one event with its registration
form, the personal page of a registration, and the calendar files.

The personal page ``/veranstaltungen/anmeldung/<token>`` is a capability (unknown →
404) and never cached. Its GETs only show; confirming an offered place, cancelling and
leaving the waiting list happen by POST buttons, so a mail scanner that opens every link
changes nothing. The online link of a digital event appears only there, and only to a
confirmed participant; never on a public page or in the feed.
"""

from datetime import datetime

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
from ..models import ACTIVE_STATUSES, Event, EventRegistration
from ..security import NO_STORE, no_store
from ..services import events as service
from ..services import translations
from ..services.calendar import CONTENT_TYPE
from ..services.events import AUDIENCE_LABELS, AUDIENCE_SLUGS, KIND_LABELS, KIND_SLUGS, EventError
from . import bp
from .event_forms import ActionForm, RegistrationForm

KIND_BY_SLUG = {slug: kind for kind, slug in KIND_SLUGS.items()}
AUDIENCE_BY_SLUG = {slug: audience for audience, slug in AUDIENCE_SLUGS.items()}

# Field and German text of each refusal of the form.
REGISTRATION_MESSAGES = {
    "bad_name": ("name", _l("Bitte geben Sie Ihren Namen ein (höchstens 100 Zeichen).")),
    "bad_email": ("email", _l("Das ist keine gültige E-Mail-Adresse.")),
    "company_too_long": ("company", _l("Der Name des Unternehmens darf höchstens 120 "
                                       "Zeichen lang sein.")),
    "consent_missing": ("consent", _l("Bitte stimmen Sie zu, damit wir Sie anmelden "
                                      "können.")),
    "control_characters": ("name", _l("Bitte entfernen Sie Steuerzeichen (unsichtbare "
                                      "Zeichen, oft aus kopiertem Text).")),
}


def registration_limit() -> str:
    """The configured limit for registration requests (per address)."""
    return str(current_app.config["RATELIMIT_EVENT_REGISTRATION"])


def availability(event: Event, now: datetime) -> str:
    """What the event's registration looks like at ``now``: ``cancelled``, ``past``,
    ``closed`` (deadline passed or begun), ``full`` (waiting list) or ``open``."""
    if event.status == "cancelled":
        return "cancelled"
    if now >= event.ends_at:
        return "past"
    if not service.is_open(event, now):
        return "closed"
    return "full" if service.places_left(event) == 0 else "open"


def filter_value(name: str, known: dict[str, str]) -> str | None:
    """The key a filter parameter names (404 for an unknown one), or None."""
    value = request.args.get(name, "")
    if not value:
        return None
    if value not in known:
        abort(404)
    return known[value]


def list_context(now: datetime) -> dict[str, object]:
    """What every event list needs: the clock, labels and the availability check."""
    return {"now": now, "availability": availability, "places_left": service.places_left,
            "kind_labels": KIND_LABELS, "kind_slugs": KIND_SLUGS,
            "audience_labels": AUDIENCE_LABELS, "audience_slugs": AUDIENCE_SLUGS}


@bp.get("/veranstaltungen")
def events() -> str:
    """The upcoming events, by kind and audience when a filter is chosen."""
    kind = filter_value("art", KIND_BY_SLUG)
    audience = filter_value("fuer", AUDIENCE_BY_SLUG)
    now = clock.utcnow()
    feed_url = str(current_app.config["BASE_URL"]) + url_for("office.event_feed")
    found = service.upcoming(now, kind=kind, audience=audience)
    texts = translations.localize("event", found)
    return render_template(
        "office/events/index.html", events=found, texts=texts,
        texts_german=translations.any_german(texts.values()),
        kind=kind, audience=audience, feed_url=feed_url,
        webcal_url="webcal://" + feed_url.split("://", 1)[-1], **list_context(now))


@bp.get("/veranstaltungen/archiv")
def event_archive() -> str:
    """The events that have taken place, latest first."""
    now = clock.utcnow()
    found = service.past(now)
    texts = translations.localize("event", found)
    return render_template("office/events/archive.html", events=found, texts=texts,
                           texts_german=translations.any_german(texts.values()),
                           **list_context(now))


@bp.get("/veranstaltungen.ics")
def event_feed() -> Response:
    """Every upcoming event as a calendar to subscribe to."""
    response = Response(service.feed_text(clock.utcnow()), content_type=CONTENT_TYPE)
    response.headers["Content-Disposition"] = 'inline; filename="veranstaltungen.ics"'
    return response


def event_or_404(slug: str) -> Event:
    """The published (or cancelled) event at ``slug``, or 404."""
    event = service.by_slug(slug)
    if event is None:
        abort(404)
    return event


@bp.get("/veranstaltungen/<slug>.ics")
def event_calendar(slug: str) -> Response:
    """One event as a calendar file."""
    event = event_or_404(slug)
    response = Response(service.calendar_text(event, now=clock.utcnow()),
                        content_type=CONTENT_TYPE)
    response.headers["Content-Disposition"] = 'attachment; filename="veranstaltung.ics"'
    return response


def event_page(event: Event, form: RegistrationForm, *, already: bool = False) -> str:
    """The event's page with the registration form (as filled in, with its errors)."""
    now = clock.utcnow()
    texts = translations.localize_one("event", event)
    return render_template(
        "office/events/show.html", event=event, form=form, already=already, t=texts,
        description=texts["body"].html, dates=service.series_dates(event),
        where=service.where_text(event), state=availability(event, now),
        **list_context(now))


@bp.route("/veranstaltungen/<slug>", methods=["GET", "POST"])
@limiter.limit(registration_limit, methods=["POST"])
@no_store
def event(slug: str) -> BaseResponse | tuple[str, int] | str:
    """The event; its POST registers (a place, else the waiting list). Not cached: the
    form carries the session's CSRF token."""
    found = event_or_404(slug)
    form = RegistrationForm()
    if not form.is_submitted():
        return event_page(found, form)
    if not form.validate():
        return event_page(found, form), 400
    try:
        registration = service.register(
            slug=found.slug, name=form.name.data or "", email=form.email.data or "",
            company=form.company.data or "", consent=bool(form.consent.data),
            now=clock.utcnow())
    except EventError as error:
        if error.code in REGISTRATION_MESSAGES:
            field, message = REGISTRATION_MESSAGES[error.code]
            getattr(form, field).errors = [message]
            return event_page(found, form), 400
        if error.code == "already_registered":
            return event_page(found, form, already=True), 409
        # closed (or gone meanwhile): the page says why there is no form any more.
        return event_page(found, form), 400
    flash(registration.status, "event")
    return redirect(url_for("office.event_registration", token=registration.token), code=303)


def registration_or_404(token: str) -> EventRegistration:
    """The registration of the personal link, or 404."""
    registration = service.registration_by_token(token)
    if registration is None:
        abort(404)
    return registration


def changeable(registration: EventRegistration, now: datetime) -> bool:
    """Whether the person can still cancel (or confirm): active, published, not begun."""
    return registration.status in ACTIVE_STATUSES and now < registration.event.starts_at \
        and registration.event.status == "published"


@bp.get("/veranstaltungen/anmeldung/<token>")
@no_store
def event_registration(token: str) -> str:
    """The personal page: the status in plain words, confirming and cancelling."""
    registration = registration_or_404(token)
    now = clock.utcnow()
    event = registration.event
    return render_template(
        "office/events/registration.html", registration=registration, event=event,
        notices=get_flashed_messages(category_filter=["event"]), now=now,
        changeable=changeable(registration, now), form=ActionForm(),
        where=service.where_text(event),
        position=(service.waiting_position(registration)
                  if registration.status == "waiting" else 0),
        online_url=(event.online_url if registration.status == "confirmed"
                    and event.status == "published" else ""))


@bp.post("/veranstaltungen/anmeldung/<token>/bestaetigen")
@no_store
def confirm_registration(token: str) -> BaseResponse:
    """Take the place offered from the waiting list."""
    registration_or_404(token)
    if not ActionForm().validate():
        abort(400)
    try:
        service.confirm_offer(token=token, now=clock.utcnow())
    except EventError as error:
        flash(error.code, "event")
    else:
        flash("confirmed_offer", "event")
    return redirect(url_for("office.event_registration", token=token), code=303)


@bp.route("/veranstaltungen/anmeldung/<token>/abmelden", methods=["GET", "POST"])
@no_store
def cancel_registration(token: str) -> BaseResponse | str:
    """Ask once more, then cancel the place (or leave the waiting list) by POST."""
    registration = registration_or_404(token)
    if not changeable(registration, clock.utcnow()):
        return redirect(url_for("office.event_registration", token=token))
    form = ActionForm()
    if form.is_submitted():
        if not form.validate():
            abort(400)
        was = registration.status
        try:
            service.cancel(token=token, now=clock.utcnow())
        except EventError as error:
            flash(error.code, "event")
        else:
            flash("left" if was == "waiting" else "cancelled", "event")
        return redirect(url_for("office.event_registration", token=token), code=303)
    return render_template("office/events/cancel.html", registration=registration,
                           event=registration.event, where=service.where_text(
                               registration.event), form=form)


@bp.get("/veranstaltungen/anmeldung/<token>.ics")
@no_store
def registration_calendar(token: str) -> Response:
    """The participant's calendar file (their link; the online link once confirmed)."""
    registration = registration_or_404(token)
    response = Response(service.calendar_text(registration.event, now=clock.utcnow(),
                                              registration=registration),
                        content_type=CONTENT_TYPE)
    response.headers["Content-Disposition"] = 'attachment; filename="veranstaltung.ics"'
    response.headers["Cache-Control"] = NO_STORE
    return response
