"""Every back-office page renders for staff and is closed to everyone else."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.services.users import create_user

from ..helpers import make_shop
from .conftest import log_in


def page_paths(rally, stations) -> list[str]:
    """The GET pages of the back office, for a rally with stations."""
    station = stations[0]
    return [
        "/buero/",
        f"/buero/?rally={rally.slug}",
        "/buero/rallyes",
        "/buero/rallyes/neu",
        f"/buero/rallyes/{rally.id}",
        "/buero/geschaefte",
        f"/buero/geschaefte?rally={rally.slug}",
        "/buero/geschaefte/neu",
        f"/buero/geschaefte/neu?rally={rally.slug}",
        f"/buero/geschaefte/{station.shop_id}",
        f"/buero/geschaefte/import?rally={rally.slug}",
        f"/buero/stationen/{station.id}/neuer-code",
        "/buero/karten",
    ]


def test_every_page_renders_for_staff(staff_client: FlaskClient, rally_with_shops) -> None:
    rally, stations = rally_with_shops
    for path in page_paths(rally, stations):
        response = staff_client.get(path)
        assert response.status_code == 200, path
        assert "Übersicht" in response.text and "Karte suchen" in response.text, path
        assert "css/backoffice.css" in response.text
        assert "<script" not in response.text and "style=" not in response.text, path


def test_pages_render_without_any_rally(staff_client: FlaskClient) -> None:
    for path in ("/buero/", "/buero/rallyes", "/buero/geschaefte", "/buero/karten"):
        assert staff_client.get(path).status_code == 200, path
    assert "Rallye anlegen" in staff_client.get("/buero/").text


def test_anonymous_visitors_are_sent_to_the_login(client: FlaskClient, rally_with_shops) -> None:
    rally, stations = rally_with_shops
    for path in page_paths(rally, stations):
        response = client.get(path)
        assert response.status_code in (302, 401), path
    response = client.post(f"/buero/stationen/{stations[0].id}/deaktivieren")
    assert response.status_code in (302, 400, 401)
    assert stations[0].active


def test_shopkeepers_get_403(app: Flask, client: FlaskClient, freeze, rally_with_shops) -> None:
    rally, stations = rally_with_shops
    shop = make_shop()
    db.session.commit()
    keeper = create_user(email="laden@example.test", password="x" * 12, role="shopkeeper",
                         shop_slug=shop.slug)
    from app import clock

    log_in(client, keeper, clock.utcnow())
    for path in page_paths(rally, stations):
        assert client.get(path).status_code == 403, path


@pytest.mark.parametrize("path", ["/buero/?rally=gibt-es-nicht", "/buero/geschaefte?rally=nein",
                                  "/buero/rallyes/999", "/buero/geschaefte/999",
                                  "/buero/stationen/999/neuer-code", "/buero/plakate/nein.pdf"])
def test_unknown_things_are_404(staff_client: FlaskClient, path: str) -> None:
    assert staff_client.get(path).status_code == 404
