"""Views of the shop portal. Thin: read input, call one service, map its answer.

Every view is about the logged-in shopkeeper's own shop (``shopkeepers_only`` lets no
one else in): no URL names a shop, so there is no other shop's page to guess.
"""

import math
from datetime import date

from flask import (
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, format_number
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from .. import clock
from ..charts import Chart, Column, column_chart
from ..clock import local
from ..extensions import db
from ..hours_form import fill_week
from ..i18n import NAMES
from ..models import Shop, Station, User
from ..security import private_download
from ..services import fraud, live_codes, qr
from ..services.editing import InvalidInput
from ..services.posters import posters_pdf
from ..services.printset import poster_for
from ..services.qr import QRError
from ..services.shop_stats import DayStamps, portal_station, shop_figures
from ..services.shops import set_poster_language, update_shop_profile
from ..services.stations import StationError, rotate_station, set_station_mode
from . import bp
from .forms import ConfirmForm, ModeForm, PosterLanguageForm, ProfileForm, show_problems

# The counter display of a rally that is not running looks again after this long.
IDLE_REFRESH_SECONDS = 60


def shopkeeper() -> User:
    """The logged-in shopkeeper (``shopkeepers_only`` has checked the role and shop)."""
    user: User = current_user._get_current_object()
    return user


def own_shop() -> Shop:
    """The shopkeeper's shop (the account's foreign key guarantees it exists)."""
    shop = db.session.get(Shop, shopkeeper().shop_id)
    if shop is None:  # pragma: no cover (a foreign key)
        abort(404)
    return shop


def own_station() -> Station:
    """The shop's station the portal is about, or 404 for a shop that never took part."""
    station = portal_station(shopkeeper().shop_id or 0, clock.utcnow())
    if station is None:
        abort(404)
    return station


def day_label(day: date) -> str:
    """``Montag, 1. Dezember``: tables and tooltips."""
    return format_date(day, "EEEE, d. MMMM")


def day_chart(days: list[DayStamps], today: date) -> Chart:
    """Stamps per day: the first day and every Monday labelled with their date."""
    return column_chart([
        Column(
            value=item.stamps,
            title=_("%(day)s: %(count)d Stempel", day=day_label(item.day), count=item.stamps),
            label=format_date(item.day, "d.M.") if index == 0 or item.day.weekday() == 0
            else "",
            highlight=item.day == today,
        )
        for index, item in enumerate(days)
    ])


def hour_chart(hours: list[int]) -> Chart:
    """Stamps by hour of the day over the whole rally, every third hour labelled."""
    return column_chart([
        Column(value=count, title=_("%(hour)d–%(next)d Uhr: %(count)d Stempel", hour=hour,
                                    next=hour + 1, count=count),
               label=str(hour) if hour % 3 == 0 else "")
        for hour, count in enumerate(hours)
    ])


@bp.context_processor
def portal_context() -> dict[str, object]:
    """Values every portal template uses: German number formatting."""
    return {"number": format_number}


@bp.errorhandler(QRError)
def misconfigured(error: QRError) -> BaseResponse:
    """A wrong BASE_URL makes no code: say so on the portal instead of failing."""
    flash(_("Die Adresse der Seite (BASE_URL) ist falsch eingestellt, deshalb lässt sich "
            "gerade kein QR-Code erzeugen. Bitte wenden Sie sich an das Büro."), "error")
    return redirect(url_for("shop.portal"), code=303)


@bp.get("/")
def portal() -> str:
    """The shop's own figures, its posters, its code and its live mode, on one page."""
    shop = own_shop()
    now = clock.utcnow()
    station = portal_station(shop.id, now)
    if station is None:
        return render_template("shop/no_station.html", shop=shop)
    figures = shop_figures(station.id, now=now)
    today = local(now).date()
    return render_template(
        "shop/portal.html",
        shop=shop,
        station=station,
        figures=figures,
        running=station.rally.is_open(now),
        alert=fraud.station_alert(station.id),
        days=[(day_label(item.day), item.stamps, item.day == today)
              for item in figures.days] if figures else [],
        language_form=PosterLanguageForm(language=shop.poster_language),
        day_chart=day_chart(figures.days, today) if figures and figures.days else None,
        hour_chart=hour_chart(figures.hours) if figures else None,
        hours=[(_("%(hour)d–%(next)d Uhr", hour=hour, next=hour + 1), count, False)
               for hour, count in enumerate(figures.hours)] if figures else [],
    )


def station_url(station: Station) -> str:
    """The URL the station's printed code encodes."""
    return qr.station_url(current_app.config["BASE_URL"], station.token)


@bp.get("/plakat-<any(a4, a5):paper>.pdf")
def poster_pdf(paper: str) -> Response:
    """The shop's poster as a PDF, A4 or A5."""
    station = own_station()
    config = current_app.config
    poster = poster_for(station, config["BASE_URL"], config["OFFICE"])
    return private_download(posters_pdf([poster], paper), "application/pdf",
                    f"plakat-{station.shop.slug}-{paper}.pdf")


@bp.get("/qr-code.svg")
def qr_svg() -> Response:
    """The shop's QR code as SVG, for print (vector, 6 cm)."""
    station = own_station()
    return private_download(qr.print_svg(station_url(station)), "image/svg+xml",
                    f"qr-{station.shop.slug}.svg")


@bp.get("/qr-code.png")
def qr_png() -> Response:
    """The shop's QR code as PNG, for screens and e-mail."""
    station = own_station()
    return private_download(qr.png(station_url(station)), "image/png",
                            f"qr-{station.shop.slug}.png")


@bp.get("/qr-code-mit-emblem.png")
def qr_branded_png() -> Response:
    """The shop's QR code with the rally's emblem in the centre, as PNG."""
    station = own_station()
    return private_download(qr.branded_png(station_url(station)), "image/png",
                    f"qr-{station.shop.slug}-emblem.png")


@bp.route("/code-ersetzen", methods=["GET", "POST"])
def rotate() -> BaseResponse | str:
    """Replace the shop's code after a confirmation (the printed posters stop working)."""
    station = own_station()
    form = ConfirmForm()
    if request.method == "GET":
        return render_template("shop/rotate.html", station=station, form=form)
    if not form.validate_on_submit():
        abort(400)
    old_code = station.short_code
    try:
        rotated = rotate_station(shop_slug=station.shop.slug, rally_slug=station.rally.slug,
                                 now=clock.utcnow(), actor_id=shopkeeper().id)
    except StationError:
        abort(404)
    flash(_("Ihr Code ist ersetzt: neu %(code)s, der alte Code %(old)s und die alten Plakate "
            "gelten nicht mehr. Bitte drucken Sie das neue Plakat aus.",
            code=rotated.short_code, old=old_code), "ok")
    # No anchor: the message at the top of the page is what to read first.
    return redirect(url_for("shop.portal"), code=303)


@bp.route("/angaben", methods=["GET", "POST"])
def profile() -> BaseResponse | tuple[str, int]:
    """Edit what the rally's pages say about the shop: description, hours, website."""
    shop = own_shop()
    if request.method == "GET":
        form = ProfileForm(obj=shop)
        fill_week(form, shop)
        return render_template("shop/profile.html", shop=shop, form=form), 200
    form = ProfileForm()
    if not form.validate_on_submit():
        return render_template("shop/profile.html", shop=shop, form=form), 400
    try:
        update_shop_profile(shop_id=shop.id, raw=form.raw_values(), now=clock.utcnow(),
                            actor_id=shopkeeper().id)
    except InvalidInput as error:
        show_problems(form, error.problems)
        return render_template("shop/profile.html", shop=shop, form=form), 400
    flash(_("Ihre Angaben sind gespeichert."), "ok")
    return redirect(url_for("shop.portal"), code=303)


@bp.post("/plakat-sprache")
def poster_language() -> BaseResponse | tuple[str, int]:
    """Print the shop's posters in another language (the PDF and the poster page)."""
    shop = own_shop()
    form = PosterLanguageForm()
    if not form.validate_on_submit():
        abort(400)  # only a forged form offers no language or another one
    set_poster_language(shop_id=shop.id, language=form.language.data or "de",
                        now=clock.utcnow(), actor_id=shopkeeper().id)
    flash(_("Ihre Plakate sind jetzt auf %(language)s.", language=NAMES[shop.poster_language]),
          "ok")
    return redirect(url_for("shop.portal", _anchor="plakate"), code=303)


@bp.route("/modus", methods=["GET", "POST"])
def mode() -> BaseResponse | tuple[str, int]:
    """Switch between the printed poster and the live code at the counter, after a page
    that explains what live mode means."""
    station = own_station()
    form = ModeForm()
    if request.method == "GET":
        form.mode.data = "printed" if station.mode == "live" else "live"
        return render_template("shop/mode.html", station=station, form=form), 200
    if not form.validate_on_submit():
        return render_template("shop/mode.html", station=station, form=form), 400
    switched = set_station_mode(station_id=station.id, mode=form.mode.data or "",
                                now=clock.utcnow(), actor_id=shopkeeper().id)
    if switched.mode == "live":
        flash(_("Der Live-Modus ist an: Ab jetzt stempelt nur der Code auf dem Bildschirm an "
                "Ihrer Kasse. Lassen Sie diese Anzeige dort geöffnet."), "ok")
        return redirect(url_for("shop.live"), code=303)
    flash(_("Der Live-Modus ist aus: Ihr Plakat stempelt wieder."), "ok")
    return redirect(url_for("shop.portal"), code=303)


@bp.get("/live")
def live() -> BaseResponse:
    """The counter display: the current live code as a big QR and six digits.

    It reloads itself when the next code is due, by a ``Refresh`` header (no script
    needed; a ``<meta>`` refresh would do the same but reads as a time limit to
    accessibility checkers); the script adds a countdown and keeps the screen awake.
    """
    station = own_station()
    now = clock.utcnow()
    stamping = station.mode == "live" and station.active and station.rally.is_open(now)
    page: dict[str, object] = {"station": station, "stamping": stamping,
                               "not_started": now < station.rally.starts_at}
    refresh = IDLE_REFRESH_SECONDS
    if stamping:
        code = live_codes.live_code(station.live_secret, live_codes.current_step(now))
        left = live_codes.seconds_left(now)
        title = _("QR-Code zum Stempeln bei %(shop)s", shop=station.shop.name)
        page.update(code=code, seconds_left=round(left, 1),
                    qr_svg=qr.inline_svg(live_url(station, code), title=title, scale=8))
        refresh = math.floor(left) + 1
    response = make_response(render_template("shop/live.html", **page))
    if station.mode == "live":
        response.headers["Refresh"] = str(refresh)
    return response


def live_url(station: Station, code: str) -> str:
    """What the counter's QR code encodes: the station's URL with the current code."""
    return f"{station_url(station)}?code={code}"
