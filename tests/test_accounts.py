"""Shopkeepers' accounts: invitations, the invitation page, renewal, disabling."""

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash

from app.extensions import db
from app.models import AuditEvent, Invitation, Shop, User
from app.services import accounts
from app.services.accounts import AccountError, IssuedInvitation
from app.services.auth import AuthError, authenticate
from app.services.passwords import PasswordError, check_new_password
from app.services.users import create_user

from .helpers import FIRST_DAY, csrf_token, make_shop
from .test_auth import SESSION_COOKIE, location, log_in

BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
GOOD_PASSWORD = "Kerze Fahrrad Mondschein"
OTHER_PASSWORD = "Tulpe-Eimer-Dachrinne"
EMAIL = "inhaberin@baeckerei-korn.example"


@pytest.fixture
def shop(app: Flask, freeze: Callable[[datetime], None]) -> Shop:
    """A shop, with the clock frozen on 1 December."""
    made = make_shop(name="Bäckerei Korn", slug="baeckerei-korn")
    db.session.commit()
    return made


@pytest.fixture
def staff(app: Flask) -> User:
    """An office staff account (the one who invites)."""
    return create_user(email="team@buero.test", password="ein-langes-passwort-123",
                       role="staff", name="Team Büro")


def invite(shop: Shop, email: str = EMAIL, now: datetime = FIRST_DAY,
           actor_id: int | None = None) -> IssuedInvitation:
    """Invite ``email`` to ``shop`` at ``now``."""
    return accounts.invite_shopkeeper(shop_id=shop.id, email=email, now=now, actor_id=actor_id)


def count(model: type) -> int:
    """Rows of a model's table."""
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def actions() -> list[str]:
    """The audit log's actions, oldest first."""
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def invitation_form(client: FlaskClient, token: str) -> dict[str, str]:
    """The invitation page's form with a good password, as a browser would send it."""
    page = client.get(f"/einladung/{token}")
    assert page.status_code == 200, page.status_code
    return {"csrf_token": csrf_token(page.text), "password": GOOD_PASSWORD,
            "confirm": GOOD_PASSWORD}


# --- invitations -------------------------------------------------------------------------


@BOTH_DATABASES
def test_an_invitation_stores_only_the_hash_of_its_token(shop: Shop, staff: User) -> None:
    issued = invite(shop, "  Inhaberin@Baeckerei-Korn.example ", actor_id=staff.id)
    assert len(issued.token) == 43 and not issued.renewal
    stored = db.session.scalars(select(Invitation)).one()
    assert stored.email == EMAIL and stored.shop_id == shop.id
    assert stored.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert stored.expires_at == FIRST_DAY + timedelta(days=7)
    assert stored.created_by == staff.id and stored.used_at is None and stored.user_id is None
    event = db.session.scalars(select(AuditEvent)).all()[-1]
    assert (event.action, event.actor_id, event.subject) == ("account.invite", staff.id, EMAIL)
    assert event.details["shop"] == "baeckerei-korn" and not event.details["renewal"]
    every_value = " ".join(str(value) for row in db.session.execute(
        select(Invitation.__table__)).all() for value in row)
    assert issued.token not in every_value and issued.token not in str(event.details)


@BOTH_DATABASES
def test_accepting_creates_the_shops_account_and_the_link_works_once(shop: Shop) -> None:
    issued = invite(shop)
    account = accounts.accept_invitation(token=issued.token, password=GOOD_PASSWORD,
                                         now=FIRST_DAY + timedelta(hours=2))
    assert (account.email, account.role, account.shop_id, account.active) == (
        EMAIL, "shopkeeper", shop.id, True)
    assert check_password_hash(account.password_hash, GOOD_PASSWORD)
    stored = db.session.scalars(select(Invitation)).one()
    assert stored.used_at == FIRST_DAY + timedelta(hours=2) and stored.user_id == account.id
    assert actions() == ["account.invite", "account.accept"]

    with pytest.raises(AccountError) as excinfo:
        accounts.accept_invitation(token=issued.token, password=OTHER_PASSWORD,
                                   now=FIRST_DAY + timedelta(hours=3))
    assert excinfo.value.code == "used"
    db.session.refresh(account)
    assert check_password_hash(account.password_hash, GOOD_PASSWORD)
    assert count(User) == 1 and actions() == ["account.invite", "account.accept"]
    assert authenticate(EMAIL, GOOD_PASSWORD, "192.0.2.1", FIRST_DAY).id == account.id


@pytest.mark.parametrize(
    ("age", "code"),
    [
        (timedelta(days=7) - timedelta(seconds=1), None),
        (timedelta(days=7), "expired"),
        (timedelta(days=8), "expired"),
    ],
    ids=["just-before-7-days", "at-7-days", "after-7-days"],
)
def test_an_invitation_is_valid_for_seven_days(
    shop: Shop, freeze: Callable[[datetime], None], age: timedelta, code: str | None
) -> None:
    issued = invite(shop)
    freeze(FIRST_DAY + age)
    if code is None:
        assert accounts.accept_invitation(token=issued.token, password=GOOD_PASSWORD,
                                          now=FIRST_DAY + age).email == EMAIL
        return
    with pytest.raises(AccountError) as excinfo:
        accounts.accept_invitation(token=issued.token, password=GOOD_PASSWORD,
                                   now=FIRST_DAY + age)
    assert excinfo.value.code == code
    assert count(User) == 0


@pytest.mark.parametrize("token", ["A" * 43, "kurz", "A" * 42 + "!", "../" + "A" * 40])
def test_unknown_and_malformed_tokens_are_unknown(shop: Shop, token: str) -> None:
    invite(shop)
    with pytest.raises(AccountError) as excinfo:
        accounts.find_invitation(token, FIRST_DAY)
    assert excinfo.value.code == "unknown"


@pytest.mark.parametrize(
    ("password", "code", "reason"),
    [
        ("kurz", "short_password", None),
        ("elf-Zeichen", "short_password", None),
        ("passwort12345", "weak_password", "common"),
        ("Passwort1234!", "weak_password", "common"),
        ("asdfghjkl;'zxcv", "weak_password", "keyboard"),
        ("aaaaaaaaaaaaaaaa", "weak_password", "repeat"),
        ("abcdefghijklmnop", "weak_password", "sequence"),
        ("baeckerei-korn!", "weak_password", "personal"),
        ("inhaberin2026", "weak_password", "personal"),
    ],
)
@BOTH_DATABASES
def test_weak_and_short_passwords_are_refused_and_nothing_is_written(
    shop: Shop, password: str, code: str, reason: str | None
) -> None:
    issued = invite(shop)
    events = count(AuditEvent)
    with pytest.raises(PasswordError) as excinfo:
        accounts.accept_invitation(token=issued.token, password=password, now=FIRST_DAY)
    assert excinfo.value.code == code
    if reason is not None:
        assert reason in excinfo.value.context["reasons"]
    assert count(User) == 0 and count(AuditEvent) == events
    assert db.session.scalars(select(Invitation)).one().is_open(FIRST_DAY)


def test_a_long_password_is_judged_by_its_first_72_characters() -> None:
    check_new_password("Kerze Fahrrad Mondschein " * 40)
    with pytest.raises(PasswordError):
        check_new_password("a" * 200)


@BOTH_DATABASES
def test_addresses_of_staff_or_another_shop_are_taken(shop: Shop, staff: User) -> None:
    other = make_shop(name="Café Mitte", slug="cafe-mitte")
    create_user(email="cafe@mitte.example", password="ein-langes-passwort-123",
                role="shopkeeper", shop_slug=other.slug)
    for email in (staff.email, "Cafe@Mitte.example"):
        with pytest.raises(AccountError) as excinfo:
            invite(shop, email)
        assert excinfo.value.code == "email_taken"
    invite(make_shop(), "neu@example.org")
    with pytest.raises(AccountError) as excinfo:
        invite(shop, "neu@example.org")
    assert excinfo.value.code == "invited_elsewhere"
    with pytest.raises(AccountError) as excinfo:
        invite(shop, "keine-adresse")
    assert excinfo.value.code == "bad_email"
    with pytest.raises(AccountError) as excinfo:
        accounts.invite_shopkeeper(shop_slug="gibt-es-nicht", email=EMAIL, now=FIRST_DAY)
    assert excinfo.value.code == "unknown_shop"
    assert count(Invitation) == 1


def test_an_address_that_became_staff_meanwhile_is_refused_at_acceptance(shop: Shop) -> None:
    issued = invite(shop)
    create_user(email=EMAIL, password="ein-langes-passwort-123", role="staff")
    with pytest.raises(AccountError) as excinfo:
        accounts.accept_invitation(token=issued.token, password=GOOD_PASSWORD, now=FIRST_DAY)
    assert excinfo.value.code == "email_taken"
    assert db.session.scalars(select(Invitation)).one().used_at is None


def test_a_newer_invitation_replaces_the_open_one(shop: Shop) -> None:
    first = invite(shop)
    second = invite(shop, now=FIRST_DAY + timedelta(hours=1))
    with pytest.raises(AccountError) as excinfo:
        accounts.find_invitation(first.token, FIRST_DAY + timedelta(hours=1))
    assert excinfo.value.code == "revoked"
    assert accounts.find_invitation(second.token, FIRST_DAY + timedelta(hours=1))
    assert db.session.scalars(select(AuditEvent)).all()[-1].details["revoked"] == 1


@BOTH_DATABASES
def test_renewal_replaces_a_forgotten_password_and_ends_the_sessions(
    shop: Shop, staff: User
) -> None:
    account = accounts.accept_invitation(token=invite(shop).token, password=GOOD_PASSWORD,
                                         now=FIRST_DAY)
    version = account.session_version
    accounts.disable_account(user_id=account.id, now=FIRST_DAY, actor_id=staff.id)

    renewal = accounts.renew_account(user_id=account.id, now=FIRST_DAY, actor_id=staff.id)
    assert renewal.renewal and renewal.invitation.user_id == account.id
    renewed = accounts.accept_invitation(token=renewal.token, password=OTHER_PASSWORD,
                                         now=FIRST_DAY + timedelta(minutes=5))
    assert renewed.id == account.id and renewed.active
    assert renewed.session_version == version + 2  # once at disabling, once at renewal
    assert count(User) == 2  # staff and the one shopkeeper
    with pytest.raises(AuthError):
        authenticate(EMAIL, GOOD_PASSWORD, "192.0.2.1", FIRST_DAY + timedelta(minutes=6))
    assert authenticate(EMAIL, OTHER_PASSWORD, "192.0.2.1", FIRST_DAY + timedelta(minutes=6))
    accepted = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "account.accept")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert accepted is not None and accepted.details["renewal"] is True


@BOTH_DATABASES
def test_disabling_ends_login_sessions_and_open_invitations(shop: Shop, staff: User) -> None:
    account = accounts.accept_invitation(token=invite(shop).token, password=GOOD_PASSWORD,
                                         now=FIRST_DAY)
    pending = accounts.renew_account(user_id=account.id, now=FIRST_DAY)
    disabled = accounts.disable_account(user_id=account.id, now=FIRST_DAY, actor_id=staff.id)
    assert not disabled.active
    with pytest.raises(AuthError) as excinfo:
        authenticate(EMAIL, GOOD_PASSWORD, "192.0.2.1", FIRST_DAY)
    assert excinfo.value.code == "inactive"
    with pytest.raises(AccountError) as refused:
        accounts.accept_invitation(token=pending.token, password=OTHER_PASSWORD, now=FIRST_DAY)
    assert refused.value.code == "revoked"  # the disabled cannot switch themselves on

    enabled = accounts.enable_account(user_id=account.id, now=FIRST_DAY, actor_id=staff.id)
    assert enabled.active
    assert authenticate(EMAIL, GOOD_PASSWORD, "192.0.2.1", FIRST_DAY).id == account.id
    assert [a for a in actions() if a in ("account.disable", "account.enable")] == [
        "account.disable", "account.enable"]


def test_staff_accounts_are_not_shop_accounts(shop: Shop, staff: User) -> None:
    for step in (accounts.disable_account, accounts.enable_account, accounts.renew_account):
        with pytest.raises(AccountError) as excinfo:
            step(user_id=staff.id, now=FIRST_DAY)
        assert excinfo.value.code == "unknown_account"
    assert db.session.get(User, staff.id).active


def test_withdrawing_an_invitation(shop: Shop, staff: User) -> None:
    issued = invite(shop)
    accounts.revoke_invitation(invitation_id=issued.invitation.id, now=FIRST_DAY,
                               actor_id=staff.id)
    with pytest.raises(AccountError) as excinfo:
        accounts.find_invitation(issued.token, FIRST_DAY)
    assert excinfo.value.code == "revoked"
    with pytest.raises(AccountError) as again:
        accounts.revoke_invitation(invitation_id=issued.invitation.id, now=FIRST_DAY)
    assert again.value.code == "not_open"
    assert actions()[-1] == "account.revoke_invitation"


def test_a_shops_accounts_and_open_invitations(shop: Shop) -> None:
    accounts.accept_invitation(token=invite(shop, "b@example.org").token,
                               password=GOOD_PASSWORD, now=FIRST_DAY)
    accounts.accept_invitation(token=invite(shop, "a@example.org").token,
                               password=GOOD_PASSWORD, now=FIRST_DAY)
    invite(shop, "c@example.org", now=FIRST_DAY - timedelta(days=8))  # expired
    invite(shop, "d@example.org")
    invite(make_shop(), "e@example.org")  # another shop's
    listed = accounts.shop_accounts(shop.id, FIRST_DAY)
    assert [account.email for account in listed.accounts] == ["a@example.org", "b@example.org"]
    assert [invitation.email for invitation in listed.invitations] == ["d@example.org"]


@BOTH_DATABASES
def test_the_database_keeps_invitations_honest(shop: Shop) -> None:
    """The account an invitation names is the shop's; a used one names its account."""
    other = make_shop()
    keeper = create_user(email="x@example.org", password="ein-langes-passwort-123",
                         role="shopkeeper", shop_slug=other.slug)
    base = {"shop_id": shop.id, "email": "x@example.org", "created_at": FIRST_DAY,
            "expires_at": FIRST_DAY + timedelta(days=7)}
    for n, values in enumerate([
        {"user_id": keeper.id},  # another shop's account
        {"used_at": FIRST_DAY},  # used without an account
        {"token_hash": "abc"},  # not a SHA-256
        {"expires_at": FIRST_DAY},  # expires at once
    ]):
        row = {**base, "token_hash": f"{n:064d}", **values}
        db.session.add(Invitation(**row))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


# --- the invitation page -----------------------------------------------------------------


def test_the_invitation_page_names_the_shop_and_uses_nothing_up(
    client: FlaskClient, shop: Shop
) -> None:
    issued = invite(shop)
    events = count(AuditEvent)
    for _ in range(2):
        page = client.get(f"/einladung/{issued.token}")
        assert page.status_code == 200
    assert "Zugang für „Bäckerei Korn“ einrichten" in page.text
    assert EMAIL in page.text and 'autocomplete="new-password"' in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert "<script" not in page.text and "style=" not in page.text
    assert db.session.scalars(select(Invitation)).one().used_at is None
    assert count(AuditEvent) == events and count(User) == 0


@BOTH_DATABASES
def test_setting_the_password_logs_in_on_a_new_session(client: FlaskClient, shop: Shop) -> None:
    issued = invite(shop)
    data = invitation_form(client, issued.token)
    with client.session_transaction() as sess:
        sess["planted"] = "vom Angreifer"
    before = client.get_cookie(SESSION_COOKIE)

    response = client.post(f"/einladung/{issued.token}", data=data)

    assert response.status_code == 303
    assert location(response) == "/laden/"
    assert response.headers["Cache-Control"] == "no-store"
    account = db.session.scalars(select(User).where(User.email == EMAIL)).one()
    after = client.get_cookie(SESSION_COOKIE)
    assert after is not None and (before is None or after.value != before.value)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"] == account.get_id()
    used = client.get(f"/einladung/{issued.token}")
    assert used.status_code == 410 and "schon benutzt" in used.text


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        (GOOD_PASSWORD, GOOD_PASSWORD + "x", "nicht gleich"),
        ("kurz", "kurz", "mindestens 12 Zeichen"),
        ("passwort12345", "passwort12345", "zu leicht zu erraten"),
        ("baeckerei-korn-", "baeckerei-korn-", "Namen Ihres Geschäfts"),
        ("", "", "Bitte wählen Sie ein Passwort."),
    ],
)
def test_refused_passwords_say_why_in_german_and_write_nothing(
    client: FlaskClient, shop: Shop, password: str, confirm: str, message: str
) -> None:
    issued = invite(shop)
    data = {**invitation_form(client, issued.token), "password": password, "confirm": confirm}
    response = client.post(f"/einladung/{issued.token}", data=data)
    assert response.status_code == 400
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert count(User) == 0
    assert db.session.scalars(select(Invitation)).one().used_at is None
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


def test_unusable_links_get_calm_pages(
    client: FlaskClient, shop: Shop, freeze: Callable[[datetime], None]
) -> None:
    unknown = client.get("/einladung/" + "A" * 43)
    assert unknown.status_code == 404 and "Diese Einladung gibt es nicht" in unknown.text
    assert client.get("/einladung/kaputt").status_code == 404
    revoked = invite(shop)
    issued = invite(shop)
    replaced = client.get(f"/einladung/{revoked.token}")
    assert replaced.status_code == 410 and "gilt nicht mehr" in replaced.text
    freeze(FIRST_DAY + timedelta(days=7))
    expired = client.get(f"/einladung/{issued.token}")
    assert expired.status_code == 410 and "abgelaufen" in expired.text
    assert "02366 9360621" in expired.text
    # Submitting the form of an expired link: the same page, nothing written.
    token = csrf_token(client.get("/anmelden").text)
    posted = client.post(f"/einladung/{issued.token}",
                         data={"csrf_token": token, "password": GOOD_PASSWORD,
                               "confirm": GOOD_PASSWORD})
    assert posted.status_code == 410 and count(User) == 0


def test_the_form_is_rate_limited_like_the_login(app: Flask, client: FlaskClient,
                                                 shop: Shop) -> None:
    app.config["RATELIMIT_LOGIN"] = "2 per minute"
    issued = invite(shop)
    data = {**invitation_form(client, issued.token), "confirm": "anders"}
    statuses = [client.post(f"/einladung/{issued.token}", data=data).status_code
                for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_a_renewal_ends_the_sessions_of_the_account(app: Flask, shop: Shop) -> None:
    account = accounts.accept_invitation(token=invite(shop).token, password=GOOD_PASSWORD,
                                         now=FIRST_DAY)
    phone = app.test_client()
    assert log_in(phone, EMAIL, GOOD_PASSWORD).status_code == 303
    assert phone.get("/anmelden/bestaetigen").status_code == 200  # logged in
    laptop = app.test_client()
    renewal = accounts.renew_account(user_id=account.id, now=FIRST_DAY)
    response = laptop.post(f"/einladung/{renewal.token}",
                           data=invitation_form(laptop, renewal.token) | {
                               "password": OTHER_PASSWORD, "confirm": OTHER_PASSWORD})
    assert response.status_code == 303
    assert location(phone.get("/anmelden/bestaetigen")).startswith("/anmelden")
    assert laptop.get("/anmelden/bestaetigen").status_code == 200


def test_a_disabled_account_is_logged_out_everywhere(app: Flask, shop: Shop,
                                                     staff: User) -> None:
    account = accounts.accept_invitation(token=invite(shop).token, password=GOOD_PASSWORD,
                                         now=FIRST_DAY)
    phone = app.test_client()
    assert log_in(phone, EMAIL, GOOD_PASSWORD).status_code == 303
    accounts.disable_account(user_id=account.id, now=FIRST_DAY, actor_id=staff.id)
    assert location(phone.get("/anmelden/bestaetigen")).startswith("/anmelden")
    refused = log_in(app.test_client(), EMAIL, GOOD_PASSWORD)
    assert refused.status_code == 403 and "Ihr Zugang ist gesperrt" in refused.text
    # Switched on again, the old session stays ended: the session version moved on.
    accounts.enable_account(user_id=account.id, now=FIRST_DAY, actor_id=staff.id)
    assert location(phone.get("/anmelden/bestaetigen")).startswith("/anmelden")


def test_a_shopkeeper_logs_in_to_the_portal(client: FlaskClient, shop: Shop) -> None:
    accounts.accept_invitation(token=invite(shop).token, password=GOOD_PASSWORD, now=FIRST_DAY)
    response = log_in(client, EMAIL, GOOD_PASSWORD, next="/buero/")
    assert response.status_code == 303 and location(response) == "/laden/"
