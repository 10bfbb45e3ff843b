"""Changing the own password: staff at /buero/konto, shopkeepers at /laden/konto."""

from collections.abc import Callable
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, LoginAttempt, User

from .helpers import csrf_token
from .test_auth import PASSWORD, location, log_in, make_user

NEW_PASSWORD = "Laterne Walross Sandkuchen"
PAGES = {"staff": ("/buero/konto", "/buero/konto/passwort"),
         "shopkeeper": ("/laden/konto", "/laden/konto/passwort")}


def change(client: FlaskClient, role: str, current: str, new: str,
           confirm: str | None = None):  # type: ignore[no-untyped-def]
    """Send the password form of ``role``'s account page."""
    page_path, post_path = PAGES[role]
    page = client.get(page_path)
    assert page.status_code == 200, page.status_code
    return client.post(post_path, data={"csrf_token": csrf_token(page.text), "current": current,
                                        "password": new, "confirm": confirm or new})


@pytest.fixture(params=["staff", "shopkeeper"])
def account(request: pytest.FixtureRequest, app: Flask,
            freeze: Callable[[datetime], None]) -> User:
    """A staff member or a shopkeeper, with the clock frozen on 1 December."""
    return make_user(request.param, email=f"{request.param}@herten.test")


def test_the_account_page_is_linked_from_the_navigation(app: Flask, account: User) -> None:
    client = app.test_client()
    assert log_in(client, account.email).status_code == 303
    home = "/buero/" if account.role == "staff" else "/laden/"
    assert f'href="{PAGES[account.role][0]}"' in client.get(home).text


def test_the_password_is_changed_and_other_sessions_end(app: Flask, account: User) -> None:
    here, elsewhere = app.test_client(), app.test_client()
    assert log_in(here, account.email).status_code == 303
    assert log_in(elsewhere, account.email).status_code == 303
    response = change(here, account.role, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 303 and location(response) == PAGES[account.role][0]
    page = here.get(PAGES[account.role][0])
    assert page.status_code == 200 and "Ihr neues Passwort ist gespeichert" in page.text
    gone = elsewhere.get(PAGES[account.role][0])
    assert gone.status_code == 302 and location(gone).startswith("/anmelden")
    assert "account.password_change" in db.session.scalars(select(AuditEvent.action))
    assert log_in(app.test_client(), account.email, PASSWORD).status_code == 400
    assert log_in(app.test_client(), account.email, NEW_PASSWORD).status_code == 303


def test_a_wrong_current_password_is_refused_and_counted(app: Flask, account: User) -> None:
    client = app.test_client()
    log_in(client, account.email)
    before = account.password_hash
    response = change(client, account.role, "falsch-falsch-falsch", NEW_PASSWORD)
    assert response.status_code == 400
    assert "Das bisherige Passwort stimmt nicht." in response.text
    db.session.expire_all()
    assert db.session.get_one(User, account.id).password_hash == before
    assert db.session.scalar(select(func.count(LoginAttempt.id))) == 1
    # Guessing through a borrowed session is throttled like a login.
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS"] - 1):
        change(client, account.role, "falsch-falsch-falsch", NEW_PASSWORD)
    assert change(client, account.role, PASSWORD, NEW_PASSWORD).status_code == 429


def test_the_new_password_follows_the_policy(app: Flask, account: User) -> None:
    client = app.test_client()
    log_in(client, account.email)
    weak = change(client, account.role, PASSWORD, "Passwort1234!")
    assert weak.status_code == 400 and "zu leicht zu erraten" in weak.text
    same = change(client, account.role, PASSWORD, PASSWORD)
    assert same.status_code == 400 and "dasselbe wie das bisherige" in same.text
    mismatch = change(client, account.role, PASSWORD, NEW_PASSWORD, "etwas anderes")
    assert mismatch.status_code == 400 and "nicht gleich" in mismatch.text
    db.session.expire_all()
    assert log_in(app.test_client(), account.email, PASSWORD).status_code == 303


def test_without_a_token_nothing_changes(app: Flask, account: User) -> None:
    client = app.test_client()
    log_in(client, account.email)
    response = client.post(PAGES[account.role][1], data={
        "current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert log_in(app.test_client(), account.email, PASSWORD).status_code == 303
