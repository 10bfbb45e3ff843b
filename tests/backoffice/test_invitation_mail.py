"""Shopkeeper invitations send their link by mail, in the invitation's transaction."""

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import Invitation, OutboxMail, Shop
from app.services import accounts, mail
from app.services.users import create_user

from ..conftest import base_config
from ..helpers import FIRST_DAY, csrf_token, make_shop
from ..smtp import Mailbox, SMTPServer
from .conftest import STAFF_PASSWORD, log_in

both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
PAGE_LINK_RE = re.compile(r'value="(http://rallye\.test/einladung/[A-Za-z0-9_-]{43})"')
MAIL_LINK_RE = re.compile(r"http://rallye\.test/einladung/[A-Za-z0-9_-]{43}")
ADDRESS = "inhaberin@korn.example"


@pytest.fixture
def shop(app: Flask) -> Shop:
    """The shop to invite for."""
    made = make_shop(name="Bäckerei Korn", slug="baeckerei-korn")
    db.session.commit()
    return made


def invite(client: FlaskClient, shop: Shop, email: str = ADDRESS):  # type: ignore[no-untyped-def]
    """Press "Einladung per E-Mail schicken" on the shop's page; the response is closed
    (so its mail went out)."""
    page = client.get(f"/buero/geschaefte/{shop.id}").text
    with client.post(f"/buero/geschaefte/{shop.id}/einladen",
                     data={"csrf_token": csrf_token(page), "email": email}) as response:
        return response


@both_databases
def test_the_invitation_mail_carries_the_link_shown_once(
    staff_client: FlaskClient, shop: Shop, mailbox: Mailbox
) -> None:
    response = invite(staff_client, shop)
    assert response.status_code == 200
    link = PAGE_LINK_RE.search(response.text).group(1)  # type: ignore[union-attr]
    assert "Einladung per E-Mail verschickt" in response.text
    assert f"Die E-Mail mit dem Link geht an {ADDRESS}" in response.text
    assert 'href="/buero/post"' in response.text

    [message] = mailbox.to(ADDRESS)
    # (a long encoded subject is folded after "Subject:"; readers drop that blank)
    assert message["Subject"].strip() == "Einladung zum Geschäftsportal: Bäckerei Korn"
    assert message["Auto-Submitted"] == "auto-generated"
    text, html = Mailbox.text(message), Mailbox.html(message)
    assert MAIL_LINK_RE.findall(text) == [link]
    assert f'<a href="{link}"' in html
    for part in (text, html):
        assert "Bäckerei Korn" in part and "Geschäftsportal" in part
        assert "Plakate" in part  # what the portal is for
        assert "gilt bis Dienstag, 8. Dezember 2026, 09:00 Uhr und nur einmal" in part
        assert "fragt nie nach Ihrem Passwort" in part
        assert "Hermannstraße 16" in part  # the office's signature
    assert " du " not in text and "<img" not in html

    # Sent: the address and subject stay for staff, the link (a key) is gone.
    db.session.rollback()  # end the read the page began before the mail went out
    row = db.session.scalars(select(OutboxMail)).one()
    assert (row.kind, row.status, row.recipient) == ("invitation", "sent", ADDRESS)
    token = link.rsplit("/", 1)[1]
    assert token not in row.text_body + row.html_body
    assert accounts.accept_invitation(token=token, password="Kerze Fahrrad Mondschein",
                                      now=FIRST_DAY).email == ADDRESS


def test_a_renewal_mails_a_new_password_link(staff_client: FlaskClient, shop: Shop,
                                             mailbox: Mailbox) -> None:
    issued = accounts.invite_shopkeeper(shop_id=shop.id, email=ADDRESS, now=FIRST_DAY)
    account = accounts.accept_invitation(token=issued.token, password="Kerze Fahrrad Mondschein",
                                         now=FIRST_DAY)
    mail.deliver(now=FIRST_DAY)
    mailbox.clear()
    page = staff_client.get(f"/buero/geschaefte/{shop.id}").text
    with staff_client.post(f"/buero/zugaenge/{account.id}/neue-einladung",
                           data={"csrf_token": csrf_token(page)}) as response:
        assert response.status_code == 200
    link = PAGE_LINK_RE.search(response.text).group(1)  # type: ignore[union-attr]
    [message] = mailbox.to(ADDRESS)
    assert message["Subject"].strip() == "Neues Passwort für Ihren Zugang: Bäckerei Korn"
    assert link in Mailbox.text(message) and "neues Passwort" in Mailbox.text(message)


def test_a_refused_invitation_queues_no_mail(staff_client: FlaskClient, shop: Shop,
                                             mailbox: Mailbox) -> None:
    assert invite(staff_client, shop, "kaputt").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0
    assert mailbox.messages == []


def test_the_cli_mails_the_invitation_and_prints_the_link(app: Flask, shop: Shop, freeze,
                                                         mailbox: Mailbox) -> None:
    result = app.test_cli_runner().invoke(
        args=["user", "invite", "--shop", "baeckerei-korn", "--email", ADDRESS])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert "per E-Mail verschickt" in lines[0]
    [message] = mailbox.to(ADDRESS)
    assert lines[-1] in Mailbox.text(message)


@both_databases
def test_with_smtp_down_the_invitation_succeeds_and_its_mail_goes_out_once_later(
    tmp_path, database_url: str, freeze
) -> None:
    server = SMTPServer()  # not started: the mail server is away
    application = create_app({**base_config(tmp_path, database_url), **server.config()})
    with application.app_context():
        db.create_all()
        shop = make_shop(name="Bäckerei Korn", slug="baeckerei-korn")
        db.session.commit()
        staff = create_user(email="team@buero.test", password=STAFF_PASSWORD, role="staff")
        client = application.test_client()
        log_in(client, staff, FIRST_DAY)
        page = client.get(f"/buero/geschaefte/{shop.id}").text
        with client.post(f"/buero/geschaefte/{shop.id}/einladen",
                         data={"csrf_token": csrf_token(page), "email": ADDRESS}) as response:
            assert response.status_code == 200
        link = PAGE_LINK_RE.search(response.text).group(1)  # type: ignore[union-attr]
        assert db.session.scalars(select(Invitation)).one().email == ADDRESS
        db.session.rollback()  # end the read the page began before the mail went out
        row = db.session.scalars(select(OutboxMail)).one()
        assert (row.status, row.attempts) == ("pending", 1) and row.last_error

        # The CLI says so, too, and the invitation still works.
        result = application.test_cli_runner().invoke(
            args=["user", "invite", "--shop", "baeckerei-korn", "--email", "zwei@korn.example"])
        assert result.exit_code == 0 and "E-Mail wartet im Postausgang" in result.output

        server.start()
        try:
            later = FIRST_DAY + timedelta(minutes=10)
            first = mail.deliver(now=later)
            again = mail.deliver(now=later + timedelta(minutes=5))
            assert len(first.sent) == 2 and again.sent == []
            [message] = server.mailbox.to(ADDRESS)
            assert link in Mailbox.text(message)
        finally:
            server.stop()
        db.session.remove()
        db.engine.dispose()
