"""'Link per E-Mail schicken' on the card page: the recovery link, mailed once, the
address kept nowhere."""

import logging
import re
import smtplib
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import String, Text, func, select

from app.extensions import db
from app.models import AuditEvent, OutboxMail, Station
from app.services import mail
from app.services.errors import DomainError

from .helpers import FIRST_DAY, csrf_token, make_rally, make_station
from .smtp import Mailbox

ADDRESS = "Anna.Kartenfan@Example.org"
BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
FORM_ACTION = 'action="/karte/link-per-mail"'


@pytest.fixture
def station(app: Flask, freeze) -> Station:
    """One station of a running rally, with the clock on 1 December."""
    created = make_station(make_rally(name="Advents-Rallye"))
    db.session.commit()
    return created


def card_page(client: FlaskClient, station: Station) -> str:
    """Tap the station (a new card in this browser) and return the card page."""
    scan = client.get(f"/s/{station.token}")
    client.post(f"/s/{station.token}", data={"csrf_token": csrf_token(scan.text)})
    page = client.get("/karte")
    assert page.status_code == 200
    return page.text


def recovery_link(html: str) -> str:
    """The recovery link the card page shows."""
    match = re.search(r'id="karten-link" href="(http://rallye\.test/karte/wiederherstellen/'
                      r'[^"]+)"', html)
    assert match
    return match.group(1)


def send(client: FlaskClient, page: str, email: str = ADDRESS):  # type: ignore[no-untyped-def]
    """Post the card page's form (its mails go out when the response closes)."""
    with client.post("/karte/link-per-mail",
                     data={"csrf_token": csrf_token(page), "email": email}) as response:
        return response


def stored_texts() -> str:
    """Every value of every string column of every table, lower-cased, as one text."""
    values = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)
                   or c.type.python_type in (dict, list)]
        if columns:
            for row in db.session.execute(select(*columns)):
                values.extend(str(value) for value in row)
    return " ".join(values).lower()


def test_the_card_page_has_a_small_form_that_works_without_js(client, station) -> None:
    page = card_page(client, station)
    form = page[page.index(FORM_ACTION) - 60:]
    form = form[:form.index("</form>")]
    assert 'method="post"' in form and 'name="csrf_token"' in form
    assert 'type="email"' in form and 'name="email"' in form and 'autocomplete="email"' in form
    assert '<label for="link-mail">Link per E-Mail schicken</label>' in form
    assert "<script" not in form and "style=" not in form and "<button" in form


@BOTH_DATABASES
def test_the_link_arrives_and_the_address_is_kept_nowhere(
    client, station, mailbox: Mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    page = card_page(client, station)
    link = recovery_link(page)
    response = send(client, page)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/karte/link-verschickt")

    [message] = mailbox.to("Anna.Kartenfan@example.org")
    assert message["Subject"] == "Dein Link zur Stempelkarte"
    text, html = Mailbox.text(message), Mailbox.html(message)
    assert link in text and "Advents-Rallye" in text and "Hermannstraße 16" in text
    assert f'<a href="{link}"' in html and "<img" not in html
    assert "nicht gespeichert" in text

    row = db.session.scalars(select(OutboxMail)).one()
    assert (row.kind, row.status, row.recipient, row.text_body, row.html_body) == (
        "card_link", "sent", "", "", "")
    assert "kartenfan" not in stored_texts()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    # No log line of the app (the test's SMTP server, aiosmtpd's "mail.log", may say it).
    assert not [r for r in caplog.records if "kartenfan" in r.getMessage().lower()
                and not r.name.startswith("mail.log")]

    confirmation = client.get(response.headers["Location"])
    assert confirmation.status_code == 200
    assert "Der Link ist unterwegs" in confirmation.text and "Postfach" in confirmation.text
    assert "kartenfan" not in confirmation.text.lower()


@pytest.mark.parametrize(("email", "message"), [
    ("", "Bitte gib deine E-Mail-Adresse ein."),
    ("keine-adresse", "Das sieht nicht wie eine E-Mail-Adresse aus."),
    ("a@b.example\x1b", "Steuerzeichen"),
])
def test_a_bad_address_is_a_400_in_german_and_queues_nothing(
    client, station, mailbox: Mailbox, email: str, message: str
) -> None:
    page = card_page(client, station)
    response = send(client, page, email)
    assert response.status_code == 400
    assert message in response.text and FORM_ACTION in response.text
    assert 'aria-invalid="true"' in response.text
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0
    assert mailbox.messages == []


def test_without_csrf_or_without_a_card_nothing_is_sent(app: Flask, client, station,
                                                       mailbox: Mailbox) -> None:
    card_page(client, station)
    assert client.post("/karte/link-per-mail", data={"email": ADDRESS}).status_code == 400
    stranger = app.test_client()
    token = csrf_token(stranger.get(f"/s/{station.token}").text)
    response = stranger.post("/karte/link-per-mail", data={"csrf_token": token,
                                                           "email": ADDRESS})
    assert response.status_code == 303 and response.headers["Location"].endswith("/karte")
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0
    assert client.get("/karte/link-per-mail").status_code == 405  # a GET sends nothing


def test_five_mails_per_card_and_hour(client, station, mailbox: Mailbox) -> None:
    page = card_page(client, station)
    statuses = [send(client, page, f"anna{n}@example.org").status_code for n in range(6)]
    assert statuses == [303] * 5 + [429]
    assert len(mailbox.messages) == 5


def test_a_mail_the_request_did_not_deliver_goes_out_with_outbox_send(
        client, station, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> None:
    # The request's own delivery does not run (as if the process stopped right after the
    # commit): the timer's 'outbox send' delivers it, and forgets the address then.
    monkeypatch.setattr("flask.Response.call_on_close", lambda self, f: f)
    page = card_page(client, station)
    assert send(client, page).status_code == 303
    row = db.session.scalars(select(OutboxMail)).one()
    assert row.status == "pending" and row.recipient == "Anna.Kartenfan@example.org"
    assert mail.deliver(now=FIRST_DAY).sent == [row.id]
    assert "kartenfan" not in stored_texts()
    assert len(mailbox.to("Anna.Kartenfan@example.org")) == 1


class RefusingMessage:
    """A message the SMTP server refuses for good, quoting the address in its answer."""

    def __init__(self, row: OutboxMail, connection: object) -> None:
        self.recipient = row.recipient

    def send(self) -> None:
        raise smtplib.SMTPRecipientsRefused(
            {self.recipient: (550, f"<{self.recipient}> unknown".encode())})


def test_a_refused_card_link_forgets_the_address_too(
    client, station, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(mail, "_message", RefusingMessage)
    page = card_page(client, station)
    assert send(client, page).status_code == 303
    db.session.rollback()
    row = db.session.scalars(select(OutboxMail)).one()
    assert (row.status, row.recipient, row.text_body, row.last_error) == ("failed", "", "", "")
    assert "kartenfan" not in stored_texts()
    assert not [r for r in caplog.records if "kartenfan" in r.getMessage().lower()
                and not r.name.startswith("mail.log")]
    with pytest.raises(DomainError) as refused:
        mail.requeue(mail_id=row.id, now=FIRST_DAY)
    assert refused.value.code == "mail_forgotten"


def test_a_stale_card_link_claim_forgets_the_address(client, station) -> None:
    page = card_page(client, station)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("flask.Response.call_on_close", lambda self, f: f)  # no delivery
        assert send(client, page).status_code == 303
    db.session.rollback()
    row = db.session.scalars(select(OutboxMail)).one()
    row.status, row.claimed_at = "sending", FIRST_DAY  # a sender died after the hand-over
    db.session.commit()
    assert mail.deliver(now=FIRST_DAY + timedelta(hours=1)).stale == [row.id]
    db.session.rollback()
    stored = db.session.get(OutboxMail, row.id, populate_existing=True)
    assert stored is not None and (stored.status, stored.recipient) == ("failed", "")
    assert "kartenfan" not in stored_texts()
