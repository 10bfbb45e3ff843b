"""Card lookup at the counter, and the review of flagged cards.

A shopper reads out the code on their card page; staff see its stamps and flag state and
can flag, clear or exclude it. Of an entry only its existence and time are shown here:
personal data stays behind the data-protection tools.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.wrappers import Response as BaseResponse

from ..auth.decorators import staff_required
from ..extensions import db
from ..models import Card, Entry, Stamp
from ..services import cards as card_service
from ..services.cards import card_stamps
from . import bp
from .forms import ButtonForm, FlagForm
from .routes import actor_id, chosen_rally, now

FLAG_LABELS = {
    "none": _l("nicht markiert"),
    "flagged": _l("markiert – zur Prüfung"),
    "cleared": _l("geprüft, in Ordnung"),
    "excluded": _l("von der Verlosung ausgeschlossen"),
}
FLAG_DONE = {
    "flagged": _l("Die Karte %(code)s ist zur Prüfung markiert."),
    "cleared": _l("Die Karte %(code)s ist geprüft und in Ordnung."),
    "excluded": _l("Die Karte %(code)s ist von der Verlosung ausgeschlossen."),
}
SOURCE_LABELS = {
    "qr": _l("QR-Code"),
    "short_code": _l("Code getippt"),
    "live": _l("Live-Code"),
    "staff": _l("Büro"),
}
REVIEW_LIMIT = 100


def find_card(code: str) -> Card | None:
    """The card with the normalised public ``code``."""
    return db.session.scalars(select(Card).where(Card.code == code)).first()


def flagged_cards() -> tuple[list[tuple[Card, int]], str | None]:
    """Flagged cards of the chosen rally with their stamp counts (the review queue)."""
    rally = chosen_rally()
    if rally is None:
        return [], None
    flagged = list(
        db.session.scalars(
            select(Card)
            .where(Card.rally_id == rally.id, Card.flag == "flagged")
            .order_by(Card.created_at)
            .limit(REVIEW_LIMIT)
        )
    )
    counts: dict[int, int] = dict(
        db.session.execute(
            select(Stamp.card_id, func.count())
            .where(Stamp.card_id.in_([card.id for card in flagged]))
            .group_by(Stamp.card_id)
        ).all()
    )
    return [(card, counts.get(card.id, 0)) for card in flagged], rally.name


@bp.get("/karten")
@staff_required
def cards() -> tuple[str, int]:
    """Look a card up by its code (``?code=K7QM-2XPA``, dash and case optional)."""
    typed = request.args.get("code", "").strip()
    context: dict[str, object] = {"typed": typed, "card": None, "error": None,
                                  "flag_labels": FLAG_LABELS, "source_labels": SOURCE_LABELS}
    if not typed:
        queue, rally_name = flagged_cards()
        return render_template("backoffice/cards.html", queue=queue, rally_name=rally_name,
                               **context), 200
    code = card_service.normalise_card_code(typed[:40])
    if code is None:
        context["error"] = _("„%(typed)s“ ist kein Kartencode. Ein Kartencode hat acht Zeichen, "
                             "z. B. K7QM-2XPA.", typed=typed[:40])
        return render_template("backoffice/cards.html", queue=[], rally_name=None,
                               **context), 400
    card = find_card(code)
    if card is None:
        context["error"] = _("Eine Karte %(code)s gibt es nicht. Bitte lassen Sie sich den Code "
                             "noch einmal zeigen.", code=code)
        return render_template("backoffice/cards.html", queue=[], rally_name=None,
                               **context), 404
    entry_at = db.session.scalar(select(Entry.created_at).where(Entry.card_id == card.id))
    return render_template(
        "backoffice/cards.html",
        queue=[],
        rally_name=None,
        **{**context, "card": card, "typed": code},
        stamps=card_stamps(card.id),
        entry_at=entry_at,
        form=ButtonForm(),
    ), 200


@bp.post("/karten/<code>/markierung")
@staff_required
def card_flag(code: str) -> BaseResponse:
    """Flag, clear or exclude a card, then show it again."""
    card = find_card(code)
    if card is None:
        abort(404)
    form = FlagForm()
    if not form.validate_on_submit():
        abort(400)
    flag = form.flag.data or ""
    card_service.set_card_flag(card_id=card.id, flag=flag, now=now(), actor_id=actor_id())
    flash(str(FLAG_DONE[flag]) % {"code": card.code}, "ok")
    return redirect(url_for("backoffice.cards", code=card.code), code=303)
