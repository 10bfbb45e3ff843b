"""Views of the shopper's pages. Thin: read input, call one service, map its answer."""

from typing import NamedTuple

from flask import (
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from .. import clock
from ..extensions import db, limiter
from ..models import Stamp, Station
from ..rendercache import cached_url_for, fragments, memo, render_page
from ..services import cards, codes, entries, printset, qr
from ..services.errors import DomainError
from ..services.rallies import active_stations, current_rally
from ..services.records import rally_info
from ..services.stamping import (
    StampError,
    StampResult,
    card_ref_for_secret,
    card_view_for_secret,
    check_stampable,
    find_station,
    stamp_card,
    stamped_here,
)
from . import bp, notices
from .forms import EntryForm, ShortCodeForm


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


def limit_key() -> str:
    """Rate-limit by card where the browser has one, else by address.

    Many phones share one address behind a mobile network, so a card is the fairer unit.
    """
    secret = cookie_secret()
    if secret and codes.is_card_secret(secret):
        return "card:" + codes.hash_secret(secret)
    return "ip:" + (request.remote_addr or "unknown")


def stamp_limit() -> str:
    """The configured limit for stamping requests."""
    return str(current_app.config["RATELIMIT_STAMP"])


def recovery_limit() -> str:
    """The configured limit for recovery requests."""
    return str(current_app.config["RATELIMIT_RECOVERY"])


def bad_card_response() -> BaseResponse:
    """400 page for a cookie that matches no card, which also drops that cookie."""
    response = make_response(render_template("rally/bad_card.html"), 400)
    forget_card_cookie(response)
    return response


def stamp_error_response(error: StampError) -> BaseResponse:
    """Turn a refused stamp into the page that explains it."""
    if error.code == "bad_card":
        return bad_card_response()
    if error.code == "unknown_station":
        return make_response(render_template("rally/unknown_code.html"), 404)
    station = error.context.get("station")
    if error.code == "replaced_station":
        return make_response(render_template("rally/replaced_code.html", station=station), 410)
    rally = error.context.get("rally")
    return make_response(
        render_template("rally/closed.html", reason=error.code, rally=rally, station=station),
        409,
    )


class Notice(NamedTuple):
    """A notice on the card page (see :mod:`.notices`), with the numbers a celebration
    shows."""

    category: str  # stamp-new, stamp-again, entered, restored
    text: str  # the shop's name, or the card's number when restored
    tally: cards.Tally


def after_stamp(result: StampResult) -> BaseResponse:
    """Redirect to the card, which celebrates the stamp (POST/redirect/GET)."""
    response = redirect(cached_url_for("rally.card"), code=303)
    notices.give(response, "stamp-new" if result.new_stamp else "stamp-again", result.station.id)
    if result.card_secret:
        set_card_cookie(response, result.card_secret)
    return response


@bp.get("/s/<token>")
def scan(token: str) -> BaseResponse | str:
    """The page the camera opens: shop name and one big button. Changes nothing."""
    try:
        station = find_station(token=token)
        check_stampable(station, clock.utcnow())
        card = card_ref_for_secret(cookie_secret(), rally_id=station.rally_id)
    except StampError as error:
        if error.code != "bad_card":
            return stamp_error_response(error)
        card = None  # a stale cookie is replaced on the tap; no need to refuse the page
    already = card is not None and stamped_here(card.id, station.id)
    return render_page("rally/scan.html", (station, already), station=station, already=already)


@bp.post("/s/<token>")
@limiter.limit(stamp_limit, key_func=limit_key)
def stamp(token: str) -> BaseResponse:
    """Collect the stamp for the scanned station."""
    try:
        result = stamp_card(card_secret=cookie_secret(), token=token, now=clock.utcnow())
    except StampError as error:
        return stamp_error_response(error)
    return after_stamp(result)


@bp.route("/stempel", methods=["GET", "POST"])
@limiter.limit(stamp_limit, key_func=limit_key, methods=["POST"])
def type_code() -> BaseResponse | tuple[str, int] | str:
    """Stamp by typing the short code from the poster."""
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
        else:
            return stamp_error_response(error)
        form.code.errors = [message]
        return render_template("rally/type_code.html", form=form), 400
    return after_stamp(result)


@bp.get("/karte")
def card() -> BaseResponse | str:
    """The stamp card: progress, stamped shops, shops left, and how to keep the card."""
    try:
        view = card_view_for_secret(cookie_secret())
    except StampError:
        return bad_card_response()
    if view is None:
        return render_template("rally/no_card.html", rally=current_rally(clock.utcnow()))
    found, rally = view.card, view.rally
    progress = cards.view_progress(view)
    tally = progress.tally
    status = entries.entry_status_of(view.entry_id, rally.id)
    given = notices.given()
    shown = []
    if given is not None:
        text = notices.text_for(given, found.code, progress.stamps, status.entry is not None)
        if text is not None:
            shown.append(Notice(given.kind, text, tally))
    celebrating = bool(shown) and shown[0].category == "stamp-new"
    entry_open = entries.entry_open(rally, clock.utcnow())
    # Cards with the same numbers share their page but for the holes; an entered card's
    # status holds its own entry and wins, so its page is rendered afresh.
    key = (tally, rally, entry_open, celebrating) if status.entry is None else None
    holes = {
        "notices": fragments("rally/_card_notice.html", "notice", shown),
        "card_code": found.code,
        "qr_url": cached_url_for("rally.recovery_qr", code=found.code),
        "recovery_link": recovery_url(found.code),
        "stamp_items": fragments(
            "rally/_stamp_item.html", "stamp", map(cards.StampItem.of, progress.stamps)
        ),
        "open_items": fragments("rally/_station_item.html", "station", progress.open_stations),
    }
    page = render_page(
        "rally/card.html",
        key,
        holes,
        tally=tally,
        rally=rally,
        status=status,
        entry_open=entry_open,
        celebrating=celebrating,
    )
    if not notices.carried():
        return page
    response = make_response(page)
    notices.taken(response)
    return response


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
        found = card_ref_for_secret(cookie_secret())
    except StampError:
        found = None
    if found is None or found.code != code:
        abort(404)
    image = qr.screen_svg(recovery_url(code), title=_("QR-Code zum Wiederherstellen deiner Karte"))
    response = make_response(image)
    response.mimetype = "image/svg+xml"
    response.headers["Cache-Control"] = "private, max-age=2592000"
    return response


def recovery_url(card_code: str) -> str:
    """The absolute recovery link of the card with ``card_code``.

    Remembered per process with everything it is made of (key, base URL, script root,
    code): the card page shows it on every visit, and its HMAC cost more than the rest
    of the link.
    """
    config = current_app.config
    key, base = config["SECRET_KEY"], config["BASE_URL"]

    def make() -> str:
        token = codes.recovery_token(key, card_code)
        return base + cached_url_for("rally.restore", code=card_code, token=token)

    link: str = memo("urls").get(("recovery", key, base, request.script_root, card_code), make)
    return link


@bp.route("/karte/wiederherstellen/<code>/<token>", methods=["GET", "POST"])
@limiter.limit(recovery_limit)
def restore(code: str, token: str) -> BaseResponse | tuple[str, int] | str:
    """Open a saved card in this browser; the GET asks, the POST does it."""
    key = current_app.config["SECRET_KEY"]
    if request.method == "GET":
        try:
            found = cards.find_card_by_recovery(key, code, token)
        except DomainError:
            return render_template("rally/bad_recovery.html"), 404
        try:
            here = card_ref_for_secret(cookie_secret())
        except StampError:
            here = None
        return render_template("rally/restore.html", card=found, other=here)
    try:
        restored, secret = cards.restore_card(key, code, token, clock.utcnow())
    except DomainError:
        return render_template("rally/bad_recovery.html"), 404
    response = redirect(url_for("rally.card"), code=303)
    set_card_cookie(response, secret)
    notices.give(response, "restored", restored.code)
    return response


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
        found = card_ref_for_secret(cookie_secret())
    except StampError:
        return bad_card_response()
    if found is None:
        return redirect(url_for("rally.card"))
    status = entries.entry_status(found.id, found.rally_id)
    if status.entry is not None:
        return redirect(url_for("rally.card"))
    rally = rally_info(found.rally_id)
    progress = cards.card_progress(found, rally)
    now = clock.utcnow()
    is_open = entries.entry_open(rally, now)
    form = EntryForm()
    page = {"form": form, "progress": progress, "rally": rally, "entry_open": is_open}
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
    response = redirect(url_for("rally.card"), code=303)
    notices.give(response, "entered")
    return response


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
    code = qr.inline_svg(content.url, title=_("QR-Code für %(shop)s", shop=station.shop.name))
    return render_template("rally/poster.html", poster=content, qr_svg=code)


@bp.get("/geschaefte")
def shops() -> BaseResponse | str:
    """All shops of the current rally by category, with marks where this card stamped."""
    rally = current_rally(clock.utcnow())
    if rally is None:
        abort(404)
    try:
        found = card_ref_for_secret(cookie_secret(), rally_id=rally.id)
    except StampError:
        found = None
    stamped: set[int] = set()
    if found is not None:
        stamped = set(
            db.session.scalars(db.select(Stamp.station_id).where(Stamp.card_id == found.id))
        )
    by_category: dict[str, list[Station]] = {}
    for station in active_stations(rally.id):
        by_category.setdefault(station.shop.category, []).append(station)
    return render_template(
        "rally/shops.html",
        rally=rally,
        by_category=sorted(by_category.items()),
        stamped=stamped,
        has_card=found is not None,
    )

