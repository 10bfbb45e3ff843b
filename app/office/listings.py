"""The Leerstandsbörse in public: the listings with filters and a schematic plan, one
listing with its inquiry form, the floor-plan download, the owners' offer form and the
founders' search profile form, each with its thank-you page.

Only listings published and confirmed within ``listings.HIDE_DAYS`` are shown; anything
else is unknown (404). Templates get :class:`~app.services.listings.PublicListing`, never
the owner's contact or the office's note.
"""

from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse
from wtforms import Form

from .. import clock
from ..auth.decorators import STAFF_ROLES
from ..extensions import db, limiter
from ..models import Image, Listing
from ..security import no_store
from ..services import listing_offers, search_profiles, translations
from ..services import listings as service
from ..services.editing import EditError, InvalidInput
from ..services.images import DIGEST_IN_URL
from ..services.listings import (
    FLOOR_LABELS,
    RENT_MODEL_LABELS,
    USE_LABELS,
    public_view,
)
from . import bp
from .inquiry_forms import InquiryForm, answer_inquiry
from .listing_forms import OfferForm, SearchProfileForm

# The German name of each filter, for the note on filters that could not be read.
FILTER_NAMES = {
    "flaeche_von": _l("Fläche von"), "flaeche_bis": _l("Fläche bis"),
    "miete_bis": _l("Miete bis"), "frei_bis": _l("frei bis"),
}
# The German text of each refusal by the services, by its code.
PROBLEM_MESSAGES = {
    "control_characters": _l("Bitte entfernen Sie Steuerzeichen (unsichtbare Zeichen, oft "
                             "aus kopiertem Text)."),
    "bad_name": _l("Bitte geben Sie Ihren Namen ein (höchstens 100 Zeichen)."),
    "bad_email": _l("Das ist keine gültige E-Mail-Adresse."),
    "bad_phone": _l("Bitte geben Sie eine Telefonnummer nur mit Ziffern, Leerzeichen und "
                    "+ ( ) / - ein."),
    "consent_missing": _l("Bitte stimmen Sie zu, damit wir Ihre Angaben bearbeiten können."),
    "bad_title": _l("Bitte beschreiben Sie den Raum in wenigen Worten."),
    "bad_street": _l("Bitte geben Sie die Adresse des Raums an."),
    "bad_area": _l("Bitte geben Sie eine Fläche in ganzen Quadratmetern an."),
    "area_range": _l("„Bis“ darf nicht kleiner sein als „von“."),
    "bad_frontage": _l("Bitte geben Sie die Breite in Metern an, z. B. 6,5."),
    "bad_money": _l("Bitte geben Sie einen Betrag in Euro an."),
    "too_long": _l("Das ist zu lang."),
    "bad_postcode": _l("Bitte geben Sie die fünfstellige Postleitzahl an, z. B. 45699."),
    "unknown_choice": _l("Bitte wählen Sie aus der Liste."),
}
# Form field of each service field where the names differ.
OFFER_FIELDS = {"rent_cents": "rent", "service_charge_cents": "service_charge"}
PROFILE_FIELDS = {"max_rent_cents": "max_rent"}


def labels() -> dict[str, object]:
    return {"use_labels": USE_LABELS, "rent_model_labels": RENT_MODEL_LABELS,
            "floor_labels": FLOOR_LABELS}


def form_limit() -> str:
    """The configured limit for the public forms (per address), as for inquiries."""
    return str(current_app.config["RATELIMIT_INQUIRY"])


def show_problems(form: Form, error: InvalidInput, fields: dict[str, str]) -> None:
    """Put the services' refusals on the form's fields."""
    for problem in error.problems:
        name = fields.get(problem.field, problem.field)
        target = getattr(form, name, None) or form["consent"]
        target.errors = [PROBLEM_MESSAGES.get(problem.code, PROBLEM_MESSAGES["too_long"])]


# ---------------------------------------------------------------------------
# The list and one listing
# ---------------------------------------------------------------------------


@bp.get("/leerstand")
def listings() -> str:
    """The public listings, by the filters in the query string (unreadable ones are
    ignored with a note), with the plan of where they are."""
    filters, ignored = service.parse_filters(request.args.to_dict())
    rows = service.published(clock.utcnow(), filters)
    items = [public_view(item) for item in rows]
    found = translations.localize("listing", rows)
    texts = {row.code: found[row.id] for row in rows}
    return render_template(
        "office/listings/index.html", listings=items, plan=service.plan(items),
        texts=texts, texts_german=translations.any_german(texts.values()),
        filters=filters, ignored=[FILTER_NAMES[name] for name in ignored],
        args=request.args, **labels())


def listing_or_404(code: str) -> Listing:
    """The public listing with ``code``, else 404 (drafts, offers not yet published,
    rejected, retired and stale listings alike)."""
    listing = service.public_by_code(code, clock.utcnow())
    if listing is None:
        abort(404)
    return listing


def listing_page(listing: Listing, form: InquiryForm) -> str:
    """The listing's page with the inquiry form, its texts in the visitor's language."""
    shown = translations.localize_one("listing", listing)
    return render_template("office/listings/show.html", listing=public_view(listing),
                           t=shown, description=shown["body"].html, form=form, **labels())


@bp.route("/leerstand/<code>", methods=["GET", "POST"])
@limiter.limit(form_limit, methods=["POST"])
@no_store
def listing(code: str) -> BaseResponse | tuple[str, int] | str:
    """One listing; its POST sends an inquiry to the office (never to the owner). Not
    cached: the form carries the session's CSRF token."""
    item = listing_or_404(code)
    return answer_inquiry("listing", item.id, lambda form: listing_page(item, form),
                          url_for("office.listing_thanks", code=item.code))


@bp.get("/leerstand/<code>/danke")
def listing_thanks(code: str) -> str:
    """The thank-you page after an inquiry (it shows nothing of the person)."""
    return render_template("office/listings/thanks.html",
                           listing=public_view(listing_or_404(code)))


@bp.get("/leerstand/<code>/grundriss.pdf")
def listing_floor_plan(code: str) -> Response:
    """The listing's floor plan as a PDF download (404 when it has none)."""
    listing_or_404(code)
    plan: Any = db.session.execute(
        select(Listing.floor_plan, Listing.floor_plan_name)
        .where(Listing.code == code)).one()
    if plan.floor_plan is None:
        abort(404)
    response = Response(plan.floor_plan, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{code}-grundriss.pdf"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# A listing's photos are public only while the listing is: an hour in caches (it may be
# taken down), never "immutable" like the other pictures.
PHOTO_CACHE = "public, max-age=3600"


@bp.get("/leerstand/<code>/fotos/<int:photo_id>-<digest>.webp")
def listing_photo(code: str, photo_id: int, digest: str) -> Response:
    """One photo of a listing the public may see; staff also see the photos of drafts
    and owners' offers (for the back office), uncached. Otherwise 404."""
    found = service.photo_for_url(code, photo_id, digest)
    if found is None:
        abort(404)
    listing, photo = found
    public = service.is_public(listing, clock.utcnow())
    if not public:
        if not (current_user.is_authenticated and current_user.role in STAFF_ROLES):
            abort(404)
        g.no_store = True
    response = Response(photo.image.data, mimetype=photo.image.mime)
    if public:
        response.headers["Cache-Control"] = PHOTO_CACHE
    return response


@bp.app_template_global()
def listing_photo_url(code: str, photo_id: int, image: Image) -> str:
    """The URL of a listing's photo (``image`` is its stored picture)."""
    return url_for("office.listing_photo", code=code, photo_id=photo_id,
                   digest=image.sha256[:DIGEST_IN_URL])


# ---------------------------------------------------------------------------
# Owners offer a space
# ---------------------------------------------------------------------------


def offer_page(form: OfferForm) -> str:
    return render_template("office/listings/offer.html", form=form, **labels())


@bp.route("/leerstand/anbieten", methods=["GET", "POST"])
@limiter.limit(form_limit, methods=["POST"])
@no_store
def listing_offer() -> BaseResponse | tuple[str, int] | str:
    """The owners' form; its POST stores the offer for staff to review."""
    form = OfferForm()
    if not form.is_submitted():
        return offer_page(form)
    if not form.validate():
        return offer_page(form), 400
    values = listing_offers.OfferInput(
        title=(form.title.data or "").strip(), street=(form.street.data or "").strip(),
        postcode=(form.postcode.data or "").strip(), area_m2=form.area_m2.data,
        floor=int(form.floor.data or 0), owner_name=form.owner_name.data or "",
        owner_email=form.owner_email.data or "", consent=bool(form.consent.data),
        frontage_m=None if form.frontage_m.data is None else form.frontage_m.data / 100,
        rent_cents=form.rent.data, service_charge_cents=form.service_charge.data,
        available_from=form.available_from.data,
        temporary_use=bool(form.temporary_use.data), uses=tuple(form.uses.data or ()),
        description=(form.description.data or "").strip(),
        owner_phone=form.owner_phone.data or "")
    try:
        listing_offers.submit_offer(values=values, now=clock.utcnow())
    except InvalidInput as error:
        show_problems(form, error, OFFER_FIELDS)
        return offer_page(form), 400
    except EditError:  # ever so many offers at one moment: nothing was stored
        form.consent.errors = [_l("Das hat gerade nicht geklappt. Bitte senden Sie das "
                                  "Formular noch einmal.")]
        return offer_page(form), 409
    return redirect(url_for("office.listing_offer_thanks"), code=303)


@bp.get("/leerstand/anbieten/danke")
def listing_offer_thanks() -> str:
    """The thank-you page after an offer (it shows nothing of the owner)."""
    return render_template("office/listings/offer_thanks.html")


# ---------------------------------------------------------------------------
# Founders describe what they look for
# ---------------------------------------------------------------------------


def profile_page(form: SearchProfileForm) -> str:
    return render_template("office/listings/search_profile.html", form=form, **labels())


@bp.route("/leerstand/suchprofil", methods=["GET", "POST"])
@limiter.limit(form_limit, methods=["POST"])
@no_store
def search_profile() -> BaseResponse | tuple[str, int] | str:
    """The founders' form; its POST saves the profile and tells staff of matches."""
    form = SearchProfileForm()
    if not form.is_submitted():
        return profile_page(form)
    if not form.validate():
        return profile_page(form), 400
    values = search_profiles.ProfileInput(
        name=form.name.data or "", email=form.email.data or "",
        consent=bool(form.consent.data), phone=form.phone.data or "",
        min_area_m2=form.min_area_m2.data, max_area_m2=form.max_area_m2.data,
        max_rent_cents=form.max_rent.data, temporary_only=bool(form.temporary_only.data),
        uses=tuple(form.uses.data or ()), message=(form.message.data or "").strip())
    try:
        search_profiles.save_profile(values=values, now=clock.utcnow())
    except InvalidInput as error:
        show_problems(form, error, PROFILE_FIELDS)
        return profile_page(form), 400
    return redirect(url_for("office.search_profile_thanks"), code=303)


@bp.get("/leerstand/suchprofil/danke")
def search_profile_thanks() -> str:
    """The thank-you page after a search profile."""
    return render_template("office/listings/search_profile_thanks.html")

