"""View tests of the shopper's pages with the test client."""

import io
import re

import cairosvg
import pytest
import zxingcpp
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import Card, CardKey, Stamp
from app.services import codes

from .helpers import AFTER_END, BEFORE_START, csrf_token, make_rally, make_station


def count(model: type) -> int:
    """Rows of a model's table."""
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def tap(client: FlaskClient, token: str) -> "object":
    """Open the scan page and press its button, as a phone would."""
    page = client.get(f"/s/{token}")
    return client.post(f"/s/{token}", data={"csrf_token": csrf_token(page.text)})


@pytest.fixture
def station(app: Flask, freeze):
    """One station of a running rally (goal 3), with the clock on 1 December."""
    created = make_station(make_rally())
    db.session.commit()
    return created


def test_scan_page_names_the_shop_and_changes_nothing(client, station) -> None:
    response = client.get(f"/s/{station.token}")
    assert response.status_code == 200
    assert station.shop.name in response.text
    assert "Stempel einsammeln" in response.text
    assert client.head(f"/s/{station.token}").status_code == 200
    assert count(Card) == 0 and count(Stamp) == 0
    assert "stempelkarte" not in response.headers.get("Set-Cookie", "")


def test_tap_stamps_sets_cookie_and_celebrates(client, station) -> None:
    response = tap(client, station.token)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/karte")
    cookie = client.get_cookie("stempelkarte")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert not cookie.secure  # Secure only in production
    card = client.get("/karte")
    assert card.status_code == 200
    assert "Stempel 1!" in card.text
    assert "Noch 2 Stempel bis zur Verlosung" in card.text
    assert station.shop.name in card.text
    assert count(Stamp) == 1


def test_a_taps_notice_shows_once(client, station) -> None:
    """The stamp's notice is a one-shot message (Flask's flash) for the next card page."""
    tap(client, station.token)
    first = client.get("/karte")
    assert "Stempel 1!" in first.text and station.shop.name in first.text
    again = client.get("/karte")
    assert "Stempel 1!" not in again.text
    assert 'class="celebrate"' not in again.text and "card-notice" not in again.text


def test_second_tap_is_calm(client, station) -> None:
    tap(client, station.token)
    client.get("/karte")
    again = client.get(f"/s/{station.token}")
    assert "Hier hast du schon gestempelt" in again.text
    response = client.post(
        f"/s/{station.token}", data={"csrf_token": csrf_token(client.get("/stempel").text)}
    )
    assert response.status_code == 303
    card = client.get("/karte")
    assert "schon gestempelt" in card.text
    assert "Stempel 2!" not in card.text
    assert count(Stamp) == 1


def test_production_cookies_are_secure(app: Flask, client, station) -> None:
    app.config["PRODUCTION"] = True
    tap(client, station.token)
    assert client.get_cookie("stempelkarte").secure
    response = client.get("/")
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_unknown_token_is_a_friendly_404(client, station) -> None:
    response = client.get("/s/" + codes.new_station_token())
    assert response.status_code == 404
    assert "Diesen Code kennen wir nicht" in response.text
    assert 'href="/stempel"' in response.text


@pytest.mark.parametrize(
    "path",
    ["/s/x", "/s/" + "A" * 10_000, "/s/%C3%84%C3%96%C3%9C", "/s/AAAAAAAAAAAAAAAAAAAAA%00", "/s/"],
)
def test_malformed_scan_paths_are_404(client, station, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "<html lang=\"de\">" in response.text


@pytest.mark.parametrize(
    ("moment", "text"),
    [(BEFORE_START, "noch nicht begonnen"), (AFTER_END, "Die Rallye ist vorbei")],
)
def test_scan_outside_dates_says_when(client, station, freeze, moment, text) -> None:
    page = client.get("/stempel")
    freeze(moment)
    response = client.get(f"/s/{station.token}")
    assert text in response.text
    assert "Dezember 2026" in response.text
    posted = client.post(f"/s/{station.token}", data={"csrf_token": csrf_token(page.text)})
    assert posted.status_code == 409
    assert text in posted.text
    assert count(Stamp) == 0 and count(Card) == 0


def test_post_without_csrf_is_400_in_german(client, station) -> None:
    response = client.post(f"/s/{station.token}")
    assert response.status_code == 400
    assert "Sitzung abgelaufen" in response.text
    assert count(Stamp) == 0


def test_post_with_foreign_csrf_token_is_400(app: Flask, station) -> None:
    other = app.test_client()
    token = csrf_token(other.get(f"/s/{station.token}").text)
    victim = app.test_client()
    victim.get(f"/s/{station.token}")
    response = victim.post(f"/s/{station.token}", data={"csrf_token": token})
    assert response.status_code == 400
    assert count(Stamp) == 0


@pytest.mark.parametrize("secret", ["kaputt", "A" * 43, "\u00e4" * 43])
def test_forged_card_cookie_is_400_and_dropped(client, station, secret: str) -> None:
    page = client.get(f"/s/{station.token}")
    client.set_cookie("stempelkarte", secret)
    response = client.post(f"/s/{station.token}", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 400
    assert "können wir nicht lesen" in response.text
    assert "stempelkarte=;" in response.headers["Set-Cookie"]
    assert count(Stamp) == 0 and count(Card) == 0
    assert client.get_cookie("stempelkarte") is None


def test_card_page_without_card_explains_how_to_start(client, station) -> None:
    response = client.get("/karte")
    assert response.status_code == 200
    assert "noch keine Stempelkarte" in response.text


def test_card_page_lists_stamped_and_open_shops(client, station) -> None:
    rally = station.rally
    other = make_station(rally)
    db.session.commit()
    tap(client, station.token)
    response = client.get("/karte")
    text = response.text
    assert "1 von 3 Stempeln" in text
    assert "1 von 2 Geschäften besucht" in text
    assert other.shop.name in text.split("Dein Rundgang")[1]
    assert "Karte sichern" in text
    assert 'class="qr-figure"><img src="/karte/qr/' in text
    assert "http://rallye.test/karte/wiederherstellen/" in text


def test_typed_code_stamps(client, station) -> None:
    page = client.get("/stempel")
    response = client.post(
        "/stempel",
        data={"csrf_token": csrf_token(page.text), "code": station.short_code.lower()},
    )
    assert response.status_code == 303
    assert db.session.scalars(select(Stamp.source)).one() == "short_code"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Bitte gib den Code vom Plakat ein."),
        ("ZZZZZZ", "Diesen Code kennen wir nicht"),
        ("\u00c4\u00d6\u00dc\u00e4\u00f6\u00fc", "Diesen Code kennen wir nicht"),
        ("AB\x00CDE", "Bitte entferne Steuerzeichen aus diesem Feld"),
        ("X" * 5000, "Der Code hat nur sechs Zeichen."),
    ],
)
def test_typed_code_errors_are_400_with_message(client, station, code: str, message: str) -> None:
    page = client.get("/stempel")
    response = client.post("/stempel", data={"csrf_token": csrf_token(page.text), "code": code})
    assert response.status_code == 400
    assert message in response.text
    assert count(Stamp) == 0 and count(Card) == 0


def recovery_link(html: str) -> str:
    """The recovery path shown on a card page."""
    match = re.search(r'href="http://rallye\.test(/karte/wiederherstellen/[^"]+)"', html)
    assert match
    return match.group(1)


def test_recovery_link_follows_the_key_and_the_base_url(app: Flask, client, station) -> None:
    tap(client, station.token)
    code = db.session.scalars(select(Card.code)).one()
    first = recovery_link(client.get("/karte").text)
    assert first == f"/karte/wiederherstellen/{code}/{codes.recovery_token(app.secret_key, code)}"
    assert recovery_link(client.get("/karte").text) == first  # remembered, the same
    app.config["SECRET_KEY"] = app.secret_key = "another-key-with-enough-length-0123456789abc"
    rotated = recovery_link(client.get("/karte").text)
    assert rotated == f"/karte/wiederherstellen/{code}/{codes.recovery_token(app.secret_key, code)}"
    assert rotated != first
    app.config["BASE_URL"] = "https://rallye.example"
    assert "https://rallye.example/karte/wiederherstellen/" in client.get("/karte").text


def test_recovery_link_restores_the_card_in_another_browser(app: Flask, client, station) -> None:
    tap(client, station.token)
    code = db.session.scalars(select(Card.code)).one()
    link = recovery_link(client.get("/karte").text)

    other = app.test_client()
    ask = other.get(link)
    assert ask.status_code == 200
    assert code in ask.text
    assert count(CardKey) == 1  # GET changes nothing
    done = other.post(link, data={"csrf_token": csrf_token(ask.text)})
    assert done.status_code == 303, done.text
    restored = other.get("/karte").text
    assert code in restored and "jetzt auch in diesem Browser" in restored
    assert count(CardKey) == 2
    # Both browsers keep working on the same card.
    assert code in client.get("/karte").text


def test_recovery_qr_image_encodes_the_link_for_its_own_card_only(
    app: Flask, client, station
) -> None:
    tap(client, station.token)
    code = db.session.scalars(select(Card.code)).one()
    page = client.get("/karte").text
    link = recovery_link(page)
    src = f"/karte/qr/{code}.svg"
    assert f'<img src="{src}"' in page

    image = client.get(src)
    assert image.status_code == 200
    assert image.mimetype == "image/svg+xml"
    assert image.headers["Cache-Control"].startswith("private")
    png = cairosvg.svg2png(bytestring=image.data, output_width=400, background_color="white")
    qr_only = zxingcpp.BarcodeFormat.QRCode
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)), formats=qr_only)]
    assert decoded == ["http://rallye.test" + link]

    # Another browser, or another card's code, gets nothing.
    assert app.test_client().get(src).status_code == 404
    assert client.get("/karte/qr/K7QM-2XPA.svg").status_code == 404


@pytest.mark.parametrize(
    "suffix",
    ["K7QM-2XPA/" + "0" * 40, "kaputt/abc", "K7QM-2XPA/" + "g" * 40, "K7QM-2XPA/" + "0" * 4000],
)
def test_bad_recovery_links_are_404(client, station, suffix: str) -> None:
    response = client.get("/karte/wiederherstellen/" + suffix)
    assert response.status_code == 404
    assert "Dieser Link funktioniert nicht" in response.text


def test_recovery_post_with_bad_link_writes_nothing(client, station) -> None:
    page = client.get("/stempel")
    response = client.post(
        "/karte/wiederherstellen/K7QM-2XPA/" + "0" * 40, data={"csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 404
    assert count(CardKey) == 0


def test_shop_directory_marks_stamped_shops(client, station) -> None:
    make_station(station.rally)
    db.session.commit()
    before = client.get("/geschaefte")
    assert before.status_code == 200 and "gestempelt" not in before.text.split("<main")[1]
    tap(client, station.token)
    after = client.get("/geschaefte").text
    assert after.count('class="shop is-stamped"') == 1
    assert station.shop.street in after


def test_home_page_shows_rally_steps_shops_and_office(client, station) -> None:
    text = client.get("/").text
    assert station.rally.name in text
    assert "Scannen" in text and "Stempeln" in text and "Gewinnen" in text
    # A short page: the shops are one link away, not a list of names.
    assert station.shop.name not in text
    assert re.search(r'<a class="button[^"]*" href="/geschaefte">Zum 1 Geschäft</a>', text)
    assert "Montag bis Donnerstag" in text and "02366 9360621" in text


def test_stamp_rate_limit_answers_429_in_german(app: Flask, client, station) -> None:
    """Limits count per card once the browser has one (many phones share an address)."""
    app.config["RATELIMIT_STAMP"] = "2 per minute"
    tap(client, station.token)
    token = csrf_token(client.get("/stempel").text)
    statuses = [
        client.post(f"/s/{station.token}", data={"csrf_token": token}).status_code
        for _ in range(3)
    ]
    assert statuses == [303, 303, 429]
    limited = client.post(f"/s/{station.token}", data={"csrf_token": token})
    assert "Kurz durchatmen" in limited.text
    # Another browser (no card yet) is not held up by this card's limit.
    assert tap(app.test_client(), station.token).status_code == 303


def test_recovery_is_rate_limited(app: Flask, client, station) -> None:
    app.config["RATELIMIT_RECOVERY"] = "3 per minute"
    statuses = [
        client.get("/karte/wiederherstellen/K7QM-2XPA/" + "0" * 40).status_code
        for _ in range(4)
    ]
    assert statuses == [404, 404, 404, 429]


def test_a_made_up_card_cookie_buys_no_fresh_allowance(app: Flask, station) -> None:
    """Only a cookie that opens a card is keyed by card; any other counts by address."""
    app.config["RATELIMIT_STAMP"] = "2 per minute"
    statuses = []
    for _ in range(3):
        stranger = app.test_client()
        token = csrf_token(stranger.get(f"/s/{station.token}").text)
        stranger.set_cookie("stempelkarte", codes.new_card_secret())
        statuses.append(
            stranger.post(f"/s/{station.token}", data={"csrf_token": token}).status_code
        )
    assert statuses == [400, 400, 429]
    # Another address is not held up by them.
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    assert tap(elsewhere, station.token).status_code == 303


def test_typed_codes_are_limited_per_address_whatever_the_cookie(
    app: Flask, client, station
) -> None:
    """Six characters can be guessed: every try counts against the address, so an unknown
    code and a known one with a stale cookie cannot be told apart beyond the limit."""
    app.config["RATELIMIT_TYPED_CODE"] = "3 per minute"
    tap(client, station.token)  # a real card
    token = csrf_token(client.get("/stempel").text)
    statuses = [client.post("/stempel", data={"csrf_token": token, "code": "ZZZZZZ"}).status_code]
    stale = app.test_client()
    stale_token = csrf_token(stale.get("/stempel").text)
    stale.set_cookie("stempelkarte", codes.new_card_secret())
    for code in (station.short_code, "ZZZZZZ", station.short_code):
        statuses.append(
            stale.post("/stempel", data={"csrf_token": stale_token, "code": code}).status_code
        )
    assert statuses == [400, 400, 400, 429]
    assert client.post(
        "/stempel", data={"csrf_token": token, "code": station.short_code}
    ).status_code == 429  # the real card shares the address's allowance
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    other_token = csrf_token(elsewhere.get("/stempel").text)
    assert elsewhere.post(
        "/stempel", data={"csrf_token": other_token, "code": station.short_code}
    ).status_code == 303


@pytest.mark.parametrize("path", ["/karte", "/api/v1/card", "/anmelden", "/buero/"])
def test_pages_with_credentials_or_staff_data_are_never_stored(client, station, path) -> None:
    tap(client, station.token)
    assert client.get(path).headers["Cache-Control"] == "no-store"


def test_public_pages_may_be_stored(client, station) -> None:
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
