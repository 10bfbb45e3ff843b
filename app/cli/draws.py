"""Draws: seal, run and verify."""

from datetime import datetime
from typing import TextIO

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import User
from ..services import drand, procedure
from ..services import draws as draw_service
from ..services.draw_beacons import beacon_source
from ..services.errors import DomainError
from ..services.stations import find_rally
from .common import failure


@click.group("draw")
def draw_group() -> None:
    """Seal, run and verify prize draws."""


def staff_account(email: str | None) -> int | None:
    """The id of the active staff account with ``email`` (``--by``), or ``None``."""
    if email is None:
        return None
    user_id = db.session.scalar(
        select(User.id).where(User.email == email.strip().lower(), User.active.is_(True),
                              User.role.in_(("admin", "staff")))
    )
    if user_id is None:
        raise DomainError("unknown_staff")
    return user_id


@draw_group.command("seal")
@with_appcontext
@click.option("--rally", "rally_slug", default=None, help="Rally slug (default: current).")
@click.option("--kind", type=click.Choice(["final", "daily"]), default="final", show_default=True)
@click.option("--day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Local day of a daily draw (YYYY-MM-DD).")
@click.option("--prize", "positions", type=int, multiple=True,
              help="Prize position (repeatable; default: every open prize).")
@click.option("--beacon-chain", type=click.Choice([*drand.CHAIN_NAMES, "none"]),
              default="quicknet", show_default=True,
              help="drand chain whose round the run must take, or none (key = seed alone).")
@click.option("--beacon-round", type=int, default=None,
              help="drand round due after sealing (default: the one due in 10 minutes).")
@click.option("--reason", default="",
              help="Why a final draw is sealed before entries close (required then).")
@click.option("--by", "by_email", default=None, help="E-mail of the staff account sealing.")
def draw_seal(
    rally_slug: str | None, kind: str, day: datetime | None, positions: tuple[int, ...],
    beacon_chain: str, beacon_round: int | None, reason: str, by_email: str | None,
) -> None:
    """Fix the pool, commit to a seed, name the beacon; prints what is published."""
    now = clock.utcnow()
    chain = None if beacon_chain == "none" else drand.CHAINS[beacon_chain]
    if chain is not None and beacon_round is None:
        beacon_round = drand.suggested_round(chain, now=now)
    try:
        if current_app.config["DRAW_SECOND_PERSON"] and by_email is None:
            raise DomainError("by_required")
        actor_id = staff_account(by_email)
        rally = find_rally(rally_slug, now)
        prizes = draw_service.open_prizes(rally.id)
        if positions:
            by_position = {prize.position: prize.id for prize in prizes}
            prize_ids = [by_position.get(position, -1) for position in positions]
        else:
            prize_ids = [prize.id for prize in prizes]
        draw = draw_service.seal_draw(
            rally_id=rally.id,
            kind=kind,
            day=day.date() if day is not None else None,
            prize_ids=prize_ids,
            beacon_chain=chain.name if chain else None,
            beacon_round=beacon_round if chain else None,
            reason=reason,
            now=now,
            actor_id=actor_id,
        )
    except DomainError as error:
        raise failure(error) from error
    click.echo(f"Ziehung {draw.id} versiegelt: {draw.pool_size} Einträge im Lostopf.")
    click.echo(f"pool_hash  {draw.pool_hash}")
    click.echo(f"commitment {draw.commitment}")
    source = beacon_source(draw)
    if source is None:
        click.echo("Beacon     keiner (Schlüssel = Seed)")
    else:
        due = clock.local(source.due_at).isoformat(timespec="seconds")
        click.echo(f"Beacon     {source.chain.label}, Runde {source.round}, fällig {due}")
        click.echo(f"Wert dann unter {source.url}")


@draw_group.command("run")
@with_appcontext
@click.argument("draw_id", type=int)
@click.option("--beacon", default=None,
              help="The named drand round's published randomness (64 hex digits).")
@click.option("--by", "by_email", default=None, help="E-mail of the staff account running.")
def draw_run(draw_id: int, beacon: str | None, by_email: str | None) -> None:
    """Run a sealed draw once and print the winners in rank order."""
    try:
        draw = draw_service.run_draw(
            draw_id=draw_id,
            beacon_hex=beacon,
            now=clock.utcnow(),
            actor_id=staff_account(by_email),
            second_person=current_app.config["DRAW_SECOND_PERSON"],
        )
    except DomainError as error:
        raise failure(error) from error
    click.echo(f"seed {draw.seed_hex}")
    for winner in draw.winners:
        click.echo(f"{winner.rank}\t{winner.card_code}\t{winner.prize.name}")


@draw_group.command("verify")
@click.option("--pool", "pool_file", type=click.File("r", encoding="utf-8"), required=True,
              help="The published pool file.")
@click.option("--seed", required=True, help="The published seed (hex).")
@click.option("--beacon", default=None, help="The published beacon value, if any (hex).")
@click.option("--winners", "count", type=int, required=True, help="Number of winners.")
def draw_verify(pool_file: TextIO, seed: str, beacon: str | None, count: int) -> None:
    """Recompute a draw from published files; prints winning codes, one per line.

    Needs no database: anyone can run it on the files from /ziehungen.
    """
    try:
        pool = procedure.parse_pool(pool_file.read())
        codes = procedure.winners(pool, seed.strip().lower(), beacon, count)
    except DomainError as error:
        raise failure(error) from error
    for code in codes:
        click.echo(code)
