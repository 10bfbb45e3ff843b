"""Prize draws as DESIGN.md specifies: seal (pool, hash, committed seed), run once, publish.

The arithmetic lives in ``procedure``; this module decides who is eligible, stores each
step, and keeps a draw from ever being run twice.
"""

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import exists, select, update

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
from .errors import DomainError

WINNER_ACTIONS = ("notified", "handed_over", "forfeited")


class DrawError(DomainError):
    """A draw step refused. Codes: ``unknown_rally``, ``unknown_draw``, ``bad_kind``,
    ``bad_day``, ``no_prizes``, ``prize_taken``, ``empty_pool``, ``already_run``,
    ``beacon_set``, ``bad_beacon``, ``unknown_winner``, ``bad_action``, ``winner_closed``."""


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
    now: datetime,
    day: date | None = None,
    title: str = "",
    actor_id: int | None = None,
) -> Draw:
    """Fix the pool and commit to a fresh seed. Prizes go out by rank in the given order."""
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
        sealed_at=now,
        sealed_by=actor_id,
    )
    db.session.add(draw)
    db.session.flush()
    for rank, prize_id in enumerate(prize_ids, start=1):
        db.session.add(DrawPrize(draw_id=draw.id, prize_id=prize_id, rank=rank))
    audit("draw.seal", draw, now, actor_id, pool_hash=draw.pool_hash,
          commitment=draw.commitment, pool_size=draw.pool_size, prizes=prize_ids)
    db.session.commit()
    return draw


def default_title(kind: str, day: date | None) -> str:
    """``Tagesziehung 3.12.2026`` or ``Hauptziehung``."""
    if kind == "daily" and day is not None:
        return f"Tagesziehung {day.day}.{day.month}.{day.year}"
    return "Hauptziehung"


def get_draw(draw_id: int) -> Draw:
    """The draw with that id, or ``DrawError("unknown_draw")``."""
    draw = db.session.get(Draw, draw_id)
    if draw is None:
        raise DrawError("unknown_draw")
    return draw


def record_beacon(
    *, draw_id: int, beacon_hex: str, now: datetime, actor_id: int | None = None
) -> Draw:
    """Record the public randomness value fixed after sealing (once, before the run)."""
    try:
        beacon = procedure.check_beacon(beacon_hex.strip().lower())
    except procedure.ProcedureError as error:
        raise DrawError("bad_beacon") from error
    if beacon is None:
        raise DrawError("bad_beacon")
    begin_write()
    draw = get_draw(draw_id)
    if draw.status != "sealed":
        raise DrawError("already_run")
    if draw.beacon_hex is not None:
        raise DrawError("beacon_set")
    draw.beacon_hex = beacon
    audit("draw.beacon", draw, now, actor_id, beacon_hex=beacon)
    db.session.commit()
    return draw


def run_draw(*, draw_id: int, now: datetime, actor_id: int | None = None) -> Draw:
    """Run a sealed draw: rank the pool, give the prizes by rank, publish the seed.

    The status moves from ``sealed`` to ``run`` in one conditional UPDATE, so of two
    simultaneous runs exactly one proceeds; the other gets ``already_run``.
    """
    begin_write()
    claimed = db.session.execute(
        update(Draw)
        .where(Draw.id == draw_id, Draw.status == "sealed")
        .values(status="run", run_at=now, run_by=actor_id)
        .returning(Draw.id)
    ).scalar()
    if claimed is None:
        get_draw(draw_id)  # unknown_draw, if that is the reason
        raise DrawError("already_run")
    draw = get_draw(draw_id)
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
    audit("draw.run", draw, now, actor_id, seed_hex=draw.seed_hex, winners=ranked)
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


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``."""
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def draws_of(rally_id: int | None = None) -> list[Draw]:
    """Draws, newest first, optionally of one rally."""
    query = select(Draw).order_by(Draw.sealed_at.desc(), Draw.id.desc())
    if rally_id is not None:
        query = query.where(Draw.rally_id == rally_id)
    return list(db.session.scalars(query))
