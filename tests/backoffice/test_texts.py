"""The office's texts in the back office: the list, the edit page with its preview (which
saves nothing), saving, the history and "Diese Fassung wiederherstellen" by POST, German
refusals with nothing written, CSRF, and what visitors then see."""

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent, ContentBlock, ContentRevision, Service, User
from app.services.office_texts import load_defaults

from ..helpers import csrf_token
from .conftest import count

LIST = "/buero/texte"
IMPRINT = "/buero/texte/imprint"


def text_audits() -> int:
    """Audit entries of text saves and restores."""
    return len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.like("text.%"))).all())


def send(client: FlaskClient, path: str, **data: str):  # noqa: ANN201
    """Post the edit form at ``path`` with a fresh CSRF token."""
    data["csrf_token"] = csrf_token(client.get(path).text)
    return client.post(path, data=data)


def test_the_list_names_every_text_with_its_last_change(
    app: Flask, staff_client: FlaskClient, staff_user: User
) -> None:
    page = staff_client.get(LIST)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    for label in ("Startseite: Einleitung des Büros", "Impressum: Hinweise", "Leichte Sprache"):
        assert label in page.text, label
    assert page.text.count("noch nie") == 6
    assert 'aria-current="page">Texte</a>' in page.text
    send(staff_client, IMPRINT, title="Impressum", body="Neu.")
    page = staff_client.get(LIST).text
    assert page.count("noch nie") == 5 and staff_user.name in page


def test_preview_saves_nothing_and_save_keeps_a_version(
    app: Flask, staff_client: FlaskClient, staff_user: User
) -> None:
    response = send(staff_client, IMPRINT, title="Impressum", aktion="vorschau",
                    body="## Bildnachweis\n\n<script>alert(1)</script>")
    assert response.status_code == 200
    assert "<h2>Bildnachweis</h2>" in response.text and "<script>alert" not in response.text
    assert "Noch ist nichts gespeichert" in response.text
    assert (count(ContentBlock), count(ContentRevision), text_audits()) == (0, 0, 0)

    response = send(staff_client, IMPRINT, title="Impressum", body="## Bildnachweis\n\nStadt.")
    assert response.status_code == 303 and response.headers["Location"].endswith(IMPRINT)
    revision = db.session.scalars(select(ContentRevision)).one()
    assert (revision.subject, revision.version, revision.actor_id) == (
        "block:imprint", 1, staff_user.id)
    assert "<h2>Bildnachweis</h2>" in staff_client.get("/impressum").text
    assert "Gespeichert als Fassung 1" in staff_client.get(IMPRINT).text


def test_an_old_version_is_shown_and_restored_as_a_new_one(
    app: Flask, staff_client: FlaskClient
) -> None:
    send(staff_client, "/buero/texte/contact", title="Kontakt", body="Montags da.")
    send(staff_client, "/buero/texte/contact", title="Kontakt", body="Dienstags da.")
    page = staff_client.get("/buero/texte/contact").text
    assert "Fassung 2" in page and "Montags da." in page  # the old text, to compare
    assert page.count("Diese Fassung wiederherstellen") == 1  # not for the current one
    response = staff_client.post("/buero/texte/contact/fassungen/1/wiederherstellen",
                                 data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert [r.version for r in db.session.scalars(select(ContentRevision))] == [1, 2, 3]
    assert "Montags da." in staff_client.get("/").text
    assert "Fassung 1 ist wiederhergestellt" in staff_client.get("/buero/texte/contact").text
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("text.save") == 2 and actions.count("text.restore") == 1


def test_a_service_page_is_edited_with_its_summary(
    app: Flask, staff_client: FlaskClient
) -> None:
    load_defaults(app.config["OFFICE"], clock.utcnow())
    db.session.commit()
    service = db.session.scalars(select(Service).where(Service.slug == "netzwerk")).one()
    path = f"/buero/texte/angebote/{service.id}"
    assert "Kurzfassung" in staff_client.get(path).text
    response = send(staff_client, path, title="Netzwerk", summary="", body="Text.")
    assert response.status_code == 400
    assert "Bitte schreiben Sie eine Kurzfassung" in response.text
    response = send(staff_client, path, title="Netzwerk", summary="Kurz.", body="**Neu**")
    assert response.status_code == 303
    assert "<strong>Neu</strong>" in staff_client.get("/angebote/netzwerk").text
    assert [r.version for r in db.session.scalars(select(ContentRevision).where(
        ContentRevision.subject == f"service:{service.id}"))] == [1, 2]


def test_refusals_are_german_and_write_nothing(app: Flask, staff_client: FlaskClient) -> None:
    response = send(staff_client, IMPRINT, title="", body="Text")
    assert response.status_code == 400
    assert "Bitte geben Sie eine Überschrift ein." in response.text
    response = send(staff_client, IMPRINT, title="Impressum", body="x" * 20_001)
    assert response.status_code == 400 and "Höchstens 20000 Zeichen." in response.text
    assert (count(ContentBlock), count(ContentRevision), text_audits()) == (0, 0, 0)
    assert staff_client.get("/buero/texte/rules").status_code == 404
    assert staff_client.get("/buero/texte/angebote/999").status_code == 404
    page = staff_client.get(IMPRINT).text
    response = staff_client.post(f"{IMPRINT}/fassungen/4/wiederherstellen",
                                 data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert "Diese Fassung gibt es nicht." in staff_client.get(IMPRINT).text


def test_get_changes_nothing_and_posts_need_their_token(
    app: Flask, staff_client: FlaskClient
) -> None:
    for path in (LIST, IMPRINT, "/buero/texte/easy_language"):
        assert staff_client.get(path).status_code == 200
    assert (count(ContentBlock), count(ContentRevision)) == (0, 0)
    assert staff_client.post(IMPRINT, data={"title": "X", "body": "Y"}).status_code == 400
    assert staff_client.post(f"{IMPRINT}/fassungen/1/wiederherstellen").status_code == 400
    assert (count(ContentBlock), count(ContentRevision), text_audits()) == (0, 0, 0)
