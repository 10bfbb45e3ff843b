"""Draws on the database: eligibility, sealing, running once, forfeits, the CLI."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Draw, Winner
from app.services import procedure
from app.services.draws import (
    DrawError,
    eligible_pool,
    mark_winner,
    open_prizes,
    record_beacon,
    run_draw,
    seal_draw,
)

from .helpers import (
    LAST_DAY,
    make_card,
    make_entry,
    make_prizes,
    make_rally,
    make_station,
)
from .reference_draw import reference_winners

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
def rally_setup(app: Flask):
    """A rally (goal 3) with 5 stations and 3 prizes."""
    rally = make_rally()
    stations = [make_station(rally) for _ in range(5)]
    prizes = make_prizes(rally, 3)
    db.session.commit()
    return rally, stations, prizes


def test_eligibility(rally_setup) -> None:
    rally, stations, _prizes = rally_setup
    good = make_card(rally, stations, 3)
    make_entry(good)
    under_goal = make_card(rally, stations, 2)
    make_entry(under_goal)
    flagged = make_card(rally, stations, 5, flag="flagged")
    make_entry(flagged)
    cleared = make_card(rally, stations, 4, flag="cleared")
    make_entry(cleared)
    excluded = make_card(rally, stations, 5)
    make_entry(excluded, excluded=True)
    make_card(rally, stations, 5)  # qualified but never entered
    db.session.commit()
    assert eligible_pool(rally) == sorted([(good.code, 1), (cleared.code, 1)])


def test_lots_per_stamps(rally_setup) -> None:
    rally, stations, _prizes = rally_setup
    rally.stamps_per_lot = 2
    three = make_card(rally, stations, 3)
    make_entry(three)
    five = make_card(rally, stations, 5)
    make_entry(five)
    db.session.commit()
    assert dict(eligible_pool(rally)) == {three.code: 1, five.code: 2}


def entered_cards(rally, stations, n: int) -> list[str]:
    """``n`` qualified entries; their codes."""
    result = []
    for _ in range(n):
        card = make_card(rally, stations, 3)
        make_entry(card)
        result.append(card.code)
    db.session.commit()
    return result


def test_seal_then_run_is_reproducible(rally_setup) -> None:
    rally, stations, prizes = rally_setup
    entered_cards(rally, stations, 8)
    draw = seal_draw(rally_id=rally.id, kind="final", prize_ids=[p.id for p in prizes],
                     now=LAST_DAY)
    assert draw.status == "sealed" and draw.pool_size == 8
    assert draw.pool_hash == procedure.pool_hash(draw.pool_text)
    assert draw.commitment == procedure.commitment(draw.seed_hex)
    record_beacon(draw_id=draw.id, beacon_hex="00ff" * 8, now=LAST_DAY)
    run = run_draw(draw_id=draw.id, now=LAST_DAY)
    codes = [w.card_code for w in run.winners]
    assert codes == reference_winners(draw.pool_text, draw.seed_hex, "00ff" * 8, 3)
    assert [w.prize_id for w in run.winners] == [p.id for p in prizes]
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"draw.seal", "draw.beacon", "draw.run"} <= actions
    with pytest.raises(DrawError) as excinfo:
        run_draw(draw_id=draw.id, now=LAST_DAY)
    assert excinfo.value.code == "already_run"
    with pytest.raises(DrawError) as excinfo:
        record_beacon(draw_id=draw.id, beacon_hex="ab" * 8, now=LAST_DAY)
    assert excinfo.value.code == "already_run"


def test_a_pool_smaller_than_the_prizes(rally_setup) -> None:
    rally, stations, prizes = rally_setup
    entered_cards(rally, stations, 2)
    draw = seal_draw(rally_id=rally.id, kind="final", prize_ids=[p.id for p in prizes],
                     now=LAST_DAY)
    run = run_draw(draw_id=draw.id, now=LAST_DAY)
    assert len(run.winners) == 2
    assert [p.id for p in open_prizes(rally.id)] == [prizes[2].id]


def test_forfeit_goes_to_a_new_draw_without_earlier_winners(rally_setup) -> None:
    rally, stations, prizes = rally_setup
    entered_cards(rally, stations, 6)
    first = run_draw(
        draw_id=seal_draw(rally_id=rally.id, kind="final", prize_ids=[p.id for p in prizes],
                          now=LAST_DAY).id,
        now=LAST_DAY,
    )
    assert open_prizes(rally.id) == []
    lapsed = first.winners[0]
    mark_winner(winner_id=lapsed.id, action="notified", now=LAST_DAY)
    mark_winner(winner_id=lapsed.id, action="forfeited", now=LAST_DAY)
    with pytest.raises(DrawError) as excinfo:
        mark_winner(winner_id=lapsed.id, action="handed_over", now=LAST_DAY)
    assert excinfo.value.code == "winner_closed"
    assert [p.id for p in open_prizes(rally.id)] == [lapsed.prize_id]
    second = seal_draw(rally_id=rally.id, kind="final", prize_ids=[lapsed.prize_id],
                       now=LAST_DAY)
    earlier = {w.card_code for w in first.winners}
    pool_codes = {code for code, _lots in procedure.parse_pool(second.pool_text)}
    assert second.pool_size == 3 and not pool_codes & earlier
    again = run_draw(draw_id=second.id, now=LAST_DAY)
    assert again.winners[0].card_code not in earlier


def test_prizes_cannot_be_drawn_twice(rally_setup) -> None:
    rally, stations, prizes = rally_setup
    entered_cards(rally, stations, 4)
    seal_draw(rally_id=rally.id, kind="final", prize_ids=[prizes[0].id], now=LAST_DAY)
    with pytest.raises(DrawError) as excinfo:
        seal_draw(rally_id=rally.id, kind="final", prize_ids=[prizes[0].id], now=LAST_DAY)
    assert excinfo.value.code == "prize_taken"
    assert db.session.scalar(select(func.count()).select_from(Draw)) == 1


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"kind": "final", "prize_ids": []}, "no_prizes"),
        ({"kind": "daily", "prize_ids": "all"}, "bad_day"),
        ({"kind": "final", "prize_ids": "all", "day": date(2026, 12, 1)}, "bad_day"),
        ({"kind": "weekly", "prize_ids": "all"}, "bad_kind"),
        ({"kind": "final", "prize_ids": [999_999]}, "prize_taken"),
    ],
)
def test_seal_refuses_bad_requests(rally_setup, kwargs: dict, code: str) -> None:
    rally, stations, prizes = rally_setup
    entered_cards(rally, stations, 2)
    if kwargs["prize_ids"] == "all":
        kwargs["prize_ids"] = [p.id for p in prizes]
    with pytest.raises(DrawError) as excinfo:
        seal_draw(rally_id=rally.id, now=LAST_DAY, **kwargs)
    assert excinfo.value.code == code


def test_empty_pool_is_refused(rally_setup) -> None:
    rally, _stations, prizes = rally_setup
    with pytest.raises(DrawError) as excinfo:
        seal_draw(rally_id=rally.id, kind="final", prize_ids=[prizes[0].id], now=LAST_DAY)
    assert excinfo.value.code == "empty_pool"


def test_daily_draw_needs_a_stamp_that_day(rally_setup) -> None:
    rally, stations, prizes = rally_setup
    early = make_card(rally, stations, 3)
    make_entry(early)
    late = make_card(rally, stations, 3, created_at=LAST_DAY)
    make_entry(late)
    db.session.commit()
    draw = seal_draw(rally_id=rally.id, kind="daily", day=LAST_DAY.date(),
                     prize_ids=[prizes[0].id], now=LAST_DAY)
    assert procedure.parse_pool(draw.pool_text) == [(late.code, 1)]
    assert draw.title == "Tagesziehung 24.12.2026"


def test_two_simultaneous_runs_give_one_result(app: Flask, rally_setup) -> None:
    rally, stations, prizes = rally_setup
    entered_cards(rally, stations, 10)
    draw_id = seal_draw(rally_id=rally.id, kind="final", prize_ids=[p.id for p in prizes],
                        now=LAST_DAY).id
    db.session.remove()
    barrier = threading.Barrier(8)

    def press_run(_i: int) -> str:
        with app.app_context():
            barrier.wait()
            try:
                run_draw(draw_id=draw_id, now=LAST_DAY)
                return "ran"
            except DrawError as error:
                return error.code
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(press_run, range(8)))
    assert sorted(outcomes) == ["already_run"] * 7 + ["ran"]
    assert db.session.scalar(select(func.count()).select_from(Winner)) == 3


def test_cli_seal_run_and_verify(app: Flask, runner, rally_setup, freeze, tmp_path: Path) -> None:
    rally, stations, _prizes = rally_setup
    entered_cards(rally, stations, 7)
    freeze(LAST_DAY)
    sealed = runner.invoke(args=["draw", "seal", "--rally", rally.slug, "--prize", "1",
                                 "--prize", "2"])
    assert sealed.exit_code == 0, sealed.output
    draw = db.session.scalars(select(Draw)).one()
    assert draw.pool_hash in sealed.output and draw.commitment in sealed.output
    ran = runner.invoke(args=["draw", "run", str(draw.id), "--beacon", "c0ffee" * 4])
    assert ran.exit_code == 0, ran.output
    db.session.expire_all()
    draw = db.session.get(Draw, draw.id)
    winners = [w.card_code for w in draw.winners]
    assert len(winners) == 2

    pool_file = tmp_path / "pool.txt"
    pool_file.write_text(draw.pool_text, encoding="utf-8")
    verified = runner.invoke(args=["draw", "verify", "--pool", str(pool_file), "--seed",
                                   draw.seed_hex, "--beacon", draw.beacon_hex, "--winners", "2"])
    assert verified.exit_code == 0, verified.output
    assert verified.output.split() == winners
    again = runner.invoke(args=["draw", "run", str(draw.id)])
    assert again.exit_code != 0 and "schon durchgeführt" in again.output


def test_cli_verify_refuses_bad_files(runner, tmp_path: Path) -> None:
    pool_file = tmp_path / "pool.txt"
    pool_file.write_text("not a pool\n", encoding="utf-8")
    result = runner.invoke(args=["draw", "verify", "--pool", str(pool_file), "--seed",
                                 "a" * 64, "--winners", "1"])
    assert result.exit_code != 0 and "fehlerhaft" in result.output
