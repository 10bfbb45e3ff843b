"""The office's shipped texts in English and Turkish: stored as translations by
``flask content load`` and the demo where a field has none, so the office's front door
(home page, services, legal pages) is translated out of the box; never over a staff
translation or a rewritten German text, nothing added by a second load, every
placeholder, link and contact kept."""

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from app import demo_data
from app.extensions import db
from app.models import BLOCK_KEYS, Service, Translation, User
from app.services import office_texts, translations
from app.services.demo import load_demo
from app.services.office_texts import TextInput

from .helpers import FIRST_DAY

BOTH = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
NOW = FIRST_DAY.astimezone(UTC)
NOTE = '<p class="german-note">'
SHIPPED = ("home_intro", "contact", "imprint", "privacy", "accessibility")
# A phrase of each page's translated title and body, by language.
PHRASES = {
    "en": {"/": ("For businesses: what we offer", "with empty shops and business succession"),
           "/angebote/netzwerk": ("Network and business tours", "On our business tours"),
           "/impressum": ("Legal notice (Impressum)", "sets no advertising or analytics")},
    "tr": {"/": ("İşletmeler için: hizmetlerimiz", "boş dükkanlar ve işletme devri"),
           "/angebote/netzwerk": ("İş ağı ve işletme ziyaretleri",
                                  "İşletme ziyaretlerimizde işletmeler"),
           "/impressum": ("Künye (Impressum)", "reklam veya analiz çerezi kullanmaz")},
}


@pytest.fixture(autouse=True)
def frozen(freeze: Callable[[datetime], None]) -> None:
    """The clock on the rally's first day."""
    freeze(FIRST_DAY)


def page(client: FlaskClient, path: str, language: str) -> str:
    """The public page at ``path`` for a browser asking for ``language``."""
    response = client.get(path, headers={"Accept-Language": language})
    assert response.status_code == 200, path
    return response.text


def load(runner: FlaskCliRunner) -> None:
    """``flask content load``, which must succeed."""
    result = runner.invoke(args=["content", "load"])
    assert result.exit_code == 0, result.output


def rows() -> dict[tuple[str, str, str], Translation]:
    """Every translation by (subject, language, field)."""
    return {(row.subject, row.language, row.field): row
            for row in db.session.scalars(select(Translation))}


def service_id(slug: str) -> int:
    """The id of the service ``slug``."""
    found = db.session.scalar(select(Service.id).where(Service.slug == slug))
    assert found is not None
    return found


def staff() -> User:
    """A staff account."""
    user = User(email="team@example.org", name="Erika Team", role="staff",
                password_hash="x")
    db.session.add(user)
    db.session.commit()
    return user


@BOTH
@pytest.mark.parametrize("language", ["en", "tr"])
def test_content_load_translates_the_office_front_door(
    runner: FlaskCliRunner, client: FlaskClient, language: str
) -> None:
    for path in ("/", "/impressum"):
        assert NOTE in page(client, path, language), path  # the shipped German, marked
    load(runner)
    for path, (title, body) in PHRASES[language].items():
        shown = page(client, path, language)
        assert title in shown and body in shown, path
        assert NOTE not in shown and ' lang="de"' not in shown.split("<main", 1)[1], path
        in_german = page(client, path, "de")
        assert title not in in_german and body not in in_german, path
    title, body = {"en": ("How to reach us", "In person:"),
                   "tr": ("Bize nasıl ulaşabilirsiniz", "Yüz yüze:")}[language]
    assert body in page(client, "/", language)  # the contact block's body only
    service = page(client, "/angebote/beratungstermine", language)
    assert title in service and body in service and NOTE not in service
    for path in ("/datenschutz", "/barrierefreiheit"):
        assert NOTE not in page(client, path, language), path
    assert "Was ist auf dieser Internet-Seite?" in page(client, "/leichte-sprache", language)


@BOTH
def test_every_field_is_stored_once_with_the_office_facts(
    app: Flask, runner: FlaskCliRunner
) -> None:
    load(runner)
    stored = rows()
    services = {service_id(slug) for slug in demo_data.SERVICE_TRANSLATIONS}
    expected = {(f"block:{key}", language, field) for key in SHIPPED
                for language in ("en", "tr") for field in ("title", "body")}
    expected |= {(f"service:{ident}", language, field) for ident in services
                 for language in ("en", "tr") for field in ("title", "summary", "body")}
    assert set(stored) == expected
    assert all(row.updated_by is None for row in stored.values())
    assert not any("$" in row.text for row in stored.values())  # every fact filled
    office = app.config["OFFICE"]
    contact = stored[("block:contact", "tr", "body")].text
    assert f"[{office['phone']}](tel:{office['phone_link']})" in contact
    assert office["name"] in stored[("block:home_intro", "en", "body")].text


@BOTH
def test_loading_twice_adds_nothing(runner: FlaskCliRunner,
                                    freeze: Callable[[datetime], None]) -> None:
    load(runner)
    first = {key: (row.id, row.text, row.updated_at) for key, row in rows().items()}
    freeze(FIRST_DAY + timedelta(days=1))
    load(runner)
    db.session.expire_all()
    assert {key: (row.id, row.text, row.updated_at) for key, row in rows().items()} == first


@BOTH
def test_a_staff_translation_is_never_replaced(app: Flask, runner: FlaskCliRunner) -> None:
    user = staff()
    office = app.config["OFFICE"]
    # Before anything is stored: the imprint's English title only.
    translations.save("block:imprint", "en", {"title": "Imprint"}, actor_id=user.id,
                      now=NOW, office=office)
    load(runner)
    netzwerk = f"service:{service_id('netzwerk')}"
    translations.save(netzwerk, "tr", {"summary": "Bizim özetimiz.", "body": ""},
                      actor_id=user.id, now=NOW)  # the shipped body deleted
    load(runner)
    stored = rows()
    assert stored[("block:imprint", "en", "title")].text == "Imprint"
    assert stored[("block:imprint", "en", "title")].updated_by == user.id
    assert stored[("block:imprint", "en", "body")].updated_by is None  # the shipped one
    assert stored[(netzwerk, "tr", "summary")].text == "Bizim özetimiz."
    assert stored[(netzwerk, "tr", "title")].text == "İş ağı ve işletme ziyaretleri"
    # A deleted shipped field comes back with the next load: the German is still shipped.
    assert stored[(netzwerk, "tr", "body")].updated_by is None


@BOTH
def test_a_rewritten_german_text_gets_no_shipped_translation(
    app: Flask, runner: FlaskCliRunner
) -> None:
    office_texts.save_block(key="imprint", values=TextInput(
        office_texts.default_block("imprint", app.config["OFFICE"]).title,
        "## Bildnachweis\n\nFotos: Stadt."), now=NOW, actor_id=None)
    load(runner)
    netzwerk = service_id("netzwerk")
    item = db.session.get(Service, netzwerk)
    assert item is not None
    db.session.execute(db.delete(Translation).where(
        Translation.subject == f"service:{netzwerk}"))
    office_texts.save_service(service_id=netzwerk, values=TextInput(
        "Netzwerk", item.body, item.summary), now=NOW, actor_id=None)
    load(runner)
    stored = rows()
    for language in ("en", "tr"):
        assert ("block:imprint", language, "title") in stored  # unchanged German title
        assert ("block:imprint", language, "body") not in stored  # rewritten German body
        assert (f"service:{netzwerk}", language, "title") not in stored
        assert (f"service:{netzwerk}", language, "body") in stored


def test_the_demo_translates_the_office_front_door(app: Flask, tmp_path: Path,
                                                   client: FlaskClient) -> None:
    load_demo(NOW, tmp_path)
    stored = rows()
    for key in SHIPPED:
        assert (f"block:{key}", "tr", "body") in stored, key
    for slug in demo_data.SERVICE_TRANSLATIONS:
        assert (f"service:{service_id(slug)}", "en", "summary") in stored, slug
    english = page(client, "/angebote", "en")
    assert "Empty-shop management" in english and NOTE not in english


# --- The shipped files --------------------------------------------------------------


def marks(text: str) -> list[str]:
    """What a translation must keep of a German text: its placeholders, link targets,
    e-mail addresses and phone numbers."""
    return sorted(re.findall(r"\$\w+", text) + re.findall(r"\]\(([^)\s]+)\)", text)
                  + re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text)
                  + re.findall(r"\d[\d ]{6,}\d", text))


def read(language: str, key: str) -> str:
    """A shipped file's text, placeholders unfilled."""
    folder = resources.files("app").joinpath("content")
    if language != "de":
        folder = folder.joinpath(language)
    return folder.joinpath(f"{key}.md").read_text("utf-8")


@pytest.mark.parametrize("language", ["en", "tr"])
@pytest.mark.parametrize("key", SHIPPED)
def test_a_shipped_block_keeps_the_german_placeholders(key: str, language: str) -> None:
    german, translated = read("de", key), read(language, key)
    assert translated.startswith("# ") and "\n\n" in translated
    assert marks(translated) == marks(german)
    assert translated.count("\n## ") == german.count("\n## ")  # the same sections
    assert translated.count("\n- ") == german.count("\n- ")


@pytest.mark.parametrize("language", ["en", "tr"])
@pytest.mark.parametrize("item", demo_data.SERVICES, ids=lambda item: item["slug"])
def test_a_shipped_service_keeps_the_german_contacts(
    item: demo_data.ServiceData, language: str
) -> None:
    translated = demo_data.SERVICE_TRANSLATIONS[item["slug"]][language]
    assert set(translated) == {"title", "summary", "body"}
    for field in ("title", "summary", "body"):
        assert marks(translated[field]) == marks(item[field]), field  # type: ignore[literal-required]
    assert translated["body"].count("\n\n") == item["body"].count("\n\n")
    problems = office_texts.check_text(TextInput(**translated), with_summary=True)
    assert problems == []


def test_the_shipped_files_are_exactly_the_translated_blocks() -> None:
    assert office_texts.TRANSLATED_BLOCKS == SHIPPED
    assert set(BLOCK_KEYS) - set(SHIPPED) == {"easy_language"}
    for language in ("en", "tr"):
        folder = resources.files("app").joinpath("content", language)
        names = {entry.name for entry in folder.iterdir()}
        assert names == {f"{key}.md" for key in SHIPPED}, language
    assert set(demo_data.SERVICE_TRANSLATIONS) == {item["slug"] for item in demo_data.SERVICES}
    assert all(set(languages) == {"en", "tr"}
               for languages in demo_data.SERVICE_TRANSLATIONS.values())
