"""The read-only JSON API and its OpenAPI document."""

from flask import Flask

from app.extensions import db

from .helpers import csrf_token, make_rally, make_station


def test_shops_never_expose_tokens(app: Flask, client, freeze) -> None:
    rally = make_rally()
    stations = [make_station(rally) for _ in range(3)]
    db.session.commit()
    response = client.get("/api/v1/shops")
    assert response.status_code == 200
    body = response.get_json()
    assert body["rally"]["slug"] == rally.slug
    assert len(body["shops"]) == 3
    raw = response.text
    for station in stations:
        assert station.token not in raw and station.short_code not in raw
    assert set(body["shops"][0]) == {
        "slug", "name", "category", "address", "lat", "lon", "opening_hours", "website"
    }


def test_shops_without_rally_is_404_json(client) -> None:
    response = client.get("/api/v1/shops")
    assert response.status_code == 404
    assert response.get_json()["error"] == "no_rally"


def test_card_of_the_cookie(app: Flask, client, freeze) -> None:
    rally = make_rally()
    a, b = make_station(rally), make_station(rally)
    db.session.commit()
    assert client.get("/api/v1/card").get_json()["error"] == "no_card"
    for station in (a, b):
        page = client.get(f"/s/{station.token}")
        client.post(f"/s/{station.token}", data={"csrf_token": csrf_token(page.text)})
    body = client.get("/api/v1/card").get_json()
    assert body["stamp_count"] == 2
    assert body["goal"] == 3
    assert body["qualified"] is False
    assert [s["shop"] for s in body["stamps"]] == [a.shop.slug, b.shop.slug]
    assert body["stamps"][0]["at"].endswith("Z")
    assert body["code"] in client.get("/karte").text


def test_card_with_forged_cookie_is_400_json(client) -> None:
    client.set_cookie("stempelkarte", "forged")
    response = client.get("/api/v1/card")
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_card"


def test_api_is_read_only(client) -> None:
    assert client.post("/api/v1/card").status_code == 405


def test_openapi_document_describes_the_endpoints(client) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert {"/shops", "/card"} <= set(doc["paths"])
    card = doc["components"]["schemas"]["Card"]
    assert set(card["required"]) == {"code", "rally", "stamps", "stamp_count", "goal", "qualified"}
