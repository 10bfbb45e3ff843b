"""Cards: the browser's key to its card, a card's progress, restoring a card on another
device, and the office's review (flags)."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..db import begin_write
from ..extensions import db
from ..models import CARD_FLAGS, Card, CardKey, Draw, Entry, Prize, Rally, Shop, Stamp, Station
from . import codes
from .card_merge import current_card
from .codes import CROCKFORD
from .editing import EditError, audit, existing
from .entries import NOT_ENTERED, EntryStatus, entry_open, entry_status
from .errors import DomainError
from .rallies import latest_result
from .rally_terms import prizes_with_donors
from .route import Place, rally_places


class CardError(DomainError):
    """A card cannot be used. Code: ``bad_card`` (a cookie that is malformed or matches no
    card)."""


class RecoveryError(DomainError):
    """Restoring refused. Code: ``invalid_link``."""


def card_for_secret(secret: str | None, rally_id: int | None = None, *,
                    lock: bool = False) -> Card | None:
    """Return the card a browser's cookie secret belongs to, or ``None`` without a cookie.

    A card retired by "Karten zusammenlegen" answers with the card it was merged into
    (its keys moved there; this covers a key given to it while the merge ran). With
    ``rally_id``, a card of another rally counts as no card. With ``lock``, the card's
    row is locked for the write transaction (``FOR NO KEY UPDATE``, the lock its stamp
    count takes anyway): a merge then either finished before, and the lock reads the
    retired card's pointer, or waits for this transaction. A cookie that is malformed or
    matches no card raises ``CardError("bad_card")``.
    """
    if not secret:
        return None
    if not codes.is_card_secret(secret):
        raise CardError("bad_card")
    query = (
        select(Card)
        .join(CardKey, CardKey.card_id == Card.id)
        .where(CardKey.secret_hash == codes.hash_secret(secret))
    )
    if lock:
        query = query.with_for_update(of=Card, key_share=True).execution_options(
            populate_existing=True)
    card = db.session.scalars(query).first()
    if card is None:
        raise CardError("bad_card")
    card = current_card(card, lock=lock)
    if rally_id is not None and card.rally_id != rally_id:
        return None
    return card


def card_id_for_secret(secret: str | None) -> int | None:
    """The id of the card a cookie secret opens, or ``None`` (no cookie, or no such card):
    one indexed lookup, for rate-limit keys."""
    if not secret or not codes.is_card_secret(secret):
        return None
    return db.session.scalar(
        select(CardKey.card_id).where(CardKey.secret_hash == codes.hash_secret(secret))
    )


def create_card(rally: Rally, now: datetime, *, network_hash: str | None = None,
                first_station_id: int | None = None) -> tuple[Card, str]:
    """Create a card in ``rally`` with a fresh code and a first key; return it and the secret.

    ``network_hash`` is the keyed hash of the network it was started from (see
    ``fraud.network_hash``); ``first_station_id`` names the station whose stamp starts
    the card. A clash of the random public code (one in a trillion) is retried in a
    savepoint.
    """
    for _attempt in range(5):
        try:
            with db.session.begin_nested():
                card = Card(rally_id=rally.id, code=codes.new_card_code(), created_at=now,
                            network_hash=network_hash, first_station_id=first_station_id)
                db.session.add(card)
                db.session.flush()
        except IntegrityError:
            continue
        secret = add_card_key(card, now)
        return card, secret
    raise RuntimeError("could not find a free card code")  # pragma: no cover


def add_card_key(card: Card, now: datetime) -> str:
    """Give ``card`` a new browser key and return the secret for that browser's cookie."""
    secret = codes.new_card_secret()
    db.session.add(CardKey(card_id=card.id, secret_hash=codes.hash_secret(secret), created_at=now))
    db.session.flush()
    return secret


class StampLine(NamedTuple):
    """One stamp of a card as its pages show it: where, when, how."""

    station_id: int
    created_at: datetime
    source: str
    shop_name: str
    shop_slug: str


def card_stamps(card_id: int) -> list[StampLine]:
    """The card's stamps, oldest first, with their shops (one query, plain rows)."""
    query = (
        select(Stamp.station_id, Stamp.created_at, Stamp.source, Shop.name, Shop.slug)
        .join(Station, Station.id == Stamp.station_id)
        .join(Shop, Shop.id == Station.shop_id)
        .where(Stamp.card_id == card_id)
        .order_by(Stamp.created_at, Stamp.id)
    )
    return [StampLine(*row) for row in db.session.execute(query)]


@dataclass(frozen=True)
class Progress:
    """A card's stamps in order, the rally's active stations it has not stamped, the goal.

    ``places`` are all the rally's active stations as the walking route needs them (with
    coordinates, hours and this card's stamps): the card page builds its route from them
    instead of reading the stations a second time.
    """

    card: Card
    stamps: list[StampLine]
    places: list[Place]
    goal: int

    @property
    def open_stations(self) -> list[Place]:
        """The active stations the card has not stamped, by shop name."""
        return sorted((place for place in self.places if place.stamped_at is None),
                      key=lambda place: place.name.casefold())

    @property
    def count(self) -> int:
        """Stamps collected."""
        return len(self.stamps)

    @property
    def total(self) -> int:
        """Stamps possible: the stamped stations and the active ones still open."""
        return self.count + len(self.open_stations)

    @property
    def missing(self) -> int:
        """Stamps still needed for the draw (0 once the goal is reached)."""
        return max(self.goal - self.count, 0)

    @property
    def qualified(self) -> bool:
        """Whether the card has enough stamps for the draw."""
        return self.count >= self.goal


def card_progress(card: Card) -> Progress:
    """Collect the card's stamps and the rally's active stations (two queries)."""
    return Progress(card=card, stamps=card_stamps(card.id),
                    places=rally_places(card.rally_id, card.id), goal=card.rally.stamp_goal)


@dataclass(frozen=True)
class CardPage:
    """Everything the card page shows: the card, its rally, its progress, its entry, what
    the goal wins (the prizes with their donors) and the rally's latest draw result."""

    card: Card
    rally: Rally
    progress: Progress
    status: EntryStatus
    entry_open: bool
    entry_closed: bool
    prizes: list[Prize]
    latest_draw: Draw | None


def card_page(secret: str | None, now: datetime) -> CardPage | None:
    """The card page of the browser holding ``secret``; ``None`` without a card.

    Raises ``CardError("bad_card")`` for a cookie that matches no card. One query finds
    card, rally and entry; one the stamps, one the open shops, one the prizes, one the
    latest result; an entered card's wins take one or two more.
    """
    if not secret:
        return None
    if not codes.is_card_secret(secret):
        raise CardError("bad_card")
    found = db.session.execute(
        select(Card, Entry.id)
        .options(joinedload(Card.rally))
        .join(CardKey, CardKey.card_id == Card.id)
        .outerjoin(Entry, Entry.card_id == Card.id)
        .where(CardKey.secret_hash == codes.hash_secret(secret))
    ).first()
    if found is None:
        raise CardError("bad_card")
    card, entry_id = found
    entered = entry_id is not None
    if card.merged_into_id is not None:  # a key given to a card while it was merged
        card = current_card(card)
        entered = db.session.scalar(select(Entry.id).where(Entry.card_id == card.id)) is not None
    rally = card.rally
    return CardPage(
        card=card,
        rally=rally,
        progress=card_progress(card),
        status=entry_status(card.id, card.rally_id) if entered else NOT_ENTERED,
        entry_open=entry_open(rally, now),
        entry_closed=now >= rally.entry_closes_at,
        prizes=prizes_with_donors(card.rally_id),
        latest_draw=latest_result(card.rally_id),
    )


def find_card_by_recovery(key: str, code: str, token: str, *, lock: bool = False) -> Card:
    """Return the card a recovery link names, or raise ``RecoveryError("invalid_link")``.

    The link of a card retired by a merge leads to the card it was merged into. With
    ``lock``, that card's row is locked for the write transaction (see
    :func:`card_for_secret`).
    """
    if not codes.CARD_CODE_RE.fullmatch(code) or not codes.RECOVERY_RE.fullmatch(token):
        raise RecoveryError("invalid_link")
    if not codes.recovery_matches(key, code, token):
        raise RecoveryError("invalid_link")
    query = select(Card).where(Card.code == code)
    if lock:
        query = query.with_for_update(key_share=True).execution_options(populate_existing=True)
    card = db.session.scalars(query).first()
    if card is None:
        raise RecoveryError("invalid_link")
    return current_card(card, lock=lock)


def restore_card(key: str, code: str, token: str, now: datetime) -> tuple[Card, str]:
    """Give this browser a key to the card of a recovery link; return card and secret.

    The card is locked first, so a key never lands on a card a merge is retiring.
    """
    begin_write()
    card = find_card_by_recovery(key, code, token, lock=True)
    secret = add_card_key(card, now)
    db.session.commit()
    return card, secret


# --- Review by the office ---------------------------------------------------------

STAFF_FLAGS = ("flagged", "cleared", "excluded")
_CROCKFORD_READ = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalise_card_code(typed: str) -> str | None:
    """A card code as a person at the counter reads it out: ``k7qm 2xpa`` → ``K7QM-2XPA``.

    Case, spaces and the dash don't matter; O reads as 0 and I or L as 1 (Crockford).
    ``None`` when it cannot be a card code.
    """
    cleaned = re.sub(r"[\s\-]", "", typed).upper().translate(_CROCKFORD_READ)
    if len(cleaned) != 8 or any(char not in CROCKFORD for char in cleaned):
        return None
    return f"{cleaned[:4]}-{cleaned[4:]}"


NOTE_MAX = 500  # characters of a review note, kept in the audit log


def set_card_flag(*, card_id: int, flag: str, now: datetime,
                  actor_id: int | None = None, note: str = "") -> Card:
    """Flag a card for review, clear it, or exclude it from the draws, with a note.

    Excluding needs a note (why), which the audit event keeps, as it keeps any note.
    Setting the flag it already has changes nothing and writes no audit event. Codes:
    ``bad_flag``, ``unknown_card``, ``note_required``, ``note_too_long``.
    """
    if flag not in STAFF_FLAGS or flag not in CARD_FLAGS:
        raise EditError("bad_flag", flag=flag)
    note = note.strip()
    if flag == "excluded" and not note:
        raise EditError("note_required")
    if len(note) > NOTE_MAX:
        raise EditError("note_too_long", limit=NOTE_MAX)
    begin_write()
    card = existing(Card, card_id, "unknown_card")
    db.session.refresh(card)  # the fraud signals flag cards by UPDATE, past the ORM
    previous = card.flag
    if previous != flag:
        card.flag = flag
        details: dict[str, str] = {"previous": previous, "rally": card.rally.slug}
        if note:
            details["note"] = note
        audit(now, actor_id, f"card.{flag}", card.code, **details)
    db.session.commit()
    return card
