"""The demo's rally terms and prizes: plausible, with donors, and loaded only once."""

from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Prize, Rally, Shop
from app.services.content import render_markdown
from app.services.demo import load_demo


def prize_rows() -> list[tuple[int, str, int | None, str]]:
    """Every prize as (position, name, donor id, description)."""
    db.session.expire_all()
    return [(p.position, p.name, p.donor_shop_id, p.description)
            for p in db.session.scalars(select(Prize).order_by(Prize.position))]


def test_demo_rally_has_terms_and_prizes_with_donors(app: Flask, tmp_path: Path) -> None:
    summary = load_demo(clock.utcnow(), tmp_path)
    rally = summary.rally
    assert rally.entry_closes_at <= rally.draw_at <= rally.entry_closes_at + timedelta(days=7)
    assert rally.draw_at + timedelta(weeks=3) < rally.claim_until
    assert "Hermannstraße 16" in rally.winners_notice
    prizes = list(db.session.scalars(select(Prize).order_by(Prize.position)))
    assert len(prizes) == 10
    donors = [prize.donor for prize in prizes if prize.donor]
    assert len(donors) >= 5
    # A donor named in the prize's name is that very shop.
    assert all(prize.donor.name in prize.name for prize in prizes
               if prize.donor and prize.position != 6)
    # The rules are Markdown with numbered section headings, and name no retention period
    # of their own (the page renders the one setting).
    html = render_markdown(rally.rules_text)
    assert html.count("<h2>") >= 10 and "<h2>2. Wer mitmachen darf</h2>" in html
    assert "16 Jahre" in rally.rules_text and "Monate" not in rally.rules_text


def test_loading_the_demo_twice_changes_no_prize(app: Flask, tmp_path: Path) -> None:
    load_demo(clock.utcnow(), tmp_path)
    first = prize_rows()
    load_demo(clock.utcnow(), tmp_path)
    assert prize_rows() == first


def test_an_older_demo_gets_donors_but_keeps_edited_prizes(app: Flask, tmp_path: Path) -> None:
    """A demo loaded before prizes had donors: matching prizes get theirs, others stay."""
    load_demo(clock.utcnow(), tmp_path)
    prizes = list(db.session.scalars(select(Prize).order_by(Prize.position)))
    for prize in prizes:
        prize.donor_shop_id, prize.description = None, ""
    prizes[3].name = "Vom Büro geändert"
    db.session.commit()
    load_demo(clock.utcnow(), tmp_path)
    rows = prize_rows()
    assert rows[3] == (4, "Vom Büro geändert", None, "")
    assert rows[4][2] is not None  # the Buchhandlung's voucher has its donor again
    assert db.session.scalars(select(Rally)).one().slug == "advents-rallye-demo"


def test_demo_shops_have_their_hours_as_data(app: Flask, tmp_path: Path) -> None:
    load_demo(clock.utcnow(), tmp_path)
    shops = db.session.scalars(select(Shop)).all()
    assert len(shops) == 40 and all(shop.hours for shop in shops)
    fadenlauf = next(shop for shop in shops if shop.slug == "modehaus-fadenlauf")
    assert [(h.weekday, h.opens, h.closes) for h in fadenlauf.hours] == [
        *((day, 570, 1110) for day in range(5)), (5, 600, 960)]
    # Loading again keeps the hours as they are (edited ones too).
    fadenlauf.hours.pop()
    db.session.commit()
    load_demo(clock.utcnow(), tmp_path)
    db.session.expire_all()
    assert len(db.session.get(Shop, fadenlauf.id).hours) == 5  # type: ignore[union-attr]
