"""The review queue at /buero/pruefen: flagged cards with their reasons and stamp
timelines, cleared or excluded with a note; stations whose printed code looks shared.

The signals themselves are computed while stamping (app/services/fraud.py); this page
only reads them and records the staff's decisions (audited).
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from ..auth.decorators import staff_required
from ..models import Rally
from ..services import fraud
from ..services.editing import EditError
from ..services.review import review_queue
from . import bp
from .cards import SOURCE_LABELS, apply_decision, find_card, typed_note
from .forms import ButtonForm, FlagForm
from .reasons import gap, reason
from .routes import actor_id, all_rallies, chosen_rally, now


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
        button=ButtonForm(),
        source_labels=SOURCE_LABELS,
        gap=gap,
    ), status


@bp.get("/pruefen")
@staff_required
def review() -> tuple[str, int]:
    """The review queue of the chosen (or current) rally."""
    return render_review(chosen_rally())


@bp.post("/pruefen/karten/<code>")
@staff_required
def review_decide(code: str) -> BaseResponse | tuple[str, int]:
    """Clear or exclude a flagged card with a note (a note is required to exclude)."""
    card = find_card(code)
    if card is None:
        abort(404)
    form = FlagForm()
    message = apply_decision(card, form, ("cleared", "excluded"))
    if message is not None:
        return render_review(card.rally, (card.id, message, typed_note(form)), 400)
    return redirect(url_for("backoffice.review", rally=card.rally.slug), code=303)


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

