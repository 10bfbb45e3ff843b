"""The review queue at /buero/pruefen: flagged cards with their reasons and stamp
timelines, cleared or excluded with a note; stations whose printed code looks shared.

The signals themselves are computed while stamping (app/services/fraud.py); this page
only reads them and records the staff's decisions (audited).
"""

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from ..auth.decorators import staff_required
from ..extensions import db
from ..models import Card, Rally
from ..services import cards as card_service
from ..services import fraud
from ..services.editing import EditError
from ..services.review import Signal, review_queue
from . import bp
from .cards import DECISION_ERRORS, FLAG_DONE, SOURCE_LABELS, find_card
from .forms import ButtonForm, FlagForm
from .routes import actor_id, all_rallies, chosen_rally, now


def duration(seconds: int) -> str:
    """``40 Sekunden``, ``3 Minuten``, ``2 Stunden``: a span in the largest whole unit,
    to follow "in" (``weniger als einer Sekunde`` for less than one)."""
    if seconds < 1:
        return _("weniger als einer Sekunde")
    if seconds < 60:
        return ngettext("%(num)d Sekunde", "%(num)d Sekunden", seconds)
    if seconds < 3600:
        minutes = max(1, round(seconds / 60))
        return ngettext("%(num)d Minute", "%(num)d Minuten", minutes)
    hours = round(seconds / 3600)
    return ngettext("%(num)d Stunde", "%(num)d Stunden", hours)


def gap(seconds: int | None) -> str:
    """The time since the card's stamp before, for the timeline (``–`` for the first)."""
    if seconds is None:
        return "–"
    if seconds < 60:
        return _("%(num)d s", num=seconds)
    if seconds < 3600:
        return _("%(min)d min %(sec)02d s", min=seconds // 60, sec=seconds % 60)
    return _("%(hours)d h %(min)02d min", hours=seconds // 3600, min=seconds % 3600 // 60)


def reason(signal: Signal, names: dict[str, str]) -> str:
    """A signal in the office's German, e.g. ``42 km/h zwischen Bäckerei X und Y``."""
    details: dict[str, Any] = signal.details
    if signal.kind == "speed":
        shops = {"first": names.get(details.get("from", ""), details.get("from", "?")),
                 "second": names.get(details.get("to", ""), details.get("to", "?"))}
        if "kmh" in details:
            return _("%(kmh)s km/h zwischen %(first)s und %(second)s (%(meters)s m in "
                     "%(time)s)", kmh=format_number(round(details["kmh"])),
                     meters=format_number(details.get("meters", 0)),
                     time=duration(int(details.get("seconds", 0))), **shops)
        return _("Nur %(time)s zwischen %(first)s und %(second)s (ohne Koordinaten; "
                 "erwartet sind mindestens %(least)s)",
                 time=duration(int(details.get("seconds", 0))),
                 least=duration(int(details.get("min_seconds", 0))), **shops)
    if signal.kind == "burst":
        return _("%(count)d Stempel in %(time)s", count=int(details.get("stamps", 0)),
                 time=duration(int(details.get("seconds", 0))))
    if signal.kind == "shared_code":
        seconds = int(details.get("seconds", 60))
        window = _("einer Minute") if seconds == 60 else duration(seconds)
        return _("Code von %(shop)s in %(window)s von %(count)d neuen Karten genutzt",
                 shop=signal.shop_name or details.get("station", "?"), window=window,
                 count=int(details.get("cards", 0)))
    if signal.kind == "network":
        return _("%(count)d neue Karten aus einem Netz in %(time)s",
                 count=int(details.get("cards", 0)),
                 time=duration(60 * int(details.get("minutes", 0))))
    return signal.kind


def render_review(rally: Rally | None, failed: tuple[int, str, str] | None = None,
                  status: int = 200) -> tuple[str, int]:
    """The queue page of ``rally``; ``failed`` is (card id, message, typed note) of a
    decision that was refused, shown at that card's form."""
    if rally is None:
        return render_template("backoffice/review.html", rally=None, rallies=[]), status
    queue = review_queue(rally.id)
    reasons: dict[int, list[str]] = {
        item.card_id: [reason(signal, item.shop_names) for signal in item.signals]
        for item in queue.cards
    }
    return render_template(
        "backoffice/review.html",
        rally=rally,
        rallies=all_rallies(),
        queue=queue,
        reasons=reasons,
        failed=failed,
        form=FlagForm(formdata=None),
        button=ButtonForm(),
        source_labels=SOURCE_LABELS,
        gap=gap,
    ), status


@bp.get("/pruefen")
@staff_required
def review() -> tuple[str, int]:
    """The review queue of the chosen (or current) rally."""
    return render_review(chosen_rally())


def decided(card: Card, flag: str) -> BaseResponse:
    """Say what happened and go back to the card's queue (POST/redirect/GET)."""
    flash(str(FLAG_DONE[flag]) % {"code": card.code}, "ok")
    return redirect(url_for("backoffice.review", rally=card.rally.slug), code=303)


@bp.post("/pruefen/karten/<code>")
@staff_required
def review_decide(code: str) -> BaseResponse | tuple[str, int]:
    """Clear or exclude a flagged card with a note (a note is required to exclude)."""
    card = find_card(code)
    if card is None:
        abort(404)
    form = FlagForm()
    rally = card.rally
    note = (form.note.data or "")[:2000]
    if not form.validate_on_submit() and (form.flag.errors or not form.note.errors):
        abort(400)  # the buttons send known values: anything else was not a person
    if form.flag.data not in ("cleared", "excluded"):
        abort(400)
    if form.note.errors:
        return render_review(rally, (card.id, "; ".join(map(str, form.note.errors)), note), 400)
    flag = form.flag.data
    try:
        card_service.set_card_flag(card_id=card.id, flag=flag, now=now(),
                                   actor_id=actor_id(), note=note)
    except EditError as error:
        if error.code not in DECISION_ERRORS:
            raise
        message = str(DECISION_ERRORS[error.code]) % error.context
        db.session.rollback()
        return render_review(rally, (card.id, message, note), 400)
    return decided(card, flag)


@bp.post("/pruefen/stationen/<int:station_id>/erledigt")
@staff_required
def review_station_done(station_id: int) -> BaseResponse:
    """Staff have dealt with a station whose code looked shared: drop the hint."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        station = fraud.dismiss_station_alert(station_id=station_id, now=now(),
                                              actor_id=actor_id())
    except EditError:
        abort(404)
    flash(_("Der Hinweis zu %(shop)s ist erledigt.", shop=station.shop.name), "ok")
    return redirect(url_for("backoffice.review", rally=station.rally.slug), code=303)

