"""Back-office pages of the prize draws: seal (naming the beacon), run, protocol, winners."""

import csv
import io
from datetime import datetime

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse
from wtforms import SelectChoice

from ..auth.decorators import fresh_login_required, staff_required
from ..clock import local
from ..extensions import db
from ..models import AuditEvent, Draw, Rally, User, Winner
from ..services import drand
from ..services import draws as draw_service
from ..services.draw_beacons import beacon_source
from . import bp
from .draw_forms import NO_BEACON, RunForm, SealForm
from .draw_history import draw_history
from .routes import actor_id, chosen_rally, now

DRAW_MESSAGES = {
    "bad_day": _l("Tagesziehungen brauchen einen Tag; Hauptziehungen keinen."),
    "bad_kind": _l("Unbekannte Art der Ziehung."),
    "no_prizes": _l("Bitte wählen Sie mindestens einen Preis."),
    "prize_taken": _l("Ein gewählter Preis ist schon vergeben oder wartet in einer Ziehung."),
    "empty_pool": _l("Niemand ist teilnahmeberechtigt – der Lostopf wäre leer."),
    "reason_required": _l(
        "Der Teilnahmeschluss ist erst %(when)s. Wer eine Hauptziehung vorher versiegelt, "
        "lässt alle später Teilnehmenden aus dem Lostopf – bitte begründen Sie das."
    ),
    "reason_too_long": _l("Die Begründung darf höchstens 500 Zeichen lang sein."),
    "bad_reason": _l("Die Begründung enthält Steuerzeichen; bitte nur normalen Text."),
    "unknown_chain": _l("Bitte wählen Sie drand quicknet, drand mainnet oder „ohne“."),
    "bad_round": _l("Bitte geben Sie die Nummer der drand-Runde an."),
    "round_due": _l(
        "Diese Runde ist %(when)s fällig – zu früh. Sie muss mindestens eine Minute nach "
        "dem Versiegeln fällig sein, damit ihren Wert beim Versiegeln niemand kennt."
    ),
    "round_too_late": _l(
        "Diese Runde wäre erst %(when)s fällig. Bitte eine Runde wählen, die in den "
        "nächsten 60 Tagen fällig ist."
    ),
    "already_run": _l("Diese Ziehung wurde schon durchgeführt."),
    "beacon_not_due": _l(
        "Die genannte drand-Runde ist erst %(when)s fällig; vorher kann nicht gezogen werden."
    ),
    "beacon_missing": _l("Bitte fügen Sie den Wert „randomness“ der genannten drand-Runde ein."),
    "bad_beacon": _l("Der Wert „randomness“ besteht aus 64 Hex-Ziffern (0–9, a–f)."),
    "no_beacon_named": _l(
        "Diese Ziehung wurde ohne öffentlichen Zufallswert versiegelt; es wird keiner eingetragen."
    ),
    "same_person": _l(
        "Sie haben diese Ziehung versiegelt. Ziehen muss sie eine zweite Person mit "
        "eigenem Konto (der Versuch ist protokolliert)."
    ),
    "person_required": _l(
        "Ziehen muss eine zweite Person: Diese Ziehung wurde ohne Konto versiegelt, also "
        "lässt sich das nicht prüfen (der Versuch ist protokolliert)."
    ),
    "winner_closed": _l("Dieser Gewinn ist schon abgeschlossen."),
    "bad_action": _l("Unbekannte Aktion."),
}
# Where a refusal is shown on the seal and run forms (anything else goes to the prizes).
SEAL_FIELDS = {
    "reason_required": "reason", "reason_too_long": "reason", "bad_reason": "reason",
    "unknown_chain": "beacon_chain", "bad_round": "beacon_round", "round_due": "beacon_round",
    "round_too_late": "beacon_round",
}
RUN_FIELDS = {"beacon_missing": "beacon", "bad_beacon": "beacon", "no_beacon_named": "beacon"}
WINNER_ACTION_LABELS = {
    "notified": _l("Benachrichtigt"),
    "handed_over": _l("Übergeben"),
    "forfeited": _l("Verfallen"),
}
SECONDS = "EEEE, d. MMMM yyyy, HH:mm:ss 'Uhr'"


def draw_message(error: draw_service.DrawError) -> str:
    """The German text of a refusal, with the moment it names (``when``) filled in."""
    message = DRAW_MESSAGES.get(error.code)
    if message is None:
        return error.code
    moment = error.context.get("due_at") or error.context.get("entry_closes_at")
    when = ""
    if isinstance(moment, datetime):
        when = _("am %(day)s", day=format_datetime(moment, SECONDS))
    return str(message) % {"when": when}


def draw_rally() -> Rally:
    """The back office's chosen rally (see ``routes.chosen_rally``); 404 without one."""
    rally = chosen_rally()
    if rally is None:
        abort(404)
    return rally


def seal_form(rally: Rally, **data: object) -> SealForm:
    """The seal form with the rally's open prizes as choices."""
    form = SealForm(**data)
    form.prizes.choices = [
        SelectChoice(prize.id, f"{prize.position}. {prize.name}")
        for prize in draw_service.open_prizes(rally.id)
    ]
    return form


def seal_page(rally: Rally, form: SealForm) -> str:
    """The draws page of ``rally`` with ``form``, the suggested rounds and the deadline."""
    moment = now()
    suggestions = []
    for chain in drand.CHAINS.values():
        number = drand.suggested_round(chain, now=moment)
        suggestions.append((chain, number, drand.round_due_at(chain, number)))
    return render_template(
        "backoffice/draws.html",
        rally=rally,
        draws=draw_service.draws_of(rally.id),
        form=form,
        pool_now=len(draw_service.eligible_pool(rally)),
        entries_open=moment < rally.entry_closes_at,
        suggestions=suggestions,
    )


@bp.get("/ziehungen")
@staff_required
def draws() -> str:
    """The rally's draws and the form to seal a new one (the suggested round filled in)."""
    rally = draw_rally()
    suggested = drand.suggested_round(drand.CHAINS["quicknet"], now=now())
    return seal_page(rally, seal_form(rally, beacon_round=suggested))


@bp.post("/ziehungen/versiegeln")
@staff_required
@fresh_login_required
def seal() -> BaseResponse | tuple[str, int]:
    """Seal a draw: fix the pool, commit to a seed, name the beacon (fresh login required)."""
    rally = draw_rally()
    form = seal_form(rally)
    if not form.validate_on_submit():
        return seal_page(rally, form), 400
    chain = None if form.beacon_chain.data == NO_BEACON else form.beacon_chain.data
    try:
        draw = draw_service.seal_draw(
            rally_id=rally.id,
            kind=form.kind.data or "",
            day=form.day.data if form.kind.data == "daily" else None,
            prize_ids=list(form.prizes.data or []),
            title=form.title.data or "",
            beacon_chain=chain,
            beacon_round=form.beacon_round.data if chain else None,
            reason=form.reason.data or "",
            now=now(),
            actor_id=actor_id(),
        )
    except draw_service.DrawError as error:
        getattr(form, SEAL_FIELDS.get(error.code, "prizes")).errors = [draw_message(error)]
        return seal_page(rally, form), 400
    flash(_("Die Ziehung ist versiegelt. Prüfsumme, Commitment und die genannte "
            "Zufallsquelle sind veröffentlicht."), "ok")
    return redirect(url_for("backoffice.draw", draw_id=draw.id), code=303)


def draw_page(item: Draw, form: RunForm, run_error: str = "") -> str:
    """A draw's page: published values, the run form (or who must run it), the winners."""
    sealer = db.session.get(User, item.sealed_by) if item.sealed_by else None
    blocked = (
        current_app.config["DRAW_SECOND_PERSON"] and item.status == "sealed"
        and (item.sealed_by is None or item.sealed_by == actor_id())
    )
    return render_template(
        "backoffice/draw.html",
        draw=item,
        run_form=form,
        run_error=run_error,
        source=beacon_source(item),
        sealed_early=draw_service.sealed_early(item),
        sealer=sealer,
        second_person_blocked=blocked,
        now=now(),
        actions=WINNER_ACTION_LABELS,
    )


@bp.get("/ziehungen/<int:draw_id>")
@staff_required
def draw(draw_id: int) -> str:
    """A draw: its published values, the run form, the winners."""
    return draw_page(db.get_or_404(Draw, draw_id), RunForm())


@bp.post("/ziehungen/<int:draw_id>/ziehen")
@staff_required
@fresh_login_required
def run(draw_id: int) -> BaseResponse | tuple[str, int]:
    """Run the draw once confirmed (fresh login required); a second press changes nothing."""
    item = db.get_or_404(Draw, draw_id)
    form = RunForm()
    if not form.validate_on_submit():
        return draw_page(item, form), 400
    try:
        draw_service.run_draw(
            draw_id=item.id,
            beacon_hex=form.beacon.data or None,
            now=now(),
            actor_id=actor_id(),
            second_person=current_app.config["DRAW_SECOND_PERSON"],
        )
    except draw_service.DrawError as error:
        if error.code == "already_run":
            flash(draw_message(error), "error")
            return redirect(url_for("backoffice.draw", draw_id=item.id), code=303)
        db.session.refresh(item)
        if error.code in RUN_FIELDS:
            form.beacon.errors = [draw_message(error)]
            return draw_page(item, form), 400
        return draw_page(item, form, run_error=draw_message(error)), 400
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
    return render_template(
        "backoffice/draw_protocol.html",
        draw=item,
        events=draw_history(item.id),
        source=beacon_source(item),
        sealed_early=draw_service.sealed_early(item),
    )


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
