"""Draw pages: the public record, the JSON API, and the staff's seal/run/protocol/CSV."""

import csv
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Draw, Winner
from app.services import procedure
from app.services.draws import run_draw, seal_draw
from app.services.users import create_user

from .helpers import LAST_DAY, csrf_token, make_card, make_entry, make_prizes, make_rally
from .helpers import make_station as station_of
from .reference_draw import reference_winners


@pytest.fixture
def rally(app: Flask, freeze):
    """A rally with 6 qualified entries (one with a formula-like name) and 3 prizes."""
    freeze(LAST_DAY)
    made = make_rally()
    stations = [station_of(made) for _ in range(3)]
    make_prizes(made, 3)
    for i in range(6):
        card = make_card(made, stations, 3)
        make_entry(card, name="=HYPERLINK(1)" if i == 0 else f"Person {i}")
    db.session.commit()
    return made


def login(client: FlaskClient, role: str = "staff", fresh: bool = True) -> None:
    """Log a new user in by writing Flask-Login's session keys."""
    user = create_user(email=f"{role}-{id(client)}@example.org", password="ein-langes-passwort",
                       role=role)
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        if fresh:
            session["auth_at"] = LAST_DAY.isoformat()


def test_public_pages_before_and_after_the_run(client, rally) -> None:
    draw = seal_draw(rally_id=rally.id, kind="final",
                     prize_ids=[p.id for p in rally.prizes], now=LAST_DAY)
    listing = client.get("/ziehungen").text
    assert draw.title in listing and "die Ziehung folgt" in listing
    detail = client.get(f"/ziehungen/{draw.id}").text
    assert draw.pool_hash in detail and draw.commitment in detail
    assert draw.seed_hex not in detail  # the seed stays secret until the run
    api = client.get(f"/api/v1/draws/{draw.id}").get_json()
    assert api["status"] == "sealed" and api["seed_hex"] is None and api["winners"] == []
    pool = client.get(f"/ziehungen/{draw.id}/lostopf.txt")
    assert procedure.pool_hash(pool.data.decode()) == draw.pool_hash

    run_draw(draw_id=draw.id, now=LAST_DAY)
    api = client.get(f"/api/v1/draws/{draw.id}").get_json()
    assert api["seed_hex"] == draw.seed_hex
    assert procedure.commitment(api["seed_hex"]) == api["commitment"]
    codes = [w["code"] for w in api["winners"]]
    assert codes == reference_winners(pool.data.decode(), api["seed_hex"], None, 3)
    detail = client.get(f"/ziehungen/{draw.id}").text
    assert all(code in detail for code in codes) and "draw verify" in detail
    assert "Person" not in detail  # names are never public


def test_unknown_draws_are_404(client) -> None:
    assert client.get("/ziehungen/999").status_code == 404
    assert client.get("/ziehungen/999/lostopf.txt").status_code == 404
    assert client.get("/api/v1/draws/999").get_json()["error"] == "no_draw"


def test_staff_seal_run_protocol_and_csv(client, rally) -> None:
    login(client)
    page = client.get(f"/buero/ziehungen?rally={rally.slug}")
    assert page.status_code == 200 and "6 Teilnahmen im Lostopf" in page.text
    prize_ids = [str(p.id) for p in rally.prizes]
    sealed = client.post(
        f"/buero/ziehungen/versiegeln?rally={rally.slug}",
        data={"csrf_token": csrf_token(page.text), "kind": "final", "prizes": prize_ids},
    )
    assert sealed.status_code == 303
    draw = db.session.scalars(select(Draw)).one()
    detail = client.get(f"/buero/ziehungen/{draw.id}")
    assert draw.commitment in detail.text
    token = csrf_token(detail.text)
    beacon = client.post(f"/buero/ziehungen/{draw.id}/beacon",
                         data={"csrf_token": token, "beacon": "zz"})
    assert beacon.status_code == 400 and "Hex-Ziffern" in beacon.text
    assert client.post(f"/buero/ziehungen/{draw.id}/beacon",
                       data={"csrf_token": token, "beacon": "AB" * 16}).status_code == 303
    assert client.post(f"/buero/ziehungen/{draw.id}/ziehen",
                       data={"csrf_token": token}).status_code == 303
    assert client.post(f"/buero/ziehungen/{draw.id}/ziehen",
                       data={"csrf_token": token}).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Winner)) == 3

    protocol = client.get(f"/buero/ziehungen/{draw.id}/protokoll").text
    assert "Ziehungsprotokoll" in protocol and draw.seed_hex in protocol
    assert "draw.seal" in protocol and "draw.run" in protocol

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
    page = client.get(f"/buero/ziehungen?rally={rally.slug}").text
    assert winner.prize.name in page  # the forfeited prize is offered again


def test_seal_and_export_need_a_fresh_login(client, rally) -> None:
    login(client, fresh=False)
    page = client.get(f"/buero/ziehungen?rally={rally.slug}")
    response = client.post(
        f"/buero/ziehungen/versiegeln?rally={rally.slug}",
        data={"csrf_token": csrf_token(page.text), "kind": "final",
              "prizes": [str(rally.prizes[0].id)]},
    )
    assert response.status_code == 302 and "/anmelden/bestaetigen" in response.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Draw)) == 0
    draw = seal_draw(rally_id=rally.id, kind="final", prize_ids=[rally.prizes[0].id],
                     now=LAST_DAY)
    csv_response = client.get(f"/buero/ziehungen/{draw.id}/gewinner.csv")
    assert csv_response.status_code == 302


def test_seal_form_errors_are_400(client, rally) -> None:
    login(client)
    page = client.get(f"/buero/ziehungen?rally={rally.slug}")
    token = csrf_token(page.text)
    no_prize = client.post(f"/buero/ziehungen/versiegeln?rally={rally.slug}",
                           data={"csrf_token": token, "kind": "final"})
    assert no_prize.status_code == 400 and "mindestens einen Preis" in no_prize.text
    daily = client.post(f"/buero/ziehungen/versiegeln?rally={rally.slug}",
                        data={"csrf_token": token, "kind": "daily",
                              "prizes": [str(rally.prizes[0].id)]})
    assert daily.status_code == 400 and "brauchen einen Tag" in daily.text
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
