"""Staff login, logout, re-authentication, throttling and the idle timeout."""

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from app.auth.decorators import fresh_login_required, staff_required
from app.auth.routes import safe_next
from app.control_characters import has_control_characters
from app.extensions import db
from app.models import AuditEvent, LoginAttempt, User
from app.services.auth import AuthError, authenticate, end_sessions
from app.services.users import create_user

from .helpers import FIRST_DAY, csrf_token, make_shop

PASSWORD = "ein-langes-richtiges-passwort"
BAD_CREDENTIALS = "E-Mail-Adresse oder Passwort stimmen nicht."
BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
SESSION_COOKIE = "sitzung"


def make_user(role: str = "staff", email: str | None = None, active: bool = True) -> User:
    """A user with ``PASSWORD``; shopkeepers get a shop of their own."""
    shop_slug = make_shop().slug if role == "shopkeeper" else None
    user = create_user(
        email=email or f"{role}-{db.session.scalar(select(func.count(User.id)))}@herten.test",
        password=PASSWORD,
        role=role,
        name="Erika Muster",
        shop_slug=shop_slug,
    )
    if not active:
        user.active = False
        db.session.commit()
    return user


def log_in(
    client: FlaskClient, email: str, password: str = PASSWORD, next: str | None = None
) -> TestResponse:
    """Fill in and send the real login form, as a browser would."""
    url = "/anmelden" if next is None else "/anmelden?" + urlencode({"next": next})
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(
        url, data={"csrf_token": csrf_token(page.text), "email": email, "password": password}
    )


def location(response: TestResponse) -> str:
    """The path (and query) a redirect points to."""
    parts = urlsplit(response.headers["Location"])
    assert not parts.netloc or parts.netloc == "localhost", response.headers["Location"]
    return parts.path + ("?" + parts.query if parts.query else "")


def actions() -> list[str]:
    """The audit log's actions, oldest first."""
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def attempts() -> int:
    """Failed login attempts on record."""
    return db.session.scalar(select(func.count(LoginAttempt.id))) or 0


@pytest.fixture
def staff(app: Flask, freeze: Callable[[datetime], None]) -> User:
    """A staff member, with the clock frozen on 1 December."""
    return make_user("staff", email="erika@herten.test")


# --- login -------------------------------------------------------------------------------


def test_login_page_is_german_and_accessible(client: FlaskClient, staff: User) -> None:
    page = client.get("/anmelden")
    assert page.status_code == 200
    assert '<label for="email">E-Mail-Adresse</label>' in page.text
    assert 'autocomplete="current-password"' in page.text
    assert "<script" not in page.text and "style=" not in page.text


@BOTH_DATABASES
def test_login_rotates_the_session(client: FlaskClient, staff: User) -> None:
    client.get("/anmelden")
    with client.session_transaction() as sess:
        sess["planted"] = "vom Angreifer"
    before = client.get_cookie(SESSION_COOKIE)
    assert before is not None

    response = log_in(client, "Erika@Herten.test ")

    assert response.status_code == 303
    assert location(response) == "/buero/"
    after = client.get_cookie(SESSION_COOKIE)
    assert after is not None and after.value != before.value
    assert after.http_only and after.same_site == "Lax"
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"] == f"{staff.id}.{staff.session_version}"
    assert client.get("/buero/").status_code == 200
    assert actions()[-1] == "auth.login"


@BOTH_DATABASES
def test_wrong_password_and_unknown_email_look_the_same(client: FlaskClient, staff: User) -> None:
    wrong = log_in(client, staff.email, "falsches-passwort")
    unknown = log_in(client, "niemand@herten.test", "falsches-passwort")
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert BAD_CREDENTIALS in response.text
        with client.session_transaction() as sess:
            assert "_user_id" not in sess
    assert attempts() == 2
    events = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "auth.login_failed").order_by(AuditEvent.id)))
    assert [(e.subject, e.details["reason"]) for e in events] == [
        (staff.email, "bad_credentials"),
        ("", "bad_credentials"),  # unknown e-mails are not written to the audit log
    ]


def test_empty_form_is_refused_in_german(client: FlaskClient, staff: User) -> None:
    page = client.get("/anmelden")
    response = client.post("/anmelden", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 400
    assert "Bitte geben Sie Ihre E-Mail-Adresse ein." in response.text
    assert "Bitte geben Sie Ihr Passwort ein." in response.text
    assert 'aria-invalid="true"' in response.text


def test_login_needs_a_csrf_token(client: FlaskClient, staff: User) -> None:
    response = client.post("/anmelden", data={"email": staff.email, "password": PASSWORD})
    assert response.status_code == 400
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


@BOTH_DATABASES
def test_inactive_user_is_told_only_with_the_right_password(
    client: FlaskClient, app: Flask, freeze: Callable[[datetime], None]
) -> None:
    user = make_user("staff", active=False)
    assert BAD_CREDENTIALS in log_in(client, user.email, "falsch-falsch-falsch").text
    response = log_in(client, user.email)
    assert response.status_code == 403
    assert "Ihr Zugang ist gesperrt" in response.text
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


def test_shopkeeper_logs_in_and_lands_on_the_portal(
    client: FlaskClient, app: Flask, freeze: Callable[[datetime], None]
) -> None:
    keeper = make_user("shopkeeper")
    response = log_in(client, keeper.email, next="/buero/")
    assert response.status_code == 303
    assert location(response) == "/laden/"  # a back-office ``next`` is no place for them
    assert client.get("/buero/").status_code == 403
    assert location(client.get("/anmelden?next=/buero/")) == "/laden/"


def test_shopkeeper_returns_to_the_portal_page_they_came_from(
    client: FlaskClient, app: Flask, freeze: Callable[[datetime], None]
) -> None:
    """The counter display, logged out after the session's lifetime, comes back."""
    keeper = make_user("shopkeeper")
    assert location(log_in(client, keeper.email, next="/laden/live")) == "/laden/live"


def test_anonymous_is_sent_to_login_with_a_german_message(
    client: FlaskClient, staff: User
) -> None:
    response = client.get("/buero/")
    assert response.status_code == 302
    assert location(response) == "/anmelden?next=%2Fbuero%2F"
    page = client.get(location(response))
    assert "Bitte melden Sie sich an" in page.text
    assert location(log_in(client, staff.email, next="/buero/")) == "/buero/"


def test_logged_in_user_opening_login_goes_on(client: FlaskClient, staff: User) -> None:
    log_in(client, staff.email)
    response = client.get("/anmelden")
    assert response.status_code == 302
    assert location(response) == "/buero/"


def test_shopper_pages_unchanged_for_anonymous_users(client: FlaskClient, staff: User) -> None:
    anonymous = client.get("/")
    assert "Abmelden" not in anonymous.text and "/buero/" not in anonymous.text
    log_in(client, staff.email)
    logged_in = client.get("/")
    assert "Abmelden" in logged_in.text and 'href="/buero/"' in logged_in.text


# --- throttling --------------------------------------------------------------------------


@BOTH_DATABASES
def test_throttled_per_account_and_address(
    app: Flask, client: FlaskClient, staff: User, freeze: Callable[[datetime], None]
) -> None:
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS"]
    for _ in range(limit):
        assert log_in(client, staff.email, "falsches-passwort").status_code == 400

    # Even the right password: this address waits out the window for this account.
    response = log_in(client, staff.email)
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.text
    assert "15 Minuten" in response.text
    assert attempts() == limit  # a refused request tested no password
    # An unknown e-mail is throttled just the same, so throttling reveals no accounts.
    for _ in range(limit):
        log_in(client, "niemand@herten.test", "falsch-falsch")
    assert log_in(client, "niemand@herten.test", "falsch-falsch").status_code == 429
    # One address cannot lock the account: another client still gets in.
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    assert log_in(elsewhere, staff.email).status_code == 303

    freeze(FIRST_DAY + timedelta(minutes=app.config["LOGIN_FAILURE_WINDOW_MINUTES"], seconds=1))
    assert log_in(client, staff.email).status_code == 303
    assert attempts() == 0  # the expired attempts were purged at the login


@BOTH_DATABASES
def test_throttled_per_address(app: Flask, staff: User) -> None:
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    for n in range(3):
        assert log_in(guesser, f"person{n}@herten.test", "geraten").status_code == 400
    assert log_in(guesser, staff.email).status_code == 429

    colleague = app.test_client()
    assert log_in(colleague, staff.email).status_code == 303


@BOTH_DATABASES
def test_service_codes(app: Flask, staff: User) -> None:
    now = FIRST_DAY
    assert authenticate(" ERIKA@herten.test", PASSWORD, "192.0.2.1", now).id == staff.id
    with pytest.raises(AuthError) as excinfo:
        authenticate(staff.email, "falsch", "192.0.2.1", now)
    assert excinfo.value.code == "bad_credentials"
    with pytest.raises(AuthError) as excinfo:
        authenticate("unbekannt@herten.test", PASSWORD, "192.0.2.1", now)
    assert excinfo.value.code == "bad_credentials"
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 1
    with pytest.raises(AuthError) as excinfo:
        authenticate(staff.email, PASSWORD, "192.0.2.2", now)
    assert excinfo.value.code == "throttled"
    # Attempts older than the window no longer count.
    later = now + timedelta(minutes=app.config["LOGIN_FAILURE_WINDOW_MINUTES"] + 1)
    assert authenticate(staff.email, PASSWORD, "192.0.2.2", later).id == staff.id


def test_rate_limiter_is_a_second_layer(app: Flask, client: FlaskClient, staff: User) -> None:
    app.config["RATELIMIT_LOGIN"] = "2 per minute"
    page = client.get("/anmelden")
    data = {"csrf_token": csrf_token(page.text), "email": "x@herten.test", "password": "y"}
    assert client.post("/anmelden", data=data).status_code == 400
    assert client.post("/anmelden", data=data).status_code == 400
    response = client.post("/anmelden", data=data)
    assert response.status_code == 429
    assert "Kurz durchatmen" in response.text


# --- logout ------------------------------------------------------------------------------


def logout_token(client: FlaskClient) -> str:
    """The CSRF token of the logout button in the header."""
    return csrf_token(client.get("/buero/").text)


@BOTH_DATABASES
def test_logout_is_post_only_and_ends_every_copy(app: Flask, staff: User) -> None:
    browser = app.test_client()
    log_in(browser, staff.email)
    cookie = browser.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(SESSION_COOKIE, cookie.value)
    assert thief.get("/buero/").status_code == 200

    assert browser.get("/abmelden").status_code == 405
    assert browser.post("/abmelden").status_code == 400  # no CSRF token
    assert browser.get("/buero/").status_code == 200

    response = browser.post("/abmelden", data={"csrf_token": logout_token(browser)})
    assert response.status_code == 303
    assert location(response) == "/anmelden"
    assert "Sie haben sich abgemeldet." in browser.get("/anmelden").text

    for client in (browser, thief):
        response = client.get("/buero/")
        assert response.status_code == 302
        assert location(response).startswith("/anmelden")
    db.session.refresh(staff)
    assert staff.session_version == 2
    assert actions()[-1] == "auth.logout"


def test_logout_when_anonymous_just_redirects(client: FlaskClient, staff: User) -> None:
    token = csrf_token(client.get("/anmelden").text)
    response = client.post("/abmelden", data={"csrf_token": token})
    assert response.status_code == 303
    assert location(response) == "/anmelden"
    assert "auth.logout" not in actions()


def test_end_sessions_bumps_the_version(app: Flask, staff: User) -> None:
    end_sessions(staff, now=FIRST_DAY, action="user.password_changed")
    assert staff.session_version == 2
    assert actions()[-1] == "user.password_changed"


# --- idle timeout ------------------------------------------------------------------------


def test_idle_timeout(
    app: Flask, client: FlaskClient, staff: User, freeze: Callable[[datetime], None]
) -> None:
    idle = timedelta(minutes=app.config["STAFF_IDLE_MINUTES"])
    log_in(client, staff.email)
    moment = FIRST_DAY + idle - timedelta(minutes=1)
    freeze(moment)
    assert client.get("/buero/").status_code == 200  # activity moves the deadline
    freeze(moment + idle - timedelta(minutes=1))
    assert client.get("/buero/").status_code == 200

    freeze(moment + idle - timedelta(minutes=1) + idle)
    response = client.get("/buero/")
    assert response.status_code == 302
    assert urlsplit(location(response)).path == "/anmelden"
    assert parse_qs(urlsplit(location(response)).query) == {"next": ["/buero/"]}
    with client.session_transaction() as sess:
        assert "_user_id" not in sess
    page = client.get(location(response))
    assert "aus Sicherheitsgründen abgemeldet" in page.text
    assert "30 Minuten" in page.text


def test_missing_seen_at_counts_as_activity(
    app: Flask, client: FlaskClient, staff: User, freeze: Callable[[datetime], None]
) -> None:
    log_in(client, staff.email)
    with client.session_transaction() as sess:
        del sess["seen_at"]
    freeze(FIRST_DAY + timedelta(hours=5))
    assert client.get("/buero/").status_code == 200
    freeze(FIRST_DAY + timedelta(hours=5, minutes=29))
    assert client.get("/buero/").status_code == 200


def test_idle_session_can_still_log_out(
    app: Flask, client: FlaskClient, staff: User, freeze: Callable[[datetime], None]
) -> None:
    log_in(client, staff.email)
    token = logout_token(client)
    freeze(FIRST_DAY + timedelta(hours=2))
    response = client.post("/abmelden", data={"csrf_token": token})
    assert location(response) == "/anmelden"
    db.session.refresh(staff)
    assert staff.session_version == 2


# --- fresh re-authentication -------------------------------------------------------------


@pytest.fixture
def fresh_app(app: Flask) -> Flask:
    """The test app with a page that needs a fresh login."""

    @app.get("/_fresh")
    @staff_required
    @fresh_login_required
    def fresh_page() -> str:
        return "frisch"

    return app


@BOTH_DATABASES
def test_fresh_login_required(
    fresh_app: Flask, staff: User, freeze: Callable[[datetime], None]
) -> None:
    client = fresh_app.test_client()
    log_in(client, staff.email)
    assert client.get("/_fresh").text == "frisch"

    freeze(FIRST_DAY + timedelta(minutes=fresh_app.config["STAFF_FRESH_MINUTES"], seconds=1))
    response = client.get("/_fresh")
    assert response.status_code == 302
    confirm_url = location(response)
    assert urlsplit(confirm_url).path == "/anmelden/bestaetigen"

    page = client.get(confirm_url)
    assert page.status_code == 200
    assert staff.email in page.text
    token = csrf_token(page.text)
    wrong = client.post(confirm_url, data={"csrf_token": token, "password": "falsch"})
    assert wrong.status_code == 400
    assert BAD_CREDENTIALS in wrong.text
    assert client.get("/_fresh").status_code == 302

    right = client.post(confirm_url, data={"csrf_token": token, "password": PASSWORD})
    assert right.status_code == 303
    assert urlsplit(location(right)).path == "/_fresh"
    assert client.get("/_fresh").text == "frisch"
    assert actions()[-2:] == ["auth.login_failed", "auth.reauth"]


def test_reauthentication_needs_a_login(client: FlaskClient, staff: User) -> None:
    response = client.get("/anmelden/bestaetigen")
    assert response.status_code == 302
    assert urlsplit(location(response)).path == "/anmelden"


def test_reauthentication_is_throttled(app: Flask, client: FlaskClient, staff: User) -> None:
    app.config["LOGIN_MAX_FAILURES_PER_DEVICE"] = 2  # the login left a device cookie
    log_in(client, staff.email)
    token = csrf_token(client.get("/anmelden/bestaetigen").text)
    for _ in range(2):
        client.post("/anmelden/bestaetigen", data={"csrf_token": token, "password": "x"})
    response = client.post(
        "/anmelden/bestaetigen", data={"csrf_token": token, "password": PASSWORD}
    )
    assert response.status_code == 429


# --- open redirects ----------------------------------------------------------------------

UNSAFE_TARGETS = [
    "//evil.example/",
    "https://evil.example/buero/",
    "http:/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "buero/",
    "",
]


@pytest.mark.parametrize("target", UNSAFE_TARGETS)
def test_unsafe_next_is_ignored(client: FlaskClient, staff: User, target: str) -> None:
    assert safe_next(target) is None
    if has_control_characters(target):
        # Refused before any view reads it (app/control_characters.py).
        assert client.get("/anmelden?" + urlencode({"next": target})).status_code == 400
        return
    response = log_in(client, staff.email, next=target)
    assert response.status_code == 303
    assert location(response) == "/buero/"


@pytest.mark.parametrize("target", ["/buero/", "/buero/?seite=2", "/_fresh?"])
def test_safe_next_is_followed(target: str) -> None:
    assert safe_next(target) == target


def test_reauthentication_ignores_unsafe_next(client: FlaskClient, staff: User) -> None:
    log_in(client, staff.email)
    url = "/anmelden/bestaetigen?next=%2F%2Fevil.example"
    token = csrf_token(client.get(url).text)
    response = client.post(url, data={"csrf_token": token, "password": PASSWORD})
    assert location(response) == "/buero/"


# --- audit -------------------------------------------------------------------------------


@BOTH_DATABASES
def test_audit_trail_without_passwords(
    fresh_app: Flask, staff: User, freeze: Callable[[datetime], None]
) -> None:
    client = fresh_app.test_client()
    log_in(client, staff.email, "falsches-passwort-123")
    log_in(client, staff.email)
    freeze(FIRST_DAY + timedelta(minutes=11))
    confirm_url = location(client.get("/_fresh"))
    token = csrf_token(client.get(confirm_url).text)
    client.post(confirm_url, data={"csrf_token": token, "password": PASSWORD})
    client.post("/abmelden", data={"csrf_token": logout_token(client)})

    events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [e.action for e in events] == [
        "user.create",
        "auth.login_failed",
        "auth.login",
        "auth.reauth",
        "auth.logout",
    ]
    for event in events[1:]:
        assert event.subject == staff.email
        assert "passwort" not in repr(event.details).lower()
    assert events[1].actor_id == staff.id and events[1].created_at == FIRST_DAY
    assert events[-1].actor_id == staff.id
