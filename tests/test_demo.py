"""The demo: rally terms and prizes, plausible, with donors; its events; loaded only once."""

from datetime import UTC, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import Event, OutboxMail, Prize, Rally, Shop
from app.services import events
from app.services.content import render_markdown
from app.services.demo import load_demo

from .helpers import FIRST_DAY


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


def test_demo_events_in_the_coming_weeks_with_a_full_date_and_its_waiting_list(
        app: Flask, tmp_path: Path) -> None:
    now = FIRST_DAY.astimezone(UTC)
    load_demo(now, tmp_path)
    coming = events.upcoming(now)
    assert all(now < event.starts_at < now + timedelta(weeks=3) for event in coming)
    assert all(event.status == "published" for event in coming)
    kinds = sorted(event.kind for event in coming)
    assert kinds == ["networking", "tour_digital", "tour_onsite", "tour_onsite", "workshop"]
    first, second = (event for event in coming if event.kind == "tour_onsite")
    assert first.series and first.series == second.series and first.title == second.title
    assert events.series_dates(first) == [second]
    digital = next(event for event in coming if event.kind == "tour_digital")
    assert digital.online_url and not digital.place

    full = [event for event in coming if events.places_left(event) == 0]
    assert full == [first]
    waiting = events.registrations(first.id, ["waiting"])
    assert [r.name for r in waiting] == ["Sophie Brandt"]
    for event in db.session.scalars(select(Event)):
        assert event.taken == len(events.registrations(event.id, ["confirmed", "offered"]))
    # The past evening feeds the archive and the attendance report.
    assert [(kind, booked, present) for _m, kind, _n, booked, present, _gone
            in events.attendance(now)] == [("info", 3, 2)]
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0


def test_loading_the_demo_twice_changes_no_event(app: Flask, tmp_path: Path) -> None:
    now = FIRST_DAY.astimezone(UTC)
    load_demo(now, tmp_path)
    before = event_rows()
    load_demo(now + timedelta(hours=1), tmp_path)
    assert event_rows() == before


def event_rows() -> list[tuple[object, ...]]:
    """Every event with its places taken and its registrations' statuses."""
    db.session.expire_all()
    return [(e.slug, e.starts_at, e.taken,
             tuple(r.status for r in events.registrations(e.id)))
            for e in db.session.scalars(select(Event).order_by(Event.id))]
