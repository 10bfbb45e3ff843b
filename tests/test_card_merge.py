"""Karten zusammenlegen: the service's rules, the recovery page's flow, and what counts."""

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Card, CardKey, CardSignal, Rally, Stamp, Station
from app.services import codes, review, shop_stats, stats
from app.services.card_merge import MergeError, merge, merged_flag
from app.services.cards import add_card_key, card_for_secret, set_card_flag
from app.services.draws import eligible_pool
from app.services.users import create_user

from .helpers import FIRST_DAY, csrf_token, make_card, make_entry, make_rally, make_station

pytestmark = pytest.mark.usefixtures("freeze")

LATER = FIRST_DAY + timedelta(hours=2)
NOW = FIRST_DAY + timedelta(hours=5)


@pytest.fixture
def rally(app: Flask) -> Rally:
    """A running rally (goal 3)."""
    return make_rally()


@pytest.fixture
def stations(rally: Rally) -> list[Station]:
    """Six stations of the rally."""
    made = [make_station(rally) for _ in range(6)]
    db.session.commit()
    return made


def stamp(card: Card, station: Station, at=FIRST_DAY) -> Stamp:
    """Give ``card`` a stamp at ``station`` at ``at``."""
    row = Stamp(rally_id=card.rally_id, card_id=card.id, station_id=station.id,
                created_at=at, source="qr")
    db.session.add(row)
    db.session.flush()
    return row


def fresh(card: Card) -> Card:
    """The card as the database has it now (counts come from triggers)."""
    db.session.expire_all()
    found = db.session.get(Card, card.id)
    assert found is not None
    return found


def stations_of(card_id: int) -> dict[int, tuple]:
    """The card's stamps by station: (created_at, source)."""
    rows = db.session.execute(
        select(Stamp.station_id, Stamp.created_at, Stamp.source).where(Stamp.card_id == card_id))
    return {station_id: (at, source) for station_id, at, source in rows}


# --- rules ------------------------------------------------------------------------


def test_more_stamps_survive_duplicates_keep_the_earlier_stamp(rally, stations) -> None:
    small = make_card(rally, [], 0, created_at=FIRST_DAY)
    big = make_card(rally, [], 0, created_at=LATER)
    stamp(small, stations[0], FIRST_DAY)            # earlier than big's stamp there
    stamp(small, stations[1], LATER + timedelta(hours=1))  # later than big's
    for n, station in enumerate(stations[:4]):
        stamp(big, station, LATER + timedelta(minutes=n))
    small_id, big_id = small.id, big.id
    db.session.commit()

    result = merge(small_id, big_id, NOW)

    assert (result.survivor_id, result.retired_code) == (big_id, small.code)
    assert (result.moved, result.dropped, result.stamp_count) == (1, 2, 4)
    kept = stations_of(big_id)
    assert set(kept) == {s.id for s in stations[:4]}
    assert kept[stations[0].id][0] == FIRST_DAY  # the retired card's earlier stamp
    assert kept[stations[1].id][0] == LATER + timedelta(minutes=1)  # the survivor's
    assert stations_of(small_id) == {}
    survivor, retired = fresh(big), fresh(small)
    assert (survivor.stamp_count, retired.stamp_count) == (4, 0)
    assert (retired.merged_into_id, retired.merged_at) == (big_id, NOW)
    assert survivor.merged_into_id is None
    # The merged card started where and when the older card did.
    assert survivor.created_at == FIRST_DAY


def test_tie_keeps_the_older_card_and_its_start(rally, stations) -> None:
    newer = make_card(rally, stations[:2], 2, created_at=LATER, first_station_id=stations[0].id,
                      network_hash="b" * 64)
    older = make_card(rally, stations[2:4], 2, created_at=FIRST_DAY,
                      first_station_id=stations[2].id, network_hash="a" * 64)
    db.session.commit()
    result = merge(newer.id, older.id, NOW)
    assert result.survivor_code == older.code
    survivor = fresh(older)
    assert (survivor.first_station_id, survivor.network_hash) == (stations[2].id, "a" * 64)
    assert survivor.stamp_count == 4


def test_the_entered_card_survives_even_with_fewer_stamps(rally, stations) -> None:
    entered = make_card(rally, stations[:3], 3, created_at=LATER)
    make_entry(entered)
    bigger = make_card(rally, stations[1:6], 5)
    db.session.commit()
    result = merge(bigger.id, entered.id, NOW)
    assert result.survivor_id == entered.id
    # Stations 0 to 5, the two on both cards once, with the retired card's earlier date.
    assert (result.stamp_count, result.moved, result.dropped) == (6, 5, 2)
    assert {at for at, _source in stations_of(entered.id).values()} == {FIRST_DAY, LATER}
    assert stations_of(entered.id)[stations[1].id][0] == FIRST_DAY
    assert fresh(bigger).merged_into_id == entered.id


def test_keys_move_so_both_browsers_hold_the_survivor(rally, stations) -> None:
    first = make_card(rally, stations[:1], 1)
    second = make_card(rally, stations[1:3], 2)
    first_secret, second_secret = add_card_key(first, FIRST_DAY), add_card_key(second, FIRST_DAY)
    db.session.commit()
    merge(first.id, second.id, NOW)
    assert card_for_secret(first_secret).id == second.id
    assert card_for_secret(second_secret).id == second.id
    assert db.session.scalar(select(func.count()).select_from(CardKey).where(
        CardKey.card_id == first.id)) == 0


def test_signals_move_where_the_survivor_has_none_of_the_kind(rally, stations) -> None:
    retired = make_card(rally, stations[:1], 1, flag="flagged")
    survivor = make_card(rally, stations[1:3], 2, flag="cleared")
    for card, kind in ((retired, "speed"), (retired, "burst"), (survivor, "speed")):
        db.session.add(CardSignal(card_id=card.id, kind=kind, details={"from": card.code},
                                  created_at=FIRST_DAY))
    db.session.commit()
    merge(retired.id, survivor.id, NOW)
    kinds = {kind: details for kind, details in db.session.execute(
        select(CardSignal.kind, CardSignal.details).where(CardSignal.card_id == survivor.id))}
    assert set(kinds) == {"speed", "burst"}
    assert kinds["speed"] == {"from": survivor.code}  # the survivor's own stays
    left = db.session.scalars(select(CardSignal.kind).where(CardSignal.card_id == retired.id))
    assert list(left) == ["speed"]  # kept with the retired card as a record
    assert fresh(survivor).flag == "flagged"  # a flag awaiting review is not lost


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [("none", "none", "none"), ("none", "cleared", "cleared"), ("cleared", "flagged", "flagged"),
     ("flagged", "excluded", "excluded"), ("excluded", "none", "excluded"),
     ("cleared", "excluded", "excluded")],
)
def test_the_more_severe_flag_wins(first: str, second: str, expected: str) -> None:
    assert merged_flag(first, second) == merged_flag(second, first) == expected


def test_an_excluded_retired_card_excludes_the_survivor_from_the_draw(rally, stations) -> None:
    survivor = make_card(rally, stations[:3], 3)
    make_entry(survivor)
    excluded = make_card(rally, stations[3:4], 1)
    db.session.commit()
    set_card_flag(card_id=excluded.id, flag="excluded", now=FIRST_DAY, note="Doppelkarte")
    assert [code for code, _lots in eligible_pool(rally)] == [survivor.code]
    merge(excluded.id, survivor.id, NOW)
    assert fresh(survivor).flag == "excluded"
    assert eligible_pool(db.session.get(Rally, rally.id)) == []


def test_both_entered_is_refused_and_writes_nothing(rally, stations) -> None:
    first, second = make_card(rally, stations[:3], 3), make_card(rally, stations[2:5], 3)
    make_entry(first)
    make_entry(second)
    db.session.commit()
    with pytest.raises(MergeError) as refused:
        merge(first.id, second.id, NOW)
    assert refused.value.code == "both_entered"
    assert fresh(first).stamp_count == 3 and fresh(second).stamp_count == 3
    assert fresh(first).merged_into_id is None and fresh(second).merged_into_id is None
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_other_rally_self_and_retired_cards_are_refused(rally, stations) -> None:
    other_rally = make_rally()
    here = make_card(rally, stations[:1], 1)
    there = make_card(other_rally, [], 0)
    third = make_card(rally, stations[1:2], 1)
    fourth = make_card(rally, stations[2:3], 1)
    db.session.commit()
    for pair, code in (((here.id, there.id), "other_rally"), ((here.id, here.id), "same_card"),
                       ((here.id, 999_999), "unknown_card")):
        with pytest.raises(MergeError) as refused:
            merge(*pair, NOW)
        assert refused.value.code == code
    merge(here.id, third.id, NOW)  # here is older: ties keep it, third retires
    with pytest.raises(MergeError) as refused:
        merge(third.id, fourth.id, NOW)
    assert refused.value.code == "already_merged"


def test_merging_the_same_pair_again_changes_nothing(rally, stations) -> None:
    first, second = make_card(rally, stations[:1], 1), make_card(rally, stations[1:3], 2)
    db.session.commit()
    done = merge(first.id, second.id, NOW)
    again = merge(first.id, second.id, NOW + timedelta(minutes=1))
    assert again.already and not done.already
    assert (again.survivor_id, again.stamp_count) == (second.id, 3)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_merge_is_audited_with_both_codes_and_the_counts(rally, stations) -> None:
    first = make_card(rally, stations[:2], 2)
    second = make_card(rally, stations[1:4], 3)
    db.session.commit()
    merge(first.id, second.id, NOW)
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_id, event.subject) == ("card.merge", None, second.code)
    # Both stamps of station 1 have the same time: the first made (the retired card's) stays.
    assert event.details == {"survivor": second.code, "retired": first.code, "moved": 2,
                             "dropped": 1, "stamps": 4, "rally": rally.slug}
    assert event.created_at == NOW


def test_a_chain_of_merges_points_every_card_to_the_last_survivor(rally, stations) -> None:
    first = make_card(rally, stations[:1], 1)
    second = make_card(rally, stations[1:3], 2)
    third = make_card(rally, stations[2:6], 4)
    secret = add_card_key(first, FIRST_DAY)
    db.session.commit()
    merge(first.id, second.id, NOW)
    merge(second.id, third.id, NOW)
    assert fresh(first).merged_into_id == third.id  # re-pointed, not a chain
    assert card_for_secret(secret).id == third.id
    assert fresh(third).stamp_count == 6
    assert fresh(second).merged_into_id == third.id


# --- what counts -------------------------------------------------------------------


def test_retired_cards_count_nowhere(rally, stations) -> None:
    first = make_card(rally, stations[:1], 1, flag="flagged", first_station_id=stations[0].id)
    second = make_card(rally, stations[1:3], 2, flag="flagged", created_at=LATER,
                       first_station_id=stations[1].id)
    db.session.commit()
    before = stats.overview(rally.id, NOW)
    assert (before.cards, before.flagged) == (2, 2)
    merge(first.id, second.id, NOW)

    after = stats.overview(rally.id, NOW)
    assert (after.cards, after.flagged, after.stamps_total) == (1, 1, 3)
    funnel = stats.funnel(rally.id)
    assert (funnel.cards, funnel.at_least_one) == (1, 1)
    assert review.queue_length(rally.id) == 1
    assert [card.code for card in review.review_queue(rally.id).cards] == [second.code]
    # The merged card was started at the older card's shop, once.
    started = {s.id: shop_stats.shop_figures(s.id, now=NOW).rally.new_cards for s in stations[:2]}
    assert started == {stations[0].id: 1, stations[1].id: 0}


# --- the recovery page ----------------------------------------------------------------


def recovery_path(app: Flask, code: str) -> str:
    """The recovery link of the card with ``code``, as a path."""
    return f"/karte/wiederherstellen/{code}/{codes.recovery_token(app.secret_key, code)}"


def browser_with(app: Flask, card: Card) -> FlaskClient:
    """A test client whose cookie holds a new key of ``card``."""
    client = app.test_client()
    client.set_cookie("stempelkarte", add_card_key(card, FIRST_DAY))
    db.session.commit()
    return client


@pytest.fixture
def pair(app: Flask, rally, stations) -> tuple[Card, Card]:
    """Card A (one stamp, older) in a browser, card B (three stamps, one shop shared)."""
    card_a = make_card(rally, stations[:1], 1)
    card_b = make_card(rally, stations[:3], 3, created_at=LATER)
    db.session.commit()
    return card_a, card_b


def test_the_page_offers_both_choices_and_get_merges_nothing(app: Flask, pair) -> None:
    card_a, card_b = pair
    browser = browser_with(app, card_a)
    page = browser.get(recovery_path(app, card_b.code))
    assert page.status_code == 200
    text = page.text
    assert "Du hast zwei Stempelkarten" in text
    assert f"Zu Karte {card_b.code} wechseln" in text
    assert re.search(r"Karten zusammenlegen <span[^>]*>\(1 \+ 3 Stempel → 3 auf einer Karte\)",
                     text)
    assert f"Alle Stempel kommen auf die Karte {card_b.code}." in text
    assert f"Die Karte {card_a.code} gibt es danach nicht mehr" in text
    assert f'action="{recovery_path(app, card_b.code)}/zusammenlegen"' in text
    assert fresh(card_a).merged_into_id is None and fresh(card_a).stamp_count == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_merging_needs_csrf(app: Flask, pair) -> None:
    card_a, card_b = pair
    browser = browser_with(app, card_a)
    response = browser.post(recovery_path(app, card_b.code) + "/zusammenlegen")
    assert response.status_code == 400
    assert fresh(card_a).merged_into_id is None


def test_merging_lands_on_the_card_and_old_links_lead_there(app: Flask, pair) -> None:
    card_a, card_b = pair
    browser = browser_with(app, card_a)
    path = recovery_path(app, card_b.code)
    page = browser.get(path)
    done = browser.post(path + "/zusammenlegen", data={"csrf_token": csrf_token(page.text)})
    assert done.status_code == 303 and done.headers["Location"].endswith("/karte")
    card_page = browser.get("/karte").text
    assert "Deine Karten sind jetzt eine: 3 Stempel." in card_page
    assert card_b.code in card_page
    # A second click finds one card and shows it, without a second merge.
    again = browser.post(path + "/zusammenlegen", data={"csrf_token": csrf_token(page.text)})
    assert again.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1

    # The retired card's link opens the survivor, in a browser without a card.
    stranger = app.test_client()
    old_link = stranger.get(recovery_path(app, card_a.code))
    assert old_link.status_code == 200
    merged = f"Die Karte {card_a.code} wurde mit der Karte {card_b.code} zusammengelegt"
    assert merged in old_link.text
    opened = stranger.post(recovery_path(app, card_a.code),
                           data={"csrf_token": csrf_token(old_link.text)})
    assert opened.status_code == 303
    assert card_b.code in stranger.get("/karte").text
    assert db.session.scalar(select(func.count()).select_from(CardKey).where(
        CardKey.card_id == card_a.id)) == 0


def test_a_cookie_of_a_retired_card_opens_the_survivor(app: Flask, pair) -> None:
    """A key that reached the retired card anyway (made by hand here) still works."""
    card_a, card_b = pair
    merge(card_a.id, card_b.id, NOW)
    secret = codes.new_card_secret()
    db.session.add(CardKey(card_id=card_a.id, secret_hash=codes.hash_secret(secret),
                           created_at=NOW))
    db.session.commit()
    browser = app.test_client()
    browser.set_cookie("stempelkarte", secret)
    page = browser.get("/karte")
    assert page.status_code == 200 and card_b.code in page.text
    assert browser.get("/api/v1/card").get_json()["code"] == card_b.code


def test_both_entered_shows_the_reason_and_the_switch(app: Flask, rally, stations) -> None:
    card_a, card_b = make_card(rally, stations[:3], 3), make_card(rally, stations[3:6], 3)
    make_entry(card_a)
    db.session.commit()
    browser = browser_with(app, card_a)
    path = recovery_path(app, card_b.code)
    page = browser.get(path)
    assert "Karten zusammenlegen <span" in page.text  # possible while only one entered
    make_entry(card_b)
    db.session.commit()
    refused = browser.post(path + "/zusammenlegen", data={"csrf_token": csrf_token(page.text)})
    assert refused.status_code == 409
    assert "Beide Karten nehmen schon an der Verlosung teil" in refused.text
    assert "Karten zusammenlegen <span" not in refused.text
    assert "Zusammenlegen geht hier nicht." in refused.text
    assert f"Zu Karte {card_b.code} wechseln" in refused.text
    assert fresh(card_b).merged_into_id is None
    # The GET says the same straight away now.
    again = browser.get(path)
    assert again.status_code == 200 and "Beide Karten nehmen schon" in again.text


def test_merge_without_a_second_card_is_409(app: Flask, pair) -> None:
    _card_a, card_b = pair
    browser = app.test_client()
    path = recovery_path(app, card_b.code)
    page = browser.get(path)
    refused = browser.post(path + "/zusammenlegen", data={"csrf_token": csrf_token(page.text)})
    assert refused.status_code == 409
    assert "keine zweite Karte" in refused.text
    own = browser_with(app, card_b)
    same = own.post(path + "/zusammenlegen", data={"csrf_token": csrf_token(own.get(path).text)})
    assert same.status_code == 409 and "Das ist schon die Karte" in same.text


def test_merge_with_a_bad_link_is_404(app: Flask, pair) -> None:
    card_a, card_b = pair
    browser = browser_with(app, card_a)
    page = browser.get("/stempel")
    bad = browser.post(f"/karte/wiederherstellen/{card_b.code}/{'0' * 40}/zusammenlegen",
                       data={"csrf_token": csrf_token(page.text)})
    assert bad.status_code == 404
    assert fresh(card_a).merged_into_id is None


def test_merge_is_rate_limited_like_the_recovery(app: Flask, pair) -> None:
    card_a, card_b = pair
    app.config["RATELIMIT_RECOVERY"] = "2 per minute"
    browser = browser_with(app, card_a)
    path = recovery_path(app, card_b.code) + "/zusammenlegen"
    form = {"csrf_token": csrf_token(browser.get("/stempel").text)}
    statuses = [browser.post(path, data=form).status_code for _ in range(3)]
    assert statuses == [303, 303, 429]


def test_staff_lookup_of_a_retired_code_points_to_the_survivor(app: Flask, pair) -> None:
    card_a, card_b = pair
    merge(card_a.id, card_b.id, NOW)
    staff = app.test_client()
    user = create_user(email="team@buero.test", password="ein-langes-passwort", role="staff")
    with staff.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["auth_at"] = FIRST_DAY.isoformat()
    retired = staff.get(f"/buero/karten?code={card_a.code}")
    assert retired.status_code == 200
    assert f'Zusammengelegt mit <span class="nowrap">{card_b.code}</span> am' in retired.text
    assert f'href="/buero/karten?code={card_b.code}"' in retired.text
    assert "Von der Verlosung ausschließen" not in retired.text
    survivor = staff.get(f"/buero/karten?code={card_b.code}")
    assert "Enthält auch die Stempel von:" in survivor.text and card_a.code in survivor.text

