"""The office's texts: saving (checked, versioned, audited), the history, restoring as a
new version, refusals that write nothing, the sanitised Markdown, the shipped defaults
(shown before anything is stored, loaded once by ``flask content load`` and the demo,
never over an edit) and the public pages that show them."""

from datetime import UTC, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, ContentBlock, ContentRevision, Service, User
from app.services import office_texts as texts
from app.services.content import render_markdown
from app.services.demo import load_demo
from app.services.editing import EditError, InvalidInput
from app.services.office_texts import TextInput

from .helpers import FIRST_DAY

pytestmark = pytest.mark.usefixtures("freeze")
BOTH = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
NOW = FIRST_DAY.astimezone(UTC)


def count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def staff(app: Flask) -> User:
    user = User(email="team@example.org", name="Erika Team", role="staff",
                password_hash="x")
    db.session.add(user)
    db.session.commit()
    return user


def audits() -> list[tuple[str, str, dict[str, object]]]:
    return [(event.action, event.subject, event.details) for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("text.%")).order_by(AuditEvent.id))]


# ---------------------------------------------------------------------------
# Saving, history, restore
# ---------------------------------------------------------------------------


@BOTH
def test_saves_are_numbered_versions_and_a_restore_is_one_more(app: Flask) -> None:
    user = staff(app)
    first = texts.save_block(key="imprint", values=TextInput("Impressum", "Erste Fassung."),
                             now=NOW, actor_id=user.id)
    second = texts.save_block(key="imprint", values=TextInput("Impressum", "Zweite."),
                              now=NOW + timedelta(minutes=5), actor_id=user.id)
    assert (first.version, second.version) == (1, 2)
    assert texts.office_text("imprint", app.config["OFFICE"]).body == "Zweite."

    restored = texts.restore(subject="block:imprint", version=1,
                             now=NOW + timedelta(minutes=9), actor_id=user.id)
    assert (restored.version, restored.restored_from, restored.body) == (3, 1, "Erste Fassung.")
    block = db.session.scalars(select(ContentBlock)).one()
    assert (block.body, block.updated_by, block.updated_at) == (
        "Erste Fassung.", user.id, NOW + timedelta(minutes=9))
    history = texts.history("block:imprint")
    assert [(item.version, item.body) for item in history] == [
        (3, "Erste Fassung."), (2, "Zweite."), (1, "Erste Fassung.")]
    assert audits() == [("text.save", "block:imprint", {"version": 1}),
                        ("text.save", "block:imprint", {"version": 2}),
                        ("text.restore", "block:imprint", {"version": 3, "restored_from": 1})]


def test_a_service_page_keeps_title_summary_and_body_per_version(app: Flask) -> None:
    user = staff(app)
    service = Service(slug="netzwerk", title="Netzwerk", summary="Kurz.", body="Alt.")
    db.session.add(service)
    db.session.commit()
    texts.save_service(service_id=service.id, values=TextInput("Netzwerk neu", "## Neu", "Neu."),
                       now=NOW, actor_id=user.id)
    texts.save_service(service_id=service.id, values=TextInput("Netzwerk 3", "Drei", "3."),
                       now=NOW, actor_id=user.id)
    texts.restore(subject=f"service:{service.id}", version=1, now=NOW, actor_id=user.id)
    db.session.expire_all()
    row = db.session.get(Service, service.id)
    assert row is not None and (row.title, row.summary, row.body) == (
        "Netzwerk neu", "Neu.", "## Neu")
    assert [item.version for item in texts.history(f"service:{service.id}")] == [3, 2, 1]


@pytest.mark.parametrize(("values", "field", "code"), [
    (TextInput("", "Text"), "title", "missing"),
    (TextInput("   ", "Text"), "title", "missing"),
    (TextInput("x" * 121, "Text"), "title", "too_long"),
    (TextInput("Titel", "x" * 20_001), "body", "too_long"),
    (TextInput("Ti\x00tel", "Text"), "title", "control_characters"),
    (TextInput("Titel", "Text\x1b[31m"), "body", "control_characters"),
])
def test_bad_input_is_refused_and_nothing_is_written(
    app: Flask, values: TextInput, field: str, code: str
) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        texts.save_block(key="contact", values=values, now=NOW, actor_id=None)
    assert [(p.field, p.code) for p in excinfo.value.problems] == [(field, code)]
    assert (count(ContentBlock), count(ContentRevision), count(AuditEvent)) == (0, 0, 0)


def test_a_service_page_needs_its_summary(app: Flask) -> None:
    service = Service(slug="netzwerk", title="Netzwerk", summary="Kurz.", body="Alt.")
    db.session.add(service)
    db.session.commit()
    with pytest.raises(InvalidInput) as excinfo:
        texts.save_service(service_id=service.id, values=TextInput("Netzwerk", "Text", ""),
                           now=NOW, actor_id=None)
    assert excinfo.value.problems[0].code == "missing"
    db.session.expire_all()
    assert db.session.get(Service, service.id).summary == "Kurz."  # type: ignore[union-attr]
    assert count(ContentRevision) == 0


@pytest.mark.parametrize(("call", "code"), [
    (lambda: texts.save_block(key="rules", values=TextInput("T", "B"), now=NOW,
                              actor_id=None), "unknown_text"),
    (lambda: texts.save_service(service_id=999, values=TextInput("T", "B", "S"), now=NOW,
                                actor_id=None), "unknown_text"),
    (lambda: texts.restore(subject="block:rules", version=1, now=NOW, actor_id=None),
     "unknown_text"),
    (lambda: texts.restore(subject="block:imprint", version=7, now=NOW, actor_id=None),
     "unknown_version"),
])
def test_unknown_texts_and_versions_are_refused(app: Flask, call, code: str) -> None:  # noqa: ANN001
    with pytest.raises(EditError) as excinfo:
        call()
    assert excinfo.value.code == code
    assert count(ContentRevision) == 0


def test_restoring_the_current_version_is_refused(app: Flask) -> None:
    texts.save_block(key="contact", values=TextInput("Kontakt", "Eins"), now=NOW, actor_id=None)
    with pytest.raises(EditError) as excinfo:
        texts.restore(subject="block:contact", version=1, now=NOW, actor_id=None)
    assert excinfo.value.code == "already_current"
    assert count(ContentRevision) == 1


def test_the_database_refuses_an_unknown_block_key(app: Flask) -> None:
    db.session.add(ContentBlock(key="rules", title="T", body="", updated_at=NOW))
    with pytest.raises(Exception, match="(?i)check|constraint"):
        db.session.commit()
    db.session.rollback()


# ---------------------------------------------------------------------------
# Sanitising
# ---------------------------------------------------------------------------


class Elements(HTMLParser):
    """The elements of an HTML fragment with their attributes (text stays text)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


@pytest.mark.parametrize(("markdown", "elements"), [
    ("<script>alert('x')</script>", [("p", {})]),  # shown as text, never run
    ("[Klick](javascript:alert(1))", [("p", {})]),  # no link, only text
    ('<a href="https://example.org" onclick="alert(3)">roh</a>', [("p", {})]),
    ('<img src="x" onerror="alert(2)">', [("p", {})]),
    ('<div style="color:red">Rohes HTML</div>', [("p", {})]),
    ("## Öffnungszeiten", [("h2", {})]),
    ("# Groß", [("h2", {})]),  # the page owns its h1
    ("[Büro](https://example.org)",
     [("p", {}), ("a", {"href": "https://example.org", "rel": "noopener noreferrer"})]),
])
def test_the_markdown_is_sanitised(markdown: str, elements: list[object]) -> None:
    html = str(render_markdown(markdown))
    assert Elements(html).found == elements, html


def test_a_heading_stays_a_heading_in_the_saved_text(app: Flask, client: FlaskClient) -> None:
    texts.save_block(key="easy_language", values=TextInput(
        "Leichte Sprache", "## Was ist das?\n\n<script>alert(1)</script>"), now=NOW,
        actor_id=None)
    html = client.get("/leichte-sprache").text
    assert "<h2>Was ist das?</h2>" in html and "<script>alert" not in html


def test_service_pages_link_phone_numbers_but_not_inside_links() -> None:
    html = str(render_markdown("Ruf an: 02366 9360621\n\n[02366 9360621](https://example.org)",
                               link_contacts=True))
    assert '<a href="tel:+4923669360621" rel="noopener noreferrer">02366 9360621</a>' in html
    assert html.count("<a ") == 2


# ---------------------------------------------------------------------------
# Defaults, content load, public pages
# ---------------------------------------------------------------------------


def test_a_block_not_yet_stored_shows_the_shipped_default(app: Flask, client: FlaskClient
                                                          ) -> None:
    assert count(ContentBlock) == 0
    page = client.get("/leichte-sprache")
    assert page.status_code == 200
    assert "<h1>Leichte Sprache</h1>" in page.text
    assert "Eine Rallye ist ein Spiel." in page.text
    office = app.config["OFFICE"]
    assert f'href="tel:{office["phone_link"]}"' in page.text  # the configured facts
    assert office["email"] in page.text and "$phone" not in page.text


def test_content_load_adds_what_is_missing_once_and_keeps_edits(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["content", "load"])
    assert result.exit_code == 0, result.output
    assert "12 neu geladen" in result.output  # six blocks, six services
    assert (count(ContentBlock), count(Service), count(ContentRevision)) == (6, 6, 12)
    assert db.session.scalars(select(ContentRevision.actor_id).distinct()).all() == [None]

    texts.save_block(key="home_intro", values=TextInput("Willkommen", "Eigener Text."),
                     now=NOW, actor_id=None)
    result = runner.invoke(args=["content", "load"])
    assert "0 neu geladen" in result.output
    assert texts.office_text("home_intro", app.config["OFFICE"]).body == "Eigener Text."
    assert count(ContentRevision) == 13


def test_the_demo_loads_the_texts_once(app: Flask, tmp_path: Path) -> None:
    load_demo(NOW, tmp_path)
    first = (count(ContentBlock), count(ContentRevision))
    load_demo(NOW + timedelta(hours=1), tmp_path)
    assert first == (count(ContentBlock), count(ContentRevision)) == (6, 6 + count(Service))
    intro = db.session.scalars(select(ContentBlock).where(ContentBlock.key == "home_intro")).one()
    assert app.config["OFFICE"]["name"] in intro.body and "$" not in intro.body  # facts filled


def test_edited_texts_appear_on_their_pages(app: Flask, client: FlaskClient) -> None:
    texts.load_defaults(app.config["OFFICE"], NOW)
    db.session.commit()
    service = db.session.scalars(select(Service).where(Service.slug == "netzwerk")).one()
    for key, title, body in (
        ("home_intro", "Für Betriebe", "Wir sind **für Sie** da."),
        ("contact", "Sprechen Sie uns an", "Dienstags im Rathaus."),
        ("imprint", "Impressum", "## Bildnachweis\n\nFotos: Stadt."),
        ("privacy", "Datenschutz­erklärung", "Wir sparen Daten."),
        ("accessibility", "Erklärung zur Barrierefreiheit", "## Neu geprüft\n\nAlles gut."),
        ("easy_language", "Leichte Sprache", "Hier ist alles einfach."),
    ):
        texts.save_block(key=key, values=TextInput(title, body), now=NOW, actor_id=None)
    texts.save_service(service_id=service.id,
                       values=TextInput("Netzwerk", "## Treffen\n\nJeden Monat.", "Kurz."),
                       now=NOW, actor_id=None)
    home = client.get("/").text
    assert "Für Betriebe" in home and "<strong>für Sie</strong>" in home
    assert "Dienstags im Rathaus." in home
    page = client.get("/angebote/netzwerk").text
    assert "<h2>Treffen</h2>" in page and "Sprechen Sie uns an" in page
    assert "Dienstags im Rathaus." in page
    assert "<h2>Bildnachweis</h2>" in client.get("/impressum").text
    privacy = client.get("/datenschutz").text
    assert "Wir sparen Daten." in privacy
    assert 'class="facts retention-list"' in privacy  # still generated from the registry
    assert "Landesbeauftragte für Datenschutz" in privacy  # and from configuration
    assert "<h2>Neu geprüft</h2>" in client.get("/barrierefreiheit").text
    assert "Hier ist alles einfach." in client.get("/leichte-sprache").text


def test_every_page_links_the_easy_language_page_in_its_footer(client: FlaskClient) -> None:
    for path in ("/", "/impressum", "/angebote"):
        assert 'href="/leichte-sprache">Leichte Sprache</a>' in client.get(path).text, path


def test_the_vacancy_service_links_the_listings(app: Flask, client: FlaskClient) -> None:
    texts.load_defaults(app.config["OFFICE"], NOW)
    db.session.commit()
    button = 'href="/leerstand">Zur Leerstandsbörse</a>'
    assert button in client.get("/angebote/leerstandsmanagement").text
    assert 'href="/nachfolge"' in client.get("/angebote/unternehmensnachfolge").text
    assert button not in client.get("/angebote/netzwerk").text  # the footer's link only


# ---------------------------------------------------------------------------
# Saves at once
# ---------------------------------------------------------------------------


@BOTH
@pytest.mark.parametrize("stored", [False, True])
def test_saves_at_once_number_their_versions_without_gaps(app: Flask, stored: bool) -> None:
    from .test_concurrency import all_at_once

    if stored:
        texts.save_block(key="contact", values=TextInput("Kontakt", "Vorher."), now=NOW,
                         actor_id=None)
    db.session.remove()

    def save(i: int) -> str:
        try:
            texts.save_block(key="contact", values=TextInput("Kontakt", f"Fassung {i}"),
                             now=NOW, actor_id=None)
        except EditError as error:
            return error.code
        return "saved"

    results = all_at_once(app, save, n=8)
    assert set(results) <= {"saved", "conflict"}, results
    versions = db.session.scalars(select(ContentRevision.version).order_by(
        ContentRevision.version)).all()
    assert versions == list(range(1, len(versions) + 1))
    assert len(versions) == results.count("saved") + stored
    assert count(ContentBlock) == 1
    assert len(audits()) == len(versions)
