"""Card lookup at the counter, and a card's flag set by hand.

A shopper reads out the code on their card page; staff see its stamps and flag state and
can flag, clear or exclude it with a note (the queue of flagged cards is ``review``). Of
an entry only its existence and time are shown here: personal data stays behind the
data-protection tools.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from ..auth.decorators import staff_required
from ..extensions import db
from ..models import Card, Entry
from ..services import cards as card_service
from ..services import review as review_service
from ..services.editing import EditError
from . import bp
from .forms import FlagForm
from .reasons import gap, reason
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
DECISION_ERRORS = {
    "note_required": _l("Bitte schreiben Sie in die Notiz, warum die Karte ausgeschlossen "
                        "wird."),
    "note_too_long": _l("Die Notiz darf höchstens %(limit)d Zeichen lang sein."),
}


def find_card(code: str) -> Card | None:
    """The card with the normalised public ``code``."""
    return db.session.scalars(select(Card).where(Card.code == code)).first()


def lookup_page(context: dict[str, object], status: int) -> tuple[str, int]:
    """The lookup page without a card: the form, a message, the review queue's length."""
    rally = chosen_rally()
    waiting = review_service.queue_length(rally.id) if rally is not None and status == 200 else 0
    return render_template("backoffice/cards.html", waiting=waiting, rally=rally,
                           **context), status


def card_page(card: Card, failed: tuple[str, str] | None = None,
              status: int = 200) -> tuple[str, int]:
    """A card found: its facts, its stamps, the decision form (``failed``: the message
    and the typed note of a refused decision)."""
    entry_at = db.session.scalar(select(Entry.created_at).where(Entry.card_id == card.id))
    survivor = db.session.get(Card, card.merged_into_id) if card.merged_into_id else None
    merged = list(db.session.scalars(
        select(Card.code).where(Card.merged_into_id == card.id).order_by(Card.merged_at)))
    stamps = review_service.timelines_of([card.id]).get(card.id, [])
    names = {stamp.shop_slug: stamp.shop_name for stamp in stamps}
    return render_template(
        "backoffice/cards.html",
        typed=card.code,
        card=card,
        error=None,
        flag_labels=FLAG_LABELS,
        source_labels=SOURCE_LABELS,
        stamps=stamps,
        reasons=[reason(signal, names)
                 for signal in review_service.signals_of([card.id]).get(card.id, [])],
        gap=gap,
        entry_at=entry_at,
        failed=failed,
        survivor=survivor,
        merged=merged,
    ), status


@bp.get("/karten")
@staff_required
def cards() -> tuple[str, int]:
    """Look a card up by its code (``?code=K7QM-2XPA``, dash and case optional)."""
    typed = request.args.get("code", "").strip()
    context: dict[str, object] = {"typed": typed, "card": None, "error": None}
    if not typed:
        return lookup_page(context, 200)
    code = card_service.normalise_card_code(typed[:40])
    if code is None:
        context["error"] = _("„%(typed)s“ ist kein Kartencode. Ein Kartencode hat acht Zeichen, "
                             "z. B. K7QM-2XPA.", typed=typed[:40])
        return lookup_page(context, 400)
    card = find_card(code)
    if card is None:
        context["error"] = _("Eine Karte %(code)s gibt es nicht. Bitte lassen Sie sich den Code "
                             "noch einmal zeigen.", code=code)
        return lookup_page(context, 404)
    return card_page(card)


def apply_decision(card: Card, form: FlagForm, allowed: tuple[str, ...]) -> str | None:
    """Set the flag the pressed button names, with the form's note, and say so.

    Returns the German message when the note was refused (nothing written), ``None`` when
    done; a button value outside ``allowed`` is a 400 (the buttons send known values:
    anything else was not a person).
    """
    valid = form.validate_on_submit()
    if form.flag.errors or form.flag.data not in allowed or not (valid or form.note.errors):
        abort(400)
    if form.note.errors:
        return "; ".join(map(str, form.note.errors))
    flag = str(form.flag.data)
    try:
        card_service.set_card_flag(card_id=card.id, flag=flag, now=now(),
                                   actor_id=actor_id(), note=form.note.data or "")
    except EditError as error:
        if error.code not in DECISION_ERRORS:
            raise
        db.session.rollback()
        return str(DECISION_ERRORS[error.code]) % error.context
    flash(str(FLAG_DONE[flag]) % {"code": card.code}, "ok")
    return None


def typed_note(form: FlagForm) -> str:
    """The note as typed, to show again with a refusal."""
    return (form.note.data or "")[:2000]


@bp.post("/karten/<code>/markierung")
@staff_required
def card_flag(code: str) -> BaseResponse | tuple[str, int]:
    """Flag, clear or exclude a card with a note, then show it again."""
    card = find_card(code)
    if card is None:
        abort(404)
    if card.merged_into_id is not None:
        # A page opened before the merge: the decision belongs to the card it went into.
        flash(_("Die Karte %(code)s ist mit einer anderen zusammengelegt worden; bitte "
                "entscheiden Sie bei dieser.", code=card.code), "error")
        return redirect(url_for("backoffice.cards", code=card.code), code=303)
    form = FlagForm()
    message = apply_decision(card, form, card_service.STAFF_FLAGS)
    if message is not None:
        return card_page(card, (message, typed_note(form)), 400)
    return redirect(url_for("backoffice.cards", code=card.code), code=303)
