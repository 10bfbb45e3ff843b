"""Forgotten passwords: the link by mail, its page, its single use, its hour."""

import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, OutboxMail, User
from app.models.accounts import PasswordReset
from app.services.password_resets import (
    MAX_RESETS_PER_HOUR,
    ResetError,
    complete_reset,
    find_reset,
    request_reset,
    token_hash,
)
from app.services.passwords import PasswordError

from .helpers import FIRST_DAY, csrf_token
from .smtp import Mailbox
from .test_auth import PASSWORD, location, log_in, make_user

BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
NEW_PASSWORD = "Laterne Walross Sandkuchen"
LINK_RE = re.compile(r"http://rallye\.test/passwort-neu/([A-Za-z0-9_-]{43})")
SAME_ANSWER = "Wenn es ein Konto mit dieser E-Mail-Adresse gibt"


def ask_for_link(client: FlaskClient, email: str) -> tuple[int, str]:
    """Send the forgotten-password form; the status and the page (mails go out)."""
    page = client.get("/passwort-vergessen")
    assert page.status_code == 200
    with client.post("/passwort-vergessen",
                     data={"csrf_token": csrf_token(page.text), "email": email}) as response:
        return response.status_code, response.text


def link_in(mailbox: Mailbox, email: str) -> str:
    """The reset link's path from the one mail to ``email``."""
    (message,) = mailbox.to(email)
    match = LINK_RE.search(Mailbox.text(message))
    assert match is not None, Mailbox.text(message)
    assert match.group(0) in Mailbox.html(message)
    return f"/passwort-neu/{match.group(1)}"


def set_password(client: FlaskClient, path: str, password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    """Open the link's page and send its form."""
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    return client.post(path, data={"csrf_token": csrf_token(page.text), "password": password,
                                   "confirm": password})


def resets() -> int:
    """Reset links on record."""
    return db.session.scalar(select(func.count(PasswordReset.id))) or 0


@pytest.fixture
def staff(app: Flask, freeze: Callable[[datetime], None]) -> User:
    """A staff member, with the clock frozen on 1 December."""
    return make_user("staff", email="erika@herten.test")


def test_the_login_page_links_to_the_form(client: FlaskClient) -> None:
    assert 'href="/passwort-vergessen"' in client.get("/anmelden").text


def test_the_mail_arrives_with_the_link(client: FlaskClient, staff: User,
                                        mailbox: Mailbox) -> None:
    status, page = ask_for_link(client, "  Erika@Herten.test ")
    assert status == 200 and SAME_ANSWER in page
    (message,) = mailbox.to("erika@herten.test")
    text = Mailbox.text(message)
    assert message["Subject"] == "Neues Passwort für Ihren Zugang"
    assert "Guten Tag Erika Muster" in text
    assert "gilt bis 01.12.2026, 10:00 Uhr" in text  # 09:00 in Herten + 1 h
    assert "Waren Sie das nicht?" in text
    path = link_in(mailbox, "erika@herten.test")
    # Only the token's hash is stored, and the outbox forgets the body once sent.
    reset = db.session.scalars(select(PasswordReset)).one()
    assert reset.token_hash == token_hash(path.rsplit("/", 1)[1])
    assert reset.expires_at - reset.created_at == timedelta(hours=1)
    db.session.expire_all()
    row = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "password_reset")).one()
    assert row.status == "sent" and row.text_body == "" and row.recipient == ""


def test_unknown_and_disabled_addresses_get_the_same_answer_and_no_mail(
    client: FlaskClient, staff: User, mailbox: Mailbox
) -> None:
    make_user("shopkeeper", email="weg@laden.test", active=False)
    known = ask_for_link(client, "erika@herten.test")
    unknown = ask_for_link(client, "niemand@herten.test")
    disabled = ask_for_link(client, "weg@laden.test")
    assert known[0] == unknown[0] == disabled[0] == 200

    def strip(page: str) -> str:
        return re.sub(r'name="csrf_token"[^>]*', "", page)

    assert strip(known[1]) == strip(unknown[1]) == strip(disabled[1])
    assert [str(m["To"]) for m in mailbox.messages] == ["erika@herten.test"]
    assert resets() == 1


def test_a_bad_address_gets_400_and_nothing_is_written(client: FlaskClient, staff: User) -> None:
    page = client.get("/passwort-vergessen")
    response = client.post("/passwort-vergessen",
                           data={"csrf_token": csrf_token(page.text), "email": ""})
    assert response.status_code == 400
    assert "Bitte geben Sie Ihre E-Mail-Adresse ein." in response.text
    assert client.post("/passwort-vergessen", data={"email": "erika@herten.test"}).status_code \
        == 400  # no CSRF token
    assert resets() == 0


def test_opening_the_link_twice_changes_nothing_and_the_post_works_once(
    client: FlaskClient, staff: User, mailbox: Mailbox
) -> None:
    ask_for_link(client, "erika@herten.test")
    path = link_in(mailbox, "erika@herten.test")
    before = (staff.password_hash, staff.session_version)
    for _ in range(2):
        page = client.get(path)
        assert page.status_code == 200
        assert "erika@herten.test" in page.text and "Neues Passwort speichern" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    db.session.expire_all()
    assert (staff.password_hash, staff.session_version) == before
    assert db.session.scalars(select(PasswordReset)).one().used_at is None

    response = set_password(client, path)
    assert response.status_code == 303 and location(response) == "/anmelden"
    db.session.expire_all()
    assert staff.session_version == before[1] + 1
    assert db.session.scalars(select(PasswordReset)).one().used_at is not None
    assert "account.password_reset" in db.session.scalars(select(AuditEvent.action))

    again = client.get(path)
    assert again.status_code == 410 and "schon benutzt" in again.text
    token = csrf_token(client.get("/anmelden").text)
    assert client.post(path, data={"csrf_token": token, "password": "Noch Ein Anderes Wort",
                                   "confirm": "Noch Ein Anderes Wort"}).status_code == 410
    # The new password logs in, the old one no more.
    assert log_in(client, "erika@herten.test", PASSWORD).status_code == 400
    assert log_in(client, "erika@herten.test", NEW_PASSWORD).status_code == 303


def test_the_reset_ends_every_session(app: Flask, staff: User, mailbox: Mailbox) -> None:
    elsewhere = app.test_client()
    assert log_in(elsewhere, "erika@herten.test").status_code == 303
    assert elsewhere.get("/buero/").status_code == 200
    client = app.test_client()
    ask_for_link(client, "erika@herten.test")
    assert set_password(client, link_in(mailbox, "erika@herten.test")).status_code == 303
    response = elsewhere.get("/buero/")
    assert response.status_code == 302 and location(response).startswith("/anmelden")


def test_a_weak_password_is_refused_and_the_link_stays_open(
    client: FlaskClient, staff: User, mailbox: Mailbox
) -> None:
    ask_for_link(client, "erika@herten.test")
    path = link_in(mailbox, "erika@herten.test")
    response = set_password(client, path, "Passwort1234!")
    assert response.status_code == 400 and "zu leicht zu erraten" in response.text
    assert set_password(client, path, "kurz").status_code == 400
    db.session.expire_all()
    assert db.session.scalars(select(PasswordReset)).one().used_at is None
    assert set_password(client, path).status_code == 303


def test_the_link_expires_after_an_hour(
    client: FlaskClient, staff: User, mailbox: Mailbox, freeze: Callable[[datetime], None]
) -> None:
    ask_for_link(client, "erika@herten.test")
    path = link_in(mailbox, "erika@herten.test")
    freeze(FIRST_DAY + timedelta(minutes=59, seconds=59))
    assert client.get(path).status_code == 200
    freeze(FIRST_DAY + timedelta(hours=1))
    response = client.get(path)
    assert response.status_code == 410 and "abgelaufen" in response.text
    token = csrf_token(client.get("/anmelden").text)
    assert client.post(path, data={"csrf_token": token, "password": NEW_PASSWORD,
                                   "confirm": NEW_PASSWORD}).status_code == 410


def test_unknown_links_get_404(client: FlaskClient, staff: User) -> None:
    for path in ("/passwort-neu/" + "A" * 43, "/passwort-neu/kurz"):
        response = client.get(path)
        assert response.status_code == 404 and "Diesen Link gibt es nicht" in response.text


def test_using_one_link_withdraws_the_others(staff: User) -> None:
    first = request_reset(email="erika@herten.test", now=FIRST_DAY)
    second = request_reset(email="erika@herten.test", now=FIRST_DAY + timedelta(minutes=1))
    assert first and second
    complete_reset(token=second, password=NEW_PASSWORD, now=FIRST_DAY + timedelta(minutes=2))
    with pytest.raises(ResetError) as refused:
        find_reset(first, FIRST_DAY + timedelta(minutes=3))
    assert refused.value.code == "unknown"
    assert resets() == 1


def test_links_per_hour_are_limited(staff: User) -> None:
    tokens = [request_reset(email="erika@herten.test", now=FIRST_DAY + timedelta(minutes=n))
              for n in range(MAX_RESETS_PER_HOUR + 1)]
    assert all(tokens[:MAX_RESETS_PER_HOUR]) and tokens[-1] is None
    assert request_reset(email="erika@herten.test", now=FIRST_DAY + timedelta(hours=1)) \
        is not None


def test_the_form_is_rate_limited(app: Flask, staff: User) -> None:
    app.config["RATELIMIT_PASSWORD_RESET"] = "2 per minute"
    client = app.test_client()
    statuses = [ask_for_link(client, f"x{n}@herten.test")[0] for n in range(3)]
    assert statuses == [200, 200, 429]


@BOTH_DATABASES
def test_a_weak_password_or_used_link_writes_nothing(staff: User) -> None:
    token = request_reset(email="erika@herten.test", now=FIRST_DAY)
    assert token is not None
    with pytest.raises(PasswordError):
        complete_reset(token=token, password="ErikaMusterHerten", now=FIRST_DAY)
    user = complete_reset(token=token, password=NEW_PASSWORD, now=FIRST_DAY)
    assert user.session_version == 2
    with pytest.raises(ResetError) as refused:
        complete_reset(token=token, password=NEW_PASSWORD + "x", now=FIRST_DAY)
    assert refused.value.code == "used"
    db.session.expire_all()
    assert db.session.get_one(User, staff.id).session_version == 2
