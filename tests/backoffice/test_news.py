"""The news in the back office: list, write, edit with a picture, the text's preview and
the whole post's preview, publish and take back by POST, German refusals with nothing
written, CSRF, and an audit entry for every change."""

import io
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent, NewsPost, User

from ..helpers import csrf_token
from .conftest import count
from .test_events import png

LIST = "/buero/aktuelles"
NEW = "/buero/aktuelles/neu"


def form_data(**overrides: object) -> dict[str, object]:
    """A valid post form."""
    data: dict[str, object] = {
        "title": "Neue Workshop-Termine im Januar",
        "summary": "Drei Workshops für Geschäfte der Innenstadt.",
        "body": "## Termine\n\n- Online-Präsenz\n- Schaufenster",
        "image_alt": "", "published_date": "", "published_time": "",
    }
    data.update(overrides)
    return data


def post_form(client: FlaskClient, path: str, csrf_from: str | None = None,
              **overrides: object):  # noqa: ANN201
    """Send the post form at ``path`` with a CSRF token from ``csrf_from`` (or it)."""
    data = form_data(**overrides)
    data["csrf_token"] = csrf_token(client.get(csrf_from or path).text)
    return client.post(path, data=data, content_type="multipart/form-data")


def audits() -> list[tuple[str, str]]:
    return [(event.action, event.subject) for event in
            db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("news.%"))
                               .order_by(AuditEvent.id))]


def only_post() -> NewsPost:
    db.session.expire_all()
    return db.session.scalars(select(NewsPost)).one()


def test_write_a_draft_preview_it_and_publish_it(
    staff_client: FlaskClient, staff_user: User
) -> None:
    assert "Noch keine Beiträge" in staff_client.get(LIST).text
    response = post_form(staff_client, NEW)
    assert response.status_code == 303
    post = only_post()
    assert response.headers["Location"].endswith(f"/buero/aktuelles/{post.id}")
    assert (post.status, post.author_id, post.published_at) == ("draft", staff_user.id, None)
    assert staff_client.get(f"/aktuelles/{post.slug}").status_code == 404

    preview = staff_client.get(f"/buero/aktuelles/{post.id}/vorschau")
    assert preview.status_code == 200
    assert "<h2>Termine</h2>" in preview.text and "Vorschau eines Entwurfs" in preview.text
    assert preview.headers["Cache-Control"] == "no-store"

    edit = staff_client.get(f"/buero/aktuelles/{post.id}")
    response = staff_client.post(f"/buero/aktuelles/{post.id}/veroeffentlichen",
                                 data={"csrf_token": csrf_token(edit.text)})
    assert response.status_code == 303
    post = only_post()
    assert (post.status, post.published_at) == ("published", clock.utcnow())
    assert staff_client.get(f"/aktuelles/{post.slug}").status_code == 200
    assert "veröffentlicht" in staff_client.get(LIST).text

    edit = staff_client.get(f"/buero/aktuelles/{post.id}")
    assert "Zurückziehen" in edit.text
    response = staff_client.post(f"/buero/aktuelles/{post.id}/zurueckziehen",
                                 data={"csrf_token": csrf_token(edit.text)})
    assert response.status_code == 303
    assert only_post().status == "draft"
    assert staff_client.get(f"/aktuelles/{post.slug}").status_code == 404
    assert audits() == [("news.create", post.slug), ("news.publish", post.slug),
                        ("news.unpublish", post.slug)]


def test_the_text_preview_shows_the_markdown_and_saves_nothing(
    staff_client: FlaskClient
) -> None:
    response = post_form(staff_client, NEW, aktion="vorschau",
                         body="## Zwischentitel\n\n<script>alert(1)</script>\n\n"
                              "[x](javascript:alert(1))")
    assert response.status_code == 200
    preview = response.text.split('id="vorschau"', 1)[1].split("</section>", 1)[0]
    assert "<h2>Zwischentitel</h2>" in preview
    assert "<script" not in preview and 'href="javascript:' not in preview
    assert 'value="Neue Workshop-Termine im Januar"' in response.text  # the form as typed
    assert count(NewsPost) == 0 and audits() == []


def test_edit_with_a_picture_and_its_alt_text(staff_client: FlaskClient) -> None:
    post_form(staff_client, NEW)
    post = only_post()
    path = f"/buero/aktuelles/{post.id}"
    response = post_form(staff_client, path, title="Workshops im Januar",
                         picture=(io.BytesIO(png()), "foto.png"), image_alt="")
    assert response.status_code == 400
    assert "Bitte beschreiben Sie das Bild" in response.text
    assert only_post().title == "Neue Workshop-Termine im Januar"
    assert only_post().image_id is None

    response = post_form(staff_client, path, title="Workshops im Januar",
                         picture=(io.BytesIO(png()), "foto.png"),
                         image_alt="Drei Menschen am Laptop")
    assert response.status_code == 303
    post = only_post()
    assert post.title == "Workshops im Januar" and post.image is not None
    assert post.slug == "neue-workshop-termine-im-januar"  # the address stays
    page = staff_client.get(f"/buero/aktuelles/{post.id}/vorschau").text
    assert 'alt="Drei Menschen am Laptop"' in page
    edit = audits()[-1]
    assert edit == ("news.edit", post.slug)
    details = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert details is not None
    assert details.details["changed"] == ["image_alt", "image_id", "title"]

    response = post_form(staff_client, path, title="Workshops im Januar",
                         image_alt="Drei Menschen am Laptop", remove_picture="y")
    assert response.status_code == 303
    assert only_post().image_id is None and only_post().image_alt == ""


@pytest.mark.parametrize(("overrides", "message"), [
    ({"title": ""}, "Bitte geben Sie einen Titel ein."),
    ({"summary": ""}, "Bitte schreiben Sie eine Kurzfassung"),
    ({"title": "x" * 121}, "Höchstens 120 Zeichen."),
    ({"published_date": "2026-12-24", "published_time": "09:00"},
     "Das Datum darf nicht in der Zukunft liegen."),
    ({"published_date": "2026-11-20", "published_time": ""},
     "Bitte geben Sie zum Datum auch die Uhrzeit an"),
    ({"published_date": "gestern", "published_time": "09:00"},
     "Bitte geben Sie ein Datum ein"),
])
def test_bad_input_gets_a_german_message_and_writes_nothing(
    staff_client: FlaskClient, overrides: dict[str, object], message: str
) -> None:
    response = post_form(staff_client, NEW, **overrides)
    assert response.status_code == 400
    assert message in response.text
    assert 'class="error-summary"' in response.text
    assert count(NewsPost) == 0 and audits() == []


def test_a_post_may_be_dated_back(staff_client: FlaskClient) -> None:
    post_form(staff_client, NEW, published_date="2026-11-28", published_time="10:30")
    post = only_post()
    assert post.published_at == datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
    edit = staff_client.get(f"/buero/aktuelles/{post.id}").text
    assert 'value="2026-11-28"' in edit and 'value="10:30"' in edit


def test_without_csrf_nothing_is_written(staff_client: FlaskClient) -> None:
    data = form_data()
    assert staff_client.post(NEW, data=data).status_code == 400
    post_form(staff_client, NEW)
    post = only_post()
    for action in ("veroeffentlichen", "zurueckziehen"):
        assert staff_client.post(f"/buero/aktuelles/{post.id}/{action}").status_code == 400
    assert staff_client.post(f"/buero/aktuelles/{post.id}", data=form_data(
        title="Anders")).status_code == 400
    assert only_post().status == "draft" and only_post().title == data["title"]
    assert audits() == [("news.create", post.slug)]


def test_publishing_twice_says_so(staff_client: FlaskClient) -> None:
    post_form(staff_client, NEW)
    post = only_post()
    token = csrf_token(staff_client.get(LIST).text)
    url = f"/buero/aktuelles/{post.id}/veroeffentlichen"
    assert staff_client.post(url, data={"csrf_token": token}).status_code == 303
    response = staff_client.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert "Dieser Beitrag ist schon veröffentlicht." in response.text
    assert [action for action, _slug in audits()] == ["news.create", "news.publish"]
    missing = staff_client.post("/buero/aktuelles/999/veroeffentlichen",
                                data={"csrf_token": token})
    assert missing.status_code == 404


def test_get_pages_change_nothing(staff_client: FlaskClient) -> None:
    post_form(staff_client, NEW)
    post = only_post()
    before = (post.status, post.updated_at, audits())
    for path in (LIST, NEW, f"/buero/aktuelles/{post.id}",
                 f"/buero/aktuelles/{post.id}/vorschau"):
        assert staff_client.get(path).status_code == 200
    for path in (f"/buero/aktuelles/{post.id}/veroeffentlichen",
                 f"/buero/aktuelles/{post.id}/zurueckziehen"):
        assert staff_client.get(path).status_code == 405
    post = only_post()
    assert (post.status, post.updated_at, audits()) == before


def test_the_navigation_marks_the_news(staff_client: FlaskClient, app: Flask) -> None:
    page = staff_client.get(LIST).text
    assert '<a href="/buero/aktuelles" aria-current="page">Aktuelles</a>' in page


def test_saving_a_published_post_again_keeps_its_date(
    staff_client: FlaskClient, freeze: Callable[[datetime], None]
) -> None:
    post_form(staff_client, NEW)
    post = only_post()
    freeze(datetime(2026, 12, 1, 8, 15, 37, 120, tzinfo=UTC))  # seconds the form hides
    token = csrf_token(staff_client.get(LIST).text)
    staff_client.post(f"/buero/aktuelles/{post.id}/veroeffentlichen",
                      data={"csrf_token": token})
    published_at = only_post().published_at
    assert published_at is not None
    edit = staff_client.get(f"/buero/aktuelles/{post.id}").text
    shown = clock.local(published_at)
    assert f'value="{shown:%Y-%m-%d}"' in edit and f'value="{shown:%H:%M}"' in edit
    response = post_form(staff_client, f"/buero/aktuelles/{post.id}",
                         published_date=f"{shown:%Y-%m-%d}",
                         published_time=f"{shown:%H:%M}", body="Neu.")
    assert response.status_code == 303
    assert only_post().published_at == published_at and only_post().body == "Neu."


def test_a_file_that_only_pretends_to_be_a_picture_is_refused(
    staff_client: FlaskClient
) -> None:
    response = post_form(staff_client, NEW, image_alt="Ein Foto",
                         picture=(io.BytesIO(b"%PDF-1.7 kein Bild"), "foto.png"))
    assert response.status_code == 400
    assert "Diese Datei ist kein Bild im Format JPEG, PNG oder WebP." in response.text
    assert count(NewsPost) == 0 and audits() == []
