"""The read-only JSON API and its OpenAPI document."""

from flask import Flask

from app.extensions import db
from app.models import OpeningHours

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
        "slug", "name", "category", "address", "lat", "lon", "opening_hours", "hours", "website"
    }
    # The helper's shops have their hours as text only: the structured list is empty.
    assert body["shops"][0]["opening_hours"] == "Mo–Fr 9–18 Uhr"
    assert body["shops"][0]["hours"] == []


def test_shops_give_their_hours_as_data(client) -> None:
    rally = make_rally()
    station = make_station(rally)
    station.shop.hours = [OpeningHours(weekday=0, opens=570, closes=1110),
                          OpeningHours(weekday=5, opens=600, closes=1440)]
    db.session.commit()
    shop = client.get("/api/v1/shops").get_json()["shops"][0]
    assert shop["hours"] == [{"weekday": 0, "opens": "09:30", "closes": "18:30"},
                             {"weekday": 5, "opens": "10:00", "closes": "24:00"}]
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Shop"]
    assert {"opening_hours", "hours"} <= set(schema["required"])
    assert set(schema["properties"]["hours"]["items"]["required"]) == {
        "weekday", "opens", "closes"}


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
