"""Two-factor log-in: enrolment, the login's second step, replay, throttling, recovery
codes, switching it off, and the admins' duty to enrol in production."""

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import AuditEvent, User
from app.models.accounts import RecoveryCode
from app.services import totp

from .conftest import FreshRequestClient, base_config
from .helpers import FIRST_DAY, csrf_token
from .smtp import SMTPServer
from .test_auth import PASSWORD, location, log_in, make_user

BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
STEP = timedelta(seconds=30)
CODE_RE = re.compile(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>")


def actions() -> list[str]:
    """The audit log's actions, oldest first."""
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def code_at(user: User, moment: datetime, offset: int = 0) -> str:
    """The authenticator's code for ``user`` at ``moment`` (``offset`` steps away)."""
    assert user.totp_secret is not None
    return pyotp.TOTP(user.totp_secret).at(moment, counter_offset=offset)


def enrol(user: User, moment: datetime) -> list[str]:
    """Turn two-factor log-in on for ``user`` at ``moment``; the recovery codes."""
    totp.start_enrolment(user=user, now=moment)
    db.session.refresh(user)
    return totp.confirm_enrolment(user=user, code=code_at(user, moment), now=moment)


def send_code(client: FlaskClient, code: str):  # type: ignore[no-untyped-def]
    """Send the login's second step."""
    page = client.get("/anmelden/code")
    assert page.status_code == 200, page.status_code
    return client.post("/anmelden/code", data={"csrf_token": csrf_token(page.text),
                                               "code": code})


@pytest.fixture
def clock_at(freeze: Callable[[datetime], None]) -> Callable[[datetime], None]:
    """Set the frozen clock."""
    return freeze


@pytest.fixture
def staff(app: Flask, freeze: Callable[[datetime], None]) -> User:
    """A staff member, with the clock frozen on 1 December."""
    return make_user("staff", email="erika@herten.test")


def test_enrolment_with_a_code_from_the_app(app: Flask, staff: User) -> None:
    client = app.test_client()
    assert log_in(client, staff.email).status_code == 303
    page = client.get("/buero/konto/zwei-faktor")
    assert page.status_code == 200 and "Einrichtung beginnen" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    db.session.expire_all()
    assert staff.totp_secret is None  # the GET wrote nothing

    started = client.post("/buero/konto/zwei-faktor/start",
                          data={"csrf_token": csrf_token(page.text)})
    assert started.status_code == 303
    db.session.expire_all()
    secret = staff.totp_secret
    assert secret is not None and staff.totp_enabled_at is None
    page = client.get("/buero/konto/zwei-faktor")
    assert "<svg" in page.text and "<path" in page.text and "data:" not in page.text
    assert " ".join(secret[i:i + 4] for i in range(0, 32, 4)) in page.text
    # Reloading shows the same secret (nothing is renewed by a GET).
    assert client.get("/buero/konto/zwei-faktor").text.count(secret[:4]) >= 1
    db.session.expire_all()
    assert staff.totp_secret == secret

    token = csrf_token(page.text)
    wrong = client.post("/buero/konto/zwei-faktor", data={"csrf_token": token,
                                                          "code": "000000"})
    assert wrong.status_code == 400 and "Der Code stimmt nicht" in wrong.text
    db.session.expire_all()
    assert staff.totp_enabled_at is None

    code = pyotp.TOTP(secret).at(FIRST_DAY)
    done = client.post("/buero/konto/zwei-faktor", data={"csrf_token": token, "code": code})
    assert done.status_code == 200
    codes = CODE_RE.findall(done.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    db.session.expire_all()
    assert staff.totp_enabled_at == FIRST_DAY
    stored = list(db.session.scalars(select(RecoveryCode.code_hash)
                                     .where(RecoveryCode.user_id == staff.id)))
    assert len(stored) == 10
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in stored)
    assert totp.recovery_hash(codes[0]) in stored
    assert "auth.totp_enable" in actions()
    # This browser stays logged in on a new session; the account page says it is on.
    account = client.get("/buero/konto")
    assert account.status_code == 200 and "Eingeschaltet seit" in account.text
    assert "10 unbenutzte Wiederherstellungscodes" in account.text


def test_enrolment_is_for_staff_only(app: Flask, freeze: Callable[[datetime], None]) -> None:
    keeper = make_user("shopkeeper")
    with pytest.raises(totp.TotpError) as refused:
        totp.start_enrolment(user=keeper, now=FIRST_DAY)
    assert refused.value.code == "not_staff"


def test_login_asks_for_the_code_before_the_session_starts(
    app: Flask, staff: User, clock_at: Callable[[datetime], None]
) -> None:
    enrol(staff, FIRST_DAY)
    later = FIRST_DAY + 2 * STEP
    clock_at(later)
    client = app.test_client()
    response = log_in(client, staff.email, next="/buero/karten")
    assert response.status_code == 303 and location(response) == "/anmelden/code"
    assert "auth.login" not in actions() and "auth.password_ok" in actions()
    # Not logged in yet: the back office sends back to the login.
    blocked = client.get("/buero/")
    assert blocked.status_code == 302 and location(blocked).startswith("/anmelden")
    done = send_code(client, code_at(staff, later))
    assert done.status_code == 303 and location(done) == "/buero/karten"
    assert client.get("/buero/").status_code == 200
    assert actions()[-1] == "auth.login"


def test_a_code_is_accepted_once(app: Flask, staff: User,
                                 clock_at: Callable[[datetime], None]) -> None:
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS"] = 10  # not under test here
    enrol(staff, FIRST_DAY)
    # The code that confirmed the enrolment does not log in as well.
    first = app.test_client()
    assert log_in(first, staff.email).status_code == 303
    assert send_code(first, code_at(staff, FIRST_DAY)).status_code == 400
    later = FIRST_DAY + 3 * STEP
    clock_at(later)
    code = code_at(staff, later)
    assert send_code(first, code).status_code == 303
    second = app.test_client()
    assert log_in(second, staff.email).status_code == 303
    replay = send_code(second, code)
    assert replay.status_code == 400 and "schon benutzt" in replay.text
    # Nor an older one still within the drift.
    assert send_code(second, code_at(staff, later, offset=-1)).status_code == 400
    assert send_code(second, code_at(staff, later, offset=1)).status_code == 303


def test_wrong_codes_are_throttled(app: Flask, staff: User,
                                   clock_at: Callable[[datetime], None]) -> None:
    enrol(staff, FIRST_DAY)
    later = FIRST_DAY + 2 * STEP
    clock_at(later)
    client = app.test_client()
    assert log_in(client, staff.email).status_code == 303
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS"]
    for _ in range(limit):
        assert send_code(client, "123456").status_code == 400
    refused = send_code(client, code_at(staff, later))
    assert refused.status_code == 429 and "Zu viele" in refused.text
    failed = db.session.scalars(
        select(AuditEvent.details).where(AuditEvent.action == "auth.login_failed")).all()
    assert [d["reason"] for d in failed] == ["bad_code"] * limit + ["throttled"]
    # The password step counts the same failures: no fresh budget there either.
    other = app.test_client()
    assert log_in(other, staff.email).status_code == 429


def test_the_second_step_times_out(app: Flask, staff: User,
                                   clock_at: Callable[[datetime], None]) -> None:
    enrol(staff, FIRST_DAY)
    client = app.test_client()
    assert log_in(client, staff.email).status_code == 303
    late = FIRST_DAY + timedelta(minutes=5)
    clock_at(late)
    response = client.get("/anmelden/code")
    assert response.status_code == 303 and location(response) == "/anmelden"
    assert client.get("/buero/").status_code == 302


def test_without_a_password_there_is_no_second_step(client: FlaskClient, staff: User) -> None:
    response = client.get("/anmelden/code")
    assert response.status_code == 303 and location(response) == "/anmelden"


def test_a_recovery_code_works_once(app: Flask, staff: User,
                                    clock_at: Callable[[datetime], None]) -> None:
    codes = enrol(staff, FIRST_DAY)
    client = app.test_client()
    assert log_in(client, staff.email).status_code == 303
    response = send_code(client, codes[3].upper().replace("-", " "))
    assert response.status_code == 303 and location(response) == "/buero/"
    page = client.get("/buero/")
    assert "Wiederherstellungscode" in page.text and "Es bleiben 9 Codes" in page.text
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.recovery_code_used")).all()
    assert [e.details["remaining"] for e in events] == [9]
    again = app.test_client()
    assert log_in(again, staff.email).status_code == 303
    assert send_code(again, codes[3]).status_code == 400
    assert send_code(again, codes[4]).status_code == 303


def test_switching_off_needs_a_fresh_login_and_a_code(
    app: Flask, staff: User, clock_at: Callable[[datetime], None]
) -> None:
    enrol(staff, FIRST_DAY)
    later = FIRST_DAY + 2 * STEP
    clock_at(later)
    client = app.test_client()
    log_in(client, staff.email)
    assert send_code(client, code_at(staff, later)).status_code == 303
    stale = later + timedelta(minutes=app.config["STAFF_FRESH_MINUTES"])
    clock_at(stale)
    response = client.get("/buero/konto/zwei-faktor/aus")
    assert response.status_code == 302
    assert location(response).startswith("/anmelden/bestaetigen")
    page = client.get("/anmelden/bestaetigen")
    assert client.post("/anmelden/bestaetigen", data={
        "csrf_token": csrf_token(page.text), "password": PASSWORD}).status_code == 303
    page = client.get("/buero/konto/zwei-faktor/aus")
    assert page.status_code == 200
    token = csrf_token(page.text)
    wrong = client.post("/buero/konto/zwei-faktor/aus", data={"csrf_token": token,
                                                             "code": "999999"})
    assert wrong.status_code == 400
    db.session.expire_all()
    assert totp.is_enabled(staff)
    done = client.post("/buero/konto/zwei-faktor/aus",
                       data={"csrf_token": token, "code": code_at(staff, stale)})
    assert done.status_code == 303 and location(done) == "/buero/konto"
    db.session.expire_all()
    assert staff.totp_secret is None and staff.totp_enabled_at is None
    assert db.session.scalar(select(func.count(RecoveryCode.id))) == 0
    assert "auth.totp_disable" in actions()
    # The next login needs the password only.
    fresh = app.test_client()
    response = log_in(fresh, staff.email)
    assert response.status_code == 303 and location(response) == "/buero/"


@BOTH_DATABASES
def test_a_time_step_is_used_once_in_the_database(
    app: Flask, freeze: Callable[[datetime], None]
) -> None:
    user = make_user("admin", email="admin@herten.test")
    enrol(user, FIRST_DAY)
    later = FIRST_DAY + 4 * STEP
    from app.db import begin_write
    begin_write()
    assert totp.check_code(user, code_at(user, later), later) == "totp"
    db.session.commit()
    begin_write()
    with pytest.raises(totp.TotpError):
        totp.check_code(user, code_at(user, later), later)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get_one(User, user.id).totp_last_step == pyotp.TOTP(
        user.totp_secret or "").timecode(later)


# --- production: admins must enrol --------------------------------------------------------

SITE = "https://rallye.test"


@pytest.fixture
def production_app(tmp_path: Path, database_url: str,
                   smtp_server: SMTPServer) -> Iterator[Flask]:
    """The app with PRODUCTION on: Secure cookies, trusted host rallye.test, HSTS."""
    config = {**base_config(tmp_path, database_url), **smtp_server.config()}
    config.update(PRODUCTION=True, BASE_URL=SITE)
    application = create_app(config)
    application.test_client_class = FreshRequestClient
    with application.app_context():
        db.create_all()
        yield application
        db.session.remove()
        db.engine.dispose()


class HttpsClient:
    """A test client on https://rallye.test that sends the site's own Referer on POSTs
    (Flask-WTF's HTTPS check) and reads the CSRF token from the page before."""

    def __init__(self, app: Flask) -> None:
        """Wrap a fresh test client."""
        self.client = app.test_client()

    def get(self, path: str):  # type: ignore[no-untyped-def]
        """GET over HTTPS."""
        return self.client.get(path, base_url=SITE)

    def post(self, path: str, data: dict[str, str], page: str):  # type: ignore[no-untyped-def]
        """POST over HTTPS from ``page``, with that page's CSRF token."""
        form = self.get(page)
        return self.client.post(path, base_url=SITE, headers={"Referer": SITE + page},
                                data={"csrf_token": csrf_token(form.text), **data})


def test_an_admin_must_enrol_in_production(production_app: Flask,
                                           freeze: Callable[[datetime], None]) -> None:
    admin = make_user("admin", email="chefin@herten.test")
    staff = make_user("staff", email="team@herten.test")
    assert production_app.config["SESSION_COOKIE_SECURE"] is True
    client = HttpsClient(production_app)
    response = client.post("/anmelden", {"email": admin.email, "password": PASSWORD},
                           "/anmelden")
    assert response.status_code == 303
    assert location(response) == "/buero/konto/zwei-faktor"
    assert any("Secure" in c for c in response.headers.getlist("Set-Cookie"))
    for path in ("/buero/", "/buero/karten", "/buero/konto"):
        blocked = client.get(path)
        assert blocked.status_code == 302, path
        assert location(blocked) == "/buero/konto/zwei-faktor"
    assert client.get("/buero/konto/zwei-faktor").status_code == 200
    assert client.post("/buero/konto/zwei-faktor/start", {},
                       "/buero/konto/zwei-faktor").status_code == 303
    db.session.expire_all()
    code = code_at(admin, FIRST_DAY)
    done = client.post("/buero/konto/zwei-faktor", {"code": code}, "/buero/konto/zwei-faktor")
    assert done.status_code == 200 and len(CODE_RE.findall(done.text)) == 10
    assert client.get("/buero/").status_code == 200
    # Logging out still works while enrolment is pending; staff are not forced.
    other = HttpsClient(production_app)
    response = other.post("/anmelden", {"email": staff.email, "password": PASSWORD},
                          "/anmelden")
    assert location(response) == "/buero/"
    assert other.get("/buero/").status_code == 200


def test_logout_works_for_an_admin_who_has_not_enrolled(
    production_app: Flask, freeze: Callable[[datetime], None]
) -> None:
    admin = make_user("admin", email="chefin@herten.test")
    client = HttpsClient(production_app)
    client.post("/anmelden", {"email": admin.email, "password": PASSWORD}, "/anmelden")
    response = client.post("/abmelden", {}, "/buero/konto/zwei-faktor")
    assert response.status_code == 303 and location(response) == "/anmelden"
    assert client.get("/buero/konto/zwei-faktor").status_code == 302


def test_the_command_line_switches_it_off(app: Flask, staff: User) -> None:
    enrol(staff, FIRST_DAY)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["user", "two-factor-off", "--email", "Erika@herten.test"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert not totp.is_enabled(staff)
    assert db.session.scalar(select(func.count(RecoveryCode.id))) == 0
    event = db.session.scalars(select(AuditEvent)
                               .where(AuditEvent.action == "auth.totp_disable")).one()
    assert event.details == {"method": "command_line"}
    again = runner.invoke(args=["user", "two-factor-off", "--email", "erika@herten.test"])
    assert again.exit_code == 1 and "kein Konto mit Zwei-Faktor-Anmeldung" in again.output


def test_a_restarted_enrolment_refuses_the_old_secret(app: Flask, staff: User) -> None:
    totp.start_enrolment(user=staff, now=FIRST_DAY)
    db.session.refresh(staff)
    old_code = code_at(staff, FIRST_DAY)
    totp.start_enrolment(user=staff, now=FIRST_DAY)  # a second tab began anew
    db.session.refresh(staff)
    with pytest.raises(totp.TotpError) as refused:
        totp.confirm_enrolment(user=staff, code=old_code, now=FIRST_DAY)
    assert refused.value.code == "bad_code"
    assert not totp.is_enabled(staff)
