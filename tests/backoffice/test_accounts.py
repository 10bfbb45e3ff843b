"""The shop page's accounts section: invite, show the link once, renew, disable, withdraw."""

import hashlib
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Invitation, Shop, User
from app.services import accounts
from app.services.users import create_user

from ..helpers import FIRST_DAY, csrf_token, make_shop
from ..test_auth import log_in as log_in_by_form
from .conftest import count

both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
LINK_RE = re.compile(r'value="(http://rallye\.test/einladung/([A-Za-z0-9_-]{43}))"')
PASSWORD = "Kerze Fahrrad Mondschein"


@pytest.fixture
def shop(app: Flask) -> Shop:
    """The shop whose page is under test."""
    made = make_shop(name="Bäckerei Korn", slug="baeckerei-korn")
    db.session.commit()
    return made


def shop_page(client: FlaskClient, shop: Shop) -> str:
    """The shop's page as staff see it."""
    page = client.get(f"/buero/geschaefte/{shop.id}")
    assert page.status_code == 200
    return page.text


def keeper(shop: Shop, email: str = "inhaberin@korn.example") -> User:
    """An account of ``shop`` made through an accepted invitation."""
    issued = accounts.invite_shopkeeper(shop_id=shop.id, email=email, now=FIRST_DAY)
    return accounts.accept_invitation(token=issued.token, password=PASSWORD, now=FIRST_DAY)


@both_databases
def test_staff_invite_and_see_the_link_once(staff_client: FlaskClient, shop: Shop) -> None:
    page = shop_page(staff_client, shop)
    assert "Zugänge für das Geschäft" in page and "Noch kein Zugang." in page
    response = staff_client.post(
        f"/buero/geschaefte/{shop.id}/einladen",
        data={"csrf_token": csrf_token(page), "email": "Inhaberin@Korn.example"},
    )
    assert response.status_code == 200
    match = LINK_RE.search(response.text)
    assert match, "the page shows no invitation link"
    token = match.group(2)
    stored = db.session.scalars(select(Invitation)).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert "Einladung per E-Mail verschickt" in response.text
    assert "inhaberin@korn.example" in response.text
    assert response.headers["Cache-Control"] == "no-store"
    event = db.session.scalars(select(AuditEvent)).all()[-1]
    assert event.action == "account.invite" and event.actor_id is not None

    again = shop_page(staff_client, shop)
    assert token not in again and "Offene Einladungen" in again
    assert "gültig bis Di. 8.12., 09:00 Uhr" in again


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Bitte geben Sie die E-Mail-Adresse ein."),
        ("kaputt", "keine gültige E-Mail-Adresse"),
        ("team@buero.test", "gehört schon zu einem Zugang"),
        ("a@b.example\x1b", "Steuerzeichen"),
    ],
)
def test_refused_invitations_say_why_and_write_nothing(
    staff_client: FlaskClient, shop: Shop, email: str, message: str
) -> None:
    events = count(AuditEvent)
    page = shop_page(staff_client, shop)
    response = staff_client.post(f"/buero/geschaefte/{shop.id}/einladen",
                                 data={"csrf_token": csrf_token(page), "email": email})
    assert response.status_code == 400
    assert message in response.text
    assert count(Invitation) == 0 and count(AuditEvent) == events
    assert not LINK_RE.search(response.text)


def test_a_new_password_for_an_account(staff_client: FlaskClient, shop: Shop) -> None:
    account = keeper(shop)
    page = shop_page(staff_client, shop)
    assert "inhaberin@korn.example" in page and "aktiv" in page
    response = staff_client.post(f"/buero/zugaenge/{account.id}/neue-einladung",
                                 data={"csrf_token": csrf_token(page)})
    assert response.status_code == 200
    assert "Link für ein neues Passwort per E-Mail verschickt" in response.text
    token = LINK_RE.search(response.text).group(2)  # type: ignore[union-attr]
    renewed = accounts.accept_invitation(token=token, password="Tulpe-Eimer-Dachrinne",
                                         now=FIRST_DAY)
    assert renewed.id == account.id


@both_databases
def test_disable_and_enable_an_account(app: Flask, staff_client: FlaskClient,
                                       shop: Shop) -> None:
    account = keeper(shop)
    phone = app.test_client()
    assert log_in_by_form(phone, account.email, PASSWORD).status_code == 303

    page = shop_page(staff_client, shop)
    response = staff_client.post(f"/buero/zugaenge/{account.id}/sperren",
                                 data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/buero/geschaefte/{shop.id}#zugaenge")
    listing = staff_client.get(response.headers["Location"])
    assert "ist gesperrt" in listing.text and "gesperrt</span>" in listing.text
    db.session.refresh(account)
    assert not account.active
    assert phone.get("/anmelden/bestaetigen").status_code == 302  # logged out

    response = staff_client.post(f"/buero/zugaenge/{account.id}/entsperren",
                                 data={"csrf_token": csrf_token(listing.text)})
    assert response.status_code == 303
    db.session.refresh(account)
    assert account.active
    actions = list(db.session.scalars(select(AuditEvent.action)))
    assert actions[-2:] == ["account.disable", "account.enable"]


def test_withdraw_an_invitation(staff_client: FlaskClient, shop: Shop) -> None:
    issued = accounts.invite_shopkeeper(shop_id=shop.id, email="neu@korn.example",
                                        now=FIRST_DAY)
    page = shop_page(staff_client, shop)
    url = f"/buero/einladungen/{issued.invitation.id}/zurueckziehen"
    response = staff_client.post(url, data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert "ist zurückgezogen" in staff_client.get(response.headers["Location"]).text
    assert not db.session.get(Invitation, issued.invitation.id).is_open(FIRST_DAY)
    twice = staff_client.post(url, data={"csrf_token": csrf_token(page)})
    assert "schon benutzt, abgelaufen oder zurückgezogen" in staff_client.get(
        twice.headers["Location"]).text


def test_staff_accounts_and_unknown_ids_are_404(staff_client: FlaskClient, staff_user: User,
                                               shop: Shop) -> None:
    token = csrf_token(shop_page(staff_client, shop))
    for url in (f"/buero/zugaenge/{staff_user.id}/sperren",
                f"/buero/zugaenge/{staff_user.id}/neue-einladung",
                "/buero/zugaenge/999/entsperren",
                "/buero/einladungen/999/zurueckziehen",
                "/buero/geschaefte/999/einladen"):
        assert staff_client.post(url, data={"csrf_token": token}).status_code == 404, url
    assert db.session.get(User, staff_user.id).active


def test_shopkeepers_cannot_invite_or_disable(app: Flask, freeze, shop: Shop) -> None:
    account = keeper(shop)
    client = app.test_client()
    assert log_in_by_form(client, account.email, PASSWORD).status_code == 303
    token = csrf_token(client.get("/").text)
    for url in (f"/buero/geschaefte/{shop.id}/einladen",
                f"/buero/zugaenge/{account.id}/sperren",
                f"/buero/zugaenge/{account.id}/neue-einladung"):
        response = client.post(url, data={"csrf_token": token, "email": "x@korn.example"})
        assert response.status_code == 403, url
    assert count(Invitation) == 1  # the one that made the account
    db.session.refresh(account)
    assert account.active


def test_another_shops_address_is_taken(staff_client: FlaskClient, shop: Shop) -> None:
    other = make_shop(name="Café Mitte", slug="cafe-mitte")
    create_user(email="cafe@mitte.example", password="ein-langes-passwort",
                role="shopkeeper", shop_slug=other.slug)
    page = shop_page(staff_client, shop)
    response = staff_client.post(f"/buero/geschaefte/{shop.id}/einladen",
                                 data={"csrf_token": csrf_token(page),
                                       "email": "cafe@mitte.example"})
    assert response.status_code == 400 and "eines anderen Geschäfts" in response.text
