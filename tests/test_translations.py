"""The English and Turkish catalogues: complete, current with the code, and faithful to
every placeholder; the shoppers' and businesses' pages in each language with no German
string of the catalogue left on them."""

import gettext
import re
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Event, Station

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "tr")
# %(name)s and %(num)d (gettext), {name} (str.format), HTML tags and entities.
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sdf]|\{[a-z_0-9]*\}|</?[a-z]+[^>]*>|&[a-z]+;")


def catalogue(language: str) -> Catalog:
    with (ROOT / "app" / "translations" / language / "LC_MESSAGES" / "messages.po").open(
            "rb") as handle:
        return read_po(handle, locale=language)


def ids(message: Message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def strings(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def marks(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """What the code marks for translation now (babel.cfg, as ``make messages``)."""
    target = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-o", str(target), "."],
        cwd=ROOT, check=True, capture_output=True)
    with target.open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marked_string_has_a_translation(extracted: Catalog, language: str) -> None:
    translated = catalogue(language)
    missing = [ids(message)[0] for message in extracted if message.id and (
        (found := translated.get(message.id, message.context)) is None
        or not all(strings(found)) or found.fuzzy)]
    assert not missing, (f"{len(missing)} strings lack a {language} translation; run "
                         f"`make messages` and translate: {missing[:10]}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_holds_no_string_the_code_no_longer_has(extracted: Catalog,
                                                              language: str) -> None:
    gone = [ids(message)[0] for message in catalogue(language)
            if message.id and extracted.get(message.id, message.context) is None]
    assert not gone, f"run `make messages` to drop: {gone[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language: str) -> None:
    wrong = []
    for message in catalogue(language):
        if not message.id:
            continue
        wanted = {tuple(marks(text)) for text in ids(message)}
        for text in strings(message):
            if tuple(marks(text)) not in wanted:
                wrong.append((ids(message)[0], text))
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_compiled_catalogue_is_current(language: str) -> None:
    """The .mo the app loads says exactly what the .po says (run `make messages`)."""
    path = ROOT / "app" / "translations" / language / "LC_MESSAGES" / "messages.mo"
    with path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in catalogue(language):
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            got = tuple(compiled.npgettext(message.context, *message.id, n)
                        if message.context else compiled.ngettext(*message.id, n)
                        for n in (1, 2))
        else:
            got = (compiled.pgettext(message.context, message.id) if message.context
                   else compiled.gettext(message.id),)
        assert got == strings(message), ids(message)[0]


def test_the_placeholder_check_notices_a_renamed_placeholder() -> None:
    """The check above can fail: a renamed or dropped placeholder is a different set."""
    assert marks("Ab %(goal)s Stempeln") != marks("From %(target)s stamps")
    assert marks("Hallo {name}, <strong>da</strong>") != marks("Hello, <strong>there")


# ---------------------------------------------------------------------------
# Pages in each language
# ---------------------------------------------------------------------------


class VisibleText(HTMLParser):
    """A page's visible text and labels, without what is marked as German
    (``lang="de"``: staff-written content without a translation, the language switch)."""

    SKIP = {"script", "style", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[bool] = []  # per open element: is its text left out?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        hidden = bool(self.stack and self.stack[-1]) or tag in self.SKIP or \
            (values.get("lang") == "de" and tag != "html") or tag == "title"
        if not hidden:
            self.parts.extend(value for name, value in attrs if value and name in (
                "alt", "title", "aria-label", "placeholder"))
        if tag not in self.VOID:
            self.stack.append(hidden)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def german_phrases(language: str) -> set[str]:
    """Pieces of German UI text (three words or more, between placeholders) that the
    catalogue translates differently: none may show on a page in ``language``."""
    phrases = set()
    for message in catalogue(language):
        if not message.id:
            continue
        for german, text in zip(ids(message), strings(message), strict=False):
            if german == text:
                continue
            for piece in PLACEHOLDER.split(unescape(german)):
                piece = " ".join(piece.split()).strip(" ,.:;–-")
                if len(piece.split()) >= 3 and len(piece) >= 16:
                    phrases.add(piece)
    return phrases


@pytest.fixture
def demo(app: Flask, runner, tmp_path: Path, freeze) -> Station:  # type: ignore[no-untyped-def]
    """The demo (clock frozen on 1 December); one of its stations."""
    app.instance_path = str(tmp_path / "instance")
    assert runner.invoke(args=["demo"]).exit_code == 0
    station = db.session.scalars(select(Station).order_by(Station.id)).first()
    assert station is not None
    return station


def shopper_pages(client: FlaskClient, station: Station) -> dict[str, str]:
    """Scan, tap (the stamp), card, entry, appointments, events, an event, the Advent
    calendar and today's door, as the client sees them."""
    pages = {"scan": client.get(f"/s/{station.token}")}
    token = re.search(r'name="csrf_token" value="([^"]+)"', pages["scan"].get_data(as_text=True))
    assert token is not None
    pages["tap"] = client.post(f"/s/{station.token}", data={"csrf_token": token.group(1)},
                               follow_redirects=True)
    pages["card"] = client.get("/karte")
    pages["entry"] = client.get("/karte/teilnahme")
    pages["appointments"] = client.get("/termine")
    topic = re.search(r'href="(/termine\?thema=[a-z-]+)"', pages["appointments"].get_data(
        as_text=True))
    assert topic is not None
    pages["appointment times"] = client.get(topic.group(1))
    pages["events"] = client.get("/veranstaltungen")
    event = db.session.scalars(select(Event).where(Event.status == "published")
                               .order_by(Event.starts_at)).first()
    assert event is not None
    pages["event"] = client.get(f"/veranstaltungen/{event.slug}")
    pages["advent"] = client.get("/adventskalender")
    pages["door"] = client.get("/adventskalender/1")
    for name, response in pages.items():
        assert response.status_code == 200, name
    return {name: response.get_data(as_text=True) for name, response in pages.items()}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_shoppers_pages_have_no_german_left(client: FlaskClient, demo: Station,
                                                language: str) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = f"{language},de;q=0.5"
    phrases = german_phrases(language)
    assert len(phrases) > 500
    for name, html in shopper_pages(client, demo).items():
        assert f'<html lang="{language}">' in html, name
        text = visible_text(html)
        left = sorted(phrase for phrase in phrases if phrase in text)
        assert not left, f"{name} ({language}) still says: {left[:5]}"


def test_the_german_page_check_would_notice_german(client: FlaskClient, demo: Station) -> None:
    """The check above can fail: a German page is full of the catalogue's phrases."""
    text = visible_text(client.get(f"/s/{demo.token}").get_data(as_text=True))
    assert any(phrase in text for phrase in german_phrases("en"))


def test_text_marked_as_german_is_left_out_of_the_check() -> None:
    html = '<p>Hello</p><p lang="de">Nur auf Deutsch <b>hier</b></p><img alt="Bild eins"><p>end</p>'
    assert visible_text(html) == "Hello Bild eins end"
