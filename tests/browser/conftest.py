"""Fixtures for the browser tests: a live server with the demo, Chromium, fresh contexts.

The live server runs the real app on a SQLite file in a daemon thread for the whole
session. Chromium is Debian's ``/usr/bin/chromium``: Playwright cannot download its own.
"""

import secrets
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from app import clock, create_app
from app.clock import local
from app.demo_data import SERVICES
from app.extensions import db
from app.models import OutboxMail, Rally, Stamp, Station
from app.services import codes
from app.services.cards import create_card
from app.services.demo import load_demo
from app.services.draws import run_draw, seal_draw
from app.services.entries import enter_draw
from app.services.password_resets import request_reset, reset_path
from app.services.stations import rotate_station
from app.services.users import create_user

from ..conftest import base_config
from ..helpers import SHOPKEEPER_PASSWORD, make_shopkeeper
from ..smtp import SMTPServer
from .appointment_seed import seed_appointments

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@dataclass(frozen=True)
class DemoStation:
    """One demo station as plain strings, safe to use outside the server's thread."""

    token: str
    short_code: str
    shop_name: str
    shop_slug: str


@dataclass(frozen=True)
class LiveServer:
    """The running app: its base URL and the demo data the tests need."""

    base_url: str
    stations: tuple[DemoStation, ...]
    service_slug: str
    retired_token: str
    rally_id: int
    staff_email: str
    staff_password: str
    # A card that entered and won the day's draw, which has been run: the draw pages and
    # a card lookup have something to show from the start.
    draw_id: int
    winner_code: str
    shop_id: int
    station_id: int
    # Shopkeeper logins (password SHOPKEEPER_PASSWORD): a shop stamping with its poster,
    # one in live mode, and one the live-display test switches to live mode itself.
    shopkeeper_email: str
    live_shopkeeper_email: str
    flow_shopkeeper_email: str
    live_token: str  # the token of the live-mode shop's station
    # The recovery path of a card stamped in every shop (not entered): the card page's
    # last state, which no browser test would stamp forty times to see.
    full_card_path: str
    shopkeeper_password: str = SHOPKEEPER_PASSWORD
    # The recovery link (path) of the winner's card: a card that entered, to merge with.
    winner_recovery_path: str = ""

    # Fresh accounts and reset links for the account pages' scenarios.
    accounts: "AccountDesk | None" = None

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return self.base_url + path


ACCOUNT_PASSWORD = "Kerze Fahrrad Mondschein"


@dataclass(frozen=True)
class AccountDesk:
    """Writes to the live server's database what the account pages' scenarios need: a
    fresh staff account per run (two-factor log-in changes an account for good) and a
    reset link (its mail is tested without a browser)."""

    app: Flask

    def new_staff(self) -> str:
        """A new staff account with ``ACCOUNT_PASSWORD``; its e-mail address."""
        with self.app.app_context():
            email = f"team-{secrets.token_hex(4)}@herten.test"
            create_user(email=email, password=ACCOUNT_PASSWORD, role="staff", name="Team")
            db.session.remove()
        return email

    def reset_path(self, email: str) -> str:
        """The path of a new reset link for the account ``email``."""
        with self.app.app_context():
            token = request_reset(email=email, now=clock.utcnow())
            db.session.remove()
        assert token is not None, email
        return reset_path(token)


class QuietRequestHandler(WSGIRequestHandler):
    """A request handler that does not log every request to stderr."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Skip the access log line; errors are still logged."""


def closed_after_body(app: Any) -> Any:
    """WSGI middleware: close each response as soon as its body is written.

    Werkzeug's development server closes a response only after draining the socket, and
    skips it when the browser resets the connection meanwhile; the mails a request
    queued (sent when its response is closed) would then wait for ``outbox send``.
    """

    def wsgi(environ: Any, start_response: Any) -> Iterator[bytes]:
        body = app(environ, start_response)
        try:
            yield from body
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stamp_everywhere(rally: Rally, stations: list[Station], secret_key: str) -> str:
    """A card with a stamp at each of ``stations``, a minute apart; its recovery path."""
    now = clock.utcnow()
    card, _secret = create_card(rally, now)
    for minute, station in enumerate(stations):
        db.session.add(Stamp(rally_id=rally.id, card_id=card.id, station_id=station.id,
                             created_at=now + timedelta(minutes=minute - len(stations)),
                             source="qr"))
    db.session.commit()
    token = codes.recovery_token(secret_key, card.code)
    return f"/karte/wiederherstellen/{card.code}/{token}"


def run_a_daily_draw(rally: Rally, stations: list[Station]) -> tuple[str, int]:
    """Give one card a stamp at each of ``stations`` and an entry, then seal and run
    today's draw of the rally's last prize; return the card's code and the draw's id."""
    now = clock.utcnow()
    card, _secret = create_card(rally, now)
    for station in stations:
        db.session.add(Stamp(rally_id=rally.id, card_id=card.id, station_id=station.id,
                             created_at=now, source="qr"))
    db.session.commit()
    db.session.expire(card)  # its stamp count comes from the database's triggers
    enter_draw(card_id=card.id, name="Greta Beispiel", contact="greta@example.org",
               age_confirmed=True, consent=True, now=now)
    last_prize = max(rally.prizes, key=lambda prize: prize.position)
    draw = seal_draw(rally_id=rally.id, kind="daily", day=local(now).date(),
                     prize_ids=[last_prize.id], beacon_chain=None, now=now)
    run_draw(draw_id=draw.id, now=now)
    return card.code, draw.id


def add_failed_mail() -> None:
    """A mail the SMTP server refused for good: /buero/post and the dashboard show it."""
    now = clock.utcnow()
    db.session.add(OutboxMail(
        kind="invitation", recipient="inhaberin.mit.langer.adresse@baeckerei-am-marktplatz.example",
        subject="Einladung zum Geschäftsportal: Bäckerei am Marktplatz", text_body="Hallo",
        html_body="<p>Hallo</p>", attachments=[], status="failed", attempts=10,
        last_error="SMTP 550: 5.1.1 mailbox unavailable, user unknown in virtual table",
        created_at=now - timedelta(hours=5), next_attempt_at=now, claimed_at=now))
    db.session.commit()


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, smtp_server: SMTPServer
) -> Iterator[LiveServer]:
    """Serve the app with the demo loaded on http://127.0.0.1:<port> for the session.

    Its mails go to the session's SMTP server (the ``mailbox`` fixture reads them)."""
    tmp = tmp_path_factory.mktemp("live")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    config = {**base_config(tmp, "sqlite:///" + str(tmp / "browser.sqlite3")),
              **smtp_server.config()}
    config["BASE_URL"] = base_url
    # Every page test logs the demo staff in afresh; the per-address limit is not under test.
    config["RATELIMIT_LOGIN"] = "10000 per minute"
    # Every test browser comes from 127.0.0.1 and most start at the demo's first shop:
    # the network and shared-code signals would flag every card of the session. The
    # speed signal stays (a browser stamps faster than anyone walks).
    config["FRAUD_NETWORK_CARDS"] = 10_000
    config["FRAUD_SHARED_CODE_CARDS"] = 10_000
    config["RATELIMIT_PASSWORD_RESET"] = "10000 per minute"
    application = create_app(config)

    with application.app_context():
        db.create_all()
        summary = load_demo(clock.utcnow(), Path(tmp))
        # One shop's code has been replaced: its old URL must explain itself (410).
        retired = summary.stations[-1]
        retired_token = retired.token
        rally_id = summary.rally.id
        staff_email, staff_password = summary.staff_email, summary.staff_password
        rotate_station(shop_slug=retired.shop.slug, rally_slug=None, now=clock.utcnow())
        winner_code, draw_id = run_a_daily_draw(summary.rally, summary.stations[20:30])
        full_card_path = stamp_everywhere(summary.rally, summary.stations,
                                          str(application.config["SECRET_KEY"]))
        shop_id, station_id = summary.stations[5].shop_id, summary.stations[5].id
        printed, live, flow = summary.stations[6:9]
        live.mode = "live"
        db.session.commit()
        seed_appointments(clock.utcnow())
        keepers = [make_shopkeeper(station.shop, email=f"laden-{n}@herten.test")
                   for n, station in enumerate((printed, live, flow), start=1)]
        add_failed_mail()
        live_token = live.token
        stations = tuple(
            DemoStation(
                token=station.token,
                short_code=station.short_code,
                shop_name=station.shop.name,
                shop_slug=station.shop.slug,
            )
            for station in summary.stations
        )
        db.session.remove()

    server: BaseWSGIServer = make_server(
        "127.0.0.1", port, closed_after_body(application), threaded=True,
        request_handler=QuietRequestHandler,
    )
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(
            base_url=base_url,
            stations=stations,
            service_slug=str(SERVICES[0]["slug"]),
            retired_token=retired_token,
            rally_id=rally_id,
            staff_email=staff_email,
            staff_password=staff_password,
            draw_id=draw_id,
            winner_code=winner_code,
            shop_id=shop_id,
            station_id=station_id,
            shopkeeper_email=keepers[0].email,
            live_shopkeeper_email=keepers[1].email,
            flow_shopkeeper_email=keepers[2].email,
            live_token=live_token,
            winner_recovery_path=(f"/karte/wiederherstellen/{winner_code}/"
                                  + codes.recovery_token(str(config["SECRET_KEY"]),
                                                         winner_code)),
            full_card_path=full_card_path,
            accounts=AccountDesk(application),
        )
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with application.app_context():
            db.engine.dispose()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """A factory of fresh browser contexts (own cookies), all closed after the test.

    Call it with a viewport dict, e.g. ``new_context(PHONE)``; the default is a phone.
    """
    contexts: list[BrowserContext] = []

    def make(viewport: dict[str, int] | None = None) -> BrowserContext:
        """Open a new context with German locale and the given viewport."""
        context = browser.new_context(viewport=viewport or PHONE, locale="de-DE")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


# Werkzeug's send_file opens a static file and then answers a browser's revalidation
# with 304, dropping the open file to the garbage collector. Chromium revalidates the
# stylesheet and emblem on every page, so the live (development) server leaks a file
# handle now and then; gunicorn in production behaves the same and nothing is lost.
LEAKED_STATIC_FILE = (
    "ignore:Exception ignored in.*FileIO.*static:pytest.PytestUnraisableExceptionWarning"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tolerate only that one warning, and only in the browser tests."""
    for item in items:
        if "tests/browser/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.filterwarnings(LEAKED_STATIC_FILE))
