"""Prize draws as DESIGN.md specifies: seal (pool, hash, committed seed, named beacon),
run once, publish.

The arithmetic lives in ``procedure`` and the beacon's rules in ``draw_beacons``; this
module decides who is eligible, when a final draw may be sealed, who may run it, stores
each step, and keeps a draw from ever being run twice.
"""

from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, select, update

from .. import formats
from ..clock import BERLIN
from ..db import begin_write
from ..extensions import db
from ..models import (
    DRAW_KINDS,
    AuditEvent,
    Card,
    Draw,
    DrawPrize,
    Entry,
    Prize,
    Rally,
    Stamp,
    Winner,
)
from . import procedure
from .drand import BeaconError
from .draw_beacons import accepted_beacon, beacon_source, named_beacon
from .errors import DomainError

WINNER_ACTIONS = ("notified", "handed_over", "forfeited")
REASON_MAX = 500


class DrawError(DomainError):
    """A draw step refused. Codes: ``unknown_rally``, ``unknown_draw``, ``bad_kind``,
    ``bad_day``, ``no_prizes``, ``prize_taken``, ``empty_pool``, ``reason_required``,
    ``reason_too_long``, ``bad_reason``, the beacon's (``unknown_chain``, ``bad_round``,
    ``round_due``, ``round_too_late``), ``already_run``, ``beacon_not_due``,
    ``beacon_missing``, ``bad_beacon``, ``no_beacon_named``, ``same_person``,
    ``person_required``, ``unknown_winner``, ``bad_action``, ``winner_closed``."""


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC start and end of a local (Europe/Berlin) calendar day."""
    start = datetime.combine(day, time(0, 0), tzinfo=BERLIN)
    end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=BERLIN)
    return start, end


def lots_for(stamps: int, stamps_per_lot: int | None) -> int:
    """Tickets of an entry: one, or one per ``stamps_per_lot`` stamps (at least one)."""
    if stamps_per_lot is None:
        return 1
    return max(1, stamps // stamps_per_lot)


def eligible_pool(rally: Rally, day: date | None = None) -> list[tuple[str, int]]:
    """``(card code, lots)`` of every entry that may win now, sorted by code.

    Eligible: the entry is not excluded, its card has at least the goal in stamps and is
    not flagged (or its flag was cleared), and it has not won in this rally before
    (unless the rally allows repeat winners). A daily draw also needs a stamp that day.
    """
    query = (
        select(Card.code, Card.stamp_count)
        .join(Entry, Entry.card_id == Card.id)
        .where(
            Entry.rally_id == rally.id,
            Entry.excluded.is_(False),
            Card.flag.in_(("none", "cleared")),
            Card.stamp_count >= rally.stamp_goal,
        )
    )
    if not rally.repeat_winners:
        earlier = select(Winner.entry_id).where(Winner.rally_id == rally.id)
        query = query.where(Entry.id.not_in(earlier))
    if day is not None:
        start, end = local_day_bounds(day)
        stamped_that_day = exists().where(
            Stamp.card_id == Card.id, Stamp.created_at >= start, Stamp.created_at < end
        )
        query = query.where(stamped_that_day)
    rows = db.session.execute(query).all()
    return sorted((code, lots_for(stamps, rally.stamps_per_lot)) for code, stamps in rows)


def open_prizes(rally_id: int) -> list[Prize]:
    """Prizes not waiting in a sealed draw and not won (a forfeited prize is open again)."""
    pending = (
        select(DrawPrize.prize_id)
        .join(Draw, Draw.id == DrawPrize.draw_id)
        .where(Draw.status == "sealed")
    )
    won = select(Winner.prize_id).where(Winner.forfeited_at.is_(None))
    query = (
        select(Prize)
        .where(Prize.rally_id == rally_id, Prize.id.not_in(pending), Prize.id.not_in(won))
        .order_by(Prize.position)
    )
    return list(db.session.scalars(query))


def audit(action: str, draw: Draw, now: datetime, actor_id: int | None, **details: Any) -> None:
    """Add an audit event about ``draw``."""
    db.session.add(
        AuditEvent(
            created_at=now,
            actor_id=actor_id,
            action=action,
            subject=f"draw:{draw.id}",
            details={"rally_id": draw.rally_id, **details},
        )
    )


def seal_draw(
    *,
    rally_id: int,
    kind: str,
    prize_ids: list[int],
    beacon_chain: str | None,
    now: datetime,
    beacon_round: int | None = None,
    day: date | None = None,
    title: str = "",
    reason: str = "",
    actor_id: int | None = None,
) -> Draw:
    """Fix the pool, commit to a fresh seed and name the beacon. Prizes go by rank.

    ``beacon_chain`` names the drand chain whose round ``beacon_round`` the run must
    take (due at least a minute after ``now``), or is ``None`` for a draw without a
    beacon, stated at sealing like everything else. A final draw sealed before the
    rally's entries close needs a ``reason``.
    """
    begin_write()
    rally = db.session.get(Rally, rally_id)
    if rally is None:
        raise DrawError("unknown_rally")
    if kind not in DRAW_KINDS:
        raise DrawError("bad_kind")
    if (kind == "daily") != (day is not None):
        raise DrawError("bad_day")
    if not prize_ids or len(set(prize_ids)) != len(prize_ids):
        raise DrawError("no_prizes")
    reason = check_reason(reason)
    if kind == "final" and now < rally.entry_closes_at and not reason:
        raise DrawError("reason_required", entry_closes_at=rally.entry_closes_at)
    try:
        beacon = named_beacon(beacon_chain, beacon_round, now=now)
    except BeaconError as error:
        raise DrawError(error.code, **error.context) from error
    available = {prize.id: prize for prize in open_prizes(rally.id)}
    if any(prize_id not in available for prize_id in prize_ids):
        raise DrawError("prize_taken")
    pool = eligible_pool(rally, day)
    if not pool:
        raise DrawError("empty_pool")
    text = procedure.pool_text(pool)
    seed = procedure.new_seed()
    draw = Draw(
        rally_id=rally.id,
        kind=kind,
        day=day,
        title=title or default_title(kind, day),
        status="sealed",
        pool_text=text,
        pool_hash=procedure.pool_hash(text),
        pool_size=len(pool),
        seed_hex=seed,
        commitment=procedure.commitment(seed),
        beacon_chain=beacon.chain.name if beacon else None,
        beacon_round=beacon.round if beacon else None,
        beacon_due_at=beacon.due_at if beacon else None,
        seal_reason=reason,
        sealed_at=now,
        sealed_by=actor_id,
    )
    db.session.add(draw)
    db.session.flush()
    for rank, prize_id in enumerate(prize_ids, start=1):
        db.session.add(DrawPrize(draw_id=draw.id, prize_id=prize_id, rank=rank))
    audit("draw.seal", draw, now, actor_id, pool_hash=draw.pool_hash,
          commitment=draw.commitment, pool_size=draw.pool_size, prizes=prize_ids,
          beacon_chain=draw.beacon_chain, beacon_round=draw.beacon_round,
          beacon_due_at=iso(draw.beacon_due_at), reason=reason)
    db.session.commit()
    return draw


def check_reason(reason: str) -> str:
    """A seal reason as typed, trimmed; refuses control characters and overlong text."""
    text = reason.replace("\r\n", "\n").strip()
    if len(text) > REASON_MAX:
        raise DrawError("reason_too_long")
    if any(char not in "\n\t" and (ord(char) < 32 or ord(char) == 127) for char in text):
        raise DrawError("bad_reason")
    return text


def default_title(kind: str, day: date | None) -> str:
    """``Tagesziehung 3.12.2026`` or ``Hauptziehung``."""
    if kind == "daily" and day is not None:
        return f"Tagesziehung {day.day}.{day.month}.{day.year}"
    return "Hauptziehung"


def shown_title(draw: Draw) -> str:
    """The draw's title for visitors: the default titles in the page's language (they
    are stored in German), a title staff chose as they typed it."""
    if draw.title != default_title(draw.kind, draw.day):
        return draw.title
    if draw.kind == "daily" and draw.day is not None:
        return _("Tagesziehung %(day)s", day=formats.day(draw.day, "numeric"))
    return _("Hauptziehung")


def get_draw(draw_id: int) -> Draw:
    """The draw with that id, or ``DrawError("unknown_draw")``."""
    draw = db.session.get(Draw, draw_id)
    if draw is None:
        raise DrawError("unknown_draw")
    return draw


def check_second_person(draw: Draw, actor_id: int | None, *, now: datetime) -> None:
    """Refuse (and audit) a run by the account that sealed, or by no named account."""
    if actor_id is None or draw.sealed_by is None:
        code = "person_required"
    elif actor_id == draw.sealed_by:
        code = "same_person"
    else:
        return
    audit("draw.run_refused", draw, now, actor_id, reason=code, sealed_by=draw.sealed_by)
    db.session.commit()
    raise DrawError(code)


def run_draw(
    *,
    draw_id: int,
    now: datetime,
    beacon_hex: str | None = None,
    actor_id: int | None = None,
    second_person: bool = False,
) -> Draw:
    """Run a sealed draw: rank the pool, give the prizes by rank, publish the seed.

    ``beacon_hex`` is the named round's published value (see ``accepted_beacon``). With
    ``second_person`` the account that sealed may not run. The status moves from
    ``sealed`` to ``run`` in one conditional UPDATE, so of two simultaneous runs exactly
    one proceeds; the other gets ``already_run``.
    """
    begin_write()
    draw = get_draw(draw_id)
    if draw.status != "sealed":
        raise DrawError("already_run")
    if second_person:
        check_second_person(draw, actor_id, now=now)
    try:
        beacon = accepted_beacon(draw, beacon_hex, now=now)
    except BeaconError as error:
        raise DrawError(error.code, **error.context) from error
    claimed = db.session.execute(
        update(Draw)
        .where(Draw.id == draw_id, Draw.status == "sealed")
        .values(status="run", run_at=now, run_by=actor_id, beacon_hex=beacon)
        .returning(Draw.id)
    ).scalar()
    if claimed is None:
        raise DrawError("already_run")
    db.session.refresh(draw)
    pool = procedure.parse_pool(draw.pool_text)
    ranked = procedure.winners(pool, draw.seed_hex, draw.beacon_hex, len(draw.prizes))
    entry_ids = dict(
        db.session.execute(
            select(Card.code, Entry.id)
            .join(Entry, Entry.card_id == Card.id)
            .where(Entry.rally_id == draw.rally_id, Card.code.in_(ranked))
        ).all()
    )
    for draw_prize, code in zip(draw.prizes, ranked, strict=False):
        db.session.add(
            Winner(
                rally_id=draw.rally_id,
                draw_id=draw.id,
                entry_id=entry_ids[code],
                prize_id=draw_prize.prize_id,
                rank=draw_prize.rank,
                card_code=code,
            )
        )
    audit("draw.run", draw, now, actor_id, seed_hex=draw.seed_hex,
          beacon_hex=draw.beacon_hex, winners=ranked)
    db.session.commit()
    return draw


def mark_winner(
    *, winner_id: int, action: str, now: datetime, actor_id: int | None = None
) -> Winner:
    """Record that a winner was notified, received the prize, or forfeited it."""
    if action not in WINNER_ACTIONS:
        raise DrawError("bad_action")
    begin_write()
    winner = db.session.get(Winner, winner_id)
    if winner is None:
        raise DrawError("unknown_winner")
    if winner.handed_over_at is not None or winner.forfeited_at is not None:
        raise DrawError("winner_closed")
    if action == "notified":
        winner.notified_at = winner.notified_at or now
    elif action == "handed_over":
        winner.handed_over_at = now
    else:
        winner.forfeited_at = now
    db.session.add(
        AuditEvent(
            created_at=now,
            actor_id=actor_id,
            action=f"winner.{action}",
            subject=f"draw:{winner.draw_id}",
            details={"rank": winner.rank, "card_code": winner.card_code},
        )
    )
    db.session.commit()
    return winner


def public_record(draw: Draw) -> dict[str, Any]:
    """What anyone may see of a draw; the seed and winners only once it has run."""
    record: dict[str, Any] = {
        "id": draw.id,
        "rally": draw.rally.slug,
        "kind": draw.kind,
        "title": draw.title,
        "day": draw.day.isoformat() if draw.day else None,
        "status": draw.status,
        "sealed_at": iso(draw.sealed_at),
        "pool_size": draw.pool_size,
        "pool_hash": draw.pool_hash,
        "commitment": draw.commitment,
        "seal_reason": draw.seal_reason,
        "sealed_before_entry_close": sealed_early(draw),
        "beacon_source": beacon_record(draw),
        "beacon_hex": draw.beacon_hex,
        "prizes": [{"rank": p.rank, "prize": p.prize.name} for p in draw.prizes],
        "seed_hex": None,
        "run_at": None,
        "winners": [],
    }
    if draw.status == "run":
        record.update(
            seed_hex=draw.seed_hex,
            run_at=iso(draw.run_at),
            winners=[
                {"rank": w.rank, "code": w.card_code, "prize": w.prize.name}
                for w in draw.winners
            ],
        )
    return record


def sealed_early(draw: Draw) -> bool:
    """Whether a final draw was sealed before its rally's entries closed."""
    return draw.kind == "final" and draw.sealed_at < draw.rally.entry_closes_at


def beacon_record(draw: Draw) -> dict[str, Any] | None:
    """The named beacon as published: chain, chain hash, round, due time, public URL."""
    source = beacon_source(draw)
    if source is None:
        return None
    return {
        "kind": "drand",
        "chain": source.chain.name,
        "chain_hash": source.chain.chain_hash,
        "round": source.round,
        "due_at": iso(source.due_at),
        "url": source.url,
    }


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``."""
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def draws_of(rally_id: int | None = None) -> list[Draw]:
    """Draws, newest first, optionally of one rally."""
    query = select(Draw).order_by(Draw.sealed_at.desc(), Draw.id.desc())
    if rally_id is not None:
        query = query.where(Draw.rally_id == rally_id)
    return list(db.session.scalars(query))
