"""Karten zusammenlegen: one shopper's two cards of a rally become one.

QR scanner apps and in-app browsers keep cookie jars of their own, so one shopper may
hold a card in each. When a browser holding card A opens card B's recovery link, the
page offers to merge them (``preview``), and the button does it (``merge``).

The rules:

- Both cards belong to the same rally, are different, and neither was merged before
  (the views follow a retired card's pointer first; see :func:`current_card`).
- The survivor is the card that entered the draw, if one did: an entry, with its
  contact and any prize it won, stays on its own card. Both entered: refused, since
  one person's two entries cannot become one (the shopper may still switch cards).
  Neither: the card with more stamps, on a tie the older one.
- The retired card's stamps move to the survivor. Where both cards have a stamp of the
  same shop (UNIQUE(card, station)), the earlier stamp stays and the later one is
  deleted: the card keeps the day the shopper was first there.
- Its keys (each browser's hold) move too, so every browser of either card now opens the
  survivor; cards merged into it earlier are re-pointed to the survivor.
- Its fraud signals move where the survivor has none of that kind (UNIQUE(card, kind));
  the others stay with the retired card, as a record.
- The survivor's flag becomes the more severe of the two, in the order
  ``none < cleared < flagged < excluded``: an exclusion is staff's decision about the
  person and survives any merge; a flag awaiting review must not vanish into a clean
  card; ``cleared`` outranks ``none`` because the signals it vouches for move along.
- The survivor is "started" where and when the older card was: ``created_at``,
  ``first_station_id`` and ``network_hash`` of the older card, so the shop figures
  count the start once, at the right shop and time.
- The retired card keeps its row with ``merged_into_id`` and ``merged_at``: its old
  recovery link leads to the survivor, and every count leaves it out (it has no stamps).

Locking (PostgreSQL): ``merge`` locks both card rows ``FOR NO KEY UPDATE`` in the order
of their ids, so two merges of one pair queue instead of deadlocking. Every other writer
of a card's stamps, keys or entry (stamping, restoring, entering) locks its card the
same way first and follows the pointer of a card retired meanwhile, so nothing lands on
a retired card. ``NO KEY`` rather than ``FOR UPDATE``: the rows are not deleted and no
key changes, and the foreign-key checks of other inserts (a fraud signal of a group)
need not wait for the merge. On SQLite the write transaction serialises writers anyway.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update

from ..db import begin_write
from ..extensions import db
from ..models import Card, CardKey, CardSignal, Entry, Stamp
from .editing import audit
from .errors import DomainError

# How severe a card's flag is; the merged card takes the more severe one (see above).
FLAG_SEVERITY = {"none": 0, "cleared": 1, "flagged": 2, "excluded": 3}
# A retired card points straight to its survivor (a merge re-points the cards merged
# into the card it retires); the bound only guards against a loop made by hand.
MERGE_HOPS = 16


class MergeError(DomainError):
    """Merging refused; nothing was written. Codes: ``same_card``, ``other_rally``,
    ``both_entered``, ``already_merged``, ``unknown_card``."""


def current_card(card: Card, *, lock: bool = False) -> Card:
    """The card that holds ``card``'s stamps now: ``card`` itself, or the survivor it was
    merged into (locked ``FOR NO KEY UPDATE`` with ``lock``)."""
    for _hop in range(MERGE_HOPS):
        if card.merged_into_id is None:
            return card
        survivor = db.session.get(
            Card, card.merged_into_id, populate_existing=True,
            with_for_update={"key_share": True} if lock else None,
        )
        if survivor is None:  # pragma: no cover - the foreign key forbids it
            return card
        card = survivor
    return card


def merged_flag(first: str, second: str) -> str:
    """The more severe of two flags (``none < cleared < flagged < excluded``)."""
    return max(first, second, key=FLAG_SEVERITY.__getitem__)


def older(first: Card, second: Card) -> Card:
    """The card made first (on the same moment, the lower id)."""
    return min(first, second, key=lambda card: (card.created_at, card.id))


def choose_survivor(first: Card, second: Card, entered: set[int]) -> tuple[Card, Card]:
    """``(survivor, retired)`` of two cards of one rally, ``entered`` being the ids of
    cards with an entry: the entered card; else more stamps; else the older card.

    Raises ``MergeError`` for the same card, cards of two rallies, a retired card and
    two entered cards.
    """
    if first.id == second.id:
        raise MergeError("same_card")
    if first.rally_id != second.rally_id:
        raise MergeError("other_rally")
    for card in (first, second):
        if card.merged_into_id is not None:
            raise MergeError("already_merged", card=card.code)
    if first.id in entered and second.id in entered:
        raise MergeError("both_entered")
    if first.id in entered or second.id in entered:
        survivor = first if first.id in entered else second
    elif first.stamp_count != second.stamp_count:
        survivor = first if first.stamp_count > second.stamp_count else second
    else:
        survivor = older(first, second)
    return survivor, second if survivor is first else first


def has_merged_cards(card_id: int) -> bool:
    """Whether some card was merged into the card with ``card_id``."""
    found = db.session.scalar(select(Card.id).where(Card.merged_into_id == card_id).limit(1))
    return found is not None


def entered_cards(card_ids: list[int]) -> set[int]:
    """The ids among ``card_ids`` of cards that entered the draw."""
    return set(db.session.scalars(select(Entry.card_id).where(Entry.card_id.in_(card_ids))))


def stamps_together(card_ids: list[int]) -> int:
    """How many stamps the cards have together, a shop on both counted once."""
    return int(db.session.scalar(
        select(func.count(func.distinct(Stamp.station_id))).where(Stamp.card_id.in_(card_ids))
    ) or 0)


@dataclass(frozen=True)
class MergePreview:
    """What the recovery page offers a browser holding ``browser`` that opened the link
    of ``link``: their stamp counts, the count on one card, which code the merged card
    keeps, and the refusal code when merging is not possible (``None`` if it is)."""

    browser_code: str
    browser_stamps: int
    link_code: str
    link_stamps: int
    together: int
    survivor_code: str | None
    refusal: str | None


def preview(browser: Card, link: Card) -> MergePreview:
    """The merge offer for two cards as they are now; changes nothing (it is a GET)."""
    for card in (browser, link):  # the counts are the triggers', not those of a loaded copy
        db.session.refresh(card, ["stamp_count", "merged_into_id"])
    survivor_code, refusal = None, None
    try:
        survivor, _retired = choose_survivor(browser, link, entered_cards([browser.id, link.id]))
        survivor_code = survivor.code
    except MergeError as error:
        refusal = error.code
    return MergePreview(
        browser_code=browser.code, browser_stamps=browser.stamp_count,
        link_code=link.code, link_stamps=link.stamp_count,
        together=stamps_together([browser.id, link.id]),
        survivor_code=survivor_code, refusal=refusal,
    )


@dataclass(frozen=True)
class MergeResult:
    """What a merge did, as plain values: the survivor, the retired card, how many stamps
    moved and how many duplicates (a shop on both cards) were dropped, the survivor's
    stamps now. ``already``: the pair had been merged just before (a double submit, a
    race), and this call changed nothing."""

    survivor_id: int
    survivor_code: str
    retired_code: str
    moved: int
    dropped: int
    stamp_count: int
    already: bool = False


def lock_card(card_id: int) -> Card:
    """The card's row, fresh and locked ``FOR NO KEY UPDATE``; ``MergeError`` if missing."""
    card = db.session.get(Card, card_id, populate_existing=True,
                          with_for_update={"key_share": True})
    if card is None:
        db.session.rollback()
        raise MergeError("unknown_card")
    return card


def move_stamps(survivor: Card, retired: Card) -> tuple[int, int]:
    """Move the retired card's stamps to the survivor, keeping the earlier stamp of a shop
    on both; return ``(moved, dropped)``. The triggers keep both stamp counts."""
    rows = db.session.execute(
        select(Stamp.id, Stamp.card_id, Stamp.station_id, Stamp.created_at)
        .where(Stamp.card_id.in_((survivor.id, retired.id)))
        .order_by(Stamp.created_at, Stamp.id)
    ).all()
    first_seen: set[int] = set()
    later: list[int] = []
    for row in rows:  # oldest first: the first stamp of each shop stays
        if row.station_id in first_seen:
            later.append(row.id)
        first_seen.add(row.station_id)
    if later:
        db.session.execute(
            delete(Stamp).where(Stamp.id.in_(later)).execution_options(synchronize_session=False)
        )
    db.session.execute(
        update(Stamp).where(Stamp.card_id == retired.id).values(card_id=survivor.id)
        .execution_options(synchronize_session=False)
    )
    dropped = set(later)
    moved = sum(1 for row in rows if row.card_id == retired.id and row.id not in dropped)
    return moved, len(later)


def move_holds(survivor: Card, retired: Card) -> None:
    """Move the retired card's keys, its signals of kinds the survivor lacks, and the
    pointers of cards merged into it earlier, to the survivor."""
    db.session.execute(
        update(CardKey).where(CardKey.card_id == retired.id).values(card_id=survivor.id)
        .execution_options(synchronize_session=False)
    )
    survivor_kinds = select(CardSignal.kind).where(CardSignal.card_id == survivor.id)
    db.session.execute(
        update(CardSignal)
        .where(CardSignal.card_id == retired.id, CardSignal.kind.not_in(survivor_kinds))
        .values(card_id=survivor.id)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Card).where(Card.merged_into_id == retired.id).values(merged_into_id=survivor.id)
        .execution_options(synchronize_session=False)
    )


def merge(browser_card_id: int, link_card_id: int, now: datetime) -> MergeResult:
    """Merge the card of this browser and the card of the opened recovery link into one,
    in one write transaction, audited as ``card.merge``; commit and return what was done.

    The rules are in the module's docstring. Raises ``MergeError`` (nothing written);
    a pair merged already into one another (a second click, a race) is no error but a
    result with ``already`` set.
    """
    begin_write()
    if browser_card_id == link_card_id:
        db.session.rollback()
        raise MergeError("same_card")
    locked = {card_id: lock_card(card_id) for card_id in sorted((browser_card_id, link_card_id))}
    browser, link = locked[browser_card_id], locked[link_card_id]
    for retired, other in ((browser, link), (link, browser)):
        if retired.merged_into_id == other.id and other.merged_into_id is None:
            result = MergeResult(survivor_id=other.id, survivor_code=other.code,
                                 retired_code=retired.code, moved=0, dropped=0,
                                 stamp_count=other.stamp_count, already=True)
            db.session.rollback()
            return result
    try:
        survivor, retired = choose_survivor(browser, link, entered_cards(list(locked)))
    except MergeError:
        db.session.rollback()
        raise
    moved, dropped = move_stamps(survivor, retired)
    move_holds(survivor, retired)
    start = older(survivor, retired)
    survivor.flag = merged_flag(survivor.flag, retired.flag)
    survivor.created_at, survivor.first_station_id, survivor.network_hash = (
        start.created_at, start.first_station_id, start.network_hash)
    retired.merged_into_id, retired.merged_at = survivor.id, now
    db.session.flush()
    count = int(db.session.scalar(select(Card.stamp_count).where(Card.id == survivor.id)) or 0)
    audit(now, None, "card.merge", survivor.code, survivor=survivor.code, retired=retired.code,
          moved=moved, dropped=dropped, stamps=count, rally=survivor.rally.slug)
    result = MergeResult(survivor_id=survivor.id, survivor_code=survivor.code,
                         retired_code=retired.code, moved=moved, dropped=dropped,
                         stamp_count=count)
    db.session.commit()
    return result
