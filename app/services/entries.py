"""Entering the draw: one entry per card, one per normalised contact per rally."""

from dataclasses import dataclass
from datetime import datetime

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..db import begin_write
from ..extensions import db
from ..models import Card, Draw, Entry, Rally, Winner
from .card_merge import current_card
from .errors import DomainError

NAME_MAX = 100


class EntryError(DomainError):
    """Entry refused. Codes: ``not_qualified``, ``closed``, ``already_entered``,
    ``contact_taken``, ``bad_contact``, ``bad_name``, ``consent_missing``."""


def normalise_contact(raw: str) -> tuple[str, str]:
    """Return ``("email", lower-cased address)`` or ``("phone", E.164 number)``.

    Phone numbers without a country code are read as German. Raises
    ``EntryError("bad_contact")`` for anything else.
    """
    text = raw.strip()
    if "@" in text:
        try:
            checked = validate_email(text, check_deliverability=False)
        except EmailNotValidError as error:
            raise EntryError("bad_contact") from error
        return "email", checked.normalized.lower()
    try:
        number = phonenumbers.parse(text, "DE")
    except phonenumbers.NumberParseException as error:
        raise EntryError("bad_contact") from error
    if not phonenumbers.is_valid_number(number):
        raise EntryError("bad_contact")
    return "phone", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def entry_open(rally: Rally, now: datetime) -> bool:
    """Whether entries are still accepted for ``rally``."""
    return rally.starts_at <= now < rally.entry_closes_at


def enter_draw(
    *, card_id: int, name: str, contact: str, age_confirmed: bool, consent: bool, now: datetime
) -> Entry:
    """Enter a card into the draw and commit; nothing is written on refusal."""
    clean_name = " ".join(name.split())
    if not clean_name or len(clean_name) > NAME_MAX or "\x00" in clean_name:
        raise EntryError("bad_name")
    if not (age_confirmed and consent):
        raise EntryError("consent_missing")
    kind, normalised = normalise_contact(contact)
    begin_write()
    # Fresh from the write transaction, not a copy the request loaded before it began,
    # and locked: a card a merge retired meanwhile enters as the card it was merged into.
    card = db.session.get(Card, card_id, populate_existing=True,
                          with_for_update={"key_share": True})
    if card is None:
        raise EntryError("not_qualified")
    card = current_card(card, lock=True)
    card_id = card.id
    if not entry_open(card.rally, now):
        raise EntryError("closed")
    if card.stamp_count < card.rally.stamp_goal:
        raise EntryError("not_qualified")
    if db.session.scalar(select(Entry.id).where(Entry.card_id == card.id)) is not None:
        raise EntryError("already_entered")
    entry = Entry(
        rally_id=card.rally_id,
        card_id=card.id,
        name=clean_name,
        contact_kind=kind,
        contact=normalised,
        age_confirmed=True,
        terms_accepted_at=now,
        privacy_accepted_at=now,
        created_at=now,
    )
    db.session.add(entry)
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        # The database decides: the card entered meanwhile, or the contact is taken.
        if db.session.scalar(select(Entry.id).where(Entry.card_id == card_id)) is not None:
            raise EntryError("already_entered") from error
        raise EntryError("contact_taken") from error
    db.session.commit()
    return entry


@dataclass(frozen=True)
class EntryStatus:
    """What the card page says about the draw: the entry, its wins, draws since."""

    entry: Entry | None
    wins: list[Winner]
    draws_run: int


NOT_ENTERED = EntryStatus(entry=None, wins=[], draws_run=0)


def entry_status(card_id: int, rally_id: int) -> EntryStatus:
    """The card's entry, the prizes it won, and how many draws of its rally have run
    since it entered (those sealed before it did not have it in their pool).

    Most cards never enter: for them one small query answers (the draws then do not
    concern the card and count as 0).
    """
    entry = db.session.scalars(select(Entry).where(Entry.card_id == card_id)).first()
    if entry is None:
        return NOT_ENTERED
    wins = list(db.session.scalars(select(Winner).where(Winner.entry_id == entry.id)))
    draws_run = db.session.scalar(
        select(func.count(Draw.id)).where(
            Draw.rally_id == rally_id, Draw.status == "run", Draw.sealed_at >= entry.created_at)
    ) or 0
    return EntryStatus(entry=entry, wins=wins, draws_run=draws_run)
