"""Views of the shopper's pages. Thin: read input, call one service, map its answer."""

from flask import (
    abort,
    current_app,
    flash,
    get_flashed_messages,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from .. import clock
from ..extensions import limiter
from ..models import Card
from ..security import no_store
from ..services import advent, card_merge, cards, codes, entries, printset, qr, translations
from ..services.card_slots import blank_card, card_slots
from ..services.cards import CardError, card_for_secret
from ..services.errors import DomainError
from ..services.posters import FONT_DIR
from ..services.rallies import current_rally, shop_directory
from ..services.rally_terms import prizes_with_donors
from ..services.route import Place, Route, Start, rally_places, suggest_route
from ..services.stamping import StampError, StampResult, scan_page, stamp_card
from ..services.stations import find_station
from . import bp
from .forms import EntryForm, ShopSearchForm, ShortCodeForm
from .offline import offline_copy

# Categories of the one-shot notices (Flask's flash) that the card page shows.
NOTICES = ("stamp-new", "stamp-again", "entered", "restored", "merged")


def cookie_secret() -> str | None:
    """The card secret this browser sent, if any."""
    return request.cookies.get(current_app.config["CARD_COOKIE_NAME"])


def set_card_cookie(response: BaseResponse, secret: str) -> None:
    """Store a card secret in the browser: HttpOnly, SameSite=Lax, Secure in production."""
    config = current_app.config
    response.set_cookie(
        config["CARD_COOKIE_NAME"],
        secret,
        max_age=config["CARD_COOKIE_MAX_AGE"],
        httponly=True,
        samesite="Lax",
        secure=bool(config["PRODUCTION"]),
    )


def forget_card_cookie(response: BaseResponse) -> None:
    """Remove an unusable card cookie, so that the next tap starts afresh."""
    response.delete_cookie(current_app.config["CARD_COOKIE_NAME"], httponly=True, samesite="Lax")


def address_key() -> str:
    """Rate-limit by the client's address (behind the proxy: the forwarded one)."""
    return "ip:" + (request.remote_addr or "unknown")


def limit_key() -> str:
    """Rate-limit taps by card where the browser holds a real card, else by address.

    Many phones share one address behind a mobile network, so a card is the fairer unit;
    but only a cookie that opens a card counts as one: a made-up cookie would otherwise
    buy a fresh allowance with every request.
    """
    card_id = cards.card_id_for_secret(cookie_secret())
    if card_id is not None:
        return f"card:{card_id}"
    return address_key()


def stamp_limit() -> str:
    """The configured limit for stamping requests."""
    return str(current_app.config["RATELIMIT_STAMP"])


def recovery_limit() -> str:
    """The configured limit for recovery requests."""
    return str(current_app.config["RATELIMIT_RECOVERY"])


def typed_code_limit() -> str:
    """The configured limit for typed codes, per address whatever the cookie: six
    characters can be guessed, a QR token cannot."""
    return str(current_app.config["RATELIMIT_TYPED_CODE"])


def walking_route(places: list[Place]) -> Route:
    """The suggested walk through the ``places`` still to visit (see
    ``route.rally_places``), from the latest stamp or the office, with "jetzt geöffnet"
    now."""
    config = current_app.config
    office = Start(name=f"{config['OFFICE']['name']}, {config['OFFICE']['street']}",
                   lat=float(config["OFFICE_LAT"]), lon=float(config["OFFICE_LON"]),
                   is_office=True)
    return suggest_route(places, office, clock.utcnow())


def bad_card_response() -> BaseResponse:
    """400 page for a cookie that matches no card, which also drops that cookie."""
    response = make_response(render_template("rally/bad_card.html"), 400)
    forget_card_cookie(response)
    return response


# Refusals of a live station: its poster without the counter's code, or a code that
# is stale, mistyped or another station's. Nothing was written; the page says what to do.
LIVE_CODE_ERRORS = ("live_code_needed", "live_code_wrong", "live_code_ambiguous")


def stamp_error_response(error: StampError) -> BaseResponse:
    """Turn a refused stamp into the page that explains it."""
    if error.code == "bad_card":
        return bad_card_response()
    if error.code == "unknown_station":
        return make_response(render_template("rally/unknown_code.html"), 404)
    station = error.context.get("station")
    if error.code == "replaced_station":
        return make_response(render_template("rally/replaced_code.html", station=station), 410)
    if error.code in LIVE_CODE_ERRORS:
        return make_response(
            render_template("rally/live_code.html", reason=error.code, station=station), 409
        )
    rally = error.context.get("rally")
    return make_response(
        render_template("rally/closed.html", reason=error.code, rally=rally, station=station),
        409,
    )


def after_stamp(result: StampResult) -> BaseResponse:
    """Redirect to the card, which celebrates the stamp (POST/redirect/GET)."""
    flash(result.shop_name, "stamp-new" if result.new_stamp else "stamp-again")
    response = redirect(url_for("rally.card"), code=303)
    if result.card_secret:
        set_card_cookie(response, result.card_secret)
    return response


def without_live_code() -> bool:
    """Whether this scan carries no live code: only a code check counts against the
    stamp limit (it could be used to try codes), a plain scan costs nothing extra."""
    return "code" not in request.args


@bp.get("/s/<token>")
@limiter.limit(stamp_limit, key_func=limit_key, exempt_when=without_live_code)
def scan(token: str) -> BaseResponse | str:
    """The page the camera opens: shop name and one big button. Changes nothing.

    A live station's counter display encodes ``?code=NNNNNN``; the page checks it and
    carries it into the button's form.
    """
    try:
        page = scan_page(token=token, card_secret=cookie_secret(), now=clock.utcnow(),
                         live_code=request.args.get("code"))
    except StampError as error:
        return stamp_error_response(error)
    return render_template("rally/scan.html", page=page, station=page.station)


@bp.post("/s/<token>")
@limiter.limit(stamp_limit, key_func=limit_key)
def stamp(token: str) -> BaseResponse:
    """Collect the stamp for the scanned station (with the live code a live one needs)."""
    try:
        result = stamp_card(card_secret=cookie_secret(), token=token, now=clock.utcnow(),
                            client_address=request.remote_addr,
                            live_code=request.form.get("code"))
    except StampError as error:
        return stamp_error_response(error)
    return after_stamp(result)


# What the typing form says when a typed code meets a live station.
TYPED_LIVE_MESSAGES = {
    "live_code_needed": _l(
        "Dieses Geschäft stempelt mit einem Code an der Kasse. Tippe bitte die sechs "
        "Ziffern ein, die dort gerade angezeigt werden."
    ),
    "live_code_wrong": _l(
        "Diesen Code kennen wir nicht, oder er ist schon abgelaufen. Die Ziffern an der "
        "Kasse wechseln alle 30 Sekunden: Tippe bitte die ein, die gerade angezeigt werden."
    ),
    "live_code_ambiguous": _l(
        "Diese Ziffern passen gerade zu zwei Geschäften. Warte bitte, bis an der Kasse neue "
        "Ziffern erscheinen (höchstens 30 Sekunden), und tippe sie dann ein."
    ),
}


@bp.route("/stempel", methods=["GET", "POST"])
@limiter.limit(stamp_limit, key_func=limit_key, methods=["POST"])
@limiter.limit(typed_code_limit, key_func=address_key, methods=["POST"])
def type_code() -> BaseResponse | tuple[str, int] | str:
    """Stamp by typing the short code from the poster, or the six digits a live
    station's counter display shows."""
    form = ShortCodeForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("rally/type_code.html", form=form), status
    try:
        result = stamp_card(
            card_secret=cookie_secret(),
            short_code=form.code.data or "",
            source="short_code",
            now=clock.utcnow(),
            client_address=request.remote_addr,
        )
    except StampError as error:
        if error.code == "replaced_station":
            message = _(
                "Dieser Code wurde ersetzt. Im Geschäft hängt ein neues Plakat mit einem "
                "neuen Code."
            )
        elif error.code == "unknown_station":
            message = _(
                "Diesen Code kennen wir nicht. Bitte prüfe die sechs Zeichen unter dem QR-Code."
            )
        elif error.code in TYPED_LIVE_MESSAGES:
            message = str(TYPED_LIVE_MESSAGES[error.code])
        else:
            return stamp_error_response(error)
        form.code.errors = [message]
        return render_template("rally/type_code.html", form=form), 400
    return after_stamp(result)


def slot_words() -> dict[str, str]:
    """What each field of the card says to screen readers, translated once per page and
    filled in per field (a gettext call per field was a fifth of the card page's time)."""
    return {
        "stamped": _("Stempel %(num)s von %(of)s: %(shop)s, %(day)s"),
        "free": _("Stempel %(num)s von %(of)s: noch frei"),
    }


@bp.get("/karte")
@no_store
def card() -> BaseResponse | str:
    """The stamp card: progress, stamped shops, shops left, and how to keep the card."""
    now = clock.utcnow()
    try:
        page = cards.card_page(cookie_secret(), now)
    except CardError:
        return offline_copy(bad_card_response(), keep=False)
    if page is None:
        rally = current_rally(now)
        blank = blank_card(rally.stamp_goal) if rally else None
        return offline_copy(make_response(render_template(
            "rally/no_card.html", rally=rally, slots=blank, slot_words=slot_words())),
            keep=False)
    # (category, text) pairs: flash() was given the text and the category.
    notices: list[tuple[str, str]] = get_flashed_messages(  # type: ignore[assignment]
        with_categories=True, category_filter=NOTICES
    )
    celebrating = any(category == "stamp-new" for category, _text in notices)
    today_door = advent.today_door(page.rally.id, now)
    return offline_copy(make_response(render_template(
        "rally/card.html",
        page=page,
        slots=card_slots(page.progress, celebrating=celebrating),
        slot_words=slot_words(),
        notices=notices,
        celebrating=celebrating,
        recovery_link=recovery_url(page.card.code),
        shown_at=now,
        today_door=today_door,
        today_door_text=translations.localize_one("door", today_door) if today_door else None,
        route=walking_route(page.progress.places),
    )), keep=True)


@bp.get("/karte/qr/<code>.svg")
def recovery_qr(code: str) -> BaseResponse:
    """The recovery link of this browser's card as a QR image.

    A separate image rather than part of the card page: making a QR code costs several
    times the rest of the page, and the page is shown after every stamp, while the image
    never changes and the browser keeps it. The code is in the path so that a browser
    that switches cards never shows the other card's image; only the card's own cookie
    gets it.
    """
    try:
        found = card_for_secret(cookie_secret())
    except CardError:
        found = None
    if found is None or found.code != code:
        abort(404)
    image = qr.screen_svg(recovery_url(code), title=_("QR-Code zum Wiederherstellen deiner Karte"))
    response = make_response(image)
    response.mimetype = "image/svg+xml"
    response.headers["Cache-Control"] = "private, max-age=2592000"
    return response


def recovery_url(card_code: str) -> str:
    """The absolute recovery link of the card with ``card_code``."""
    config = current_app.config
    token = codes.recovery_token(config["SECRET_KEY"], card_code)
    return config["BASE_URL"] + url_for("rally.restore", code=card_code, token=token)


@bp.route("/karte/wiederherstellen/<code>/<token>", methods=["GET", "POST"])
@limiter.limit(recovery_limit)
def restore(code: str, token: str) -> BaseResponse | tuple[str, int] | str:
    """Open a saved card in this browser; the GET asks, the POST does it.

    A browser holding another card of the rally is also offered to merge the two (see
    :func:`merge`). The link of a card retired by a merge opens the card it went into.
    """
    key = current_app.config["SECRET_KEY"]
    if request.method == "GET":
        try:
            found = cards.find_card_by_recovery(key, code, token)
        except DomainError:
            return render_template("rally/bad_recovery.html"), 404
        return restore_page(code, token, found)
    try:
        restored, secret = cards.restore_card(key, code, token, clock.utcnow())
    except DomainError:
        return render_template("rally/bad_recovery.html"), 404
    flash(restored.code, "restored")
    response = redirect(url_for("rally.card"), code=303)
    set_card_cookie(response, secret)
    return response


# Why two cards cannot be merged, as the recovery page says it.
MERGE_REFUSALS = {
    "both_entered": _l(
        "Beide Karten nehmen schon an der Verlosung teil, und jede Teilnahme gehört zu "
        "ihrer Karte. Du kannst aber zur anderen Karte wechseln – beide Teilnahmen "
        "bleiben bestehen."
    ),
    "other_rally": _l(
        "Die beiden Karten gehören zu verschiedenen Rallyes. Zusammenlegen geht nur bei "
        "Karten derselben Rallye."
    ),
    "same_card": _l("Das ist schon die Karte in diesem Browser – es gibt nichts "
                    "zusammenzulegen."),
    "already_merged": _l(
        "Eine der beiden Karten wurde gerade schon mit einer anderen zusammengelegt. "
        "Öffne den Link bitte noch einmal."
    ),
    "unknown_card": _l(
        "Eine der beiden Karten gibt es nicht mehr. Öffne den Link bitte noch einmal."
    ),
    "no_card": _l(
        "In diesem Browser ist keine zweite Karte gespeichert – es gibt nichts "
        "zusammenzulegen."
    ),
}


def restore_page(code: str, token: str, found: Card, refusal: str | None = None,
                 status: int = 200) -> tuple[str, int]:
    """The recovery page for the card ``found`` (the link of ``code``): open it here,
    or, where this browser holds another card, merge the two or switch; ``refusal`` is
    the code of a merge just refused."""
    try:
        here = card_for_secret(cookie_secret())
    except CardError:
        here = None
    offer = card_merge.preview(here, found) if here is not None and here.id != found.id else None
    reason = refusal or (offer.refusal if offer is not None else None)
    return render_template(
        "rally/restore.html", card=found, other=here, offer=offer,
        merged_from=code if code != found.code else None,
        refusal=MERGE_REFUSALS.get(reason) if reason else None,
        restore_url=url_for("rally.restore", code=code, token=token),
        merge_url=url_for("rally.merge", code=code, token=token),
    ), status


@bp.post("/karte/wiederherstellen/<code>/<token>/zusammenlegen")
@limiter.limit(recovery_limit)
def merge(code: str, token: str) -> BaseResponse | tuple[str, int]:
    """Merge this browser's card and the card of the recovery link into one, then show it.

    A refusal (both entered, another rally, ...) shows the recovery page again with the
    reason and a 409; a second click after the merge finds one card and shows it.
    """
    key = current_app.config["SECRET_KEY"]
    try:
        link = cards.find_card_by_recovery(key, code, token)
    except DomainError:
        return render_template("rally/bad_recovery.html"), 404
    try:
        here = card_for_secret(cookie_secret())
    except CardError:
        here = None
    if here is None:
        return restore_page(code, token, link, "no_card", 409)
    if here.id == link.id:
        if not card_merge.has_merged_cards(link.id):
            return restore_page(code, token, link, "same_card", 409)
        count = link.stamp_count
    else:
        try:
            result = card_merge.merge(here.id, link.id, clock.utcnow())
        except card_merge.MergeError as error:
            return restore_page(code, token, cards.find_card_by_recovery(key, code, token),
                                error.code, 409)
        count = result.stamp_count
    flash(str(count), "merged")
    return redirect(url_for("rally.card"), code=303)


ENTRY_MESSAGES = {
    "bad_name": ("name", _l("Bitte gib deinen Namen ein (höchstens 100 Zeichen).")),
    "bad_contact": (
        "contact",
        _l("Das ist weder eine gültige E-Mail-Adresse noch eine Telefonnummer."),
    ),
    "contact_taken": (
        "contact",
        _l("Mit dieser E-Mail-Adresse oder Telefonnummer nimmt schon jemand teil. "
           "Pro Person ist eine Teilnahme möglich."),
    ),
    "consent_missing": ("consent", _l("Bitte bestätige Alter und Teilnahmebedingungen.")),
}


@bp.route("/karte/teilnahme", methods=["GET", "POST"])
def enter() -> BaseResponse | tuple[str, int] | str:
    """Enter the draw once the card has enough stamps (the only personal data we ask)."""
    try:
        found = card_for_secret(cookie_secret())
    except CardError:
        return bad_card_response()
    if found is None:
        return redirect(url_for("rally.card"))
    status = entries.entry_status(found.id, found.rally_id)
    if status.entry is not None:
        return redirect(url_for("rally.card"))
    rally = found.rally
    progress = cards.card_progress(found)
    now = clock.utcnow()
    is_open = entries.entry_open(rally, now)
    form = EntryForm()
    page = {"form": form, "progress": progress, "rally": rally, "entry_open": is_open,
            "prizes": prizes_with_donors(rally.id)}
    if not (progress.qualified and is_open):
        return render_template("rally/enter.html", **page), (409 if form.is_submitted() else 200)
    if not form.validate_on_submit():
        status_code = 400 if form.is_submitted() else 200
        return render_template("rally/enter.html", **page), status_code
    try:
        entries.enter_draw(
            card_id=found.id,
            name=form.name.data or "",
            contact=form.contact.data or "",
            age_confirmed=bool(form.adult.data),
            consent=bool(form.consent.data),
            now=now,
        )
    except entries.EntryError as error:
        if error.code not in ENTRY_MESSAGES:
            return redirect(url_for("rally.card"))
        field, message = ENTRY_MESSAGES[error.code]
        getattr(form, field).errors = [message]
        return render_template("rally/enter.html", **page), 400
    flash("", "entered")
    return redirect(url_for("rally.card"), code=303)


@bp.get("/s/<token>/plakat")
def poster(token: str) -> BaseResponse | str:
    """A print-ready poster for one station (A4, from the browser's print dialogue).

    Only someone who already has the station's token can open it, so it reveals nothing
    that the poster in the window does not.
    """
    try:
        station = find_station(token=token)
    except StampError as error:
        return stamp_error_response(error)
    config = current_app.config
    content = printset.poster_for(station, config["BASE_URL"], config["OFFICE"])
    # The shop's poster language, whatever the language of whoever prints it.
    with force_locale(content.language):
        code = qr.inline_svg(content.url, title=_("QR-Code für %(shop)s", shop=station.shop.name))
        return render_template("rally/poster.html", poster=content, qr_svg=code)


# The poster page's fonts: those of the PDF posters, served from the same package.
POSTER_FONTS = {"sans-regular": "SourceSansPro-Regular.ttf",
                "sans-black": "SourceSansPro-Black.ttf"}


@bp.get("/plakat/schrift/<name>.ttf")
def poster_font(name: str) -> BaseResponse:
    """One of the poster's fonts, so that the poster page prints like the PDF."""
    filename = POSTER_FONTS.get(name)
    if filename is None:
        abort(404)
    return send_file(str(FONT_DIR / filename), mimetype="font/ttf", max_age=30 * 24 * 3600)


@bp.get("/geschaefte")
def shops() -> BaseResponse | tuple[str, int] | str:
    """The current rally's shops by category, searchable, with marks where this card
    stamped and a filter for the shops it has not visited yet (GET parameters)."""
    rally = current_rally(clock.utcnow())
    if rally is None:
        abort(404)
    try:
        found = card_for_secret(cookie_secret(), rally_id=rally.id)
    except CardError:
        found = None
    form = ShopSearchForm(formdata=request.args)
    valid = form.validate()
    directory = shop_directory(
        rally.id,
        card_id=found.id if found is not None else None,
        search=(form.suche.data or "") if valid else "",
        unvisited_only=valid and found is not None and bool(form.offen.data),
    )
    page = render_template(
        "rally/shops.html", rally=rally, directory=directory, form=form,
        has_card=found is not None,
        route=walking_route(rally_places(rally.id, found.id if found is not None else None)),
    )
    return page if valid else (page, 400)
