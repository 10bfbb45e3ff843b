"""Staff's English and Turkish translations of their own texts: saving and deleting,
refusals with nothing stored, the one query of a list, the German fallback marked with
``lang="de"`` and one note (none for German visitors), the sanitiser on a translated
body, the back-office page and who may open it."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from app import clock
from app.extensions import db
from app.models import AdventDoor, AuditEvent, Service, Translation, User
from app.services import translations
from app.services.demo import load_demo
from app.services.editing import EditError, InvalidInput
from app.services.office_texts import load_defaults
from app.services.users import create_user

from .event_builders import make_event
from .helpers import FIRST_DAY, csrf_token, make_rally, make_shop, make_shopkeeper

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)

# The notes, by their class: their words come from the catalogues (English, Turkish).
NOTE = '<p class="german-note">'

OFFICE = {"name": "Büro", "phone": "0", "email": "a@b.test"}


@pytest.fixture
def staff(app: Flask, freeze: Callable[[datetime], None]) -> User:
    """A staff account, with the clock on the rally's first day."""
    freeze(FIRST_DAY)
    return create_user(email="team@buero.test", password="ein-langes-passwort-123",
                       role="staff", name="Team Büro")


@pytest.fixture
def staff_client(app: Flask, staff: User) -> FlaskClient:
    """A client logged in as staff (Flask-Login's session keys, as the login leaves them)."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = staff.get_id()
        session["_fresh"] = True
        session["auth_at"] = clock.utcnow().isoformat()
    return client


def stored() -> dict[tuple[str, str, str], str]:
    """Every translation: (subject, language, field) → text."""
    return {(row.subject, row.language, row.field): row.text
            for row in db.session.scalars(select(Translation))}


@contextmanager
def counted() -> Iterator[list[str]]:
    """The SQL statements run inside the block (not the transaction's BEGIN)."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if not statement.startswith(("BEGIN", "SAVEPOINT")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def page(client: FlaskClient, path: str, language: str) -> str:
    """The public page at ``path`` for a browser asking for ``language``."""
    response = client.get(path, headers={"Accept-Language": language})
    assert response.status_code == 200, path
    return response.text


# --- The service -----------------------------------------------------------------------


def test_save_stores_updates_and_an_empty_field_deletes(app: Flask, staff: User) -> None:
    item = make_event()
    subject = f"event:{item.id}"
    changes = translations.save(subject, "en", {"title": "Networking evening",
                                                "summary": "  "},
                                actor_id=staff.id, now=clock.utcnow())
    assert changes == {"saved": ["title"], "deleted": []}
    assert stored() == {(subject, "en", "title"): "Networking evening"}
    translations.save(subject, "en", {"title": "Meet the shops"}, actor_id=staff.id,
                      now=clock.utcnow())
    assert stored() == {(subject, "en", "title"): "Meet the shops"}
    changes = translations.save(subject, "en", {"title": ""}, actor_id=staff.id,
                                now=clock.utcnow())
    assert changes == {"saved": [], "deleted": ["title"]} and stored() == {}
    audits = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "translation.save").order_by(AuditEvent.id)).all()
    assert [(a.subject, a.actor_id, a.details["language"]) for a in audits] == [
        (subject, staff.id, "en")] * 3


@pytest.mark.parametrize(("fields", "field", "code"), [
    ({"title": "x" * 121}, "title", "too_long"),
    ({"body": "y" * 20_001}, "body", "too_long"),
    ({"title": "Evening\x00"}, "title", "control_characters"),
    ({"summary": "Line\nbreak"}, "summary", "control_characters"),
    ({"offer": "Coffee"}, "offer", "unknown_field"),  # an event has no offer
])
def test_refusals_store_nothing(app: Flask, staff: User, fields: dict[str, str], field: str,
                                code: str) -> None:
    item = make_event()
    with pytest.raises(InvalidInput) as excinfo:
        translations.save(f"event:{item.id}", "tr", {"title": "Akşam", **fields},
                          actor_id=staff.id, now=clock.utcnow())
    assert [(p.field, p.code) for p in excinfo.value.problems] == [(f"tr_{field}", code)]
    assert stored() == {}
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "translation.save")) == 0


@pytest.mark.parametrize(("subject", "language", "code"), [
    ("event:999", "en", "unknown_text"), ("block:nope", "en", "unknown_text"),
    ("block:easy_language", "en", "unknown_text"), ("news:1", "en", "unknown_text"),
    ("block:imprint", "fr", "unknown_language"), ("block:imprint", "de", "unknown_language"),
])
def test_unknown_texts_and_languages(app: Flask, staff: User, subject: str, language: str,
                                     code: str) -> None:
    with pytest.raises(EditError) as excinfo:
        translations.save(subject, language, {"title": "Imprint"}, actor_id=staff.id,
                          now=clock.utcnow(), office=OFFICE)
    assert excinfo.value.code == code and stored() == {}


def test_a_list_reads_its_translations_in_one_query(app: Flask, staff: User) -> None:
    events = [make_event() for _ in range(4)]
    for item in events[:2]:
        translations.save(f"event:{item.id}", "tr", {"title": f"Akşam {item.id}"},
                          actor_id=None, now=clock.utcnow())
    events = [db.session.get(type(item), item.id) for item in events]  # loaded again
    with counted() as statements:
        texts = translations.localize("event", events, language="tr")
    assert len(statements) == 1
    assert [str(texts[item.id]["title"]) for item in events] == [
        f"Akşam {events[0].id}", f"Akşam {events[1].id}", events[2].title, events[3].title]
    assert [texts[item.id]["title"].language for item in events] == ["tr", "tr", "de", "de"]
    assert [texts[item.id].german for item in events] == [True, True, True, True]  # summaries
    with counted() as statements:
        german = translations.localize("event", events, language="de")
    assert statements == [] and not any(text.german for text in german.values())


# --- Public pages ----------------------------------------------------------------------


def test_event_page_shows_the_translation_and_marks_german(
    app: Flask, client: FlaskClient, staff: User
) -> None:
    item = make_event(title="Netzwerkabend", summary="Kennenlernen bei Kaffee.",
                      description="Wir treffen uns.")
    db.session.commit()
    translations.save(f"event:{item.id}", "en", {
        "title": "Networking evening",
        "body": "We **meet**.\n\n<script>alert(1)</script>"}, actor_id=None,
        now=clock.utcnow())
    path = f"/veranstaltungen/{item.slug}"

    english = page(client, path, "en")
    assert "<h1>Networking evening</h1>" in english
    assert '<p class="lead" lang="de">Kennenlernen bei Kaffee.</p>' in english
    assert "<strong>meet</strong>" in english and "<script>alert" not in english
    assert english.count(NOTE) == 1

    turkish = page(client, path, "tr")
    assert '<h1 lang="de">Netzwerkabend</h1>' in turkish and turkish.count(NOTE) == 1

    german = page(client, path, "de")
    assert "<h1>Netzwerkabend</h1>" in german and "Wir treffen uns." in german
    assert NOTE not in german and ' lang="de">Kennenlernen' not in german

    listed = page(client, "/veranstaltungen", "en")
    assert ">Networking evening</a>" in listed and NOTE in listed  # the summary
    assert NOTE not in page(client, "/veranstaltungen", "de")


def test_a_saved_translation_shows_at_once_on_the_office_pages(
    app: Flask, client: FlaskClient, staff: User
) -> None:
    load_defaults(app.config["OFFICE"], clock.utcnow())
    db.session.commit()
    assert NOTE not in page(client, "/impressum", "en")  # the shipped translation
    translations.save("block:imprint", "en", {"title": "Legal notice", "body": "Credits."},
                      actor_id=None, now=clock.utcnow(), office=app.config["OFFICE"])
    english = page(client, "/impressum", "en")
    assert "<h1>Legal notice</h1>" in english and "Credits." in english
    assert NOTE not in english

    service = db.session.scalars(select(Service).order_by(Service.id)).first()
    assert service is not None
    translations.save(f"service:{service.id}", "tr",  # the shipped ones deleted
                      {"title": "Danışmanlık", "summary": "", "body": ""},
                      actor_id=None, now=clock.utcnow())
    turkish = page(client, f"/angebote/{service.slug}", "tr")
    assert "<h1>Danışmanlık</h1>" in turkish and turkish.count(NOTE) == 1  # summary, body
    assert ">Danışmanlık</a>" in page(client, "/angebote", "tr")
    assert ">Danışmanlık</a>" in page(client, "/", "tr")


def test_advent_door_in_turkish(app: Flask, client: FlaskClient, staff: User) -> None:
    rally = make_rally()
    door = AdventDoor(rally_id=rally.id, number=1, opens_on=date(2026, 12, 1),
                      title="Lebkuchen", body="Heute **süß**.", shop_id=make_shop().id,
                      offer="Zwei für eins")
    db.session.add(door)
    db.session.commit()
    translations.save(f"door:{door.id}", "tr", {"title": "Zencefilli kurabiye",
                                                "body": "<script>x</script>Bugün tatlı."},
                      actor_id=None, now=clock.utcnow())
    turkish = page(client, "/adventskalender/1", "tr")
    assert ">Zencefilli kurabiye</h1>" in turkish and "Bugün tatlı." in turkish
    assert "<script>x" not in turkish and '<span lang="de">Zwei für eins</span>' in turkish
    assert turkish.count(NOTE) == 1
    assert "Zencefilli kurabiye" in page(client, "/adventskalender", "tr")
    assert "Zencefilli kurabiye" in page(client, "/", "tr")
    german = page(client, "/adventskalender/1", "de")
    assert ">Lebkuchen</h1>" in german and NOTE not in german


# --- The back office -------------------------------------------------------------------


def test_the_back_office_page_saves_both_languages(
    app: Flask, staff_client: FlaskClient
) -> None:
    item = make_event(title="Netzwerkabend")
    db.session.commit()
    path = f"/buero/uebersetzungen/event/{item.id}"
    form = staff_client.get(path)
    assert form.status_code == 200 and '<dd lang="de">Netzwerkabend</dd>' in form.text
    assert "Überschrift (Türkisch)" in form.text and 'lang="tr"' in form.text
    assert f"/buero/uebersetzungen/event/{item.id}" in staff_client.get(
        f"/buero/veranstaltungen/{item.id}").text
    response = staff_client.post(path, data={
        "csrf_token": csrf_token(form.text), "en_title": "  Networking  evening ",
        "tr_title": "Ağ kurma akşamı", "en_body": "Line one\r\nline two"})
    assert response.status_code == 303 and response.headers["Location"].endswith(path)
    assert stored() == {(f"event:{item.id}", "en", "title"): "Networking evening",
                        (f"event:{item.id}", "en", "body"): "Line one\nline two",
                        (f"event:{item.id}", "tr", "title"): "Ağ kurma akşamı"}
    again = staff_client.get(path).text
    assert "Die Übersetzungen sind gespeichert" in again and "Ağ kurma akşamı" in again


@pytest.mark.parametrize(("field", "value", "message"), [
    ("en_title", "x" * 121, "höchstens 120 Zeichen"),
    ("tr_title", "Akşam\x1b", "Steuerzeichen"),
])
def test_the_back_office_refuses_in_german(
    app: Flask, staff_client: FlaskClient, field: str, value: str, message: str
) -> None:
    item = make_event()
    db.session.commit()
    path = f"/buero/uebersetzungen/event/{item.id}"
    response = staff_client.post(path, data={
        "csrf_token": csrf_token(staff_client.get(path).text), "en_summary": "Fine.",
        field: value})
    assert response.status_code == 400 and message in response.text
    assert stored() == {}


@pytest.mark.parametrize("path", [
    "/buero/uebersetzungen/event/999", "/buero/uebersetzungen/block/nope",
    "/buero/uebersetzungen/block/easy_language", "/buero/uebersetzungen/news/1",
    "/buero/uebersetzungen/service/x",
])
def test_unknown_subjects_are_404(app: Flask, staff_client: FlaskClient, path: str) -> None:
    assert staff_client.get(path).status_code == 404


def test_only_staff_open_the_page(app: Flask, staff: User) -> None:
    path = "/buero/uebersetzungen/block/imprint"
    anonymous = app.test_client().get(path)
    assert anonymous.status_code == 302 and "/anmelden" in anonymous.headers["Location"]
    shopkeeper = make_shopkeeper(make_shop())
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = shopkeeper.get_id()
        session["_fresh"] = True
        session["auth_at"] = clock.utcnow().isoformat()
    assert client.get(path).status_code == 403
    assert client.post(path, data={}).status_code in (400, 403)
    assert stored() == {}


# --- The demo --------------------------------------------------------------------------


def test_the_demo_translates_an_event_and_todays_door_once(
    app: Flask, client: FlaskClient, freeze: Callable[[datetime], None], tmp_path: Path
) -> None:
    freeze(FIRST_DAY)
    load_demo(clock.utcnow(), tmp_path)
    first = {key: text for key, text in stored().items()
             if key[0].startswith(("event:", "door:"))}  # not the office's 56 shipped
    assert len(first) == 10
    door = next(subject for subject, _language, _field in first if subject.startswith("door"))
    translations.save(door, "tr", {"title": "Kendi başlığımız"}, actor_id=None,
                      now=clock.utcnow())
    load_demo(clock.utcnow(), tmp_path)
    again = stored()
    assert len(again) == 10 + 56 and again[(door, "tr", "title")] == "Kendi başlığımız"
    turkish = page(client, "/", "tr")
    assert "Kendi başlığımız" in turkish
    assert "Kadın girişimciler için tanışma akşamı" in page(client, "/veranstaltungen", "tr")
    english = page(client, "/adventskalender/1", "en")
    assert "Post for your loved ones" in english and "Those who write" in english
