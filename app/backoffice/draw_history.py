"""The history of a draw for its protocol: each audit event said in German, with who."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import AuditEvent, User

# What happened, by audit action; ``%(…)s`` are filled from the event's details.
EVENT_TEXTS = {
    "draw.seal": _l("Versiegelt: %(pool_size)s Teilnahmen im Lostopf festgeschrieben, "
                    "Commitment veröffentlicht"),
    "draw.beacon": _l("Öffentlichen Zufallswert eingetragen"),
    "draw.run": _l("Gezogen: Seed und Gewinnerkarten veröffentlicht"),
    "winner.notified": _l("Gewinn auf Rang %(rank)s (Karte %(card_code)s): benachrichtigt"),
    "winner.handed_over": _l("Gewinn auf Rang %(rank)s (Karte %(card_code)s): übergeben"),
    "winner.forfeited": _l("Gewinn auf Rang %(rank)s (Karte %(card_code)s): verfallen"),
    "export.winners": _l("Gewinnerliste mit Kontaktdaten heruntergeladen (%(rows)s Zeilen)"),
}
REFUSALS = {
    "same_person": _l("Ziehen abgelehnt: dasselbe Konto hatte die Ziehung versiegelt"),
    "person_required": _l("Ziehen abgelehnt: ohne Konto versiegelt oder gezogen, die "
                          "Zwei-Personen-Regel lässt sich nicht prüfen"),
}


class Details(dict[str, Any]):
    """An event's details for ``%`` formatting: a value it lacks shows as a dash."""

    def __missing__(self, key: str) -> str:
        """A dash for a detail the event did not record."""
        return "–"


@dataclass(frozen=True)
class HistoryLine:
    """One step of a draw: when, what (in German), and by whom."""

    at: datetime
    text: str
    actor: str


def event_text(action: str, details: dict[str, Any]) -> str:
    """The German sentence for an audit event; its raw code if there is none."""
    if action == "draw.run_refused":
        refusal = REFUSALS.get(str(details.get("reason")))
        return str(refusal) if refusal else action
    text = EVENT_TEXTS.get(action)
    if text is None:
        return action
    return str(text) % Details(details)


def actor_name(user: User | None) -> str:
    """``von Name (E-Mail)``, or the command line when no account acted."""
    if user is None:
        return _("über die Kommandozeile")
    if user.name:
        return _("von %(name)s (%(email)s)", name=user.name, email=user.email)
    return _("von %(email)s", email=user.email)


def draw_history(draw_id: int) -> list[HistoryLine]:
    """Every audit event of a draw, oldest first, said in German."""
    rows = db.session.execute(
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.subject == f"draw:{draw_id}")
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()
    return [
        HistoryLine(event.created_at, event_text(event.action, event.details or {}),
                    actor_name(user))
        for event, user in rows
    ]
