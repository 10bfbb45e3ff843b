"""The outbox in the back office (/buero/post), its requeue button, the dashboard's
notice, 'outbox send' on the command line, and the console backend of 'make run'."""

from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import AuditEvent, OutboxMail
from app.services import mail

from ..conftest import base_config
from ..helpers import FIRST_DAY, csrf_token, make_shop, make_shopkeeper
from ..smtp import Mailbox
from ..test_auth import log_in as log_in_by_form

both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


def outbox_row(kind: str, status: str, *, to: str = "anna@example.org", subject: str = "",
               attempts: int = 0, error: str = "", at: datetime = FIRST_DAY) -> OutboxMail:
    """An outbox row in a given state (committed)."""
    row = OutboxMail(
        kind=kind, recipient=to, subject=subject or f"Betreff {kind}", text_body="Hallo",
        html_body="<p>Hallo</p>", attachments=[], status=status, attempts=attempts,
        last_error=error, created_at=at, next_attempt_at=at + timedelta(minutes=5),
        claimed_at=at if status in ("sending", "sent", "failed") else None,
        sent_at=at if status == "sent" else None,
    )
    db.session.add(row)
    db.session.commit()
    return row


def section(html: str, heading_id: str) -> str:
    """The part of the page from one section's heading to the next section."""
    start = html.index(f'id="{heading_id}"')
    end = html.find("<section", start)
    return html[start:end if end != -1 else None]


@both_databases
def test_the_page_lists_failed_first_then_waiting_then_sent(staff_client: FlaskClient) -> None:
    outbox_row("invitation", "failed", to="laden@korn.example", attempts=10,
               error="SMTP 451: Temporary failure")
    outbox_row("appointment_reminder", "pending", attempts=2, error="ConnectionRefusedError")
    outbox_row("brand_new_kind", "pending")
    outbox_row("card_link", "sent", to="")
    outbox_row("password_reset", "sent", at=FIRST_DAY - timedelta(days=8))  # too old

    page = staff_client.get("/buero/post")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.text
    assert 'aria-current="page">Post</a>' in html
    assert html.index("fehlgeschlagen-titel") < html.index("wartet-titel") < html.index(
        "gesendet-titel")

    failed = section(html, "fehlgeschlagen-titel")
    assert "1 fehlgeschlagene E-Mail" in failed
    assert "Einladung" in failed and "laden@korn.example" in failed
    assert "SMTP 451: Temporary failure" in failed and '<dt>Versuche</dt><dd>10</dd>' in failed
    assert "Di. 1.12., 09:00 Uhr" in failed  # Berlin time
    assert "Erneut senden" in failed and "Fragen Sie im Zweifel" in failed

    waiting = section(html, "wartet-titel")
    assert "2 E-Mails warten" in waiting
    assert "Termin" in waiting and "brand_new_kind" in waiting  # unknown kinds show as such
    assert "Di. 1.12., 09:05 Uhr" in waiting and "ConnectionRefusedError" in waiting
    assert "Erneut senden" not in waiting

    sent = section(html, "gesendet-titel")
    assert "Karten-Link" in sent and "nicht gespeichert" in sent
    assert "Passwort" not in sent  # sent more than a week ago


def test_the_page_is_calm_when_the_outbox_is_empty(staff_client: FlaskClient) -> None:
    html = staff_client.get("/buero/post").text
    assert "0 fehlgeschlagene E-Mails" in html and "Keine E-Mail wartet." in html
    assert "Erneut senden" not in html


@both_databases
def test_requeue_sends_a_failed_mail_again_and_is_audited(
    staff_client: FlaskClient, mailbox: Mailbox
) -> None:
    row = outbox_row("invitation", "failed", attempts=10, error="SMTP 451: kaputt")
    page = staff_client.get("/buero/post").text
    with staff_client.post(f"/buero/post/{row.id}/erneut",
                           data={"csrf_token": csrf_token(page)}) as response:
        assert response.status_code == 303
        assert response.headers["Location"].endswith("/buero/post")
    db.session.rollback()
    stored = db.session.get(OutboxMail, row.id, populate_existing=True)
    assert stored is not None and (stored.status, stored.attempts) == ("sent", 1)
    assert len(mailbox.to("anna@example.org")) == 1
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("mail.%"))).one()
    assert (event.action, event.subject) == ("mail.requeue", f"outbox:{row.id}")
    assert event.actor_id is not None and event.details["kind"] == "invitation"
    assert "anna" not in str(event.details)
    assert "wird erneut gesendet" in staff_client.get("/buero/post").text


def test_requeue_refuses_what_is_not_failed(staff_client: FlaskClient,
                                            mailbox: Mailbox) -> None:
    sent = outbox_row("invitation", "sent")
    page = staff_client.get("/buero/post").text
    token = csrf_token(page)
    response = staff_client.post(f"/buero/post/{sent.id}/erneut", data={"csrf_token": token})
    assert response.status_code == 303
    assert "nicht (mehr) fehlgeschlagen" in staff_client.get("/buero/post").text
    assert staff_client.post(f"/buero/post/{sent.id}/erneut").status_code == 400  # no token
    assert staff_client.post("/buero/post/999/erneut",
                             data={"csrf_token": token}).status_code == 404
    assert db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("mail.%"))).all() == []
    assert mailbox.messages == []
    assert db.session.get(OutboxMail, sent.id).status == "sent"  # type: ignore[union-attr]


def test_shopkeepers_and_visitors_are_kept_out(app: Flask, client: FlaskClient) -> None:
    row = outbox_row("invitation", "failed")
    response = client.get("/buero/post")
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]
    keeper = make_shopkeeper(make_shop())
    shopkeeper = app.test_client()
    log_in_by_form(shopkeeper, keeper.email, "ein-langes-laden-passwort")
    assert shopkeeper.get("/buero/post").status_code == 403
    token = csrf_token(shopkeeper.get("/").text)
    assert shopkeeper.post(f"/buero/post/{row.id}/erneut",
                           data={"csrf_token": token}).status_code == 403
    assert db.session.get(OutboxMail, row.id).status == "failed"  # type: ignore[union-attr]


def test_the_dashboard_points_to_failed_mails(staff_client: FlaskClient) -> None:
    assert "post-hinweis" not in staff_client.get("/buero/").text
    outbox_row("invitation", "failed")
    outbox_row("card_link", "failed")
    html = staff_client.get("/buero/").text
    assert "2 E-Mails sind nicht hinausgegangen." in html
    assert '<a href="/buero/post">Zur Post</a>' in html


def test_outbox_send_reports_what_it_did(app: Flask, freeze, mailbox: Mailbox) -> None:
    outbox_row("invitation", "pending", at=FIRST_DAY - timedelta(minutes=10))
    outbox_row("card_link", "sending", at=FIRST_DAY - timedelta(hours=1))  # a stale claim
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Gesendet: 1, später erneut: 0, aufgegeben: 1."
    assert len(mailbox.messages) == 1
    again = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert again.output.strip() == "Gesendet: 0, später erneut: 0, aufgegeben: 0."


def test_without_mail_server_mails_go_to_the_console(tmp_path, capsys) -> None:
    application = create_app(base_config(tmp_path, "sqlite:///" + str(tmp_path / "c.db")))
    assert not application.config.get("MAIL_SERVER")
    assert application.config["MAIL_BACKEND"] == "console"
    with application.app_context():
        db.create_all()
        row = mail.queue_mail(kind="card_link", to="anna@example.org", subject="Konsole",
                              template="card_link",
                              context={"rally_name": "Advents-Rallye", "link": "http://x/k"},
                              now=FIRST_DAY)
        db.session.commit()
        assert mail.deliver(now=FIRST_DAY).sent == [row.id]
        assert db.session.get(OutboxMail, row.id, populate_existing=True).status == "sent"
        db.session.remove()
        db.engine.dispose()
    printed = capsys.readouterr().out
    assert "Subject: Konsole" in printed and "To: anna@example.org" in printed
    assert "http://x/k" in printed


def test_a_failed_card_link_without_address_offers_no_resend(staff_client: FlaskClient) -> None:
    row = outbox_row("card_link", "failed", to="")
    html = section(staff_client.get("/buero/post").text, "fehlgeschlagen-titel")
    assert "Karten-Link" in html and "nicht gespeichert" in html
    assert f"/buero/post/{row.id}/erneut" not in html and "erneut anfordern" in html
    token = csrf_token(staff_client.get("/buero/post").text)
    assert staff_client.post(f"/buero/post/{row.id}/erneut",
                             data={"csrf_token": token}).status_code == 303
    assert "Adresse dieser E-Mail ist gelöscht" in staff_client.get("/buero/post").text
