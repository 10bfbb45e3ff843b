"""The Leerstandsbörse in the back office: the listings (list by status with their
freshness, new, edit with the owner's internal contact), publishing, "noch frei",
retiring, rejecting an owner's offer, the window poster. Photos and floor plan are in
backoffice.listing_media, the founders' search profiles in backoffice.search_profiles.

Staff and admins only (``staff_required``), as the Nachfolgebörse. The domain work is in
app.services.listing_admin and listing_freshness; every change is audited there.
"""

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from ..auth.decorators import staff_required
from ..extensions import db
from ..models import LISTING_STATUSES, Listing
from ..security import private_download
from ..services import listing_admin as service
from ..services.content import render_markdown
from ..services.editing import EditError, InvalidInput
from ..services.listing_admin import ListingInput
from ..services.listing_freshness import freshness
from ..services.listing_media import PHOTOS_MAX
from ..services.listings import (
    FLOOR_LABELS,
    FRESH_DAYS,
    HIDE_DAYS,
    RENT_MODEL_LABELS,
    STATUS_LABELS,
    USE_LABELS,
    is_public,
)
from ..services.listings import money as german_money
from ..services.posters import ListingPoster, listing_poster_pdf
from ..services.qr import QRError, check_base_url
from . import bp
from .listing_forms import (
    FloorPlanForm,
    ListingActionForm,
    ListingForm,
    PhotoAltForm,
    PhotoForm,
    listing_message,
)
from .routes import actor_id, now

PREVIEW = "vorschau"
# The service's field names that the form calls otherwise.
FORM_FIELD = {"rent_cents": "rent", "service_charge_cents": "service_charge"}


def public_url(listing: Listing) -> str | None:
    """The listing's public page while the public sees it (published, not stale)."""
    if not is_public(listing, now()):
        return None
    return url_for("office.listing", code=listing.code)


def money(cents: int | None) -> str:
    """``85000`` → ``850 €``; None → "auf Anfrage"."""
    return _("auf Anfrage") if cents is None else german_money(cents)


def helpers() -> dict[str, Any]:
    """What every template of these pages uses."""
    return {"status_labels": STATUS_LABELS, "use_labels": USE_LABELS,
            "rent_model_labels": RENT_MODEL_LABELS, "floor_labels": FLOOR_LABELS,
            "public_url": public_url, "money": money, "fresh_days": FRESH_DAYS,
            "hide_days": HIDE_DAYS, "freshness": lambda row: freshness(row, now())}


def get_listing(listing_id: int) -> Listing:
    """The listing or 404."""
    return db.get_or_404(Listing, listing_id)


@bp.get("/leerstand")
@staff_required
def listings() -> str:
    """Every listing with its status and freshness; ``?status=`` picks one status."""
    status = request.args.get("status", "")
    if status and status not in LISTING_STATUSES:
        abort(404)
    return render_template("backoffice/listings.html",
                           listings=service.staff_listings(status or None), status=status,
                           counts=service.status_counts(), form=ListingActionForm(),
                           **helpers())


def filled_form(listing: Listing) -> ListingForm:
    """The edit form filled from the listing."""
    data = {name: getattr(listing, name) for name in (
        "title", "street", "postcode", "latitude", "longitude", "area_m2", "frontage_m",
        "floor", "available_from", "temporary_use", "temporary_min_months",
        "temporary_max_months", "rent_model", "description", "internal_note", "owner_name",
        "owner_email", "owner_phone")}
    data.update(rent=listing.rent_cents, service_charge=listing.service_charge_cents,
                uses=[row.use for row in listing.uses])
    return ListingForm(formdata=None, data=data)


def whole(value: float | int | None) -> int | None:
    """An amount in cent as the integer it is (the money fields give whole cents)."""
    return None if value is None else int(value)


def listing_input(form: ListingForm) -> ListingInput:
    """The service's input from the form, texts trimmed and with Unix line ends."""

    def text(value: str | None) -> str:
        return (value or "").strip().replace("\r\n", "\n")

    def line(value: str | None) -> str:
        return " ".join((value or "").split())

    return ListingInput(
        title=line(form.title.data), street=line(form.street.data),
        postcode=line(form.postcode.data), latitude=form.latitude.data,
        longitude=form.longitude.data, area_m2=form.area_m2.data,
        frontage_m=form.frontage_m.data,
        floor=form.floor.data if isinstance(form.floor.data, int) else 0,
        rent_cents=whole(form.rent.data), service_charge_cents=whole(form.service_charge.data),
        available_from=form.available_from.data, temporary_use=bool(form.temporary_use.data),
        temporary_min_months=form.temporary_min_months.data,
        temporary_max_months=form.temporary_max_months.data,
        rent_model=form.rent_model.data or "", uses=tuple(form.uses.data or ()),
        description=text(form.description.data), internal_note=text(form.internal_note.data),
        owner_name=line(form.owner_name.data), owner_email=text(form.owner_email.data),
        owner_phone=text(form.owner_phone.data))


def attach_problems(form: Any, problems: list[Any]) -> list[str]:
    """Put each refusal on its field; return the messages without a field."""
    loose = []
    for problem in problems:
        message = listing_message(problem.field, problem.code, problem.context)
        name = FORM_FIELD.get(problem.field, problem.field)
        if name in form:
            if message not in form[name].errors:
                form[name].errors = [*form[name].errors, message]
        else:
            loose.append(message)
    return loose


def render_edit(listing: Listing | None, form: ListingForm | None = None, *,
                photo_form: PhotoForm | None = None, plan_form: FloorPlanForm | None = None,
                **extra: Any) -> str:
    """The new or edit page: the listing's fields, then (once saved) its photos, floor
    plan and actions."""
    extra.setdefault("loose", [])
    if form is None:
        form = filled_form(listing) if listing else ListingForm(formdata=None)
    alt_forms = {}
    if listing is not None:
        alt_forms = {photo.id: PhotoAltForm(formdata=None, prefix=f"foto{photo.id}",
                                            data={"alt": photo.alt})
                     for photo in listing.photos}
    return render_template(
        "backoffice/listing_form.html", form=form, listing=listing,
        photo_form=photo_form or PhotoForm(formdata=None),
        plan_form=plan_form or FloorPlanForm(formdata=None), alt_forms=alt_forms,
        action_form=ListingActionForm(), photos_max=PHOTOS_MAX, **helpers(), **extra)


def save(form: ListingForm, listing: Listing | None) -> BaseResponse | tuple[str, int] | str:
    """Validate and save a posted form (a new draft when ``listing`` is None); with
    ``aktion=vorschau`` only show the description as it will read."""
    if request.form.get("aktion") == PREVIEW:
        form.validate_on_submit()
        return render_edit(listing, form,
                           preview=render_markdown(listing_input(form).description))
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return render_edit(listing, form), 400
    try:
        if listing is None:
            saved = service.create_listing(values=listing_input(form), now=now(),
                                           actor_id=actor_id())
        else:
            saved = service.update_listing(listing_id=listing.id, values=listing_input(form),
                                           now=now(), actor_id=actor_id())
    except InvalidInput as error:  # rolled back: nothing written
        loose = attach_problems(form, error.problems)
        return render_edit(listing and db.session.get(Listing, listing.id), form,
                           loose=loose), 400
    except EditError as error:
        flash(listing_message("", error.code, error.context), "error")
        return redirect(url_for("backoffice.listings"), code=303)
    flash(_("%(code)s ist gespeichert.", code=saved.code), "ok")
    return redirect(url_for("backoffice.listing_edit", listing_id=saved.id), code=303)


@bp.route("/leerstand/neu", methods=["GET", "POST"])
@staff_required
def listing_new() -> BaseResponse | tuple[str, int] | str:
    """A new listing (a draft until published)."""
    if request.method == "GET":
        return render_edit(None)
    return save(ListingForm(), None)


@bp.route("/leerstand/<int:listing_id>", methods=["GET", "POST"])
@staff_required
def listing_edit(listing_id: int) -> BaseResponse | tuple[str, int] | str:
    """Edit a listing, its owner's contact included; its photos and floor plan below."""
    listing = get_listing(listing_id)
    if request.method == "GET":
        return render_edit(listing)
    return save(ListingForm(), listing)


# ---------------------------------------------------------------------------
# Status: publish, noch frei, retire, reject
# ---------------------------------------------------------------------------


def act(listing_id: int, action: Callable[..., Listing], done: str) -> BaseResponse:
    """Run a status change by POST; back to the edit page (or the list) with what
    happened."""
    get_listing(listing_id)
    if not ListingActionForm().validate_on_submit():
        abort(400)
    try:
        listing = action(listing_id=listing_id, now=now(), actor_id=actor_id())
    except EditError as error:
        flash(listing_message("", error.code, {}), "error")
    else:
        flash(done % {"code": listing.code}, "ok")
    if request.form.get("zurueck") == "liste":
        return redirect(url_for("backoffice.listings", _anchor=f"anzeige-{listing_id}"),
                        code=303)
    return redirect(url_for("backoffice.listing_edit", listing_id=listing_id), code=303)


@bp.post("/leerstand/<int:listing_id>/veroeffentlichen")
@staff_required
def listing_publish(listing_id: int) -> BaseResponse:
    """Put a listing online (confirms it as free and looks for matching profiles)."""
    return act(listing_id, service.publish,
               _("%(code)s ist veröffentlicht und als frei bestätigt."))


@bp.post("/leerstand/<int:listing_id>/bestaetigen")
@staff_required
def listing_confirm(listing_id: int) -> BaseResponse:
    """"Noch frei": the space is still to let."""
    return act(listing_id, service.confirm,
               _("%(code)s ist als noch frei bestätigt. Die nächste Erinnerung kommt in "
                 "60 Tagen."))


@bp.post("/leerstand/<int:listing_id>/zurueckziehen")
@staff_required
def listing_retire(listing_id: int) -> BaseResponse:
    """Take a listing off the site (let, or withdrawn)."""
    return act(listing_id, service.retire,
               _("%(code)s ist zurückgezogen und nicht mehr öffentlich."))


@bp.post("/leerstand/<int:listing_id>/ablehnen")
@staff_required
def listing_reject(listing_id: int) -> BaseResponse:
    """Decline an owner's offer: it never becomes public."""
    return act(listing_id, service.reject,
               _("Das Angebot %(code)s ist abgelehnt und wird nicht veröffentlicht."))


# ---------------------------------------------------------------------------
# Window poster
# ---------------------------------------------------------------------------


def poster_of(listing: Listing) -> ListingPoster:
    """What the window poster prints; raises QRError for a wrong BASE_URL."""
    config = current_app.config
    office = config["OFFICE"]
    base = check_base_url(str(config["BASE_URL"]))
    headline = "Zu vermieten / Zwischennutzung möglich" if listing.temporary_use \
        else "Zu vermieten"
    facts = f"{listing.area_m2} m² · {FLOOR_LABELS[listing.floor]} · {listing.street}"
    return ListingPoster(
        headline=headline, title=listing.title, facts=facts,
        url=f"{base}/leerstand/{listing.code}", code=listing.code, phone=office["phone"],
        office_lines=(f"{office['name']} {office['city']} · {office['street']}, "
                      f"{office['postcode']} {office['city']}",
                      f"{office['email']} · {office['hours']}"))


@bp.get("/leerstand/<int:listing_id>/plakat.pdf")
@staff_required
def listing_poster(listing_id: int) -> BaseResponse:
    """The window poster (A4 PDF) with a QR code to the public page; only while the
    public sees the listing, so that no printed code leads to a missing page."""
    listing = get_listing(listing_id)
    back = redirect(url_for("backoffice.listing_edit", listing_id=listing_id), code=303)
    if listing.status != "published":
        flash(_("Das Plakat gibt es, sobald die Anzeige veröffentlicht ist."), "error")
        return back
    if not is_public(listing, now()):
        flash(_("Die Anzeige ist seit über %(days)d Tagen nicht bestätigt und deshalb "
                "ausgeblendet. Bestätigen Sie zuerst, dass der Raum noch frei ist.",
                days=HIDE_DAYS), "error")
        return back
    try:
        poster = poster_of(listing)
    except QRError:
        flash(_("Die Adresse der Seite (BASE_URL) ist falsch eingestellt; bitte wenden Sie "
                "sich an die Technik."), "error")
        return back
    return private_download(listing_poster_pdf(poster), "application/pdf",
                            f"plakat-{listing.code}.pdf")
