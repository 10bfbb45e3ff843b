"""Back-office pages of the prize draws: seal, beacon, run, protocol, winners."""

import csv
import io
from datetime import datetime

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse
from wtforms import SelectChoice

from ..auth.decorators import fresh_login_required, staff_required
from ..clock import local
from ..extensions import db
from ..models import AuditEvent, Draw, Rally, Winner
from ..services import draws as draw_service
from . import bp
from .draw_forms import BeaconForm, SealForm
from .routes import actor_id, chosen_rally, now

DRAW_MESSAGES = {
    "bad_day": _l("Tagesziehungen brauchen einen Tag; Hauptziehungen keinen."),
    "bad_kind": _l("Unbekannte Art der Ziehung."),
    "no_prizes": _l("Bitte wählen Sie mindestens einen Preis."),
    "prize_taken": _l("Ein gewählter Preis ist schon vergeben oder wartet in einer Ziehung."),
    "empty_pool": _l("Niemand ist teilnahmeberechtigt – der Lostopf wäre leer."),
    "already_run": _l("Diese Ziehung wurde schon durchgeführt."),
    "beacon_set": _l("Für diese Ziehung ist schon ein Zufallswert eingetragen."),
    "bad_beacon": _l("Der Wert muss aus 16 bis 128 Hex-Ziffern (0–9, a–f) bestehen."),
    "winner_closed": _l("Dieser Gewinn ist schon abgeschlossen."),
    "bad_action": _l("Unbekannte Aktion."),
}
WINNER_ACTION_LABELS = {
    "notified": _l("Benachrichtigt"),
    "handed_over": _l("Übergeben"),
    "forfeited": _l("Verfallen"),
}


def draw_rally() -> Rally:
    """The back office's chosen rally (see ``routes.chosen_rally``); 404 without one."""
    rally = chosen_rally()
    if rally is None:
        abort(404)
    return rally


def seal_form(rally: Rally) -> SealForm:
    """The seal form with the rally's open prizes as choices."""
    form = SealForm()
    form.prizes.choices = [
        SelectChoice(prize.id, f"{prize.position}. {prize.name}")
        for prize in draw_service.open_prizes(rally.id)
    ]
    return form


@bp.get("/ziehungen")
@staff_required
def draws() -> str:
    """The rally's draws and the form to seal a new one."""
    rally = draw_rally()
    return render_template(
        "backoffice/draws.html",
        rally=rally,
        draws=draw_service.draws_of(rally.id),
        form=seal_form(rally),
        pool_now=len(draw_service.eligible_pool(rally)),
    )


@bp.post("/ziehungen/versiegeln")
@staff_required
@fresh_login_required
def seal() -> BaseResponse | tuple[str, int]:
    """Seal a draw: fix the pool and commit to a seed (fresh login required)."""
    rally = draw_rally()
    form = seal_form(rally)
    page = {"rally": rally, "draws": draw_service.draws_of(rally.id), "form": form,
            "pool_now": len(draw_service.eligible_pool(rally))}
    if not form.validate_on_submit():
        return render_template("backoffice/draws.html", **page), 400
    try:
        draw = draw_service.seal_draw(
            rally_id=rally.id,
            kind=form.kind.data or "",
            day=form.day.data if form.kind.data == "daily" else None,
            prize_ids=list(form.prizes.data or []),
            title=form.title.data or "",
            now=now(),
            actor_id=actor_id(),
        )
    except draw_service.DrawError as error:
        form.prizes.errors = [str(DRAW_MESSAGES.get(error.code, error.code))]
        return render_template("backoffice/draws.html", **page), 400
    flash(_("Die Ziehung ist versiegelt. Prüfsumme und Commitment sind veröffentlicht."), "ok")
    return redirect(url_for("backoffice.draw", draw_id=draw.id), code=303)


@bp.get("/ziehungen/<int:draw_id>")
@staff_required
def draw(draw_id: int) -> str:
    """A draw: its published values, the beacon form, the run button, the winners."""
    item = db.get_or_404(Draw, draw_id)
    return render_template(
        "backoffice/draw.html", draw=item, beacon_form=BeaconForm(), actions=WINNER_ACTION_LABELS
    )


@bp.post("/ziehungen/<int:draw_id>/beacon")
@staff_required
def beacon(draw_id: int) -> BaseResponse | tuple[str, int]:
    """Record the public randomness value (once, before the run)."""
    item = db.get_or_404(Draw, draw_id)
    form = BeaconForm()
    if form.validate_on_submit():
        try:
            draw_service.record_beacon(
                draw_id=item.id, beacon_hex=form.beacon.data or "", now=now(),
                actor_id=actor_id(),
            )
        except draw_service.DrawError as error:
            form.beacon.errors = [str(DRAW_MESSAGES.get(error.code, error.code))]
        else:
            flash(_("Der Zufallswert ist eingetragen."), "ok")
            return redirect(url_for("backoffice.draw", draw_id=item.id), code=303)
    page = render_template(
        "backoffice/draw.html", draw=item, beacon_form=form, actions=WINNER_ACTION_LABELS
    )
    return page, 400


@bp.post("/ziehungen/<int:draw_id>/ziehen")
@staff_required
@fresh_login_required
def run(draw_id: int) -> BaseResponse:
    """Run the draw (fresh login required); a second press changes nothing."""
    item = db.get_or_404(Draw, draw_id)
    try:
        draw_service.run_draw(draw_id=item.id, now=now(), actor_id=actor_id())
    except draw_service.DrawError as error:
        flash(str(DRAW_MESSAGES.get(error.code, error.code)), "error")
    else:
        flash(_("Gezogen! Seed und Gewinnerkarten sind veröffentlicht."), "ok")
    return redirect(url_for("backoffice.draw", draw_id=item.id), code=303)


@bp.post("/gewinne/<int:winner_id>/<action>")
@staff_required
def winner_action(winner_id: int, action: str) -> BaseResponse:
    """Mark a win as notified, handed over or forfeited."""
    winner = db.session.get(Winner, winner_id)
    if winner is None or action not in WINNER_ACTION_LABELS:
        abort(404)
    try:
        draw_service.mark_winner(
            winner_id=winner.id, action=action, now=now(), actor_id=actor_id()
        )
    except draw_service.DrawError as error:
        flash(str(DRAW_MESSAGES.get(error.code, error.code)), "error")
    else:
        flash(_("Gespeichert: %(state)s.", state=WINNER_ACTION_LABELS[action]), "ok")
    return redirect(url_for("backoffice.draw", draw_id=winner.draw_id), code=303)


@bp.get("/ziehungen/<int:draw_id>/protokoll")
@staff_required
def protocol(draw_id: int) -> str:
    """The printable Ziehungsprotokoll with every step and its audit trail."""
    item = db.get_or_404(Draw, draw_id)
    events = list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject == f"draw:{item.id}")
            .order_by(AuditEvent.created_at, AuditEvent.id)
        )
    )
    return render_template("backoffice/draw_protocol.html", draw=item, events=events)


@bp.get("/ziehungen/<int:draw_id>/gewinner.csv")
@staff_required
@fresh_login_required
def winners_csv(draw_id: int) -> Response:
    """The winners with name and contact, for notifying them (fresh login; audited)."""
    item = db.get_or_404(Draw, draw_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["Rang", "Preis", "Karte", "Name", "Kontakt", "Benachrichtigt",
                     "Übergeben", "Verfallen"])
    for winner in item.winners:
        writer.writerow([
            winner.rank, winner.prize.name, winner.card_code,
            csv_safe(winner.entry.name),
            # Phone numbers are validated E.164 ("+49…"); e-mail addresses may start with "=".
            winner.entry.contact if winner.entry.contact_kind == "phone"
            else csv_safe(winner.entry.contact),
            iso_or_empty(winner.notified_at), iso_or_empty(winner.handed_over_at),
            iso_or_empty(winner.forfeited_at),
        ])
    db.session.add(AuditEvent(
        created_at=now(), actor_id=actor_id(), action="export.winners",
        subject=f"draw:{item.id}", details={"rows": len(item.winners)},
    ))
    db.session.commit()
    response = Response("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="gewinner-{item.id}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


def csv_safe(value: str) -> str:
    """Defuse spreadsheet formulas in values typed by the public (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def iso_or_empty(moment: datetime | None) -> str:
    """Local ISO time of a moment, or an empty cell."""
    return "" if moment is None else local(moment).isoformat(timespec="minutes")
