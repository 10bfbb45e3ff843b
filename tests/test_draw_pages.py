"""Draw pages: the public record, the JSON API, and the staff's seal/run/protocol/CSV."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Draw, Rally, User, Winner
from app.services import drand, procedure
from app.services.draws import run_draw, seal_draw
from app.services.users import create_user

from .helpers import AFTER_END, LAST_DAY, csrf_token, make_card, make_entry, make_prizes, make_rally
from .helpers import make_station as station_of
from .reference_draw import reference_winners

QUICKNET = drand.CHAINS["quicknet"]
RANDOMNESS = "5e" * 32


@pytest.fixture
def rally(app: Flask, freeze):
    """A rally with 6 qualified entries (one with a formula-like name) and 3 prizes.

    The clock stands after entries closed; tests of early sealing move it back.
    """
    freeze(AFTER_END)
    made = make_rally()
    stations = [station_of(made) for _ in range(3)]
    make_prizes(made, 3)
    for i in range(6):
        card = make_card(made, stations, 3)
        make_entry(card, name="=HYPERLINK(1)" if i == 0 else f"Person {i}")
    db.session.commit()
    return made


def login(client: FlaskClient, role: str = "staff", fresh: bool = True,
          at: datetime = AFTER_END, name: str = "") -> User:
    """Log a new user in by writing Flask-Login's session keys."""
    user = create_user(email=f"{role}-{id(client)}@example.org", password="ein-langes-passwort",
                       role=role, name=name)
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        if fresh:
            session["auth_at"] = at.isoformat()
    return user


def round_due_in(delay: timedelta, now: datetime = AFTER_END) -> int:
    """The quicknet round due ``delay`` after ``now`` (or just after)."""
    return drand.first_round_due_at_or_after(QUICKNET, now + delay)


def seal_with_round(rally: Rally, now: datetime = AFTER_END, **kwargs) -> Draw:
    """A final draw of all prizes naming the quicknet round due two minutes after ``now``."""
    return seal_draw(rally_id=rally.id, kind="final", prize_ids=[p.id for p in rally.prizes],
                     beacon_chain="quicknet", beacon_round=round_due_in(timedelta(minutes=2), now),
                     now=now, **kwargs)


def before_details(html: str, start: str = "<article") -> str:
    """What a reader meets on the page before the first folded ``<details>``."""
    body = html[html.index(start):]
    assert "<details" in body, "the technical details are not folded into <details>"
    return body[: body.index("<details")]


def test_public_draw_page_explains_in_plain_words_first(client, rally) -> None:
    draw = seal_with_round(rally)
    detail = client.get(f"/ziehungen/{draw.id}").text
    plain = before_details(detail)
    assert "Warum niemand das Ergebnis beeinflussen kann" in plain
    assert "So kannst du selbst nachprüfen" in plain
    # The beacon's source is named in plain words: round, due time, where to check it.
    assert f"Runde {draw.beacon_round}" in plain and "drand" in plain
    assert "25. Dezember 2026 um 10:02:" in plain
    assert drand.public_url(QUICKNET, draw.beacon_round) in plain
    assert "prüfe den Wert bitte unter dieser Adresse" in plain
    # No hash, no command before the fold; the hashes are inside it.
    assert "<code" not in plain and "<pre" not in plain and "flask" not in plain
    folded = detail[detail.index("<details"):]
    assert draw.pool_hash in folded and draw.commitment in folded
    assert QUICKNET.chain_hash in folded
    assert draw.seed_hex not in detail  # the seed stays secret until the run

    run_draw(draw_id=draw.id, beacon_hex=RANDOMNESS, now=draw.beacon_due_at)
    detail = client.get(f"/ziehungen/{draw.id}").text
    plain = before_details(detail)
    codes = [w.card_code for w in draw.winners]
    assert all(code in plain for code in codes)
    assert "<pre" not in plain and "draw verify" not in plain
    folded = detail[detail.index("<details"):]
    assert "draw verify" in folded and RANDOMNESS in folded and draw.seed_hex in folded
    assert "Person" not in detail  # names are never public


def test_public_pages_before_and_after_the_run(client, rally) -> None:
    draw = seal_draw(rally_id=rally.id, kind="final", prize_ids=[p.id for p in rally.prizes],
                     beacon_chain=None, now=AFTER_END)
    listing = client.get("/ziehungen").text
    assert draw.title in listing and "die Ziehung folgt" in listing
    plain = before_details(listing, "<main")
    assert "So bleibt jede Ziehung fair" in plain and "<code" not in plain
    assert draw.pool_hash in listing  # published at once, folded
    detail = client.get(f"/ziehungen/{draw.id}").text
    assert "Ohne öffentlichen Zufallswert" in before_details(detail)
    api = client.get(f"/api/v1/draws/{draw.id}").get_json()
    assert api["status"] == "sealed" and api["seed_hex"] is None and api["winners"] == []
    assert api["beacon_source"] is None and api["seal_reason"] == ""
    pool = client.get(f"/ziehungen/{draw.id}/lostopf.txt")
    assert procedure.pool_hash(pool.data.decode()) == draw.pool_hash

    run_draw(draw_id=draw.id, now=AFTER_END)
    api = client.get(f"/api/v1/draws/{draw.id}").get_json()
    assert api["seed_hex"] == draw.seed_hex
    assert procedure.commitment(api["seed_hex"]) == api["commitment"]
    codes = [w["code"] for w in api["winners"]]
    assert codes == reference_winners(pool.data.decode(), api["seed_hex"], None, 3)
    listing = client.get("/ziehungen").text
    assert all(code in listing for code in codes)


def test_api_names_the_beacon_source(client, rally) -> None:
    draw = seal_with_round(rally)
    api = client.get(f"/api/v1/draws/{draw.id}").get_json()
    assert api["beacon_source"] == {
        "kind": "drand",
        "chain": "quicknet",
        "chain_hash": QUICKNET.chain_hash,
        "round": draw.beacon_round,
        "due_at": draw.beacon_due_at.isoformat().replace("+00:00", "Z"),
        "url": drand.public_url(QUICKNET, draw.beacon_round),
    }
    assert api["beacon_hex"] is None and api["sealed_before_entry_close"] is False
    run_draw(draw_id=draw.id, beacon_hex=RANDOMNESS, now=draw.beacon_due_at)
    assert client.get(f"/api/v1/draws/{draw.id}").get_json()["beacon_hex"] == RANDOMNESS
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Draw"]
    assert set(schema["required"]) == set(api) | {"pool_url"}
    assert set(schema["properties"]["beacon_source"]["required"]) == set(api["beacon_source"])


def test_unknown_draws_are_404(client) -> None:
    assert client.get("/ziehungen/999").status_code == 404
    assert client.get("/ziehungen/999/lostopf.txt").status_code == 404
    assert client.get("/api/v1/draws/999").get_json()["error"] == "no_draw"


def seal_form_data(page: str, rally: Rally, **extra: object) -> dict[str, object]:
    """The seal form as a browser sends it: all prizes, the suggested quicknet round."""
    data: dict[str, object] = {
        "csrf_token": csrf_token(page), "kind": "final", "beacon_chain": "quicknet",
        "beacon_round": str(round_due_in(timedelta(minutes=2))),
        "prizes": [str(p.id) for p in rally.prizes],
    }
    data.update(extra)
    return data


def test_staff_seal_run_protocol_and_csv(client, rally, freeze) -> None:
    login(client, name="Erika Team")
    page = client.get(f"/buero/ziehungen?rally={rally.slug}")
    assert page.status_code == 200 and "6 Teilnahmen im Lostopf" in page.text
    suggested = drand.suggested_round(QUICKNET, now=AFTER_END)
    assert f'value="{suggested}"' in page.text  # the form suggests a round
    sealed = client.post(f"/buero/ziehungen/versiegeln?rally={rally.slug}",
                         data=seal_form_data(page.text, rally))
    assert sealed.status_code == 303
    draw = db.session.scalars(select(Draw)).one()
    detail = client.get(f"/buero/ziehungen/{draw.id}")
    assert draw.commitment in detail.text
    assert drand.public_url(QUICKNET, draw.beacon_round) in detail.text
    assert "erst am" in detail.text  # the round is not due yet
    token = csrf_token(detail.text)
    run_url = f"/buero/ziehungen/{draw.id}/ziehen"

    unconfirmed = client.post(run_url, data={"csrf_token": token, "beacon": RANDOMNESS})
    assert unconfirmed.status_code == 400 and "Bitte bestätigen Sie" in unconfirmed.text
    early = client.post(run_url, data={"csrf_token": token, "beacon": RANDOMNESS, "confirm": "y"})
    assert early.status_code == 400 and "vorher kann nicht gezogen werden" in early.text
    freeze(draw.beacon_due_at)
    bad = client.post(run_url, data={"csrf_token": token, "beacon": "zz", "confirm": "y"})
    assert bad.status_code == 400 and "64 Hex-Ziffern" in bad.text
    missing = client.post(run_url, data={"csrf_token": token, "confirm": "y"})
    assert missing.status_code == 400 and "randomness" in missing.text
    assert db.session.scalar(select(func.count()).select_from(Winner)) == 0
    ran = client.post(run_url, data={"csrf_token": token, "beacon": RANDOMNESS, "confirm": "y"})
    assert ran.status_code == 303
    again = client.post(run_url, data={"csrf_token": token, "beacon": RANDOMNESS, "confirm": "y"})
    assert again.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Winner)) == 3

    protocol = client.get(f"/buero/ziehungen/{draw.id}/protokoll").text
    assert "Ziehungsprotokoll" in protocol and draw.seed_hex in protocol
    assert RANDOMNESS in protocol and f"Runde {draw.beacon_round}" in protocol
    # The history in German, with who did it.
    assert "draw.seal" not in protocol and "draw.run" not in protocol
    assert "(Konto " not in protocol
    assert "Versiegelt: 6 Teilnahmen im Lostopf festgeschrieben" in protocol
    assert "Gezogen: Seed und Gewinnerkarten veröffentlicht" in protocol
    assert "von Erika Team (staff-" in protocol

    exported = client.get(f"/buero/ziehungen/{draw.id}/gewinner.csv")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Rang", "Preis", "Karte"] and len(rows) == 4
    assert all(not row[3].startswith("=") for row in rows[1:])
    assert db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export.winners")
    ).first() is not None

    winner = db.session.scalars(select(Winner).order_by(Winner.rank)).first()
    for action in ("notified", "forfeited"):
        assert client.post(f"/buero/gewinne/{winner.id}/{action}",
                           data={"csrf_token": token}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Winner, winner.id).forfeited_at is not None
    protocol = client.get(f"/buero/ziehungen/{draw.id}/protokoll").text
    assert f"Gewinn auf Rang 1 (Karte {winner.card_code}): verfallen" in protocol
    assert "Gewinnerliste mit Kontaktdaten heruntergeladen (3 Zeilen)" in protocol
    page = client.get(f"/buero/ziehungen?rally={rally.slug}").text
    assert winner.prize.name in page  # the forfeited prize is offered again


def test_staff_seal_a_final_draw_early_only_with_a_reason(client, rally, freeze) -> None:
    freeze(LAST_DAY)
    login(client, at=LAST_DAY)
    page = client.get(f"/buero/ziehungen?rally={rally.slug}").text
    assert "Eine Hauptziehung, die vorher versiegelt wird, braucht eine Begründung" in page
    round_number = str(round_due_in(timedelta(minutes=5), LAST_DAY))
    url = f"/buero/ziehungen/versiegeln?rally={rally.slug}"
    refused = client.post(url, data=seal_form_data(page, rally, beacon_round=round_number))
    assert refused.status_code == 400
    assert "Der Teilnahmeschluss ist erst am Donnerstag, 24. Dezember 2026" in refused.text
    assert db.session.scalar(select(func.count()).select_from(Draw)) == 0
    reason = "Die Preise werden am Heiligabend um 17 Uhr auf dem Markt übergeben."
    sealed = client.post(url, data=seal_form_data(page, rally, beacon_round=round_number,
                                                  reason=reason))
    assert sealed.status_code == 303
    draw = db.session.scalars(select(Draw)).one()
    assert draw.seal_reason == reason
    public = client.get(f"/ziehungen/{draw.id}").text
    assert reason in before_details(public) and "vor dem Teilnahmeschluss" in public
    assert reason in client.get("/ziehungen").text
    assert reason in client.get(f"/buero/ziehungen/{draw.id}/protokoll").text
    assert client.get(f"/api/v1/draws/{draw.id}").get_json()["sealed_before_entry_close"]


@pytest.mark.parametrize(
    ("delay", "message"),
    [
        (timedelta(minutes=-3), "zu früh"),
        (timedelta(seconds=10), "mindestens eine Minute nach"),
        (timedelta(days=100), "in den nächsten 60 Tagen"),
    ],
)
def test_staff_cannot_name_a_round_already_due(client, rally, delay, message) -> None:
    login(client)
    page = client.get(f"/buero/ziehungen?rally={rally.slug}").text
    response = client.post(
        f"/buero/ziehungen/versiegeln?rally={rally.slug}",
        data=seal_form_data(page, rally, beacon_round=str(round_due_in(delay))),
    )
    assert response.status_code == 400 and message in response.text
    assert db.session.scalar(select(func.count()).select_from(Draw)) == 0


def test_staff_seal_without_beacon(client, rally) -> None:
    login(client)
    page = client.get(f"/buero/ziehungen?rally={rally.slug}").text
    response = client.post(f"/buero/ziehungen/versiegeln?rally={rally.slug}",
                           data=seal_form_data(page, rally, beacon_chain="none", beacon_round=""))
    assert response.status_code == 303
    draw = db.session.scalars(select(Draw)).one()
    assert draw.beacon_chain is None
    detail = client.get(f"/buero/ziehungen/{draw.id}").text
    assert 'name="beacon"' not in detail  # nothing to paste
    ran = client.post(f"/buero/ziehungen/{draw.id}/ziehen",
                      data={"csrf_token": csrf_token(detail), "confirm": "y"})
    assert ran.status_code == 303 and db.session.get(Draw, draw.id).status == "run"


@pytest.mark.parametrize("second_person", [False, True])
def test_staff_second_person_setting(app: Flask, rally, freeze, second_person: bool) -> None:
    app.config["DRAW_SECOND_PERSON"] = second_person
    sealer, other = app.test_client(), app.test_client()
    sealing_user = login(sealer, name="Anna Siegel")
    draw = seal_with_round(rally, actor_id=sealing_user.id)
    freeze(draw.beacon_due_at)
    login(other, at=draw.beacon_due_at)
    with sealer.session_transaction() as session:
        session["auth_at"] = draw.beacon_due_at.isoformat()
    page = sealer.get(f"/buero/ziehungen/{draw.id}").text
    data = {"csrf_token": csrf_token(page), "beacon": RANDOMNESS, "confirm": "y"}
    response = sealer.post(f"/buero/ziehungen/{draw.id}/ziehen", data=data)
    refusals = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "draw.run_refused")
    ).all()
    if not second_person:
        assert "zweite Person" not in page
        assert response.status_code == 303 and not refusals
        assert db.session.get(Draw, draw.id).run_by == sealing_user.id
        return
    assert "Ziehen muss sie eine zweite Person" in page and 'name="confirm"' not in page
    assert response.status_code == 400 and "zweite Person" in response.text
    assert [(e.actor_id, e.details["reason"]) for e in refusals] == [
        (sealing_user.id, "same_person")
    ]
    protocol = sealer.get(f"/buero/ziehungen/{draw.id}/protokoll").text
    assert "Ziehen abgelehnt: dasselbe Konto hatte die Ziehung versiegelt" in protocol
    assert "von Anna Siegel" in protocol
    page = other.get(f"/buero/ziehungen/{draw.id}").text
    data["csrf_token"] = csrf_token(page)
    assert other.post(f"/buero/ziehungen/{draw.id}/ziehen", data=data).status_code == 303
    db.session.expire_all()
    assert db.session.get(Draw, draw.id).status == "run"


def test_seal_and_export_need_a_fresh_login(client, rally) -> None:
    login(client, fresh=False)
    page = client.get(f"/buero/ziehungen?rally={rally.slug}")
    response = client.post(f"/buero/ziehungen/versiegeln?rally={rally.slug}",
                           data=seal_form_data(page.text, rally))
    assert response.status_code == 302 and "/anmelden/bestaetigen" in response.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Draw)) == 0
    draw = seal_with_round(rally)
    csv_response = client.get(f"/buero/ziehungen/{draw.id}/gewinner.csv")
    assert csv_response.status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"prizes": []}, "mindestens einen Preis"),
        ({"kind": "daily"}, "brauchen einen Tag"),
        ({"beacon_round": ""}, "Nummer der drand-Runde"),
        ({"beacon_round": "elf"}, "ganze Zahl"),
        ({"beacon_chain": "testnet"}, "Keine gültige Auswahl"),
        ({"reason": "x" * 501}, "Höchstens 500 Zeichen"),
        ({"reason": "Grund\x00"}, "Steuerzeichen"),
    ],
)
def test_seal_form_errors_are_400(client, rally, changes: dict, message: str) -> None:
    login(client)
    page = client.get(f"/buero/ziehungen?rally={rally.slug}").text
    data = seal_form_data(page, rally, **changes)
    response = client.post(f"/buero/ziehungen/versiegeln?rally={rally.slug}", data=data)
    assert response.status_code == 400 and message in response.text
    assert db.session.scalar(select(func.count()).select_from(Draw)) == 0


def test_draw_pages_are_for_staff_only(app: Flask, rally) -> None:
    anonymous = app.test_client()
    assert anonymous.get("/buero/ziehungen").status_code == 302
    shopkeeper = app.test_client()
    from .helpers import make_shop

    shop = make_shop(slug="laden-fuer-login")
    db.session.commit()
    user = create_user(email="laden@example.org", password="ein-langes-passwort",
                       role="shopkeeper", shop_slug=shop.slug)
    with shopkeeper.session_transaction() as session:
        session["_user_id"] = user.get_id()
    assert shopkeeper.get("/buero/ziehungen").status_code == 403

