"""OWASP's device cookies: strangers' guesses lock out untrusted clients, never a browser
that logged in before; and logins that end for real (idle, absolute lifetime)."""

from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import count
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import AuditEvent, LoginAttempt, User
from app.services.device_tokens import issue_device_token, read_device_token
from app.services.users import create_user

from .conftest import base_config
from .helpers import FIRST_DAY, csrf_token
from .test_auth import PASSWORD, SESSION_COOKIE, attempts, log_in, logout_token

BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
DEVICE_COOKIE = "anmeldegeraet"
THROTTLED = "Zu viele fehlgeschlagene Anmeldeversuche"
_addresses = count(1)


def browser(app: Flask, address: str | None = None) -> FlaskClient:
    """A client from its own address (a fresh one unless given)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address or f"203.0.113.{next(_addresses)}"
    return client


def trusted_browser(app: Flask, user: User) -> FlaskClient:
    """A browser that logged in to ``user`` before (and logged out): it has a device cookie."""
    client = browser(app)
    assert log_in(client, user.email).status_code == 303
    client.post("/abmelden", data={"csrf_token": logout_token(client)})
    assert client.get_cookie(DEVICE_COOKIE, path="/anmelden") is not None
    return client


def lock_out_untrusted_clients(app: Flask, email: str) -> None:
    """Guess wrong from as many addresses as it takes to lock out untrusted clients."""
    per_address = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS"]
    remaining = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    while remaining:
        guesser = browser(app)
        for _ in range(min(per_address, remaining)):
            assert log_in(guesser, email, "geraten-123").status_code == 400
            remaining -= 1


@pytest.fixture
def staff(app: Flask, freeze: Callable[[datetime], None]) -> User:
    """A staff member, with the clock frozen on 1 December."""
    return create_user(email="erika@herten.test", password=PASSWORD, role="staff")


def window(app: Flask) -> timedelta:
    """How long failed logins count."""
    return timedelta(minutes=app.config["LOGIN_FAILURE_WINDOW_MINUTES"])


# --- the device cookie -------------------------------------------------------------------


def test_a_successful_login_gives_a_device_cookie(app: Flask, staff: User) -> None:
    client = browser(app)
    before_login = client.get("/anmelden")
    assert DEVICE_COOKIE not in before_login.headers.get("Set-Cookie", "")
    response = log_in(client, staff.email)
    cookie = client.get_cookie(DEVICE_COOKIE, path="/anmelden")
    assert cookie is not None
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure
    assert cookie.max_age == 180 * 24 * 3600
    header = next(value for value in response.headers.getlist("Set-Cookie")
                  if value.startswith(DEVICE_COOKIE + "="))
    assert "Path=/anmelden;" in header or header.endswith("Path=/anmelden")
    assert staff.email not in cookie.value and "erika" not in cookie.value
    # Not sent to other pages: it is for the login pages only.
    assert client.get_cookie(DEVICE_COOKIE, path="/") is None


def test_a_failed_login_gives_no_device_cookie(app: Flask, staff: User) -> None:
    client = browser(app)
    log_in(client, staff.email, "falsch-falsch")
    assert client.get_cookie(DEVICE_COOKIE, path="/anmelden") is None


def test_the_device_cookie_is_secure_in_production(tmp_path, database_url: str) -> None:
    app = create_app({**base_config(tmp_path, database_url), "PRODUCTION": True})
    with app.app_context():
        db.create_all()
        user = create_user(email="erika@herten.test", password=PASSWORD, role="staff")
        # Over HTTPS to the site's own host, with its own Referer, as behind the proxy.
        site = "https://rallye.test"
        client = app.test_client()
        page = client.get("/anmelden", base_url=site)
        response = client.post(
            "/anmelden", base_url=site, headers={"Referer": site + "/anmelden"},
            data={"csrf_token": csrf_token(page.text), "email": user.email,
                  "password": PASSWORD},
        )
        assert response.status_code == 303
        header = next(value for value in response.headers.getlist("Set-Cookie")
                      if value.startswith(DEVICE_COOKIE + "="))
        assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
        db.session.remove()
        db.engine.dispose()


def test_each_login_gives_a_new_nonce(app: Flask, staff: User) -> None:
    client = trusted_browser(app, staff)
    first = client.get_cookie(DEVICE_COOKIE, path="/anmelden")
    log_in(client, staff.email)
    second = client.get_cookie(DEVICE_COOKIE, path="/anmelden")
    assert first is not None and second is not None and first.value != second.value


# --- lock-outs ---------------------------------------------------------------------------


@BOTH_DATABASES
def test_strangers_lock_out_untrusted_clients_but_not_a_trusted_browser(
    app: Flask, staff: User
) -> None:
    office = trusted_browser(app, staff)
    lock_out_untrusted_clients(app, staff.email)

    stranger = browser(app)
    response = log_in(stranger, staff.email)  # even with the right password
    assert response.status_code == 429 and THROTTLED in response.text
    new_laptop = browser(app, office.environ_base["REMOTE_ADDR"])  # same office network
    assert log_in(new_laptop, staff.email).status_code == 429

    assert log_in(office, staff.email).status_code == 303  # the browser of every day
    assert office.get("/buero/").status_code == 200


@BOTH_DATABASES
def test_failures_of_a_trusted_device_count_against_it_only(app: Flask, staff: User) -> None:
    office = trusted_browser(app, staff)
    home = trusted_browser(app, staff)
    limit = app.config["LOGIN_MAX_FAILURES_PER_DEVICE"]
    for _ in range(limit):
        assert log_in(office, staff.email, "vertippt-123").status_code == 400
    assert log_in(office, staff.email).status_code == 429  # this cookie waits

    devices = set(db.session.scalars(select(LoginAttempt.device)))
    assert len(devices) == 1 and None not in devices
    assert log_in(home, staff.email).status_code == 303  # another trusted browser
    assert log_in(browser(app), staff.email).status_code == 303  # untrusted: not locked
    failed = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "auth.login_failed")).all()
    assert failed and all(event.details.get("trusted_device") for event in failed)


@BOTH_DATABASES
def test_a_device_cookie_of_another_account_does_not_count(app: Flask, staff: User) -> None:
    colleague = create_user(email="jonas@herten.test", password=PASSWORD, role="staff")
    shared = trusted_browser(app, colleague)  # the shared PC knows Jonas, not Erika
    lock_out_untrusted_clients(app, staff.email)
    assert log_in(shared, staff.email).status_code == 429
    assert log_in(shared, colleague.email).status_code == 303


@pytest.mark.parametrize("damage", ["tampered", "other key", "garbage", "empty"])
def test_a_forged_device_cookie_is_untrusted(app: Flask, staff: User, damage: str) -> None:
    client = trusted_browser(app, staff)
    cookie = client.get_cookie(DEVICE_COOKIE, path="/anmelden")
    assert cookie is not None
    forged = {
        "tampered": cookie.value[:-2] + ("AA" if not cookie.value.endswith("AA") else "BB"),
        "other key": issue_device_token(staff.id, secret_keys=["ein-anderer-schluessel" * 2],
                                        now=FIRST_DAY),
        "garbage": "kein.gueltiger.wert",
        "empty": "",
    }[damage]
    client.set_cookie(DEVICE_COOKIE, forged, path="/anmelden")
    lock_out_untrusted_clients(app, staff.email)
    assert log_in(client, staff.email).status_code == 429


def test_an_expired_device_cookie_is_untrusted(
    app: Flask, staff: User, freeze: Callable[[datetime], None]
) -> None:
    client = trusted_browser(app, staff)
    max_age = timedelta(seconds=app.config["DEVICE_COOKIE_MAX_AGE"])
    freeze(FIRST_DAY + max_age + timedelta(minutes=1))
    client.set_cookie(DEVICE_COOKIE, client.get_cookie(DEVICE_COOKIE, path="/anmelden").value,
                      path="/anmelden")  # (the test client would drop it itself)
    lock_out_untrusted_clients(app, staff.email)
    assert log_in(client, staff.email).status_code == 429


def test_device_tokens_expire_and_keep_to_their_key() -> None:
    keys = ["schluessel-eins-" * 3]
    token = issue_device_token(7, secret_keys=keys, now=FIRST_DAY)
    day = timedelta(days=1)
    read = read_device_token(token, secret_keys=keys, now=FIRST_DAY + day, max_age=2 * day)
    assert read is not None and read.user_id == 7 and len(read.nonce) >= 22
    assert read_device_token(token, secret_keys=keys, now=FIRST_DAY + 2 * day,
                             max_age=2 * day) is None
    assert read_device_token(token, secret_keys=keys, now=FIRST_DAY - day, max_age=2 * day) is None
    rotated = ["schluessel-zwei-" * 3]
    assert read_device_token(token, secret_keys=rotated, now=FIRST_DAY, max_age=day) is None
    assert read_device_token(token, secret_keys=[*keys, *rotated], now=FIRST_DAY,
                             max_age=day) is not None  # an old key as a fallback


@BOTH_DATABASES
def test_knocking_during_a_lock_out_does_not_extend_it(
    app: Flask, staff: User, freeze: Callable[[datetime], None]
) -> None:
    lock_out_untrusted_clients(app, staff.email)
    counted = attempts()
    knocker = browser(app)
    for minute in range(0, app.config["LOGIN_FAILURE_WINDOW_MINUTES"], 3):
        freeze(FIRST_DAY + timedelta(minutes=minute))
        assert log_in(knocker, staff.email, "geraten-456").status_code == 429
    assert attempts() == counted  # refusals tested no password and count for nothing

    freeze(FIRST_DAY + window(app) + timedelta(seconds=1))
    assert log_in(browser(app), staff.email).status_code == 303


@BOTH_DATABASES
def test_a_success_elsewhere_does_not_reset_the_lock_out(app: Flask, staff: User) -> None:
    office = trusted_browser(app, staff)
    lock_out_untrusted_clients(app, staff.email)
    assert log_in(office, staff.email).status_code == 303
    assert log_in(browser(app), staff.email).status_code == 429  # still locked for strangers


def test_reauthentication_counts_against_the_device(app: Flask, staff: User) -> None:
    client = trusted_browser(app, staff)
    log_in(client, staff.email)
    token = csrf_token(client.get("/anmelden/bestaetigen").text)
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_DEVICE"]):
        client.post("/anmelden/bestaetigen", data={"csrf_token": token, "password": "x"})
    assert client.post("/anmelden/bestaetigen",
                       data={"csrf_token": token, "password": PASSWORD}).status_code == 429
    assert log_in(browser(app), staff.email).status_code == 303  # the account is not locked


# --- purging -----------------------------------------------------------------------------


@BOTH_DATABASES
@pytest.mark.parametrize("event", ["login", "logout"])
def test_expired_attempts_are_purged_without_a_new_failure(
    app: Flask, staff: User, freeze: Callable[[datetime], None], event: str
) -> None:
    colleague = create_user(email="jonas@herten.test", password=PASSWORD, role="staff")
    office = browser(app)
    if event == "logout":
        assert log_in(office, colleague.email).status_code == 303
    log_in(browser(app), staff.email, "falsch-falsch")
    log_in(browser(app), "niemand@herten.test", "falsch-falsch")
    assert attempts() == 2

    freeze(FIRST_DAY + window(app) + timedelta(seconds=1))
    if event == "login":
        assert log_in(office, colleague.email).status_code == 303
    else:
        office.post("/abmelden", data={"csrf_token": logout_token(office)})
    assert attempts() == 0


# --- sessions that end for real ----------------------------------------------------------


def steal(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another client holding a copy of ``client``'s session cookie."""
    cookie = client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(SESSION_COOKIE, cookie.value)
    return thief


def lands_on_login(response) -> bool:  # type: ignore[no-untyped-def]
    """Whether ``response`` sends the visitor to the login page."""
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == (
        "/anmelden")


@BOTH_DATABASES
def test_an_idle_logout_ends_a_copy_kept_busy(
    app: Flask, staff: User, freeze: Callable[[datetime], None]
) -> None:
    owner = browser(app)
    log_in(owner, staff.email)
    thief = steal(app, owner)
    for minutes in (10, 20, 30, 40):  # the copy stays busy while the owner is away
        freeze(FIRST_DAY + timedelta(minutes=minutes))
        assert thief.get("/buero/").status_code == 200

    response = owner.get("/buero/")  # 40 minutes idle
    assert lands_on_login(response)
    assert "aus Sicherheitsgründen abgemeldet" in owner.get(response.headers["Location"]).text
    assert lands_on_login(thief.get("/buero/"))
    db.session.refresh(staff)
    assert staff.session_version == 2
    assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc())
                              ).first() == "auth.idle_logout"


@BOTH_DATABASES
def test_a_login_ends_after_its_lifetime_however_busy(
    app: Flask, staff: User, freeze: Callable[[datetime], None]
) -> None:
    owner = browser(app)
    log_in(owner, staff.email)
    thief = steal(app, owner)
    hours = app.config["STAFF_SESSION_HOURS"]
    assert hours == 12
    moment = FIRST_DAY
    while moment < FIRST_DAY + timedelta(hours=hours) - timedelta(minutes=20):
        moment += timedelta(minutes=20)
        freeze(moment)
        assert thief.get("/buero/").status_code == 200  # busy all day

    freeze(FIRST_DAY + timedelta(hours=hours))
    response = thief.get("/buero/")
    assert lands_on_login(response)
    assert "nach 12 Stunden abgelaufen" in thief.get(response.headers["Location"]).text
    assert lands_on_login(owner.get("/buero/"))
    db.session.refresh(staff)
    assert staff.session_version == 2
    assert "auth.session_expired" in db.session.scalars(select(AuditEvent.action)).all()
    assert log_in(owner, staff.email).status_code == 303  # a new login starts a new day


def test_a_session_from_before_the_lifetime_counts_from_now(
    app: Flask, staff: User, freeze: Callable[[datetime], None]
) -> None:
    client = browser(app)
    log_in(client, staff.email)
    with client.session_transaction() as sess:
        del sess["login_at"]
    began = FIRST_DAY + timedelta(minutes=20)
    freeze(began)
    assert client.get("/buero/").status_code == 200  # its lifetime begins now
    moment = began
    while moment < began + timedelta(hours=11, minutes=40):
        moment += timedelta(minutes=20)
        freeze(moment)
        assert client.get("/buero/").status_code == 200  # past 12 h after the login
    freeze(began + timedelta(hours=12))
    assert lands_on_login(client.get("/buero/"))
