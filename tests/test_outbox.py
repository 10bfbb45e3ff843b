"""The outbox: mails written with the change, delivered after it, never twice."""

import threading
from datetime import timedelta

from flask import Flask

from app.extensions import db
from app.models import OutboxMail
from app.services import mail

from .helpers import FIRST_DAY
from .smtp import Mailbox, SMTPServer


def queue_card_link(to: str = "anna@example.org", **kwargs: object) -> OutboxMail:
    """Queue and commit one card-link mail."""
    row = mail.queue_mail(
        kind="card_link", to=to, subject="Deine Stempelkarte", template="card_link",
        context={"rally_name": "Advents-Rallye", "link": "http://rallye.test/k/abc"},
        now=FIRST_DAY, **kwargs,  # type: ignore[arg-type]
    )
    db.session.commit()
    return row


def test_delivery_sends_text_and_html_with_the_signature(app: Flask, mailbox: Mailbox) -> None:
    row = queue_card_link()
    report = mail.deliver(now=FIRST_DAY)
    assert report.sent == [row.id]
    [message] = mailbox.to("anna@example.org")
    assert message["Subject"] == "Deine Stempelkarte"
    assert "http://rallye.test/k/abc" in Mailbox.text(message)
    assert "Hermannstraße 16" in Mailbox.text(message)
    assert '<a href="http://rallye.test/k/abc"' in Mailbox.html(message)
    assert "<img" not in Mailbox.html(message)  # no tracking pixel, no picture at all
    assert db.session.get(OutboxMail, row.id, populate_existing=True).status == "sent"
    assert mail.deliver(now=FIRST_DAY).sent == []
    assert len(mailbox.messages) == 1


def test_forgetful_mail_loses_address_and_body_once_sent(app: Flask, mailbox: Mailbox) -> None:
    row = queue_card_link(forget_after_sending=True)
    mail.deliver(now=FIRST_DAY)
    stored = db.session.get(OutboxMail, row.id, populate_existing=True)
    assert (stored.status, stored.recipient, stored.text_body, stored.html_body) == (
        "sent", "", "", "")
    assert len(mailbox.to("anna@example.org")) == 1


def test_outage_keeps_the_mail_and_sends_it_once_when_back(tmp_path, database_url) -> None:
    from app import create_app

    from .conftest import base_config

    server = SMTPServer()
    application = create_app({**base_config(tmp_path, database_url), **server.config()})
    with application.app_context():
        db.create_all()
        row = queue_card_link()
        report = mail.deliver(now=FIRST_DAY)
        assert report.retrying == [row.id]
        stored = db.session.get(OutboxMail, row.id, populate_existing=True)
        assert stored.status == "pending" and stored.attempts == 1 and stored.last_error
        assert stored.next_attempt_at == FIRST_DAY + timedelta(minutes=1)
        server.start()
        try:
            assert mail.deliver(now=FIRST_DAY).sent == []  # not due yet
            later = FIRST_DAY + timedelta(minutes=2)
            results: list[mail.DeliveryReport] = []

            def run() -> None:
                with application.app_context():
                    results.append(mail.deliver(now=later))
                    db.session.remove()

            threads = [threading.Thread(target=run) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sorted(len(r.sent) for r in results) == [0, 1]
            assert len(server.mailbox.to("anna@example.org")) == 1
        finally:
            server.stop()
        db.session.remove()
        db.engine.dispose()
