"""Shops and their stations in a rally: edit, add, switch off, new code, CSV import,
and every poster of a rally as one download. A shop's page also lists its accounts
(their buttons are in ``accounts``)."""

import io
import zipfile

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from ..auth.decorators import staff_required
from ..extensions import db
from ..hours_form import fill_week
from ..models import Rally, Shop, Station
from ..security import private_download
from ..services import fraud, stats
from ..services import shops as shop_service
from ..services import stations as station_service
from ..services.accounts import IssuedInvitation, invitation_path, shop_accounts
from ..services.editing import EditError, InvalidInput
from ..services.posters import PAPER, posters_pdf
from ..services.printset import build_print_set, main_prize, poster_for
from ..services.qr import QRError
from ..services.rallies import active_stations
from ..services.shop_import import COLUMNS, ShopImportError, import_shops, template_csv
from ..services.stations import StationError, rotate_station
from . import bp
from .account_forms import InviteForm
from .forms import AddStationForm, ButtonForm, ImportForm, ShopForm, import_message
from .routes import actor_id, all_rallies, chosen_rally, now, show_problems


def required_rally() -> Rally:
    """The chosen rally; 404 when there is none at all."""
    rally = chosen_rally()
    if rally is None:
        abort(404)
    return rally


def rally_by_slug(slug: str) -> Rally:
    """The rally with ``slug`` or 404."""
    rally = db.session.scalars(select(Rally).where(Rally.slug == slug)).first()
    if rally is None:
        abort(404)
    return rally


def shops_url(rally: Rally | None, anchor: str | None = None) -> str:
    """The shop list of ``rally``."""
    return url_for("backoffice.shops", rally=rally.slug if rally else None, _anchor=anchor)


def add_station_form(rally: Rally) -> AddStationForm:
    """The "add a shop" form, offering the shops that are not yet in ``rally``."""
    taken = select(Station.shop_id).where(Station.rally_id == rally.id)
    others = db.session.scalars(select(Shop).where(Shop.id.not_in(taken)))
    form = AddStationForm()
    form.shop_id.choices = [
        SelectChoice(shop.id, f"{shop.name} ({shop.street})")
        for shop in sorted(others, key=lambda s: s.name.casefold())
    ]
    return form


def render_shops(rally: Rally | None, add_form: AddStationForm | None = None,
                 status: int = 200) -> tuple[str, int]:
    """The shop list of a rally: its stations with stamps, then the other shops."""
    if rally is None:
        return render_template("backoffice/shops.html", rally=None, rallies=[]), status
    stations = list(
        db.session.scalars(
            select(Station).options(joinedload(Station.shop)).where(Station.rally_id == rally.id)
        )
    )
    stations.sort(key=lambda s: s.shop.name.casefold())
    counts = {item.station_id: item.stamps for item in stats.stamps_per_station(rally.id)}
    in_rally = {station.shop_id for station in stations}
    others = [
        shop
        for shop in db.session.scalars(select(Shop).order_by(Shop.name))
        if shop.id not in in_rally
    ]
    return render_template(
        "backoffice/shops.html",
        rally=rally,
        rallies=all_rallies(),
        stations=stations,
        counts=counts,
        others=others,
        add_form=add_form or add_station_form(rally),
        button=ButtonForm(),
        active_count=sum(1 for station in stations if station.active),
    ), status


@bp.get("/geschaefte")
@staff_required
def shops() -> tuple[str, int]:
    """The shops of the chosen rally, with station codes, status and stamps."""
    return render_shops(chosen_rally())


@bp.post("/geschaefte/teilnahme")
@staff_required
def station_add() -> BaseResponse | tuple[str, int]:
    """Add an existing shop to the chosen rally (a new station with fresh codes)."""
    rally = required_rally()
    form = add_station_form(rally)
    if not form.validate_on_submit():
        return render_shops(rally, form, 400)
    try:
        station = station_service.add_station(rally_id=rally.id, shop_id=form.shop_id.data or 0,
                                    now=now(), actor_id=actor_id())
    except EditError as error:
        form.shop_id.errors = [_("Dieses Geschäft nimmt schon teil.")
                               if error.code == "already_in_rally"
                               else _("Dieses Geschäft gibt es nicht.")]
        return render_shops(rally, form, 400)
    flash(_("„%(shop)s“ nimmt jetzt an %(rally)s teil (Code %(code)s).",
            shop=station.shop.name, rally=rally.name, code=station.short_code), "ok")
    return redirect(shops_url(rally, f"station-{station.id}"), code=303)


def shop_form_page(form: ShopForm, shop: Shop | None, rally: Rally | None,
                   loose: list[str], status: int = 200, *, invite_form: InviteForm | None = None,
                   issued: IssuedInvitation | None = None) -> tuple[str, int]:
    """The shop form; for an existing shop also its accounts and invitations, with the
    link of an invitation just ``issued`` (shown this once), the hint of a station whose
    printed code looks shared, and what its portal changed lately."""
    section: dict[str, object] = {"alerts": [], "changes": [], "rotation": None}
    if shop is not None:
        section = {
            "access": shop_accounts(shop.id, now()),
            "invite_form": invite_form or InviteForm(formdata=None),
            "issued": issued,
            "alerts": fraud.station_alerts(shop_id=shop.id),
            "issued_link": current_app.config["BASE_URL"] + invitation_path(issued.token)
            if issued else None,
            "changes": shop_service.portal_changes(shop),
            "rotation": next(iter(shop_service.portal_changes(shop, 1, ("station.rotate",))),
                             None),
        }
    return render_template("backoffice/shop_form.html", form=form, shop=shop, rally=rally,
                           loose=loose, **section), status


def shop_page(shop: Shop, rally: Rally | None, status: int = 200, *,
              invite_form: InviteForm | None = None,
              issued: IssuedInvitation | None = None) -> tuple[str, int]:
    """A shop's page as it opens: the form filled from the shop, and its accounts."""
    form = ShopForm(formdata=None, obj=shop)
    form.lat.data = format_coordinate(shop.lat)
    form.lon.data = format_coordinate(shop.lon)
    fill_week(form, shop)
    return shop_form_page(form, shop, rally, [], status, invite_form=invite_form,
                          issued=issued)


@bp.route("/geschaefte/neu", methods=["GET", "POST"])
@staff_required
def shop_new() -> BaseResponse | tuple[str, int]:
    """Create a shop; with ``?rally=slug`` it joins that rally at once."""
    slug = request.args.get("rally")
    rally = rally_by_slug(slug) if slug else None
    form = ShopForm()
    if request.method == "GET":
        return shop_form_page(form, None, rally, [])
    if not form.validate_on_submit():
        return shop_form_page(form, None, rally, [], 400)
    try:
        shop = shop_service.save_shop(shop_id=None, raw=form.raw_values(), now=now(),
                                      actor_id=actor_id(), rally_id=rally.id if rally else None,
                                      week=True)
    except InvalidInput as error:
        return shop_form_page(form, None, rally, show_problems(form, error.problems), 400)
    if rally is not None:
        flash(_("„%(shop)s“ ist angelegt und nimmt an %(rally)s teil.", shop=shop.name,
                rally=rally.name), "ok")
    else:
        flash(_("„%(shop)s“ ist angelegt.", shop=shop.name), "ok")
    return redirect(shops_url(rally), code=303)


@bp.route("/geschaefte/<int:shop_id>", methods=["GET", "POST"])
@staff_required
def shop_edit(shop_id: int) -> BaseResponse | tuple[str, int]:
    """Edit a shop's name, address, hours, description and web address."""
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        abort(404)
    slug = request.args.get("rally")
    rally = rally_by_slug(slug) if slug else None
    if request.method == "GET":
        return shop_page(shop, rally)
    form = ShopForm()
    if not form.validate_on_submit():
        return shop_form_page(form, shop, rally, [], 400)
    try:
        saved = shop_service.save_shop(shop_id=shop.id, raw=form.raw_values(), now=now(),
                                       actor_id=actor_id(), week=True)
    except InvalidInput as error:
        return shop_form_page(form, shop, rally, show_problems(form, error.problems), 400)
    flash(_("„%(shop)s“ ist gespeichert.", shop=saved.name), "ok")
    return redirect(shops_url(rally), code=303)


def format_coordinate(value: float | None) -> str:
    """A coordinate for the form, German style (``51,5955``), or empty."""
    return "" if value is None else f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")


def station_or_404(station_id: int) -> Station:
    """The station with its rally and shop, or 404."""
    station = db.session.get(Station, station_id)
    if station is None:
        abort(404)
    return station


def set_active(station_id: int, active: bool) -> BaseResponse:
    """Switch a station on or off and go back to its row."""
    station = station_or_404(station_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    station_service.set_station_active(station_id=station.id, active=active, now=now(),
                             actor_id=actor_id())
    if active:
        flash(_("„%(shop)s“ nimmt wieder teil; der Code %(code)s stempelt wieder.",
                shop=station.shop.name, code=station.short_code), "ok")
    else:
        flash(_("„%(shop)s“ ist deaktiviert: Der Code %(code)s stempelt nicht mehr. "
                "Gesammelte Stempel bleiben.", shop=station.shop.name,
                code=station.short_code), "ok")
    return redirect(shops_url(station.rally, f"station-{station.id}"), code=303)


@bp.post("/stationen/<int:station_id>/deaktivieren")
@staff_required
def station_deactivate(station_id: int) -> BaseResponse:
    """Stop a station from stamping (shop closed, left the campaign, code misused)."""
    return set_active(station_id, False)


@bp.post("/stationen/<int:station_id>/aktivieren")
@staff_required
def station_activate(station_id: int) -> BaseResponse:
    """Let a deactivated station stamp again."""
    return set_active(station_id, True)


@bp.route("/stationen/<int:station_id>/neuer-code", methods=["GET", "POST"])
@staff_required
def station_rotate(station_id: int) -> BaseResponse | str:
    """Give a station a new QR code and short code; the GET asks first."""
    station = station_or_404(station_id)
    form = ButtonForm()
    if request.method == "GET":
        return render_template("backoffice/station_rotate.html", station=station, form=form)
    if not form.validate_on_submit():
        abort(400)
    old_code = station.short_code
    try:
        rotated = rotate_station(shop_slug=station.shop.slug, rally_slug=station.rally.slug,
                                 now=now(), actor_id=actor_id())
    except StationError:
        abort(404)
    flash(_("Neuer Code für „%(shop)s“: %(code)s. Der alte Code %(old)s und das alte Plakat "
            "gelten nicht mehr – bitte drucken Sie das neue Plakat aus.",
            shop=rotated.shop.name, code=rotated.short_code, old=old_code), "ok")
    return redirect(shops_url(rotated.rally, f"station-{rotated.id}"), code=303)


@bp.route("/geschaefte/import", methods=["GET", "POST"])
@staff_required
def shop_import() -> BaseResponse | tuple[str, int]:
    """Import shops from a CSV file into the chosen rally: every row, or none."""
    rally = required_rally()
    form = ImportForm()
    page = {"rally": rally, "rallies": all_rallies(), "form": form, "columns": COLUMNS}
    if request.method == "GET":
        return render_template("backoffice/shop_import.html", **page, bad_rows=[],
                               file_error=None), 200
    if not form.validate_on_submit():
        return render_template("backoffice/shop_import.html", **page, bad_rows=[],
                               file_error=None), 400
    upload = form.file.data
    try:
        result = import_shops(data=upload.read(), rally_id=rally.id, now=now(),
                              actor_id=actor_id(), filename=upload.filename or "")
    except ShopImportError as error:
        if error.code == "bad_rows":
            return render_template("backoffice/shop_import.html", **page,
                                   bad_rows=error.context["rows"], file_error=None), 400
        return render_template("backoffice/shop_import.html", **page, bad_rows=[],
                               file_error=import_message(error.code, error.context)), 400
    flash(_("Import abgeschlossen: %(created)d Geschäfte neu angelegt, %(updated)d "
            "aktualisiert, %(stations)d neu in „%(rally)s“.", created=result.created,
            updated=result.updated, stations=result.stations_created, rally=rally.name), "ok")
    return redirect(shops_url(rally), code=303)


@bp.get("/geschaefte/import/vorlage.csv")
@staff_required
def shop_import_template() -> Response:
    """An example CSV file with the expected header, to fill in with Excel."""
    return Response(
        template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=geschaefte-vorlage.csv"},
    )


def poster_stations(rally: Rally) -> list[Station] | None:
    """The rally's active stations, or ``None`` (with a message) when there are none."""
    stations = active_stations(rally.id)
    if not stations:
        flash(_("Diese Rallye hat keine aktiven Geschäfte – es gibt nichts zu drucken."),
              "error")
        return None
    return stations


@bp.get("/plakate/<slug>.zip")
@staff_required
def poster_zip(slug: str) -> BaseResponse:
    """Every active station's QR code as SVG (print) and PNG (screen, branded) in one ZIP."""
    rally = rally_by_slug(slug)
    stations = poster_stations(rally)
    if stations is None:
        return redirect(shops_url(rally), code=303)
    config = current_app.config
    try:
        files = build_print_set(rally, stations, config["BASE_URL"], config["OFFICE"], "a4")
    except QRError:
        flash(_("Die Adresse der Seite (BASE_URL) ist falsch eingestellt; bitte wenden Sie "
                "sich an die Technik."), "error")
        return redirect(shops_url(rally), code=303)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            if name.endswith((".svg", ".png")):
                archive.writestr(name, files[name])
    return private_download(buffer.getvalue(), "application/zip", f"qr-codes-{rally.slug}.zip")


@bp.get("/plakate/<slug>.pdf")
@staff_required
def poster_pdf(slug: str) -> BaseResponse:
    """All posters of the rally in one PDF: A4, or A5 with ``?format=a5``."""
    rally = rally_by_slug(slug)
    paper = request.args.get("format", "a4").lower()
    if paper not in PAPER:
        abort(400)
    stations = poster_stations(rally)
    if stations is None:
        return redirect(shops_url(rally), code=303)
    config = current_app.config
    try:
        first_prize = main_prize(rally.id)
        posters = [poster_for(station, config["BASE_URL"], config["OFFICE"], first_prize)
                   for station in stations]
    except QRError:
        flash(_("Die Adresse der Seite (BASE_URL) ist falsch eingestellt; bitte wenden Sie "
                "sich an die Technik."), "error")
        return redirect(shops_url(rally), code=303)
    return private_download(posters_pdf(posters, paper), "application/pdf",
                    f"plakate-{rally.slug}-{paper}.pdf")
